"""FastAPI semantics in the route/authorization graph, and the scope and exposure checks."""
from routeguard import scan_sources
from helpers import routes, validate_sarif


def rules(report, rule):
    return sorted((f.location.file, f.location.line) for f in report.findings if f.rule_id == rule)


SECURITY = """
from fastapi.security import OAuth2PasswordBearer
from jose import jwt

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/login/access-token")
"""

DEPS = """
from typing import Annotated
from fastapi import Depends, HTTPException, status
from jose import jwt
from sqlalchemy.orm import Session
from app.core.security import oauth2_scheme
from app.db import SessionLocal
from app.models import User


def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()


SessionDep = Annotated[Session, Depends(get_db)]
TokenDep = Annotated[str, Depends(oauth2_scheme)]


def get_current_user(session: SessionDep, token: TokenDep) -> User:
    payload = jwt.decode(token, "k", algorithms=["HS256"])
    return session.get(User, payload["sub"])


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_current_active_superuser(current_user: CurrentUser) -> User:
    if not current_user.is_superuser:
        raise HTTPException(status_code=400, detail="The user doesn't have enough privileges")
    return current_user


def pagination(skip: int = 0, limit: int = 100):
    return {"skip": skip, "limit": limit}
"""

MODELS = """
from sqlmodel import Field, SQLModel


class UserBase(SQLModel):
    email: str
    is_superuser: bool = False


class User(UserBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    hashed_password: str


class UserPublic(UserBase):
    id: int
"""


def project(**endpoints):
    files = {
        "app/__init__.py": "",
        "app/main.py": """
from fastapi import FastAPI
from app.api.v1.api import api_router

app = FastAPI(title="x")
app.include_router(api_router, prefix="/api/v1")
""",
        "app/core/__init__.py": "",
        "app/core/security.py": SECURITY,
        "app/db.py": "from sqlalchemy.orm import sessionmaker\nSessionLocal = sessionmaker()\n",
        "app/models.py": MODELS,
        "app/api/__init__.py": "",
        "app/api/deps.py": DEPS,
        "app/api/v1/__init__.py": "",
        "app/api/v1/api.py": "from fastapi import APIRouter\nfrom app.api.v1.endpoints import "
                             + ", ".join(endpoints) + "\napi_router = APIRouter()\n" + "".join(
                                 f"api_router.include_router({n}.router, prefix='/{n}')\n" for n in endpoints),
        "app/api/v1/endpoints/__init__.py": "",
    }
    files.update({f"app/api/v1/endpoints/{n}.py": code for n, code in endpoints.items()})
    return files


def test_nested_routers_across_modules_resolve_every_prefix():
    r, _ = routes(project(items="""
from fastapi import APIRouter

router = APIRouter(prefix="/extra", tags=["items"])

@router.get("/")
def list_items(): ...

@router.api_route("/{item_id}", methods=["get", "put"])
def item(item_id: int): ...

@router.websocket("/ws")
async def ws(websocket): ...

def legacy(): ...

router.add_api_route("/legacy", legacy, methods=["PATCH"])
"""))
    assert set(r) == {("GET", "/api/v1/items/extra/"), ("GET", "/api/v1/items/extra/{item_id}"),
                      ("PUT", "/api/v1/items/extra/{item_id}"), ("WEBSOCKET", "/api/v1/items/extra/ws"),
                      ("PATCH", "/api/v1/items/extra/legacy")}
    assert all(x.framework == "fastapi" for x in r.values())
    assert r[("GET", "/api/v1/items/extra/")].auth == "unprotected"


def test_route_parameter_dependencies_and_aliases_from_other_modules():
    r, report = routes(project(users="""
from typing import Annotated
from fastapi import APIRouter, Depends
from app.api import deps
from app.api.deps import CurrentUser, SessionDep, pagination
from app.models import User

router = APIRouter()

@router.get("/me")
def read_me(current_user: CurrentUser):
    return current_user

@router.get("/me2")
def read_me2(user: User = Depends(deps.get_current_user)):
    return user

@router.get("/me3")
def read_me3(user: Annotated[User, Depends(deps.get_current_user)]):
    return user

@router.get("/open")
def open_list(session: SessionDep, page: dict = Depends(pagination), token: str = ""):
    return []
"""), **{"report-public-reads": True})  # open_list returns a stub list: a public read, listed as a note
    me = r[("GET", "/api/v1/users/me")]
    assert me.auth == "protected"
    g = me.guards[0]
    assert (g.name, g.layer, g.location.file, g.location.line) == \
        ("CurrentUser", "dependency", "app/api/v1/endpoints/users.py", 11)
    assert r[("GET", "/api/v1/users/me2")].auth == "protected"
    assert r[("GET", "/api/v1/users/me3")].guards[0].name == "Depends(deps.get_current_user)"
    assert r[("GET", "/api/v1/users/open")].auth == "unprotected"
    assert rules(report, "RG101") == [("app/api/v1/endpoints/users.py", 22)]


def test_dependencies_on_decorator_router_include_and_app():
    files = project(admin="""
from fastapi import APIRouter, Depends
from app.api.deps import get_current_active_superuser

router = APIRouter(dependencies=[Depends(get_current_active_superuser)])

@router.delete("/users/{user_id}")
def delete_user(user_id: int): ...
""", misc="""
from fastapi import APIRouter, Depends
from app.api.deps import get_current_user

router = APIRouter()

@router.post("/ping", dependencies=[Depends(get_current_user)])
def ping(): ...

@router.post("/open")
def open_(): ...
""", other="""
from fastapi import APIRouter
router = APIRouter()

@router.get("/x")
def x(): ...
""")
    files["app/api/v1/api.py"] = """
from fastapi import APIRouter, Depends
from app.api.deps import get_current_user
from app.api.v1.endpoints import admin, misc, other

api_router = APIRouter()
api_router.include_router(admin.router, prefix="/admin")
api_router.include_router(misc.router, prefix="/misc")
api_router.include_router(other.router, prefix="/other", dependencies=[Depends(get_current_user)])
"""
    r, _ = routes(files)
    assert r[("DELETE", "/api/v1/admin/users/{user_id}")].guards[0].layer == "router"
    assert r[("POST", "/api/v1/misc/ping")].guards[0].layer == "dependency"
    assert r[("POST", "/api/v1/misc/open")].auth == "unprotected"
    inc = r[("GET", "/api/v1/other/x")].guards[0]
    assert (inc.layer, inc.location.file, inc.location.line) == ("include", "app/api/v1/api.py", 9)

    r, _ = routes({"app/main.py": """
from fastapi import Depends, FastAPI
from fastapi.security import HTTPBearer

bearer = HTTPBearer()
app = FastAPI(dependencies=[Depends(bearer)])

@app.get("/things")
def things(): ...
"""})
    g = r[("GET", "/things")].guards[0]
    assert (g.layer, g.name) == ("app", "Depends(bearer)")


def test_dependency_is_auth_by_what_it_does():
    r, _ = routes({"app/main.py": """
from fastapi import Depends, FastAPI, HTTPException, Header, status
from fastapi.security import HTTPBearer, OAuth2PasswordBearer

app = FastAPI()
optional_bearer = HTTPBearer(auto_error=False)

class CookieBearer(OAuth2PasswordBearer):
    pass

cookie_scheme = CookieBearer(tokenUrl="token")

def verify_api_key(x_api_key: str = Header(...)):
    if x_api_key != "expected":
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED)

def get_settings():
    return {}

def maybe_user(creds=Depends(optional_bearer)):
    return creds

@app.get("/a", dependencies=[Depends(verify_api_key)])
def a(): ...

@app.get("/b")
def b(settings=Depends(get_settings)): ...

@app.get("/c")
def c(user=Depends(maybe_user)): ...

@app.get("/d")
def d(token: str = Depends(cookie_scheme)): ...

@app.get("/e")
def e(token: str): ...
"""})
    assert r[("GET", "/a")].auth == "protected"
    assert r[("GET", "/b")].auth == "unprotected"
    assert r[("GET", "/c")].auth == "unprotected"  # auto_error=False lets anonymous requests in
    assert r[("GET", "/d")].auth == "protected"
    assert r[("GET", "/e")].auth == "unprotected"  # a plain token parameter is not auth


def test_class_based_and_factory_dependencies():
    r, _ = routes({
        "app/auth.py": SECURITY + """
from fastapi import Depends, HTTPException

def get_current_user(token: str = Depends(oauth2_scheme)):
    return {"role": "user"}

class RoleChecker:
    def __init__(self, roles):
        self.roles = roles

    def __call__(self, user=Depends(get_current_user)):
        if user["role"] not in self.roles:
            raise HTTPException(status_code=403)

def require_role(role):
    def checker(user=Depends(get_current_user)):
        return user
    return checker

allow_admin = RoleChecker(["admin"])
""",
        "app/main.py": """
from fastapi import Depends, FastAPI
from app.auth import RoleChecker, allow_admin, require_role

app = FastAPI()

@app.get("/a", dependencies=[Depends(RoleChecker(["admin"]))])
def a(): ...

@app.get("/b", dependencies=[Depends(allow_admin)])
def b(): ...

@app.get("/c")
def c(user=Depends(require_role("admin"))): ...
""",
    })
    assert {k: v.auth for k, v in r.items()} == {("GET", "/a"): "protected", ("GET", "/b"): "protected",
                                                 ("GET", "/c"): "protected"}


def test_middleware_protects_and_its_allow_list_makes_public():
    files = {
        "app/__init__.py": "",
        "app/config.py": 'PUBLIC_PATHS = ["/health", "/docs"]\n',
        "app/main.py": """
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from app.config import PUBLIC_PATHS

app = FastAPI()

@app.middleware("http")
async def require_token(request: Request, call_next):
    if request.url.path in PUBLIC_PATHS or request.url.path.startswith("/public"):
        return await call_next(request)
    if not request.headers.get("Authorization"):
        return JSONResponse(status_code=401, content={"detail": "Not authenticated"})
    return await call_next(request)

@app.middleware("http")
async def timing(request: Request, call_next):
    return await call_next(request)

@app.get("/health")
def health(): ...

@app.get("/public/info")
def info(): ...

@app.delete("/orders/{order_id}")
def delete_order(order_id: int): ...
""",
    }
    r, _ = routes(files, **{"default-public-routes": False})
    assert r[("GET", "/health")].auth == "public"
    assert r[("GET", "/public/info")].auth == "public"
    order = r[("DELETE", "/orders/{order_id}")]
    assert order.auth == "protected"
    assert [(g.name, g.kind) for g in order.guards] == [("require_token", "middleware")]


def test_middleware_registered_by_calling_the_decorator():
    """agenta: ``app.middleware("http")(auth_middleware)`` with the middleware in another module
    is the same gate as the decorator written above it; the helper it calls first returns
    early for the paths of its allow-list (``_PUBLIC_ENDPOINTS``), which are public."""
    files = {
        "app/__init__.py": "",
        "app/auth.py": """
from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse

_PUBLIC_ENDPOINTS = ("/auth/", "/health")


async def _check_authentication_token(request: Request):
    if request.url.path.startswith(_PUBLIC_ENDPOINTS):
        return
    if request.url.path.startswith("/admin"):
        if not request.headers.get("X-Admin-Token"):
            raise HTTPException(status_code=403)
    if not request.headers.get("Authorization"):
        raise HTTPException(status_code=401)


async def auth_middleware(request: Request, call_next):
    try:
        await _check_authentication_token(request)
        return await call_next(request)
    except HTTPException as exc:
        return JSONResponse(status_code=exc.status_code, content={"detail": "Not authenticated"})
""",
        "app/main.py": """
from fastapi import FastAPI

from app.auth import auth_middleware

app = FastAPI()
app.middleware("http")(auth_middleware)


@app.delete("/apps/{app_id}")
def delete_app(app_id: str): ...


@app.post("/auth/discover")
def discover(email: str): ...
""",
    }
    r, _ = routes(files)
    assert r[("DELETE", "/apps/{app_id}")].auth == "protected"
    assert [(g.name, g.kind) for g in r[("DELETE", "/apps/{app_id}")].guards] == [("auth_middleware", "middleware")]
    # the helper it calls first goes back to it, unchecked, for the paths on its allow-list
    assert r[("POST", "/auth/discover")].auth == "public"
    assert not [f for f in scan_sources(files).findings if f.rule_id == "RG000"]  # nested blocks are read


def test_base_http_middleware_in_another_module():
    r, _ = routes({
        "app/__init__.py": "",
        "app/middleware.py": """
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse

EXEMPT = ("/auth/", "/status")

class AuthMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        if request.url.path.startswith(EXEMPT):
            return await call_next(request)
        if "authorization" not in request.headers:
            return JSONResponse({"detail": "unauthorized"}, status_code=401)
        return await call_next(request)
""",
        "app/main.py": """
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from app.middleware import AuthMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"])
app.add_middleware(AuthMiddleware)

@app.post("/auth/register")
def register(): ...

@app.get("/status/detail")
def status_detail(): ...

@app.post("/orders")
def create_order(): ...
""",
    }, **{"default-public-routes": False})
    assert r[("POST", "/auth/register")].auth == "public"
    assert r[("GET", "/status/detail")].auth == "public"
    assert r[("POST", "/orders")].auth == "protected"


def test_password_form_token_endpoint_is_public():
    r, report = routes({"app/main.py": """
from typing import Annotated
from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordRequestForm

app = FastAPI()

@app.post("/login/access-token")
def login_access_token(form_data: Annotated[OAuth2PasswordRequestForm, Depends()]):
    return {}

@app.post("/auth/jwt/create")
def create(form_data: OAuth2PasswordRequestForm = Depends()):
    return {}
"""}, **{"default-public-routes": False})
    assert r[("POST", "/login/access-token")].auth == "public"
    assert r[("POST", "/auth/jwt/create")].guards[0].name == "OAuth2PasswordRequestForm"
    assert rules(report, "RG101") == []


def test_mounted_sub_application():
    r, _ = routes({"app/main.py": """
from fastapi import Depends, FastAPI
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles

bearer = HTTPBearer()
app = FastAPI(dependencies=[Depends(bearer)])
admin_app = FastAPI()

@admin_app.get("/stats")
def stats(): ...

@app.get("/me")
def me(): ...

app.mount("/admin", admin_app)
app.mount("/static", StaticFiles(directory="static"), name="static")
"""})
    assert r[("GET", "/me")].auth == "protected"
    # the parent app's dependencies do not run for a mounted application
    assert r[("GET", "/admin/stats")].auth == "unprotected"


def test_flask_and_fastapi_coexist():
    r, _ = routes({
        "web/app.py": "from flask import Flask\napp = Flask(__name__)\n@app.get('/f')\ndef f(): ...\n",
        "api/main.py": "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/a')\ndef a(): ...\n",
    })
    assert {(k, v.framework) for k, v in r.items()} == {(("GET", "/f"), "flask"), (("GET", "/a"), "fastapi")}


