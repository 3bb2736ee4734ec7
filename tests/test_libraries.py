"""Library adapters (analyzer/libraries/): the model libraries share one reading of model
classes, run once per file on the files any of them marks, whichever web framework the
project uses."""
from routeguard.extract import extract_source
from routeguard.frameworks import ADAPTERS
from routeguard.frameworks.base import Knowledge

KNOWLEDGE = Knowledge(ADAPTERS)


def models(text: str, module: str = "app.models"):
    facts = extract_source(f"{module.replace('.', '/')}.py", text, module, False, KNOWLEDGE)
    return [(m.qualname, m.kind, m.fields) for m in facts.models]


def test_one_reading_of_a_file_both_model_libraries_mark():
    assert models(
        "from pydantic import BaseModel\n"
        "from sqlalchemy.orm import DeclarativeBase\n"
        "class Base(DeclarativeBase):\n    pass\n"
        "class User(Base):\n    __tablename__ = 'users'\n    email: str\n"
        "class UserOut(BaseModel):\n    email: str\n"
    ) == [("app.models.Base", "orm", ()), ("app.models.User", "orm", ("email",)),
          ("app.models.UserOut", "schema", ("email",))]


def test_flask_sqlalchemy_models_without_fastapi():
    assert models(
        "from flask_sqlalchemy import SQLAlchemy\n"
        "from sqlalchemy.orm import declarative_base\n"
        "Base = declarative_base()\n"
        "class Note(Base):\n    __tablename__ = 'notes'\n    body = None\n"
    ) == [("app.models.Base", "orm", ()), ("app.models.Note", "orm", ("body",))]


def test_a_flask_service_module_is_read_by_the_function_pass_not_by_the_fastapi_adapter():
    """A Flask project's service module that mentions only SQLAlchemy and PyJWT is no FastAPI
    file: the FastAPI adapter does not run on it (it took ``crud = CRUDNote(Note)`` for a router of
    its own), while the neutral function pass (analyzer/functions.py, which the web framework and
    the model and token libraries share) reads what its functions return and the scopes its tokens
    grant, as for a FastAPI project."""
    facts = extract_source("app/services.py", (
        "import jwt\n"
        "from sqlalchemy import select\n"
        "from .models import Note\n"
        "from .crud import CRUDNote\n"
        "crud = CRUDNote(Note)\n"
        "def recent_notes(session):\n"
        "    return session.scalars(select(Note)).all()\n"
        "def token_for(user):\n"
        "    return jwt.encode({'sub': user.id, 'scopes': ['*']}, KEY)\n"
    ), "app.services", False, KNOWLEDGE)
    assert facts.routers == ()
    assert [(r.function, r.values) for r in facts.returns] == [
        ("app.services.recent_notes", ("app.models.Note",)), ("app.services.token_for", ("call:jwt.encode",))]
    assert [(s.kind, s.owner, s.source) for s in facts.scopes] == [("granted", "app.services.token_for", "wildcard")]


def test_a_library_adapter_names_its_field_types():
    """fields.classify reads a declared type's words through Knowledge: a library adapter that
    names its secret column type is all it takes."""
    from routeguard.fields import classify
    from routeguard.frameworks.base import Adapter

    class VaultAdapter(Adapter):
        name = "vault"
        field_types = {"VaultString": "secret"}

    with_vault = Knowledge((*ADAPTERS, VaultAdapter()))
    assert classify("blob", "Column(VaultString(255))", types=with_vault.types) == "secret"
    assert classify("blob", "Column(VaultString(255))", types=KNOWLEDGE.types) == ""
    assert classify("api_key", "Column(String)", types=KNOWLEDGE.types) == "secret"
