from __future__ import annotations

from routeguard.findings import Severity

from .base import Check, Invalid, Valid
from routeguard.states import AuthState


def sensitive_fields(graph, model: str) -> list[str]:
    """The model's secret fields, by the one field vocabulary and the project's configuration."""
    return [name for name, (mark, _) in graph.field_marks(model).items() if mark == "secret"]


class OrmObjectWithoutResponseModel(Check):
    """
    ## What it does
    Flags a route that returns an ORM object (a SQLAlchemy model or a SQLModel table
    model) with no response model and no return annotation that filters it, and a
    route whose response model is the storage model itself while that model carries
    sensitive fields (`hashed_password`, tokens, secrets).

    ## Why is this bad
    Without an output schema the framework serializes every column it can reach:
    password hashes, reset tokens, internal flags and foreign keys go to the client,
    and every column added later is exposed the day it is added. Using the table
    model as the response model does the same with extra steps.

    ## Example
    ```python
    @router.get("/users/{user_id}")
    def read_user(user_id: int, session: SessionDep):
        return session.get(User, user_id)  # includes hashed_password
    ```

    ## Use instead
    ```python
    @router.get("/users/{user_id}", response_model=UserPublic)
    def read_user(user_id: int, session: SessionDep):
        return session.get(User, user_id)
    ```

    ## References
    - OWASP API Security Top 10 2023, API3: Broken Object Property Level Authorization
    - CWE-213: Exposure of Sensitive Information Due to Incompatible Policies
    - FastAPI documentation, "Response Model - Return Type"
    """

    id = "RG303"
    name = "orm-object-without-response-model"
    summary = "Route returns an ORM object with no filtering response model, or a storage model with sensitive fields"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 213
    owasp = "API3:2023"

    VALID = (
        Valid({
            "app/models.py": """
from sqlmodel import Field, SQLModel

class UserBase(SQLModel):
    email: str

class User(UserBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    hashed_password: str

class UserPublic(UserBase):
    id: int
""",
            "app/main.py": """
from fastapi import FastAPI
from sqlmodel import Session
from app.models import User, UserPublic

app = FastAPI()

@app.get("/users/{user_id}", response_model=UserPublic)
def read_user(user_id: int, session: Session):
    return session.get(User, user_id)

@app.get("/users/{user_id}/card")
def read_card(user_id: int, session: Session) -> UserPublic:
    return session.get(User, user_id)
""",
        }),
    )
    INVALID = (
        Invalid({
            "app/models.py": """
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()

class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String)
    hashed_password = Column(String)
""",
            "app/crud.py": """
from sqlalchemy.orm import Session
from app.models import User

def get_user(db: Session, user_id: int):
    return db.query(User).filter(User.id == user_id).first()
""",
            "app/main.py": """
from fastapi import FastAPI
from app import crud

app = FastAPI()

@app.get("/users/{user_id}")  # expect: RG303
def read_user(user_id: int):
    return crud.get_user(None, user_id)
""",
        }),
        Invalid({
            "app/models.py": """
from sqlmodel import Field, SQLModel

class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str
    hashed_password: str
""",
            "app/main.py": """
from fastapi import FastAPI
from app.models import User

app = FastAPI()

@app.post("/users", response_model=User)  # expect: RG303
def create_user(user: User):
    return user
""",
        }),
    )

    def run(self, graph):
        routes = {}
        for r in graph.routes:
            routes.setdefault((r.location, r.handler), []).append(r)
        for (location, handler), group in sorted(routes.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            rf = graph.returns.get(handler)
            if rf is None or not rf.serialized:
                continue
            route = group[0]
            where = f"{'/'.join(r.method for r in group)} {route.path}"
            open_route = any(r.auth == AuthState.UNPROTECTED for r in group)
            declared = rf.schema if rf.schema and rf.schema != "None" else ("" if rf.schema == "None" else rf.annotation)
            if declared and declared != "?":
                kind = graph.model_kind(declared)
                secret = sensitive_fields(graph, declared)
                if secret and kind == "orm":
                    short = declared.rpartition(".")[2]
                    storage = "the storage model " if kind == "orm" else ""
                    yield self.finding(
                        f"{where} uses {storage}{short} as its response model, which carries "
                        f"{', '.join(secret)}: those fields are sent to the client.",
                        rf.schema_location or location, Severity.ERROR, suppress_lines=route.suppress_lines, routes=group)
                    continue
                if kind == "orm" and declared == rf.annotation:
                    yield self.finding(
                        f"{where} is annotated to return the storage model {declared.rpartition('.')[2]}: "
                        "every column is serialized.", location,
                        Severity.ERROR if open_route else self.severity, suppress_lines=route.suppress_lines, routes=group)
                continue
            if declared == "?":
                continue
            orm = [t for t in graph.returned_types(handler) if graph.model_kind(t) == "orm"]
            if not orm:
                continue
            model = orm[0]
            secret = sensitive_fields(graph, model)
            extra = f", including {', '.join(secret)}" if secret else ""
            yield self.finding(
                f"{where} returns the ORM model {model.rpartition('.')[2]} with no response model: every "
                f"column is serialized{extra}.", location,
                Severity.ERROR if secret or open_route else self.severity, suppress_lines=route.suppress_lines, routes=group)