def test_guard_above_route_decorator_is_misplaced():
    _, report = routes({"app/main.py": """
from fastapi import FastAPI
from app.auth import login_required

app = FastAPI()

@login_required
@app.get("/account")
def account(): ...
""", "app/auth.py": """
from fastapi import HTTPException

def login_required(fn):
    def wrapper(request, *a, **kw):
        if not request.session.get("user"):
            raise HTTPException(status_code=401)
        return fn(request, *a, **kw)
    return wrapper
"""})
    assert rules(report, "RG102") == [("app/main.py", 7)]


def test_debug_and_secrets():
    _, report = routes({
        "app/main.py": """
import uvicorn
from fastapi import FastAPI

app = FastAPI(debug=True)
prod = FastAPI(debug=False)

if __name__ == "__main__":
    uvicorn.run("app.main:app", host="0.0.0.0", reload=True, debug=True)
""",
        "app/core/security.py": """
from datetime import datetime, timedelta
from jose import jwt

SECRET_KEY = "09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7"
ALGORITHM = "HS256"
NOT_A_KEY = "hello"

def create_access_token(data: dict) -> str:
    return jwt.encode({**data, "exp": datetime.utcnow() + timedelta(minutes=30)}, SECRET_KEY, algorithm=ALGORITHM)
""",
        "app/core/config.py": """
from pydantic_settings import BaseSettings

class Settings(BaseSettings):
    PROJECT_NAME: str = "api"
    JWT_SECRET: str = "change-me"
    DEBUG: bool = False
""",
    })
    assert rules(report, "RG401") == [("app/main.py", 5), ("app/main.py", 9)]
    assert rules(report, "RG403") == [("app/core/config.py", 6), ("app/core/security.py", 5)]


SCOPED_AUTH = """
from fastapi import Depends, HTTPException, Security
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from jose import jwt

SCOPES = {"me": "Read yourself", "items": "Read items", "admin": "Administer"}
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes=SCOPES)


async def get_current_user(security_scopes: SecurityScopes, token: str = Depends(oauth2_scheme)):
    payload = jwt.decode(token, "k", algorithms=["HS256"])
    for scope in security_scopes.scopes:
        if scope not in payload.get("scopes", []):
            raise HTTPException(status_code=401, detail="Not enough permissions")
    return payload


async def get_current_active_user(current_user=Security(get_current_user, scopes=["me"])):
    return current_user


async def get_token_owner(token: str = Depends(oauth2_scheme)):
    return jwt.decode(token, "k", algorithms=["HS256"])
"""


def test_scope_enforcement_follows_the_dependency_chain():
    _, report = routes({
        "app/__init__.py": "",
        "app/auth.py": SCOPED_AUTH,
        "app/main.py": """
from fastapi import FastAPI, Security
from app.auth import get_current_active_user, get_token_owner

app = FastAPI()

@app.get("/items")
def items(user=Security(get_current_active_user, scopes=["items"])):
    return []

@app.delete("/items/{item_id}")
def delete_item(item_id: int, user=Security(get_token_owner, scopes=["admin"])):
    return None

@app.get("/everything", dependencies=[Security(get_current_active_user, scopes=["*"])])
def everything():
    return []
""",
    })
    assert rules(report, "RG202") == [("app/main.py", 12)]
    assert rules(report, "RG201") == [("app/main.py", 15)]


def test_declared_scopes_never_read():
    _, report = routes({"app/main.py": """
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordBearer, SecurityScopes

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes={"read": "Read", "write": "Write"})
app = FastAPI()

async def get_current_user(security_scopes: SecurityScopes, token: str = Depends(oauth2_scheme)):
    # only builds the header value; never compares the scopes
    authenticate_value = f'Bearer scope="{security_scopes.scope_str}"'
    raise HTTPException(status_code=401, headers={"WWW-Authenticate": authenticate_value})

@app.get("/things")
def things(user=Depends(get_current_user)):
    return []
"""})
    assert rules(report, "RG202") == [("app/main.py", 5)]


def test_token_grants():
    _, report = routes({
        "app/__init__.py": "",
        "app/auth.py": SCOPED_AUTH,
        "app/routes.py": """
from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from jose import jwt
from app.auth import SCOPES

router = APIRouter()

def create_access_token(data: dict) -> str:
    return jwt.encode(data, "k", algorithm="HS256")

@router.post("/token")
async def token(form_data: OAuth2PasswordRequestForm = Depends()):
    requested = form_data.scopes
    return {"access_token": create_access_token({"sub": form_data.username, "scopes": requested})}

@router.post("/token/all")
async def token_all(form_data: OAuth2PasswordRequestForm = Depends()):
    return {"access_token": create_access_token({"sub": form_data.username, "scopes": list(SCOPES.keys())})}

@router.post("/token/checked")
async def token_checked(form_data: OAuth2PasswordRequestForm = Depends()):
    user = lookup(form_data.username)
    granted = set(form_data.scopes) & set(user.scopes)
    return {"access_token": create_access_token({"sub": user.name, "scopes": sorted(granted)})}

@router.post("/token/star")
async def token_star(form_data: OAuth2PasswordRequestForm = Depends()):
    return {"access_token": create_access_token({"sub": form_data.username, "scope": "*"})}
""",
    })
    assert rules(report, "RG203") == [("app/routes.py", 15)]
    assert rules(report, "RG201") == [("app/routes.py", 19), ("app/routes.py", 29)]


def test_orm_objects_and_response_models():
    r, report = routes(project(users="""
from fastapi import APIRouter
from app import crud
from app.api.deps import CurrentUser, SessionDep
from app.models import User, UserPublic

router = APIRouter()

@router.get("/me")
def read_me(current_user: CurrentUser):
    return current_user

@router.get("/me/public", response_model=UserPublic)
def read_me_public(current_user: CurrentUser):
    return current_user

@router.get("/{user_id}")
def read_user(user_id: int, session: SessionDep) -> UserPublic:
    return session.get(User, user_id)

@router.get("/")
def list_users(session: SessionDep):
    return crud.list_users(session)

@router.post("/", response_model=User)
def create(session: SessionDep, current_user: CurrentUser):
    return None

@router.get("/{user_id}/raw")
def raw(user_id: int, session: SessionDep) -> User:
    return session.get(User, user_id)

@router.get("/count")
def count(session: SessionDep):
    return {"count": session.query(User).count()}
"""))
    g = report.graph
    assert g.model_kind("app.models.User") == "orm" and g.model_kind("app.models.UserPublic") == "schema"
    assert "hashed_password" in g.model_fields("app.models.User")
    assert g.returned_types("app.api.v1.endpoints.users.read_me") == ("app.models.User",)
    assert r[("GET", "/api/v1/users/me")].auth == "protected"
    got = rules(report, "RG303")
    assert ("app/api/v1/endpoints/users.py", 9) in got  # CurrentUser is a User
    assert ("app/api/v1/endpoints/users.py", 25) in got  # response_model=User carries hashed_password
    assert ("app/api/v1/endpoints/users.py", 29) in got  # annotated with the table model
    assert ("app/api/v1/endpoints/users.py", 13) not in got and ("app/api/v1/endpoints/users.py", 17) not in got
    assert ("app/api/v1/endpoints/users.py", 33) not in got


def test_orm_object_through_crud_helper():
    _, report = routes({
        "app/__init__.py": "",
        "app/models.py": """
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase

class Base(DeclarativeBase):
    pass

class Item(Base):
    __tablename__ = "items"
    id = Column(Integer, primary_key=True)
    title = Column(String)
""",
        "app/crud.py": """
from sqlalchemy import select
from app.models import Item

def get_items(db):
    return db.scalars(select(Item)).all()

async def get_item(db, item_id):
    item = await db.get(Item, item_id)
    return item
""",
        "app/main.py": """
from fastapi import Depends, FastAPI
from fastapi.security import HTTPBearer
from app import crud

app = FastAPI(dependencies=[Depends(HTTPBearer())])

@app.get("/items")
def items(db=None):
    return crud.get_items(db)

@app.get("/items/{item_id}")
async def item(item_id: int, db=None):
    return await crud.get_item(db, item_id)
""",
    })
    assert rules(report, "RG303") == [("app/main.py", 8), ("app/main.py", 12)]
    assert {f.severity.level for f in report.findings if f.rule_id == "RG303"} == {"warning"}
    validate_sarif(report.render("sarif"))


def test_include_prefix_from_settings():
    r, _ = routes({
        "app/__init__.py": "",
        "app/core/config.py": """
from pydantic_settings import BaseSettings

class Settings(BaseSettings):
    API_V1_STR: str = "/api/v1"

settings = Settings()
""",
        "app/main.py": """
from fastapi import APIRouter, FastAPI
from app.core.config import settings

API_PREFIX = "/api/v2"
app = FastAPI()
router = APIRouter(prefix="/users")

@router.get("/")
def users(): ...

app.include_router(router, prefix=settings.API_V1_STR)
app.include_router(router, prefix=API_PREFIX)
""",
    })
    assert {p for _, p in r} == {"/api/v1/users/", "/api/v2/users/"}


def test_middleware_path_checks_that_do_not_pass_the_request_on_are_not_exemptions():
    r, _ = routes({"app/main.py": """
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()
OPEN = ["/status"]

@app.middleware("http")
async def auth(request: Request, call_next):
    is_open = request.url.path in OPEN
    if is_open:
        return await call_next(request)
    if request.url.path.startswith("/api/"):
        if not request.headers.get("authorization"):
            return JSONResponse(status_code=401, content={})
    return await call_next(request)

@app.get("/status")
def status_(): ...

@app.delete("/api/things/{id}")
def delete_thing(id: int): ...
"""}, **{"default-public-routes": False})
    assert r[("GET", "/status")].auth == "public"
    assert r[("DELETE", "/api/things/{id}")].auth == "protected"


def test_class_dependency_init_and_scope_check_in_a_helper():
    r, report = routes({"app/main.py": """
from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from jose import jwt

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes={"read": "Read"})
app = FastAPI()

class CurrentUser:
    def __init__(self, token: str = Depends(oauth2_scheme)):
        self.token = token

def check_scopes(security_scopes: SecurityScopes, granted):
    missing = [s for s in security_scopes.scopes if s not in granted]
    if missing:
        raise HTTPException(status_code=403)

def get_user(security_scopes: SecurityScopes, token: str = Depends(oauth2_scheme)):
    payload = jwt.decode(token, "k", algorithms=["HS256"])
    check_scopes(security_scopes, payload["scopes"])
    return payload

@app.get("/a")
def a(user: CurrentUser = Depends()): ...

@app.get("/b")
def b(user=Security(get_user, scopes=["read"])): ...
"""})
    assert r[("GET", "/a")].auth == "protected"
    assert rules(report, "RG202") == []


def test_session_middleware_secret_is_a_hardcoded_secret():
    _, report = routes({"app/main.py": """
from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

SESSION_SECRET = "not-so-secret"
app = FastAPI()
app.add_middleware(SessionMiddleware, secret_key=SESSION_SECRET)
"""})
    assert rules(report, "RG403") == [("app/main.py", 5)]


def test_pep695_type_alias_and_scheme_instances():
    r, _ = routes({
        "app/deps.py": """
from typing import Annotated
from fastapi import Depends, HTTPException, Security
from fastapi.security import APIKeyHeader, HTTPBearer

bearer = HTTPBearer()
type Cred = Annotated[str, Depends(bearer)]
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)

async def get_api_key(api_key: str = Security(api_key_header)):
    if api_key != "expected":
        raise HTTPException(status_code=403, detail="Could not validate API key")
    return api_key

async def get_api_key_lax(api_key: str = Security(api_key_header)):
    return api_key
""",
        "app/main.py": """
from fastapi import FastAPI, Security
from app.deps import Cred, get_api_key, get_api_key_lax

app = FastAPI()

@app.get("/x")
def x(c: Cred): ...

@app.get("/key", dependencies=[Security(get_api_key)])
async def key(): ...

@app.get("/lax", dependencies=[Security(get_api_key_lax)])
async def lax(): ...
""",
    })
    assert r[("GET", "/x")].auth == "protected"
    assert r[("GET", "/key")].auth == "protected"
    assert r[("GET", "/lax")].auth == "unprotected"


def test_pure_asgi_middleware():
    r, _ = routes({
        "app/auth_mw.py": """
from starlette.responses import JSONResponse

class TokenAuthMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] in ("/healthz",):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if b"authorization" not in headers:
            response = JSONResponse({"detail": "Not authenticated"}, status_code=401)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
""",
        "app/main.py": """
from fastapi import FastAPI
from app.auth_mw import TokenAuthMiddleware

app = FastAPI()
app.add_middleware(TokenAuthMiddleware)

@app.get("/healthz")
def healthz(): ...

@app.post("/jobs")
def create_job(): ...
""",
    }, **{"default-public-routes": False})
    assert r[("GET", "/healthz")].auth == "public"
    assert r[("POST", "/jobs")].auth == "protected"


# A router built by a factory function that receives the authenticator, and an app whose
# routers are included inside a method: locals and parameters are followed across calls.
ROUTER_FACTORY = {
    "app/__init__.py": "",
    "app/security.py": '''
from fastapi import Header, HTTPException, status


class Unauthorized(HTTPException):
    def __init__(self, detail: str = "not authenticated"):
        super().__init__(status_code=status.HTTP_401_UNAUTHORIZED, detail=detail)


def verify_logged_in(verifier, token):
    claims = verifier.verify(token)
    if claims is None:
        raise Unauthorized()
    return claims


class JWTAuthenticator:
    def __init__(self, verifier):
        self._verifier = verifier

    def __call__(self, authorization: str | None = Header(None)):
        return verify_logged_in(self._verifier, authorization)
''',
    "app/stats.py": '''
from fastapi import APIRouter, Depends


def init_stats_router(authenticator):
    router = APIRouter()

    @router.get("/stats", dependencies=[Depends(authenticator)])
    async def stats():
        return {}

    @router.get("/stats/raw")
    async def raw_stats():
        return {}

    return router
''',
    "app/bundles.py": '''
from fastapi import APIRouter

router = APIRouter()


@router.get("/policy")
async def get_policy():
    return {}
''',
    "app/main.py": '''
from fastapi import Depends, FastAPI

from .bundles import router as bundles_router
from .security import JWTAuthenticator
from .stats import init_stats_router


class Server:
    def __init__(self, verifier):
        self.verifier = verifier

    def build(self) -> FastAPI:
        app = FastAPI()
        authenticator = JWTAuthenticator(self.verifier)
        stats_router = init_stats_router(authenticator)
        app.include_router(stats_router, prefix="/v1")
        app.include_router(bundles_router, dependencies=[Depends(authenticator)])
        return app
''',
}


def test_router_factories_and_authenticators_passed_as_arguments():
    """``stats_router = init_stats_router(authenticator)`` makes stats_router the router that
    init_stats_router returns, whose routes use Depends(authenticator) on its parameter, which
    stands for the JWTAuthenticator instance made by the caller; that instance's __call__
    verifies a token and raises an exception class whose __init__ rejects with 401."""
    r, report = routes(ROUTER_FACTORY, **{"report-public-reads": True})  # stub handlers: public reads, as notes
    assert {k: v.auth for k, v in r.items()} == {
        ("GET", "/v1/stats"): "protected", ("GET", "/v1/stats/raw"): "unprotected", ("GET", "/policy"): "protected"}
    assert "JWTAuthenticator" in r[("GET", "/v1/stats")].guards[0].reason
    assert [(f.rule_id, f.location.file) for f in report.findings] == [("RG101", "app/stats.py")]


def test_recipe_hub_route_inventory_with_router_subclasses_and_class_based_views():
    """fixtures/fastapi/recipe_hub: routes on UserAPIRouter/AdminAPIRouter instances are found,
    keep the prefixes passed to the subclass, get its dependencies, and class-based views
    get their controller base's dependency attributes (mealie's layout)."""
    from helpers import FIXTURES
    from routeguard import scan_paths
    project = FIXTURES / "fastapi" / "recipe_hub"
    report = scan_paths([project], root=project, cache=False)
    got = {(r.method, r.path): r for r in report.routes}
    assert {k: r.auth for k, r in got.items()} == {
        ("GET", "/api/admin/backups"): "protected",
        ("DELETE", "/api/admin/backups/{backup_id}"): "protected",
        ("GET", "/api/admin/users"): "protected",
        ("DELETE", "/api/admin/users/{item_id}"): "protected",
        ("GET", "/api/comments"): "protected",
        ("POST", "/api/comments"): "protected",
        ("GET", "/api/explore/groups/{group_slug}/organizers/categories"): "public",
        ("GET", "/api/explore/groups/{group_slug}/organizers/tags"): "public",
        ("GET", "/api/explore/groups/{group_slug}/recipes/{recipe_id}"): "public",
        ("DELETE", "/api/explore/groups/{group_slug}/recipes/{recipe_id}"): "unprotected",
        ("GET", "/api/recipes"): "protected",
        ("POST", "/api/recipes"): "protected",
        ("POST", "/api/recipes/bulk-actions/delete"): "protected",
        ("GET", "/api/recipes/formats"): "protected",
        ("DELETE", "/api/recipes/{item_id}"): "protected",
        ("GET", "/api/validators/user/email"): "unprotected",
        ("GET", "/api/validators/group"): "unprotected",
        ("GET", "/api/app/about"): "unprotected",
        ("GET", "/api/app/about/startup-info"): "unprotected",
    }
    admin = got[("DELETE", "/api/admin/users/{item_id}")]
    assert {(g.layer, g.name) for g in admin.guards} == {
        ("class", "Depends(get_admin_user)"), ("router", "Depends(get_admin_user)")}
    # the class attribute of BaseAdminController overrides BaseUserController's
    assert all("get_current_user" not in g.name for g in admin.guards)
    assert [(g.layer, g.name) for g in got[("GET", "/api/recipes/formats")].guards] == [
        ("router", "Depends(get_current_user)")]
    assert [g.name for g in got[("POST", "/api/recipes/bulk-actions/delete")].guards] == ["Depends(get_current_user)"]
    assert not rules(report, "RG104")  # get_admin_user checks the admin flag: a role check
    # get_public_group 404s for a private group: the explore reads serve what their owners made
    # public; the delete on the same controller is not a read, and stays unprotected
    explore = got[("GET", "/api/explore/groups/{group_slug}/recipes/{recipe_id}")]
    assert "serves only what is marked public" in explore.guards[0].reason and "group.private" in explore.guards[0].reason


CBV_DEPS = """
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer

oauth2 = OAuth2PasswordBearer(tokenUrl="token")

def get_current_user(token: str = Depends(oauth2)):
    return token

def get_settings():
    return {}
"""


def test_class_based_view_attributes_follow_bases_in_other_modules():
    r, _ = routes({
        "app/__init__.py": "",
        "app/deps.py": CBV_DEPS,
        "app/controllers/__init__.py": "from .base import *\n",
        "app/controllers/base.py": """
from typing import Annotated, ClassVar
from fastapi import Depends
from app.deps import get_current_user, get_settings

class Controller:
    settings: dict = Depends(get_settings)

class UserController(Controller):
    user: Annotated[str, Depends(get_current_user)]

class LooseController(Controller):
    _user: str = Depends(get_current_user)             # private: not injected
    user: ClassVar[object] = Depends(get_current_user)  # class variable: not injected
""",
        "app/main.py": """
from fastapi import APIRouter, FastAPI
from fastapi_utils.cbv import cbv
from app.controllers import LooseController, UserController
from app.deps import get_current_user

router = APIRouter()

@cbv(router)
class Notes(UserController):
    @router.get("/notes")
    def list_notes(self): ...

@cbv(router)
class Loose(LooseController):
    @router.delete("/loose/{item_id}")
    def delete(self, item_id: int): ...

    @get_current_user  # above the route decorator: does not wrap what is registered
    @router.post("/loose")
    def create(self): ...

app = FastAPI()
app.include_router(router)
""",
    })
    assert r[("GET", "/notes")].auth == "protected"
    assert [(g.layer, g.kind) for g in r[("GET", "/notes")].guards] == [("class", "dependency")]
    assert r[("DELETE", "/loose/{item_id}")].auth == "unprotected"
    assert r[("POST", "/loose")].auth == "unprotected"


def test_router_subclasses_anywhere_keep_prefixes_and_add_dependencies():
    r, _ = routes({
        "app/__init__.py": "",
        "app/deps.py": CBV_DEPS,
        "app/routing.py": """
from fastapi import APIRouter, Depends
from app.deps import get_current_user

class AuthedRouter(APIRouter):
    def __init__(self, prefix: str = "", **kwargs):
        super().__init__(prefix=prefix, dependencies=[Depends(get_current_user)], **kwargs)

class ReportsRouter(AuthedRouter):
    def __init__(self, **kwargs):
        super().__init__(prefix="/reports", **kwargs)

class Service:
    def __init__(self, prefix=""):
        self.prefix = prefix

class ScopedService(Service):  # passes a prefix to its base, but no base is a router
    def __init__(self):
        super().__init__(prefix="/scoped")
""",
        "app/api/__init__.py": "",
        "app/api/items.py": """
from app.routing import AuthedRouter, ReportsRouter, ScopedService, Service

base = "/items"
router = AuthedRouter(prefix=f"{base}/v2")
reports = ReportsRouter()
service = Service(prefix="/nope")
scoped = ScopedService()

@scoped.get("/y")
def not_a_route_either(): ...

@router.get("/")
def list_items(): ...

@reports.get("/daily")
def daily(): ...

@service.get("/x")
def not_a_route(): ...
""",
        "app/main.py": """
from fastapi import FastAPI
from app.api import items

app = FastAPI()
app.include_router(items.router, prefix="/api")
app.include_router(items.reports)
""",
    })
    assert set(r) == {("GET", "/api/items/v2/"), ("GET", "/reports/daily")}
    assert r[("GET", "/api/items/v2/")].auth == "protected"
    assert r[("GET", "/reports/daily")].auth == "protected"
    assert [g.layer for g in r[("GET", "/reports/daily")].guards] == ["router"]


def test_classy_fastapi_routable_methods_are_routes_of_the_instance_router():
    r, _ = routes({
        "app/__init__.py": "",
        "app/deps.py": CBV_DEPS,
        "app/routes/__init__.py": "",
        "app/routes/users.py": """
from classy_fastapi import Routable, delete, get
from fastapi import Depends
from app.deps import get_current_user

class UserRoutes(Routable):
    def __init__(self, dao) -> None:
        super().__init__(dependencies=[Depends(get_current_user)])
        self.dao = dao

    @get("/{name}")
    def get_user(self, name: str):
        return self.dao.get(name)

    @delete("/{name}")
    def delete_user(self, name: str):
        self.dao.delete(name)

class HealthRoutes(Routable):
    @get("/health")
    def health(self):
        return {"ok": True}
""",
        "app/main.py": """
from fastapi import FastAPI
from app.routes.users import HealthRoutes, UserRoutes
from app.dao import UserDao

user_routes = UserRoutes(UserDao())
health = HealthRoutes()
app = FastAPI()
app.include_router(user_routes.router, prefix="/users")
app.include_router(health.router)
""",
    })
    assert {k: x.auth for k, x in r.items()} == {
        ("GET", "/users/{name}"): "protected", ("DELETE", "/users/{name}"): "protected",
        ("GET", "/health"): "public"}


def test_self_user_of_a_class_based_view_is_the_caller():
    """``self.user`` is the injected current user: comparing the target's owner with it is
    an ownership check (mealie's api-token deletion), not a missing authorization."""
    _, report = routes({
        "app/__init__.py": "",
        "app/deps.py": CBV_DEPS,
        "app/routes.py": """
from fastapi import APIRouter, Depends, HTTPException
from fastapi_utils.cbv import cbv
from app.deps import get_current_user
from app.models import ApiToken

router = APIRouter(prefix="/users")

@cbv(router)
class UserApiTokensController:
    user: str = Depends(get_current_user)

    @router.delete("/api-tokens/{token_id}")
    def delete_api_token(self, token_id: int):
        token = ApiToken.get(token_id)
        if token.user_id != self.user.id:
            raise HTTPException(403)
        token.delete()
""",
        "app/main.py": """
from fastapi import FastAPI
from app.routes import router

app = FastAPI()
app.include_router(router)
""",
    })
    assert [r.auth for r in report.routes] == ["protected"]
    assert not rules(report, "RG104")

# -- module identity: same-named modules in sibling directories --------------------------------------
# Netflix dispatch keeps each feature in a directory without ``__init__.py`` (a namespace package
# inside the ``dispatch`` package): case_cost/views.py, data/alert/views.py... Each is its own
# module; their routes, and their relative ``.service`` calls, must never be joined.
SAME_NAMED = {
    "src/desk/__init__.py": "",
    "src/desk/auth.py": """
from fastapi import HTTPException, Request

def current_user(request: Request):
    if "authorization" not in request.headers:
        raise HTTPException(status_code=401)
    return request.headers["authorization"]
""",
    "src/desk/api.py": """
from fastapi import APIRouter, Depends
from desk.auth import current_user
from desk.case_cost.views import router as case_cost_router
from desk.data import alert_router, source_router
from .health.views import router as health_router

api_router = APIRouter()
authenticated = APIRouter()
authenticated.include_router(case_cost_router, prefix="/case_costs")
authenticated.include_router(alert_router, prefix="/data/alerts")
authenticated.include_router(source_router, prefix="/data/sources")
api_router.include_router(health_router, prefix="/health")
api_router.include_router(authenticated, prefix="/{organization}", dependencies=[Depends(current_user)])
""",
    "src/desk/main.py": """
from fastapi import FastAPI
from .api import api_router

app = FastAPI()
app.include_router(api_router, prefix="/api/v1")
""",
    "src/desk/health/views.py": """
from fastapi import APIRouter
router = APIRouter()

@router.get("/")
def healthcheck():
    return {"status": "ok"}
""",
    "src/desk/case_cost/service.py": """
def get(*, db_session, case_cost_id):
    return db_session.get("CaseCost", case_cost_id)
""",
    "src/desk/case_cost/views.py": """
from fastapi import APIRouter
from .service import get

router = APIRouter()

@router.get("/{case_cost_id}")
def get_case_cost(case_cost_id: int):
    return get(db_session=None, case_cost_id=case_cost_id)
""",
    "src/desk/data/__init__.py": """
from .alert.views import router as alert_router
from .source.views import router as source_router
""",
    "src/desk/data/alert/service.py": """
def get(*, db_session, alert_id):
    return db_session.get("Alert", alert_id)
""",
    "src/desk/data/alert/views.py": """
from fastapi import APIRouter
from . import service

router = APIRouter()

@router.get("/{alert_id}")
def get_alert(alert_id: int):
    return service.get(db_session=None, alert_id=alert_id)
""",
    "src/desk/data/source/service.py": """
def get(*, db_session, source_id):
    return db_session.get("Source", source_id)
""",
    "src/desk/data/source/views.py": """
from fastapi import APIRouter
from .service import get as get_source

router = APIRouter()

@router.delete("/{source_id}")
def delete_source(source_id: int):
    return get_source(db_session=None, source_id=source_id)
""",
}


def test_same_named_modules_stay_apart():
    report = scan_sources(SAME_NAMED)
    got = sorted((r.method, r.path, r.handler, r.auth) for r in report.routes)
    assert got == sorted([
        ("GET", "/api/v1/health/", "desk.health.views.healthcheck", "public"),
        ("GET", "/api/v1/{organization}/case_costs/{case_cost_id}", "desk.case_cost.views.get_case_cost", "protected"),
        ("GET", "/api/v1/{organization}/data/alerts/{alert_id}", "desk.data.alert.views.get_alert", "protected"),
        ("DELETE", "/api/v1/{organization}/data/sources/{source_id}", "desk.data.source.views.delete_source",
         "protected"),
    ])
    g = report.graph
    calls = {h: {g.canonical(c) for c in g.functions[h].calls} for h in (r.handler for r in report.routes)}
    assert "desk.case_cost.service.get" in calls["desk.case_cost.views.get_case_cost"]
    assert "desk.data.alert.service.get" in calls["desk.data.alert.views.get_alert"]
    assert "desk.data.source.service.get" in calls["desk.data.source.views.delete_source"]


def test_scripts_with_the_same_name_are_two_modules():
    from routeguard.names import module_names
    named = module_names(["worker/app.py", "web/app.py", "web/routes.py", "pkg/__init__.py", "pkg/x/app.py"])
    assert named == {"worker/app.py": ("worker.app", False), "web/app.py": ("web.app", False),
                     "web/routes.py": ("routes", False), "pkg/__init__.py": ("pkg", True),
                     "pkg/x/app.py": ("pkg.x.app", False)}


def test_a_module_named_like_the_library_it_wraps_is_not_that_library():
    """lnbits/bolt11.py re-exports the bolt11 library (``from bolt11 import decode``): inside
    it, ``bolt11`` is the library, not the module itself by a short name. A handler whose try
    body only decodes the client's string with it gets an error about that string (no RG404);
    a try body that also reads the wallet from the database does not."""
    files = {
        "wallet/__init__.py": "",
        "wallet/bolt11.py": "from bolt11 import decode  # noqa: F401\nfrom bolt11 import encode  # noqa: F401\n",
        "wallet/db.py": "async def get_wallet(wallet_id):\n    return await database.fetchone(wallet_id)\n",
        "wallet/api.py": """
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from wallet import bolt11
from wallet.db import get_wallet

router = APIRouter(prefix="/api/v1/payments")


class DecodePayment(BaseModel):
    data: str


@router.post("/decode")
async def decode_payment(body: DecodePayment):
    try:
        invoice = bolt11.decode(body.data)
        return JSONResponse({"amount": invoice.amount_msat})
    except Exception as exc:
        return JSONResponse({"message": f"Failed to decode: {exc!s}"}, status_code=400)


@router.post("/pay")
async def pay(body: DecodePayment):
    try:
        invoice = bolt11.decode(body.data)
        wallet = await get_wallet(invoice.payee)
        return JSONResponse({"wallet": wallet.id})
    except Exception as exc:
        return JSONResponse({"message": f"Failed to pay: {exc!s}"}, status_code=400)
""",
    }
    found = [f for f in scan_sources(files).findings if f.rule_id == "RG404"]
    assert [f.location.line for f in found] == [32], [f.message for f in found]


# -- pre-built exception objects: what a module-level value does counts where it is raised -------------
PREBUILT = {
    "svc/__init__.py": "",
    "svc/errors.py": """
from fastapi import HTTPException
from starlette.status import HTTP_401_UNAUTHORIZED

InvalidCredentialException = HTTPException(
    status_code=HTTP_401_UNAUTHORIZED, detail=[{"msg": "Could not validate credentials"}]
)
NotFound = HTTPException(status_code=404)


class Problems:
    forbidden = HTTPException(403, detail="forbidden")
""",
    "svc/auth.py": """
from fastapi import HTTPException, Request
from .errors import InvalidCredentialException, NotFound, Problems


def get_current_user(request: Request):
    email = request.headers.get("x-user")
    if not email:
        raise InvalidCredentialException
    return email


def get_team(request: Request):
    if not request.query_params.get("team"):
        raise NotFound
    return request.query_params["team"]


class Gate:
    denied_code = 403

    def __call__(self, request: Request):
        if "x-key" not in request.headers:
            raise Problems.forbidden
        return request.headers["x-key"]


class TeamGate(Gate):
    def __call__(self, request: Request):
        if "x-team" not in request.headers:
            raise HTTPException(status_code=self.denied_code)
""",
    "svc/main.py": """
from fastapi import Depends, FastAPI
from .auth import Gate, TeamGate, get_current_user, get_team

app = FastAPI()


@app.get("/me", dependencies=[Depends(get_current_user)])
def me():
    return {}


@app.get("/team", dependencies=[Depends(get_team)])
def team():
    return {}


@app.get("/keys", dependencies=[Depends(Gate())])
def keys():
    return {}


@app.get("/teams", dependencies=[Depends(TeamGate())])
def teams():
    return {}
""",
}


def test_prebuilt_exception_objects_reject():
    by_path = {r.path: r for r in scan_sources(PREBUILT).routes}
    assert by_path["/me"].auth == "protected"
    assert "InvalidCredentialException" in by_path["/me"].guards[0].reason
    assert by_path["/team"].auth == "unprotected"  # a pre-built 404 turns nobody away for lack of a credential
    assert by_path["/keys"].auth == "protected"  # a class attribute
    assert by_path["/teams"].auth == "protected"  # a status constant on the class's base, passed by name


# -- callable permission objects: judged by what __call__ runs ------------------------------------------
PERMISSIONS = {
    "ops/__init__.py": "",
    "ops/auth/__init__.py": "",
    "ops/auth/service.py": """
from fastapi import HTTPException, Request
from starlette.status import HTTP_401_UNAUTHORIZED

InvalidCredentialException = HTTPException(status_code=HTTP_401_UNAUTHORIZED, detail="Could not validate credentials")


def get_current_user(request: Request):
    email = request.headers.get("x-forwarded-email")
    if not email:
        raise InvalidCredentialException
    return request.state.db.query_user(email)
""",
    "ops/auth/permissions.py": """
from abc import ABC, abstractmethod

from fastapi import HTTPException, Request
from starlette.status import HTTP_403_FORBIDDEN

from ops.auth.service import get_current_user


def any_permission(permissions: list, request: Request) -> bool:
    for p in permissions:
        try:
            p(request=request)
            return True
        except HTTPException:
            pass
    return False


class BasePermission(ABC):
    user_role_error_code = HTTP_403_FORBIDDEN
    role = None

    @abstractmethod
    def has_required_permissions(self, request: Request) -> bool: ...

    def __init__(self, request: Request):
        user = get_current_user(request=request)
        self.role = user.get_organization_role(request.path_params["organization"])
        if not self.has_required_permissions(request):
            raise HTTPException(status_code=self.user_role_error_code, detail="Not allowed")


class PermissionsDependency(object):
    def __init__(self, permissions_classes: list):
        self.permissions_classes = permissions_classes

    def __call__(self, request: Request):
        for permission_class in self.permissions_classes:
            permission_class(request=request)


class OrganizationOwnerPermission(BasePermission):
    def has_required_permissions(self, request: Request) -> bool:
        return self.role == "owner"


class OrganizationAdminPermission(BasePermission):
    def has_required_permissions(self, request: Request) -> bool:
        permission = any_permission(permissions=[OrganizationOwnerPermission], request=request)
        if not permission:
            if self.role == "admin":
                return True
        return permission


class SignedInPermission(BasePermission):
    def has_required_permissions(self, request: Request) -> bool:
        return True
""",
    "ops/wallets.py": """
from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyHeader

api_key_header = APIKeyHeader(name="X-API-KEY", auto_error=False)


class KeyChecker:
    def __init__(self, api_key=None, expected_key_type=None):
        self._api_key = api_key
        self.expected_key_type = expected_key_type

    def _extract_key_value(self, request):
        key_value = self._api_key or request.headers.get("X-API-KEY")
        if not key_value:
            raise HTTPException(status_code=401, detail="No Api Key provided.")
        return key_value

    async def __call__(self, request: Request):
        key_value = self._extract_key_value(request)
        return await request.state.db.wallet_for_key(key_value)


async def require_admin_key(request: Request, api_key: str = Security(api_key_header)):
    check: KeyChecker = KeyChecker(api_key=api_key, expected_key_type="admin")
    return await check(request)
""",
    "ops/views.py": """
from fastapi import APIRouter, Depends
from ops.auth.permissions import OrganizationAdminPermission, PermissionsDependency, SignedInPermission
from ops.wallets import require_admin_key

router = APIRouter(prefix="/{organization}")


@router.delete("/users/{user_id}", dependencies=[Depends(PermissionsDependency([OrganizationAdminPermission]))])
def delete_user(user_id: int):
    return {"deleted": user_id}


@router.delete("/members/{user_id}", dependencies=[Depends(PermissionsDependency([SignedInPermission]))])
def delete_member(user_id: int):
    return {"deleted": user_id}


@router.get("/wallet")
async def wallet(key_info=Depends(require_admin_key)):
    return key_info
""",
    "ops/main.py": """
from fastapi import FastAPI
from ops.views import router

app = FastAPI()
app.include_router(router)
""",
}


def test_callable_permission_objects_and_checker_factories():
    report = scan_sources(PERMISSIONS)
    by_path = {r.path: r for r in report.routes}
    assert {p: r.auth for p, r in by_path.items()} == {
        "/{organization}/users/{user_id}": "protected",
        "/{organization}/members/{user_id}": "protected",
        "/{organization}/wallet": "protected",
    }
    assert "OrganizationAdminPermission" in by_path["/{organization}/users/{user_id}"].guards[0].reason
    # the admin permission checks a role: authorization, not only authentication
    assert rules(report, "RG104") == [("ops/views.py", 14)]  # delete_member only


def test_route_registered_in_call_form_under_a_setting():
    # dispatch: ``register_user = auth_router.post("/register")(register_user)`` under ``if REGISTRATION_ENABLED:``
    report = scan_sources({
        "desk/__init__.py": "",
        "desk/config.py": "import os\nREGISTRATION_ENABLED = os.environ.get('REGISTRATION_ENABLED') == '1'\n",
        "desk/auth/__init__.py": "",
        "desk/auth/views.py": """
from fastapi import APIRouter, Request
from desk.config import REGISTRATION_ENABLED

auth_router = APIRouter()


def register_user(request: Request, email: str):
    request.state.db.add_user(email)
    return {"email": email}


if REGISTRATION_ENABLED:
    register_user = auth_router.post("/register", status_code=201)(register_user)
""",
        "desk/main.py": """
from fastapi import FastAPI
from desk.auth.views import auth_router

app = FastAPI()
app.include_router(auth_router, prefix="/{organization}/auth")
""",
    })
    [route] = report.routes
    assert (route.method, route.path, route.handler) == ("POST", "/{organization}/auth/register",
                                                         "desk.auth.views.register_user")
    assert route.handler_location.line == 8


def test_dependency_factories_are_judged_by_what_they_return():
    """``user: require_scopes(...)`` (a factory returning ``Annotated[User, Security(...)]``),
    a module-level alias of its result, ``Depends(require_role(...))`` (an inner checker) and
    ``Depends(owner_or(...))`` (an instance whose ``__call__`` depends on the login) all
    authenticate; a factory whose reader checks nothing does not."""
    from pathlib import Path
    from routeguard import scan_paths
    project = Path(__file__).parent.parent / "fixtures" / "fastapi" / "doc_vault"
    report = scan_paths([project], root=project, cache=False)
    got = {(r.method, r.path): (r.auth, [g.reason for g in r.guards if g.kind == "dependency"]) for r in report.routes}
    assert got[("GET", "/documents/")] == ("protected", ["ReadDocuments is a require_scopes: depends on get_current_user"])
    assert got[("POST", "/documents/")][0] == "protected"
    assert got[("POST", "/documents/")][1][0] == "depends on get_current_user"
    assert got[("GET", "/users/")][0] == "protected"
    assert got[("GET", "/users/all")][0] == "protected"
    assert got[("GET", "/users/directory")][0] == "protected"
    assert got[("GET", "/users/directory")][1][0].startswith("owner_or returns a OwnerOrRole: ")
    assert got[("GET", "/documents/recent")] == ("unprotected", [])


def test_plugin_routers_mounted_through_a_registry_loop_get_the_including_routers_prefix():
    # dispatch: each plugin class names its router as a class attribute; a helper loops over the
    # registered plugins and includes each one's router in the API router it is handed
    r, _ = routes({
        "ops/main.py": """
from fastapi import FastAPI
from .api import api_router
from .common.utils.cli import install_plugin_events

app = FastAPI()
api = FastAPI()

install_plugin_events(api_router)

api.include_router(api_router)
app.mount("/api/v1", app=api)
""",
        "ops/api.py": """
from fastapi import APIRouter
from .incident.views import router as incident_router

api_router = APIRouter()
api_router.include_router(incident_router, prefix="/{organization}/incidents")
""",
        "ops/incident/views.py": """
from fastapi import APIRouter
router = APIRouter()

@router.get("/{incident_id}")
def get_incident(organization: str, incident_id: int): ...
""",
        "ops/common/utils/cli.py": """
from ops.plugins.base import plugins


def install_plugin_events(api):
    \"\"\"Adds plugin endpoints to the event router.\"\"\"
    for plugin in plugins.all():
        if plugin.events:
            api.include_router(plugin.events, prefix="/{organization}/events", tags=["events"])
""",
        "ops/plugins/base.py": """
class PluginManager:
    def all(self):
        return []

plugins = PluginManager()

class Plugin:
    events = None
""",
        "ops/plugins/slack/endpoints.py": """
from fastapi import APIRouter, Request
router = APIRouter()

@router.post("/slack/event")
async def slack_events(request: Request, organization: str): ...
""",
        "ops/plugins/slack/plugin.py": """
from ops.plugins.base import Plugin
from .endpoints import router as slack_event_router

class SlackConversationPlugin(Plugin):
    title = "Slack Plugin - Conversation Management"
    events = slack_event_router
""",
    })
    assert set(r) == {("GET", "/api/v1/{organization}/incidents/{incident_id}"),
                      ("POST", "/api/v1/{organization}/events/slack/event")}


def test_methods_given_as_a_module_constant():
    # open-webui routers/terminals.py: one proxy route for every verb
    files = {
        "app/__init__.py": "",
        "app/main.py": """
from fastapi import APIRouter, FastAPI, Request

PROXY_METHODS = ["GET", "POST", "DELETE"]
router = APIRouter()

@router.api_route("/{server_id}/{path:path}", methods=PROXY_METHODS)
async def proxy(server_id: str, path: str, request: Request): ...

app = FastAPI()
app.include_router(router, prefix="/terminals")
app.add_api_route("/mirror/{path:path}", proxy, methods=PROXY_METHODS)
""",
    }
    r, _ = routes(files)
    assert sorted(m for m, p in r if p.startswith("/terminals")) == ["DELETE", "GET", "POST"]
    assert sorted(m for m, p in r if p.startswith("/mirror")) == ["DELETE", "GET", "POST"]


def test_a_middleware_that_swallows_the_credential_check_protects_nothing():
    # open-webui AuditLoggingMiddleware: the user is read only to name it in the log
    files = {
        "app/__init__.py": "",
        "app/auth.py": """
from fastapi import HTTPException, Request

async def get_current_user(request: Request):
    token = request.headers.get("Authorization")
    if not token:
        raise HTTPException(status_code=401, detail="Not authenticated")
    return await request.app.state.users.by_token(token)
""",
        "app/main.py": """
import logging
from fastapi import FastAPI, Request
from starlette.middleware.base import BaseHTTPMiddleware
from app.auth import get_current_user

log = logging.getLogger(__name__)

class AuditMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        try:
            user = await get_current_user(request)
        except Exception:
            user = None
        log.info("%s %s by %s", request.method, request.url.path, user)
        return await call_next(request)

class AuthMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        if request.url.path.startswith("/admin"):
            try:
                request.state.user = await get_current_user(request)
            except ValueError:
                pass
        return await call_next(request)

app = FastAPI()
app.add_middleware(AuditMiddleware)

@app.get("/stats")
async def stats(): ...

admin = FastAPI()
admin.add_middleware(AuthMiddleware)
app.mount("/admin", admin)

@admin.delete("/users/{user_id}")
async def delete_user(user_id: int): ...
""",
    }
    r, _ = routes(files, **{"default-public-routes": False})
    assert r[("GET", "/stats")].auth == "unprotected"
    # a handler for another exception lets the 401 through: still a guard
    assert r[("DELETE", "/admin/users/{user_id}")].auth == "protected"


def test_provider_made_by_a_classmethod_factory_and_an_error_class_with_a_401_status():
    """Argilla: ``auth = AuthenticationProvider.new_instance()`` (a classmethod that returns
    ``AuthenticationProvider()``) and ``Security(auth.get_current_user)``, which raises
    ``UnauthorizedError`` (``class UnauthorizedError(ServerError): HTTP_STATUS = 401``, turned into
    the response by an exception handler). The dependency authenticates (before: 66 routes read
    as unprotected)."""
    report = scan_sources({"app/errors.py": """
class ServerError(Exception):
    HTTP_STATUS: int = 500

class UnauthorizedError(ServerError):
    HTTP_STATUS = 401
""", "app/security.py": """
from fastapi import Request
from app.errors import UnauthorizedError

class AuthenticationProvider:
    @classmethod
    def new_instance(cls):
        return AuthenticationProvider()

    async def get_current_user(self, request: Request):
        userinfo = await self._authenticate(request)
        if not userinfo:
            raise UnauthorizedError()
        return userinfo

auth = AuthenticationProvider.new_instance()
""", "app/main.py": """
from fastapi import FastAPI, Security
from app.security import auth

app = FastAPI()

@app.delete("/datasets/{dataset_id}")
async def delete_dataset(dataset_id: str, current_user=Security(auth.get_current_user)):
    return {"deleted": dataset_id}
"""})
    (route,) = report.routes
    assert route.auth == "protected"
    assert not [f for f in report.findings if f.rule_id == "RG101"]


def test_routers_included_in_a_loop_over_a_list():
    """Argilla: ``for router in [info_v1.router, users_v1.router]: api_v1.include_router(router)``,
    with ``api_v1 = create_api_v1()`` mounted at /api/v1: every router of the list is under /api/v1 (before:
    72 of 76 paths had lost the prefix)."""
    report = scan_sources({"app/handlers/info.py": """
from fastapi import APIRouter
router = APIRouter(tags=["info"])

@router.get("/version")
async def version():
    return {"version": "2.8.0"}
""", "app/handlers/users.py": """
from fastapi import APIRouter
router = APIRouter(tags=["users"])

@router.get("/status")
async def status():
    return {"ok": True}
""", "app/main.py": """
from fastapi import FastAPI
from app.handlers import info as info_v1, users as users_v1

def create_api_v1():
    api_v1 = FastAPI(title="Argilla v1")
    for router in [
        info_v1.router,
        users_v1.router,
    ]:
        api_v1.include_router(router)
    return api_v1

api_v1 = create_api_v1()
""", "app/server.py": """
from fastapi import FastAPI
from app.main import api_v1

app = FastAPI()
app.mount("/api/v1", api_v1)
"""})
    assert sorted(r.path for r in report.routes) == ["/api/v1/status", "/api/v1/version"]


def test_a_guard_bound_to_another_name_at_module_level():
    """fides: ``verify_oauth_client_prod = copy_func(verify_oauth_client)`` is the OAuth check under
    the name the endpoints import (a copy made with ``types.FunctionType``; a plain alias and
    ``functools.partial`` of it are the same function too): the routes that depend on it are
    protected, and the scopes it compares are read."""
    files = {
        "svc/oauth/utils.py": """
from functools import partial, update_wrapper
from types import FunctionType
from fastapi import HTTPException, Security
from fastapi.security import OAuth2PasswordBearer, SecurityScopes

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/oauth/token")

async def verify_oauth_client(security_scopes: SecurityScopes, authorization: str = Security(oauth2_scheme)):
    client = load_client(authorization)
    if client is None or not set(security_scopes.scopes) <= set(client.scopes):
        raise HTTPException(status_code=403, detail="Not authorized for this action")
    return client

def load_client(token):
    return None

def copy_func(source_function):
    # a copy of the function, so that the copy's defaults can differ
    target = FunctionType(source_function.__code__, source_function.__globals__, name=source_function.__name__,
                          argdefs=source_function.__defaults__, closure=source_function.__closure__)
    return update_wrapper(target, source_function)

verify_oauth_client_prod = copy_func(verify_oauth_client)
verify_oauth_client_strict = partial(verify_oauth_client)
verify_oauth_client_alias = verify_oauth_client
""",
        "svc/api/admin.py": """
from fastapi import APIRouter, Security
from svc.oauth.utils import verify_oauth_client_alias, verify_oauth_client_prod, verify_oauth_client_strict
from svc.db import reset_database

router = APIRouter(prefix="/admin", tags=["Admin"])

@router.post("/db/reset", dependencies=[Security(verify_oauth_client_prod, scopes=["database:reset"])])
async def db_action():
    await reset_database()
    return {"data": {"message": "Fides database reset"}}

@router.delete("/cache", dependencies=[Security(verify_oauth_client_strict, scopes=["cache:clear"])])
async def clear_cache():
    await reset_database()

@router.delete("/queue", dependencies=[Security(verify_oauth_client_alias, scopes=["queue:clear"])])
async def clear_queue():
    await reset_database()
""",
        "svc/db.py": """
from sqlalchemy import text
from svc.session import engine

async def reset_database():
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM privacy_request"))
""",
        "svc/session.py": "from sqlalchemy.ext.asyncio import create_async_engine\nengine = create_async_engine('postgresql+asyncpg://db/fides')\n",
        "svc/main.py": "from fastapi import FastAPI\nfrom svc.api.admin import router\napp = FastAPI()\napp.include_router(router)\n",
    }
    report = scan_sources(files)
    assert [f.rule_id for f in report.findings] == []
    assert {(r.path, r.auth.value) for r in report.graph.routes} == {
        ("/admin/db/reset", "protected"), ("/admin/cache", "protected"), ("/admin/queue", "protected")}


FRIGATE_STYLE = {
    "nvr/api/auth.py": """
from fastapi import HTTPException, Request


def require_admin_by_default():
    async def admin_checker(request: Request):
        role = request.headers.get("remote-role")
        if role != "admin":
            raise HTTPException(status_code=403, detail="Access denied")
    return admin_checker
""",
    "nvr/api/app.py": """
from fastapi import APIRouter
from nvr.storage import delete_recordings

router = APIRouter(tags=["media"])


@router.delete("/recordings/{camera}")
def delete_camera_recordings(camera: str):
    delete_recordings(camera)
    return {"success": True}
""",
    "nvr/storage.py": "import shutil\n\ndef delete_recordings(camera):\n    shutil.rmtree(f'/media/recordings/{camera}')\n",
    "nvr/api/fastapi_app.py": """
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from nvr.api import app as main_app
from nvr.api.auth import require_admin_by_default


def check_csrf(request: Request) -> bool:
    if request.method in ["GET", "HEAD", "OPTIONS", "TRACE"]:
        return True
    if "origin" in request.headers and "x-csrf-token" not in request.headers:
        return False
    return True


def create_fastapi_app(enforce_default_admin: bool = True):
    app = FastAPI(
        debug=False,
        dependencies=[Depends(require_admin_by_default())] if enforce_default_admin else [],
    )

    @app.middleware("http")
    async def nvr_middleware(request: Request, call_next):
        if not check_csrf(request):
            return JSONResponse(content={"success": False, "message": "Missing CSRF header"}, status_code=401)
        return await call_next(request)

    app.include_router(main_app.router)
    return app
""",
}


def test_a_csrf_middleware_is_not_authentication_and_a_switched_dependency_list_is():
    """frigate: the middleware answers 401 to a request without the CSRF header, which any
    caller sends from the app's own pages: it authenticates no one. The app-wide admin
    dependency is written ``[Depends(...)] if enforce_default_admin else []``: on by default,
    it protects every route."""
    report = scan_sources(FRIGATE_STYLE)
    assert [(r.path, r.auth.value) for r in report.graph.routes] == [("/recordings/{camera}", "protected")]
    assert [g.name for g in report.graph.routes[0].guards] == ["Depends(require_admin_by_default())"]
    files = dict(FRIGATE_STYLE)
    files["nvr/api/fastapi_app.py"] = files["nvr/api/fastapi_app.py"].replace(
        "        dependencies=[Depends(require_admin_by_default())] if enforce_default_admin else [],\n", "")
    # open now; the role read from a header the client can set is RG107 in both versions
    assert [f.rule_id for f in scan_sources(files).findings] == ["RG101", "RG107"]


def test_a_role_factory_compares_the_roles_it_is_given():
    """frigate: ``Depends(require_role(["admin"]))`` builds a checker that tests the caller's roles
    against ``required_roles``, the list the route passes: an authorization check (no RG104 on
    deleting a user); a checker that only wants a signed-in caller is not."""
    files = {
        "nvr/api/auth.py": """
from fastapi import APIRouter, Depends, HTTPException, Request
from nvr.models import User

router = APIRouter(tags=["Auth"])


def current_user(request: Request):
    username = request.headers.get("remote-user")
    if not username:
        raise HTTPException(status_code=401, detail="No authorization headers.")
    return username


def require_role(required_roles: list[str]):
    async def role_checker(request: Request, user=Depends(current_user)):
        roles = [r.strip() for r in request.state.roles]
        if not any(role in required_roles for role in roles):
            raise HTTPException(status_code=403, detail="Role not authorized")
        return roles[0]
    return role_checker


@router.delete("/users/{username}", dependencies=[Depends(require_role(["admin"]))])
def delete_user(username: str):
    User.delete_by_id(username)
    return {"success": True}
""",
        "nvr/models.py": "from peewee import CharField, Model\n\nclass User(Model):\n    username = CharField(primary_key=True)\n"
                         "    password_hash = CharField()\n    role = CharField()\n",
        "nvr/app.py": "from fastapi import FastAPI\nfrom nvr.api.auth import router\napp = FastAPI()\napp.include_router(router)\n",
    }
    assert [f.rule_id for f in scan_sources(files).findings] == []
    files["nvr/api/auth.py"] = files["nvr/api/auth.py"].replace(
        "        if not any(role in required_roles for role in roles):\n"
        "            raise HTTPException(status_code=403, detail=\"Role not authorized\")\n", "")
    assert [f.rule_id for f in scan_sources(files).findings] == ["RG104"]


def test_route_paths_named_by_constants_of_another_module():
    """fides: ``@router.get(urls.ID_VERIFICATION_CONFIG)`` on ``APIRouter(prefix=urls.V1_URL_PREFIX)``,
    with the paths kept in a registry module (``from fides.common import urn_registry as urls``): the
    route's path and its router's prefix are the constants' values, not their names."""
    files = {
        "svc/common/urn_registry.py": 'V1_URL_PREFIX = "/api/v1"\nID_VERIFICATION_CONFIG = "/id-verification/config"\n'
                                      'CONSENT_REQUEST = "/consent-request"\n',
        "svc/api/endpoints.py": """
from fastapi import APIRouter
from svc.common import urn_registry as urls
from svc.common.urn_registry import CONSENT_REQUEST

router = APIRouter(tags=["Identity Verification"], prefix=urls.V1_URL_PREFIX)


@router.get(urls.ID_VERIFICATION_CONFIG)
def get_id_verification_config():
    return {"identity_verification_required": False}


@router.get(CONSENT_REQUEST)
def consent_request_form():
    return {"fields": ["email"]}
""",
        "svc/main.py": "from fastapi import FastAPI\nfrom svc.api.endpoints import router\napp = FastAPI()\napp.include_router(router)\n",
    }
    assert sorted(r.path for r in scan_sources(files).graph.routes) == ["/api/v1/consent-request",
                                                                       "/api/v1/id-verification/config"]


def test_starlettes_requires_decorator_authenticates():
    """Khoj authenticates with Starlette's AuthenticationMiddleware and guards its FastAPI
    routes with ``@requires(["authenticated"])``: those routes are protected; a route without it
    is not. Reading one environment variable (``os.getenv(...).lower()``) reads that value only."""
    report = scan_sources({"khoj/main.py": """
import os

from fastapi import APIRouter, FastAPI, Request
from starlette.authentication import requires
from starlette.middleware.authentication import AuthenticationMiddleware

from khoj.auth import UserAuthenticationBackend, delete_conversation, list_conversations

app = FastAPI()
app.add_middleware(AuthenticationMiddleware, backend=UserAuthenticationBackend())
api_chat = APIRouter()


@api_chat.get("/history")
@requires(["authenticated"])
def chat_history(request: Request):
    return list_conversations(request.user.object)


@api_chat.delete("/history")
@requires(["authenticated"], redirect="login_page")
async def clear_history(request: Request, conversation_id: str):
    delete_conversation(request.user.object, conversation_id)
    return {"status": "ok"}


@api_chat.get("/options")
def chat_options(request: Request):
    return {"anonymous": os.getenv("KHOJ_ANONYMOUS_MODE", "false").lower() == "true"}


@api_chat.post("/feedback")
async def feedback(request: Request, conversation_id: str):
    delete_conversation(None, conversation_id)
    return {"status": "ok"}


app.include_router(api_chat, prefix="/api/chat")
"""})
    states = {(r.method, r.path): r.auth for r in report.routes}
    assert states == {("GET", "/api/chat/history"): "protected", ("DELETE", "/api/chat/history"): "protected",
                      ("GET", "/api/chat/options"): "unprotected", ("POST", "/api/chat/feedback"): "unprotected"}
    assert [(f.rule_id, f.location.line) for f in report.findings if f.rule_id == "RG101"] == [("RG101", 33)]


def test_a_middleware_that_only_checks_the_origin_is_no_authentication():
    """SurfSense's CsrfOriginMiddleware answers 403 to a cookie-carrying write whose Origin is not
    the site's: it stops cross-site requests, whoever sends them, and authenticates nobody. A
    route with no guard of its own stays unprotected; the same app's login check still protects."""
    report = scan_sources({"app/users.py": """
from fastapi_users import FastAPIUsers

from app.auth import auth_backend, get_user_manager

fastapi_users = FastAPIUsers(get_user_manager, [auth_backend])
current_active_user = fastapi_users.current_user(active=True)


def save_document(workspace_id, data):
    return workspace_id, data
""", "app/app.py": """
from fastapi import Depends, FastAPI, Request, status
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse

from app.config import config
from app.users import current_active_user, save_document

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _allowed_origins() -> set[str]:
    return {config.NEXT_FRONTEND_URL, *config.EXTRA_ORIGINS}


class CsrfOriginMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        if request.method not in UNSAFE_METHODS:
            return await call_next(request)
        if request.headers.get("Authorization") or config.SESSION_COOKIE_NAME not in request.cookies:
            return await call_next(request)
        origin = request.headers.get("Origin")
        if origin not in _allowed_origins():
            return JSONResponse({"detail": "Cross-site request refused"}, status_code=status.HTTP_403_FORBIDDEN)
        return await call_next(request)


app = FastAPI()
app.add_middleware(CsrfOriginMiddleware)


@app.post("/api/v1/webhooks/circleback/{workspace_id}")
async def circleback_webhook(workspace_id: int, request: Request):
    save_document(workspace_id, await request.json())
    return {"status": "ok"}


@app.post("/api/v1/documents")
async def create_document(request: Request, user=Depends(current_active_user)):
    save_document(user.workspace_id, await request.json())
    return {"status": "ok"}
"""})
    states = {(r.method, r.path): r.auth for r in report.routes}
    assert states == {("POST", "/api/v1/webhooks/circleback/{workspace_id}"): "unprotected",
                      ("POST", "/api/v1/documents"): "protected"}


def test_a_google_sign_in_that_starts_a_starlette_session_is_the_way_in():
    """khoj's ``POST /auth/redirect`` verifies the Google ID token the client posts
    (``id_token.verify_oauth2_token``) and writes ``request.session["user"]`` (Starlette's signed
    session): the way in, public by nature, not an open write. A route that writes the session
    without verifying anything is not."""
    report = scan_sources({"app/auth.py": """
import os

from fastapi import APIRouter, Request
from google.auth.transport import requests as google_requests
from google.oauth2 import id_token
from starlette.responses import RedirectResponse

from app.users import get_or_create_user

auth_router = APIRouter()


@auth_router.post("/auth/redirect")
async def auth_post(request: Request):
    form = await request.form()
    idinfo = id_token.verify_oauth2_token(form.get("credential"), google_requests.Request(), os.environ["GOOGLE_CLIENT_ID"])
    user = await get_or_create_user(idinfo)
    if user:
        request.session["user"] = dict(idinfo)
    return RedirectResponse(url="/")


@auth_router.post("/auth/impersonate")
async def impersonate(request: Request):
    form = await request.form()
    user = await get_or_create_user({"email": form.get("email")})
    request.session["user"] = {"email": user.email}
    return RedirectResponse(url="/")
"""})
    states = {(r.method, r.path): r.auth for r in report.routes}
    assert states == {("POST", "/auth/redirect"): "public", ("POST", "/auth/impersonate"): "unprotected"}


def test_a_router_a_project_factory_makes_and_routes_added_to_it_where_it_is_used():
    """bitcart: ``router = create_crud_router(...)`` (a project function annotated ``->
    APIRouter``) in two modules, each adding its own routes with ``@router.get``, included
    under their prefixes (before: both modules' decorated routes were dropped). Each module's
    routes stay under its own prefix; what the factory adds to the router it makes is in both."""
    r, _ = routes({
        "api/__init__.py": "",
        "api/main.py": """
from fastapi import FastAPI

from api.views import files, stores

app = FastAPI()
app.include_router(stores.router, prefix="/stores")
app.include_router(files.router, prefix="/files")
""",
        "api/routing.py": """
from fastapi import APIRouter, Depends

from api.auth import current_user


def create_crud_router(model: str, prefix: str = "") -> APIRouter:
    router = APIRouter(prefix=prefix)

    @router.get("/count")
    async def count(user=Depends(current_user)):
        return {"model": model, "count": 0}

    return router
""",
        "api/auth.py": """
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer

oauth2 = OAuth2PasswordBearer(tokenUrl="token")


async def current_user(token: str = Depends(oauth2)):
    if token != "valid":
        raise HTTPException(status_code=401)
    return {"id": 1}
""",
        "api/views/__init__.py": "",
        "api/views/stores.py": """
from fastapi import Depends

from api.auth import current_user
from api.routing import create_crud_router

router = create_crud_router("store")


@router.patch("/{model_id}/theme_settings")
async def set_theme_settings(model_id: str, settings: dict, user=Depends(current_user)):
    return {"id": model_id, **settings}
""",
        "api/views/files.py": """
from fastapi import HTTPException

from api.routing import create_crud_router

router = create_crud_router("file")


@router.get("/handle/{model_id}")
async def get_file(model_id: str):
    if not model_id:
        raise HTTPException(status_code=404)
    return {"id": model_id}
""",
    })
    assert sorted(r) == [("GET", "/files/count"), ("GET", "/files/handle/{model_id}"), ("GET", "/stores/count"),
                         ("PATCH", "/stores/{model_id}/theme_settings")]


def test_a_step_of_a_sign_in_or_reset_flow_is_named_by_the_flow_before_it():
    """bitcart: ``/users/reset_password/finalize`` and ``/token/2fa/fido2/begin`` are steps of a
    password reset and a second-factor sign-in (before: only the last path word was read, and
    ``finalize``/``begin`` name no flow); a step word after an ordinary resource is no flow."""
    r, _ = routes({
        "api/__init__.py": "",
        "api/main.py": """
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from api.services import tokens, users

app = FastAPI()
router = APIRouter()


class Finalize(BaseModel):
    code: str
    password: str


@router.post("/users/reset_password/finalize")
async def finalize_password_reset(data: Finalize):
    return await users.finalize_password_reset(data.code, data.password)


@router.post("/token/2fa/fido2/begin")
async def token_fido2_begin(data: Finalize):
    return await tokens.fido2_begin(data.code)


@router.post("/imports/{import_id}/finalize")
async def finalize_import(import_id: int):
    return await users.finalize_import(import_id)


app.include_router(router)
""",
        "api/services/__init__.py": "",
        "api/services/users.py": """
async def finalize_password_reset(code, password):
    return True


async def finalize_import(import_id):
    return True
""",
        "api/services/tokens.py": "async def fido2_begin(code):\n    return {}\n",
    })
    assert r[("POST", "/users/reset_password/finalize")].auth.value == "public"
    assert r[("POST", "/token/2fa/fido2/begin")].auth.value == "public"
    assert r[("POST", "/imports/{import_id}/finalize")].auth.value == "unprotected"


def test_an_annotated_role_whose_dependency_a_project_function_returns():
    """tracecat: ``WorkspaceActorRouteRole = Annotated[Role, RoleACL(allow_user=True, ...)]``, where
    ``RoleACL`` is a project function that defines a checker and returns ``Depends(checker)``;
    the checker raises 401/403 without a credential (before: 328 FALSE RG101 on its routes)."""
    r, report = routes({
        "tracecat/__init__.py": "",
        "tracecat/auth/__init__.py": "",
        "tracecat/auth/credentials.py": """
from fastapi import Depends, HTTPException, Request, status

from tracecat.auth.sessions import session_user


async def _role_dependency(request: Request, allow_user: bool, allow_api_key: bool):
    user = await session_user(request) if allow_user else None
    if user is None and allow_api_key:
        user = request.headers.get("x-api-key") and {"id": "service"}
    if user is None:
        raise HTTPException(status_code=status.HTTP_401_UNAUTHORIZED, detail="Unauthorized")
    return user


def RoleACL(*, allow_user: bool = True, allow_api_key: bool = False):
    async def role_dependency_user(request: Request):
        return await _role_dependency(request, allow_user=allow_user, allow_api_key=allow_api_key)

    return Depends(role_dependency_user)
""",
        "tracecat/auth/sessions.py": """
async def session_user(request):
    return request.scope.get("user")
""",
        "tracecat/auth/dependencies.py": """
from typing import Annotated

from fastapi import Path

from tracecat.auth.credentials import RoleACL

Role = dict
WorkspaceId = Annotated[str, Path(description="The workspace")]
WorkspaceActorRouteRole = Annotated[Role, RoleACL(allow_user=True, allow_api_key=True)]
""",
        "tracecat/tables/__init__.py": "",
        "tracecat/tables/router.py": """
from fastapi import APIRouter

from tracecat.auth.dependencies import WorkspaceActorRouteRole

router = APIRouter(prefix="/tables")


@router.delete("/{table_id}/rows/{row_id}")
async def delete_row(role: WorkspaceActorRouteRole, table_id: str, row_id: str):
    return None
""",
        "tracecat/app.py": """
from fastapi import FastAPI

from tracecat.tables.router import router

app = FastAPI()
app.include_router(router)
""",
    })
    assert r[("DELETE", "/tables/{table_id}/rows/{row_id}")].auth.value == "protected"
    assert not [f for f in report.findings if f.rule_id == "RG101"]


def test_a_helper_that_includes_each_router_it_is_given_twice():
    """tracecat: ``_include_workspace_scoped_router(app, router)`` includes the router as is and
    again under ``/workspaces/{workspace_id}``; ``create_app`` calls it for each router (before: the
    helper's parameter stood for no router, so none of the ~240 workspace-scoped operations was
    listed)."""
    r, _ = routes({
        "tc/__init__.py": "",
        "tc/app.py": """
from fastapi import APIRouter, Depends, FastAPI

from tc.cases.router import router as cases_router
from tc.tables.router import router as tables_router


def require_workspace_id_path(workspace_id: str):
    return workspace_id


def _include_workspace_scoped_router(app: FastAPI, router: APIRouter) -> None:
    app.include_router(router, include_in_schema=False)
    app.include_router(router, prefix="/workspaces/{workspace_id}",
                       dependencies=[Depends(require_workspace_id_path)])


def create_app() -> FastAPI:
    app = FastAPI()
    _include_workspace_scoped_router(app, cases_router)
    _include_workspace_scoped_router(app, tables_router)
    return app
""",
        "tc/cases/__init__.py": "", "tc/tables/__init__.py": "",
        "tc/cases/router.py": """
from fastapi import APIRouter

router = APIRouter(prefix="/cases")


@router.get("")
async def list_cases():
    return []
""",
        "tc/tables/router.py": """
from fastapi import APIRouter

router = APIRouter(prefix="/tables")


@router.get("")
async def list_tables():
    return []
""",
    })
    assert sorted(p for _, p in r) == ["/cases", "/tables", "/workspaces/{workspace_id}/cases",
                                       "/workspaces/{workspace_id}/tables"]


def test_fastapi_users_through_a_project_subclass_made_as_a_generic():
    """tracecat: ``class FastAPIUserWithLogoutRouter(FastAPIUsers[models.UP, models.ID])`` and
    ``fastapi_users = FastAPIUserWithLogoutRouter[User, uuid.UUID](...)``: its inherited
    ``current_user(active=True)`` requires login, ``current_user(optional=True)`` does not
    (before: both read as no guard, because the generic instantiation made no instance)."""
    r, _ = routes({
        "tc/__init__.py": "",
        "tc/users.py": """
import uuid

from fastapi_users import FastAPIUsers, models

from tc.models import User


class FastAPIUserWithLogoutRouter(FastAPIUsers[models.UP, models.ID]):
    def get_logout_router(self, backend):
        return None


fastapi_users = FastAPIUserWithLogoutRouter[User, uuid.UUID](get_user_manager=None, auth_backends=[])
current_active_user = fastapi_users.current_user(active=True)
optional_current_active_user = fastapi_users.current_user(active=True, optional=True)
""",
        "tc/models.py": "class User:\n    id = None\n",
        "tc/app.py": """
from fastapi import Depends, FastAPI

from tc.users import current_active_user, optional_current_active_user

app = FastAPI()


@app.post("/organization/invitations/accept")
async def accept_invitation(user=Depends(current_active_user)):
    return {"id": str(user.id)}


@app.get("/info")
async def info(user=Depends(optional_current_active_user)):
    return {"signed_in": user is not None}
""",
    })
    assert r[("POST", "/organization/invitations/accept")].auth.value == "protected"
    assert r[("GET", "/info")].auth.value != "protected"


CAPTCHA_MIDDLEWARE = """
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware

GUARDED_OAUTH_CALLBACK_PATHS = frozenset({"/auth/oauth/callback"})


def captcha_enabled():
    return True


class CaptchaCookieMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        is_guarded_callback = (
            request.method != "OPTIONS"
            and request.url.path in GUARDED_OAUTH_CALLBACK_PATHS
            and captcha_enabled()
        )
        if is_guarded_callback:
            if not request.cookies.get("captcha"):
                return JSONResponse({"detail": "Captcha challenge required"}, status_code=401)
        response = await call_next(request)
        if is_guarded_callback:
            response.delete_cookie("captcha", path="/")
        return response


app = FastAPI()
app.add_middleware(CaptchaCookieMiddleware)


@app.get("/version")
async def version():
    return {"version": "1"}


@app.get("/auth/oauth/callback")
async def callback(code: str):
    return {"ok": True}
"""


def test_a_middleware_that_checks_only_the_paths_a_flag_names():
    """onyx: ``is_guarded_callback = request.url.path in GUARDED_OAUTH_CALLBACK_PATHS and ...``
    (a module ``frozenset``), ``if is_guarded_callback:`` rejects without the captcha cookie, and
    ``response = await call_next(request); ...; return response`` hands every request on: the
    check is for those paths alone (before: a 401 for every route of the app)."""
    r, _ = routes({"app.py": CAPTCHA_MIDDLEWARE})
    assert r[("GET", "/version")].auth.value == "unprotected"
    assert any(g.name == "dispatch" for g in r[("GET", "/auth/oauth/callback")].guards)


def test_a_redirect_to_the_login_page_is_named_by_its_target_not_by_its_receiver():
    """fief: a session dependency that answers 307 with ``Location: url_for(request, "auth:login")``
    sends the anonymous caller to log in (a guard); the optional login-session dependency of the
    sign-in pages returns None without a cookie and redirects an expired session to
    ``login_session.regenerate_authorization_url(request)``: the name of the object it reads from
    says nothing about where it sends the caller, and the sign-in page stays public."""
    report = scan_sources({
        "app/__init__.py": "",
        "app/deps.py": """
from fastapi import Cookie, Depends, HTTPException, Request, status

from app.repositories import LoginSessionRepository, SessionTokenRepository


async def get_session_token(request: Request, token: str | None = Cookie(None, alias="session"),
                            repo: SessionTokenRepository = Depends()):
    session_token = await repo.get_by_token(token) if token else None
    if session_token is None:
        raise HTTPException(status_code=status.HTTP_307_TEMPORARY_REDIRECT,
                            headers={"Location": str(request.url_for("auth:login"))})
    return session_token


async def get_optional_login_session(request: Request, token: str | None = Cookie(None, alias="login_session"),
                                     repo: LoginSessionRepository = Depends()):
    if token is None:
        return None
    login_session = await repo.get_by_token(token)
    if login_session.is_expired:
        raise HTTPException(status_code=status.HTTP_303_SEE_OTHER,
                            headers={"Location": str(login_session.regenerate_authorization_url(request))})
    return login_session
""",
        "app/repositories.py": """
class LoginSessionRepository:
    async def get_by_token(self, token): ...


class SessionTokenRepository:
    async def get_by_token(self, token): ...
""",
        "app/main.py": """
from fastapi import Depends, FastAPI, Form

from app.deps import get_optional_login_session, get_session_token

app = FastAPI()


@app.get("/login")
async def login_page(login_session=Depends(get_optional_login_session)):
    return {"form": "login"}


@app.get("/profile")
async def profile(session_token=Depends(get_session_token)):
    return {"user": session_token.user_id}
""",
    })
    states = {r.path: r.auth.value for r in report.routes}
    assert states == {"/login": "public", "/profile": "protected"}


def test_an_admin_endpoint_named_after_what_it_manages_is_not_a_sign_in_step():
    """fief's admin API: ``get_oauth_provider`` at ``/admin/api/oauth-providers/{id}`` manages an
    OAuth provider; the "oauth" in its name and path is no OAuth sign-in step, so without a
    guard it is unprotected, not public by convention. ``/oauth/callback`` still is one."""
    report = scan_sources({
        "app/__init__.py": "",
        "app/main.py": """
from fastapi import APIRouter, FastAPI

from app.db import OAuthProviderRepository

app = FastAPI()
admin = APIRouter(prefix="/admin/api")


@admin.get("/oauth-providers/{id}")
async def get_oauth_provider(id: str, repo: OAuthProviderRepository):
    return await repo.get_by_id(id)


@app.get("/oauth/callback")
async def oauth_callback(code: str, state: str):
    return {"code": code}


app.include_router(admin)
""",
        "app/db.py": "class OAuthProviderRepository:\n    async def get_by_id(self, id): ...\n",
    })
    states = {r.path: r.auth.value for r in report.routes}
    assert states == {"/admin/api/oauth-providers/{id}": "unprotected", "/oauth/callback": "public"}


def test_routers_mounted_in_a_loop_over_a_list_imported_from_another_module():
    """Letta: ``routers/v1/__init__.py`` lists its routers (``ROUTERS = [tools_router, agents_router]``);
    the app imports the list and mounts each with its prefix and the app's password middleware in
    ``for route in v1_routes: app.include_router(route, prefix="/v1")``."""
    report = scan_sources({
        "app/__init__.py": "",
        "app/routers/__init__.py": "",
        "app/routers/v1/__init__.py": ("from app.routers.v1.agents import router as agents_router\n"
                                      "from app.routers.v1.tools import router as tools_router\n\n"
                                      "ROUTERS = [tools_router, agents_router]\n"),
        "app/routers/v1/agents.py": ("from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/agents')\n\n\n"
                                     "@router.delete('/{agent_id}')\nasync def delete_agent(agent_id: str):\n    ...\n"),
        "app/routers/v1/tools.py": ("from fastapi import APIRouter\n\nrouter = APIRouter(prefix='/tools')\n\n\n"
                                    "@router.get('/')\nasync def list_tools():\n    return []\n"),
        "app/main.py": """
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.routers.v1 import ROUTERS as v1_routes

app = FastAPI()


@app.middleware("http")
async def check_password(request: Request, call_next):
    if request.headers.get("X-BARE-PASSWORD") != app.state.password:
        return JSONResponse({"detail": "Unauthorized"}, status_code=401)
    return await call_next(request)


for route in v1_routes:
    app.include_router(route, prefix="/v1")
""",
    })
    assert sorted((r.method, r.path, r.auth.value) for r in report.routes) == [
        ("DELETE", "/v1/agents/{agent_id}", "protected"), ("GET", "/v1/tools/", "protected")]


def test_a_deployment_password_checked_by_a_middleware_is_the_operators_credential():
    """Letta: the server's only credential is one password the deployment configures, compared by a
    middleware (``request.headers.get("Authorization") == f"Bearer {self.password}"``): whoever holds
    it is the operator, so an admin route behind it needs no role check (RG104 silent), and the
    route is protected by a shared secret."""
    report = scan_sources({"main.py": 'from fastapi import APIRouter, FastAPI, Request\nfrom fastapi.responses import JSONResponse\nfrom starlette.middleware.base import BaseHTTPMiddleware\n\nimport settings\n\n\nclass CheckPasswordMiddleware(BaseHTTPMiddleware):\n    def __init__(self, app, password: str):\n        super().__init__(app)\n        self.password = password\n\n    async def dispatch(self, request, call_next):\n        if request.headers.get("Authorization") == f"Bearer {self.password}":\n            return await call_next(request)\n        return JSONResponse(content={"detail": "Unauthorized"}, status_code=401)\n\n\napp = FastAPI()\napp.add_middleware(CheckPasswordMiddleware, password=settings.SERVER_PASSWORD)\nadmin = APIRouter(prefix="/admin")\n\n\n@admin.delete("/users/{user_id}")\nasync def delete_user(user_id: str):\n    ...\n\n\napp.include_router(admin)\n', "settings.py": "import os\nSERVER_PASSWORD = os.environ['PASSWORD']\n"})
    [route] = report.routes
    assert route.auth.value == "protected" and "shared secret password" in route.guards[0].reason
    assert not [f for f in report.findings if f.rule_id == "RG104"]


def test_route_methods_written_as_http_method_members_on_fastapi_and_drf():
    """``methods=[HTTPMethod.POST]`` (Python 3.11's ``http.HTTPMethod``) on a FastAPI
    ``api_route`` and on a DRF ``@action`` is the method POST, as in Flask; so are the methods of
    a module-level dict of options unpacked into the call (``**streamable_route_config``)."""
    r, _ = routes({"api/main.py": """
from http import HTTPMethod

from fastapi import APIRouter, FastAPI

app = FastAPI()
router = APIRouter()


@router.api_route("/jobs/{job_id}/cancel", methods=[HTTPMethod.POST, HTTPMethod.PUT])
def cancel_job(job_id: int):
    return {"ok": True}


streamable_route_config = {"methods": ["GET", "POST", "DELETE"], "include_in_schema": False}


@router.api_route("/mcp/streamable", **streamable_route_config)
def streamable(job_id: int):
    return {"ok": True}


app.include_router(router)
""", "shop/views.py": """
from http import HTTPMethod

from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response


class OrderViewSet(viewsets.ViewSet):
    @action(detail=True, methods=[HTTPMethod.POST])
    def refund(self, request, pk=None):
        return Response({})
""", "shop/urls.py": """
from rest_framework.routers import DefaultRouter

from shop.views import OrderViewSet

router = DefaultRouter()
router.register("orders", OrderViewSet, basename="order")
urlpatterns = router.urls
""", "settings.py": 'ROOT_URLCONF = "shop.urls"\n'})
    assert {m for m, p in r if p == "/mcp/streamable"} == {"GET", "POST", "DELETE"}  # **options (Langflow)
    assert {k for k in r if "cancel" in k[1] or "refund" in k[1]} == {
        ("POST", "/jobs/{job_id}/cancel"), ("PUT", "/jobs/{job_id}/cancel"), ("POST", "/orders/<pk>/refund/")}


def test_a_websocket_dependency_that_closes_the_socket_on_a_bad_token_is_a_guard():
    """freqtrade's ``validate_ws_token``: a matching shared token or a valid JWT is returned,
    anything else closes the socket with a policy violation (1008) and the handler does nothing
    with no token. The websocket is protected; one with no such dependency is not."""
    r, report = routes({"bot/api_auth.py": """
import secrets

import jwt
from fastapi import Depends, HTTPException, Query, WebSocket, status

from bot.deps import get_api_config


async def validate_ws_token(
    ws: WebSocket,
    ws_token: str | None = Query(default=None, alias="token"),
    api_config: dict = Depends(get_api_config),
):
    secret_ws_token = api_config.get("ws_token")
    if ws_token and secret_ws_token and secrets.compare_digest(secret_ws_token, ws_token):
        return ws_token
    try:
        return get_user_from_token(ws_token, api_config["jwt_secret_key"])
    except HTTPException:  # the helper's 401 is caught here: the close below is the answer
        pass
    await ws.close(code=status.WS_1008_POLICY_VIOLATION)


def get_user_from_token(token, secret_key: str) -> str:
    credentials_exception = HTTPException(status_code=status.HTTP_401_UNAUTHORIZED)
    try:
        payload = jwt.decode(token, secret_key, algorithms=["HS256"])
    except jwt.PyJWTError:
        raise credentials_exception
    return payload["sub"]
""", "bot/deps.py": """
def get_api_config():
    return {}
""", "bot/api_ws.py": """
from fastapi import APIRouter, Depends, FastAPI, WebSocket

from bot.api_auth import validate_ws_token

app = FastAPI()
router = APIRouter()


@router.websocket("/message/ws")
async def message_endpoint(websocket: WebSocket, token: str = Depends(validate_ws_token)):
    if token:
        await websocket.accept()
        await websocket.send_json({"status": "subscribed"})


@router.websocket("/echo/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    await websocket.send_text(await websocket.receive_text())


app.include_router(router, prefix="/api/v1")
"""})
    assert r[("WEBSOCKET", "/api/v1/message/ws")].auth == "protected"
    assert r[("WEBSOCKET", "/api/v1/echo/ws")].auth == "unprotected"


def test_a_rejection_inside_a_try_that_only_logs_at_the_end_of_the_handler_still_ends_it():
    """Langflow's voice websockets sign the caller in inside the handler's one big ``try``
    (``get_current_user_for_websocket`` raises a 1008 ``WebSocketException``) whose ``except
    Exception`` only logs: nothing runs after it, so the rejection ends the handler's work and
    the route is protected. The same ``try`` followed by more work lets the caller through."""
    r, _ = routes({"app/auth.py": """
from fastapi import WebSocket, WebSocketException, status


class AuthenticationError(Exception):
    pass


async def authenticate(token):
    if not token:
        raise AuthenticationError()
    return {"id": 1}


async def get_current_user_for_websocket(websocket: WebSocket):
    token = websocket.cookies.get("access_token") or websocket.query_params.get("token")
    try:
        user = await authenticate(token)
    except AuthenticationError as e:
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION, reason="invalid credentials") from e
    return user
""", "app/voice.py": """
import logging

from fastapi import APIRouter, FastAPI, WebSocket

from app.auth import get_current_user_for_websocket

logger = logging.getLogger(__name__)
app = FastAPI()
router = APIRouter(prefix="/voice")


@router.websocket("/ws/{flow_id}")
async def flow_websocket(client_websocket: WebSocket, flow_id: str):
    try:
        await client_websocket.accept()
        user = await get_current_user_for_websocket(client_websocket)
        await client_websocket.send_json({"flow": flow_id, "user": user["id"]})
    except Exception as e:
        logger.error(f"Unexpected error: {e}")


@router.websocket("/echo/{flow_id}")
async def echo_websocket(client_websocket: WebSocket, flow_id: str):
    try:
        await client_websocket.accept()
        await get_current_user_for_websocket(client_websocket)
    except Exception as e:
        logger.error(f"Unexpected error: {e}")
    await client_websocket.send_json({"flow": flow_id})


app.include_router(router, prefix="/api/v1")
"""})
    assert r[("WEBSOCKET", "/api/v1/voice/ws/{flow_id}")].auth == "protected"
    assert r[("WEBSOCKET", "/api/v1/voice/echo/{flow_id}")].auth == "unprotected"


POLAR_STYLE = {
    "shop/__init__.py": "",
    "shop/exceptions.py": """
class ShopError(Exception):
    def __init__(self, message: str, status_code: int = 500, headers: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.headers = headers


class ResourceNotFound(ShopError):
    def __init__(self, message: str = "Not found") -> None:
        super().__init__(message, 404)


class Unauthorized(ShopError):
    def __init__(self, message: str = "Unauthorized", status_code: int = 401) -> None:
        super().__init__(message, status_code, headers={"WWW-Authenticate": "Bearer"})
""",
    "shop/kit/__init__.py": "",
    "shop/kit/routing.py": """
from typing import Any

from fastapi import APIRouter as _APIRouter
from fastapi.routing import APIRoute


class AutoCommitAPIRoute(APIRoute):
    pass


def get_api_router_class(route_class: type[APIRoute]) -> type[_APIRouter]:
    \"\"\"Returns a subclass of `APIRouter` that uses the given `route_class`.\"\"\"

    class _CustomAPIRouter(_APIRouter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["route_class"] = route_class
            super().__init__(*args, **kwargs)

    return _CustomAPIRouter
""",
    "shop/routing.py": """
from shop.kit.routing import AutoCommitAPIRoute, get_api_router_class

APIRouter = get_api_router_class(AutoCommitAPIRoute)
""",
    "shop/auth.py": """
from typing import Annotated, Any

from fastapi import Depends, Request

from shop.exceptions import ResourceNotFound, Unauthorized
from shop.repository import PayoutAccountRepository


class _Authenticator:
    def __init__(self, *, required_scopes: set[str] | None = None) -> None:
        self.required_scopes = required_scopes

    async def __call__(self, request: Request) -> dict:
        subject = request.state.auth_subject
        if subject is None:
            raise Unauthorized()
        return subject


def Authenticator(required_scopes: set[str] | None = None) -> _Authenticator:
    return _Authenticator(required_scopes=required_scopes)


def PayoutAccountPolicyGuard() -> Any:
    \"\"\"Resolve the payout account by {id} and verify that the caller owns it.\"\"\"
    _authenticator = Authenticator(required_scopes={"payouts:write"})

    async def dependency(id: int, auth_subject: Annotated[dict, Depends(_authenticator)]) -> dict:
        account = await PayoutAccountRepository().get_by_id(id)
        if account is None or account.admin_id != auth_subject["id"]:
            raise ResourceNotFound()
        return account

    return dependency


AuthorizeProductsWrite = Annotated[dict, Depends(Authenticator(required_scopes={"products:write"}))]
AuthorizePayoutAccountWrite = Annotated[dict, Depends(PayoutAccountPolicyGuard())]
""",
    "shop/repository.py": """
class PayoutAccountRepository:
    async def get_by_id(self, id):
        return None
""",
    "shop/products/__init__.py": "",
    "shop/products/endpoints.py": """
from shop.auth import AuthorizeProductsWrite
from shop.routing import APIRouter

router = APIRouter(prefix="/products", tags=["products"])


@router.get("/")
async def list_products():
    return []


@router.delete("/{id}", status_code=204)
async def delete_product(id: int, auth_subject: AuthorizeProductsWrite) -> None:
    return None
""",
    "shop/payouts/__init__.py": "",
    "shop/payouts/endpoints.py": """
from shop.auth import AuthorizePayoutAccountWrite
from shop.routing import APIRouter

router = APIRouter(prefix="/payout-accounts", tags=["payout_accounts"])


@router.delete("/{id}", status_code=204)
async def delete_payout_account(authz: AuthorizePayoutAccountWrite) -> None:
    return None
""",
    "shop/api.py": """
from fastapi import APIRouter

from shop.payouts.endpoints import router as payouts_router
from shop.products.endpoints import router as products_router

router = APIRouter(prefix="/v1")
router.include_router(products_router)
router.include_router(payouts_router)
""",
    "shop/app.py": """
from fastapi import FastAPI

from shop.api import router

app = FastAPI()
app.include_router(router)
""",
}


def test_routers_made_from_a_router_class_that_a_factory_returns():
    """Polar: ``APIRouter = get_api_router_class(APIRoute)``, a function that defines a subclass of
    FastAPI's ``APIRouter`` and returns the class; every module makes its router from that name.
    Those routers serve their routes (they were dropped as instances of an unknown class)."""
    r, _ = routes(POLAR_STYLE)
    assert {k for k in r if k[1].startswith("/v1/")} == {
        ("GET", "/v1/products/"), ("DELETE", "/v1/products/{id}"), ("DELETE", "/v1/payout-accounts/{id}")}


def test_an_error_whose_constructor_defaults_to_401_rejects_and_a_factory_guard_authenticates_through_its_local():
    """``raise Unauthorized()`` where ``Unauthorized.__init__`` hands its ``status_code=401`` default
    to its base rejects the caller, as a class attribute ``status_code = 401`` does; and a dependency
    a guard factory returns authenticates through ``Depends(_authenticator)``, the checker the factory
    made in a local (its own test, an ownership comparison answering 404, authenticates nobody)."""
    r, _ = routes(POLAR_STYLE)
    assert r[("DELETE", "/v1/products/{id}")].auth == "protected"
    assert r[("DELETE", "/v1/payout-accounts/{id}")].auth == "protected"
    assert r[("GET", "/v1/products/")].auth == "unprotected"


def test_a_route_module_that_only_uses_a_router_made_elsewhere():
    """Skyvern's ``runtime_config.py`` imports its routers from ``routes/routers.py`` and names no
    FastAPI class: its ``@base_router.get(...)`` routes are still FastAPI routes."""
    r, _ = routes({
        "app/__init__.py": "",
        "app/routers.py": "from fastapi import APIRouter\n\nbase_router = APIRouter()\n",
        "app/runtime_config.py": """
from app.config import settings
from app.routers import base_router


@base_router.get("/config/runtime", include_in_schema=False)
async def get_runtime_config() -> dict:
    return {"environment": settings.ENV}
""",
        "app/main.py": """
from fastapi import FastAPI

from app import runtime_config  # noqa: F401 (registers its routes)
from app.routers import base_router

app = FastAPI()
app.include_router(base_router, prefix="/api/v1")
""",
    })
    assert ("GET", "/api/v1/config/runtime") in r


def test_a_csrf_middleware_that_compares_tokens_authenticates_nobody():
    """Prefect's ``CsrfMiddleware.dispatch`` compares the request's CSRF token with the one stored
    for its client (``hmac.compare_digest``) inside ``if settings.CSRF_ENABLED and
    request_needs_csrf_protection:``: a defence against forged requests, which any caller passes with
    a token it fetched itself; the routes it wraps are not protected by it."""
    r, _ = routes({
        "srv/__init__.py": "",
        "srv/middleware.py": """
import hmac

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.responses import JSONResponse

from srv import settings
from srv.tokens import read_token


class CsrfMiddleware(BaseHTTPMiddleware):
    async def dispatch(self, request, call_next):
        request_needs_csrf_protection = request.method in {"POST", "PUT", "PATCH", "DELETE"}
        if settings.CSRF_PROTECTION_ENABLED and request_needs_csrf_protection:
            incoming_token = request.headers.get("Csrf-Token")
            incoming_client = request.headers.get("Csrf-Client")
            if incoming_token is None:
                return JSONResponse({"detail": "Missing CSRF token."}, status_code=403)
            token = await read_token(incoming_client)
            if token is None or not hmac.compare_digest(incoming_token, token):
                return JSONResponse({"detail": "Invalid CSRF token."}, status_code=403)
        return await call_next(request)
""",
        "srv/app.py": """
from fastapi import FastAPI

from srv.middleware import CsrfMiddleware

app = FastAPI()
app.add_middleware(CsrfMiddleware)


@app.post("/api/artifacts/")
async def create_artifact(artifact: dict) -> dict:
    return artifact
""",
    })
    assert r[("POST", "/api/artifacts/")].auth == "unprotected"


def test_cadwyn_versioned_routers_and_their_guards():
    """Airflow's execution API: routers are cadwyn ``VersionedAPIRouter`` instances (an APIRouter),
    the authenticated ones included under ``VersionedAPIRouter(dependencies=[Security(require_auth)])``,
    and the Cadwyn app includes the whole tree with ``generate_and_include_versioned_routers``; the
    main app mounts it at ``/execution``. Those routes were dropped (the class is not in the tree)."""
    r, _ = routes({
        "exec_api/__init__.py": "",
        "exec_api/security.py": """
from fastapi import HTTPException, Request


async def require_auth(request: Request) -> dict:
    token = request.headers.get("Authorization")
    if not token:
        raise HTTPException(status_code=401, detail="Missing token")
    return {"sub": token}
""",
        "exec_api/routes/__init__.py": """
from cadwyn import VersionedAPIRouter
from fastapi import Security

from exec_api.routes import assets, health
from exec_api.security import require_auth

execution_api_router = VersionedAPIRouter()
execution_api_router.include_router(health.router, prefix="/health", tags=["Health"])

authenticated_router = VersionedAPIRouter(dependencies=[Security(require_auth)])
authenticated_router.include_router(assets.router, prefix="/assets", tags=["Assets"])
execution_api_router.include_router(authenticated_router)
""",
        "exec_api/routes/assets.py": """
from cadwyn import VersionedAPIRouter

router = VersionedAPIRouter()


@router.get("/by-name")
def get_asset_by_name(name: str) -> dict:
    return {"name": name}
""",
        "exec_api/routes/health.py": """
from fastapi import APIRouter

router = APIRouter()


@router.get("")
def health() -> dict:
    return {"status": "healthy"}
""",
        "exec_api/app.py": """
from cadwyn import Cadwyn
from fastapi import FastAPI


class CadwynWithOpenAPICustomization(Cadwyn):
    pass


def create_task_execution_api_app() -> FastAPI:
    from exec_api.routes import execution_api_router

    app = CadwynWithOpenAPICustomization(title="Task Execution API")
    app.generate_and_include_versioned_routers(execution_api_router)
    return app


def create_app() -> FastAPI:
    app = FastAPI(title="Airflow API")
    task_exec_api_app = create_task_execution_api_app()
    app.mount("/execution", task_exec_api_app)
    return app


app = create_app()
""",
    })
    assert r[("GET", "/execution/assets/by-name")].auth == "protected"
    assert ("GET", "/execution/health") in r


PREFECT_STYLE_SERVER = """
import base64
import hmac

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from srv import settings
from srv.api import flows


def create_api_app() -> FastAPI:
    api_app = FastAPI(title="Orchestration API")
    api_app.include_router(flows.router, prefix="/api")

    auth_string = settings.SERVER_API_AUTH_STRING
{CONDITION}
        @api_app.middleware("http")
        async def token_validation(request: Request, call_next):
            header_token = request.headers.get("Authorization")
            try:
                scheme, creds = header_token.split()
                decoded = base64.b64decode(creds).decode("utf-8")
            except Exception:
                return JSONResponse(status_code=status.HTTP_401_UNAUTHORIZED, content={"detail": "Unauthorized"})
            if not hmac.compare_digest(decoded, auth_string):
                return JSONResponse(status_code=status.HTTP_401_UNAUTHORIZED, content={"detail": "Unauthorized"})
            return await call_next(request)
{ELSE}
    return api_app
"""
FLOWS_ROUTER = """
from fastapi import APIRouter

router = APIRouter(prefix="/flows")


@router.post("/")
async def create_flow(flow: dict) -> dict:
    return flow
"""


def test_an_auth_middleware_switched_on_by_configuration_is_optional_authentication():
    """Prefect's server adds its only authentication middleware under ``if auth_string is not
    None:`` (the setting defaults to None): with the default configuration no route needs a login.
    The route is public by the deployment's choice, with that reason; it is protected when the
    middleware runs whatever the configuration, or when the other branch authenticates too."""
    def state(condition, orelse="", needs=""):
        files = {"srv/__init__.py": "", "srv/settings.py": "SERVER_API_AUTH_STRING = None\n",
                 "srv/api/__init__.py": "", "srv/api/flows.py": FLOWS_ROUTER,
                 "srv/server.py": PREFECT_STYLE_SERVER.replace("{CONDITION}", condition).replace("{ELSE}", orelse)}
        r, _ = routes(files)
        route = r[("POST", "/api/flows/")]
        reasons = [g.reason for g in route.guards]
        assert not needs or any(needs in x for x in reasons), reasons
        return route.auth

    assert state("    if auth_string is not None:",
                 needs="optional authentication: token_validation runs only if auth_string is not None") == "public"
    assert state("    if True:") == "protected"  # a constant: no choice left to the configuration
    assert state("    if not settings.TESTING:") == "protected"  # off only in the test suite
    assert state("    if auth_string is not None:",
                 "    else:\n        api_app.add_middleware(SessionAuthMiddleware)\n") == "protected"


def test_a_middleware_that_guards_the_paths_a_module_helper_tests():
    """LiteLLM's ``PrometheusAuthMiddleware.__call__``: ``if scope["type"] != "http" or not
    _is_metrics_route(scope): await self.app(...); return``, the helper comparing
    ``get_route_path(scope)`` with ``_METRICS_MOUNT``; the check after it guards ``/metrics`` only
    (it was credited on 617 routes, ~50 of them open)."""
    r, _ = routes({
        "proxy/__init__.py": "",
        "proxy/auth.py": """
from fastapi import HTTPException, Request


async def user_api_key_auth(request: Request, api_key: str):
    if not api_key or not api_key.startswith("sk-"):
        raise HTTPException(status_code=401, detail="invalid key")
    return api_key
""",
        "proxy/prometheus_auth.py": """
from typing import Final

from fastapi import HTTPException, Request
from starlette.responses import JSONResponse
from starlette.routing import get_route_path
from starlette.types import ASGIApp, Receive, Scope, Send

from proxy.auth import user_api_key_auth

_METRICS_MOUNT: Final = "/metrics"


def _is_metrics_route(scope: Scope) -> bool:
    route_path: Final = get_route_path(scope)
    return route_path == _METRICS_MOUNT or route_path.startswith(_METRICS_MOUNT + "/")


class PrometheusAuthMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_metrics_route(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            await user_api_key_auth(request=request, api_key=request.headers.get("Authorization") or "")
        except HTTPException as e:
            await JSONResponse({"error": e.detail}, status_code=401)(scope, receive, send)
            return
        await self.app(scope, receive, send)
""",
        "proxy/server.py": """
from fastapi import FastAPI

from proxy.prometheus_auth import PrometheusAuthMiddleware

app = FastAPI()
app.add_middleware(PrometheusAuthMiddleware)


@app.get("/metrics")
async def metrics():
    return "litellm_requests_total 3"


@app.post("/config/update")
async def update_config(body: dict):
    return body
""",
    })
    assert r[("GET", "/metrics")].auth == "protected"
    assert r[("POST", "/config/update")].auth == "unprotected"


def test_router_dependencies_built_in_a_local_list_count_appended_under_a_switch_too():
    """``dependencies = [...]; if authentication_enabled: dependencies.append(Depends(...))``, then
    ``APIRouter(dependencies=dependencies)`` (Phoenix's /v1 router): the list's guards apply; so do
    those of a module constant (LiteLLM's ``_AUTH_DEPENDENCIES: Final = (Depends(user_api_key_auth),)``)."""
    from routeguard import scan_sources
    app = '''
from typing import Final

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request


async def is_authenticated(request: Request) -> None:
    if not request.user.is_authenticated:
        raise HTTPException(status_code=401)


async def prevent_writes_in_read_only_mode(request: Request) -> None:
    if request.app.state.read_only and request.method != "GET":
        raise HTTPException(status_code=405)


def create_v1_router(authentication_enabled: bool) -> APIRouter:
    dependencies = [Depends(prevent_writes_in_read_only_mode)]
    if authentication_enabled:
        dependencies.append(Depends(is_authenticated))
    router = APIRouter(prefix="/v1", dependencies=dependencies)

    @router.post("/datasets/upload")
    async def upload_dataset(request: Request) -> dict:
        await request.app.state.queue.put(await request.body())
        return {}

    return router


def create_v2_router() -> APIRouter:
    dependencies = []
    dependencies += [Depends(is_authenticated)]
    router = APIRouter(prefix="/v2", dependencies=dependencies)

    @router.delete("/datasets/{dataset_id}")
    async def delete_dataset(dataset_id: int, request: Request) -> dict:
        await request.app.state.store.delete(dataset_id)
        return {}

    return router


_AUTH_DEPENDENCIES: Final = (Depends(is_authenticated),)
v3 = APIRouter(prefix="/v3")


@v3.delete("/datasets/{dataset_id}", dependencies=_AUTH_DEPENDENCIES)
async def delete_dataset_v3(dataset_id: int, request: Request) -> dict:
    await request.app.state.store.delete(dataset_id)
    return {}


app = FastAPI()
app.include_router(create_v1_router(True))
app.include_router(create_v2_router())
app.include_router(v3)
'''
    report = scan_sources({"server/app.py": app})
    routes = {(r.method, r.path): r for r in report.graph.routes}
    for key in (("POST", "/v1/datasets/upload"), ("DELETE", "/v2/datasets/{dataset_id}"),
                ("DELETE", "/v3/datasets/{dataset_id}")):
        assert routes[key].auth.value == "protected", key
        assert routes[key].guards[0].name == "Depends(is_authenticated)"
    assert not [f for f in report.findings if f.rule_id == "RG101"]


def test_a_call_of_a_function_defined_in_an_enclosing_function_is_that_function():
    """``create_image_link(...)`` in a route defined inside ``configure_share`` calls the helper
    defined beside it (it builds a string), not a module-level name read as a write by its verb."""
    from routeguard import scan_sources
    app = '''
from fastapi import FastAPI, Query
from starlette.responses import HTMLResponse

app = FastAPI()


def configure_share(app: FastAPI):
    def create_image_link(username: str, submitted: int) -> str:
        return f"https://cdn.example/share.png?u={username}&n={submitted}"

    def create_share_html(title: str, image: str) -> str:
        return f"<html><head><meta property='og:title' content='{title}'/><meta property='og:image' content='{image}'/></head></html>"

    @app.get("/share-your-progress", include_in_schema=False)
    async def share_page(title: str = Query(), user_name: str = Query(), n: int = Query(default=0)):
        image = create_image_link(user_name, n)
        return HTMLResponse(content=create_share_html(title, image), status_code=200)


configure_share(app)


from fastapi import HTTPException, Security
from fastapi.security import APIKeyHeader

api_key = APIKeyHeader(name="X-Api-Key")


async def get_current_user(key: str = Security(api_key)):
    if key != "k":
        raise HTTPException(401)
    return {"id": 1}


@app.get("/api/v1/me")
async def me(current_user=Security(get_current_user)):
    return current_user
'''
    report = scan_sources({"server/app.py": app})
    handler = next(f for q, f in report.graph.functions.items() if q.endswith("share_page"))
    assert handler.calls[0].endswith("app.configure_share.create_image_link")
    assert not [f for f in report.findings if f.rule_id == "RG101"]


def test_a_policy_handed_through_two_helpers_is_the_role_check_of_the_route():
    """Argilla: ``await authorize(current_user, UserPolicy.get)``, where ``authorize`` hands the policy
    on to ``is_authorized(actor, policy_action)``, which awaits ``policy_action(actor)``, and the policy
    returns ``actor.is_owner``: only owners get the response, so the api_key it carries is no RG301."""
    from routeguard import scan_sources
    sources = {
        "server/models.py": '''
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


async def get_db():
    yield None


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str]
    role: Mapped[str]
    api_key: Mapped[str]

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"
''',
        "server/policies.py": '''
from typing import Awaitable, Callable

from fastapi import HTTPException

from server.models import User

PolicyAction = Callable[[User], Awaitable[bool]]


async def authorize(actor: User, policy_action: PolicyAction) -> None:
    if not await is_authorized(actor, policy_action):
        raise HTTPException(status_code=403)


async def is_authorized(actor: User, policy_action: PolicyAction) -> bool:
    return await policy_action(actor)


class UserPolicy:
    @classmethod
    async def get(cls, actor: User) -> bool:
        return actor.is_owner
''',
        "server/app.py": '''
from uuid import UUID

from fastapi import Depends, FastAPI, HTTPException, Security
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict

from server.models import User, get_db
from server.policies import UserPolicy, authorize

app = FastAPI()
api_key_header = APIKeyHeader(name="X-Api-Key")


async def get_current_user(api_key: str = Security(api_key_header), db=Depends(get_db)) -> User:
    user = await db.get_user_by_api_key(api_key)
    if user is None:
        raise HTTPException(status_code=401)
    return user


class UserSchema(BaseModel):
    id: UUID
    username: str
    api_key: str
    model_config = ConfigDict(from_attributes=True)


@app.get("/users/{user_id}", response_model=UserSchema)
async def get_user(*, db=Depends(get_db), user_id: UUID, current_user: User = Security(get_current_user)):
    await authorize(current_user, UserPolicy.get)
    return await db.get(User, user_id)
''',
    }
    assert not [f for f in scan_sources(sources).findings if f.rule_id == "RG301"]
    sources["server/app.py"] = sources["server/app.py"].replace("    await authorize(current_user, UserPolicy.get)\n", "")
    assert [f.rule_id for f in scan_sources(sources).findings if f.rule_id == "RG301"] == ["RG301"]
