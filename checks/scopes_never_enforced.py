from __future__ import annotations

from routeguard.findings import Severity

from .base import Check, Invalid, Valid

# The scopes of an OpenID Connect sign-in (who the caller is), not permissions
IDENTITY_SCOPES = frozenset({"openid", "profile", "email", "address", "phone", "offline_access"})


class ScopesNeverEnforced(Check):
    """
    ## What it does
    Flags scopes that are declared or required (`Security(dep, scopes=[...])`, a
    credential scheme created with `scopes={...}`) when no dependency in the chain
    reads the required scopes (`SecurityScopes.scopes`) and compares them with the
    token's. A scheme that no route or dependency uses, or that declares only OpenID
    Connect's sign-in scopes (`openid`, `profile`, `email`...), is not reported: its
    scopes document the API or say who the caller is, and grant nothing.

    ## Why is this bad
    Requiring a scope does nothing by itself: the framework only collects the
    required scopes and hands them to a dependency that asks for them. When none
    does, any valid token passes, and a read-only token can delete and administer.
    The code reads as if it were scope-protected, so review does not catch it.

    ## Example
    ```python
    async def get_current_user(token: str = Depends(oauth2_scheme)):
        return decode_user(token)

    @app.delete("/items/{id}")
    def delete_item(id: int, user=Security(get_current_user, scopes=["items:write"])):
        ...
    ```

    ## Use instead
    ```python
    async def get_current_user(security_scopes: SecurityScopes,
                               token: str = Depends(oauth2_scheme)):
        payload = decode(token)
        for scope in security_scopes.scopes:
            if scope not in payload["scopes"]:
                raise HTTPException(status_code=403, detail="Not enough permissions")
    ```

    ## References
    - OWASP API Security Top 10 2023, API5: Broken Function Level Authorization
    - CWE-863: Incorrect Authorization
    - FastAPI documentation, "OAuth2 scopes"
    """

    id = "RG202"
    name = "scopes-never-enforced"
    summary = "Scopes declared or required, but no dependency in the chain checks them"
    severity = Severity.ERROR
    confidence = "medium"
    cwe = 863
    owasp = "API5:2023"

    VALID = (
        Valid("""
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2AuthorizationCodeBearer

scheme = OAuth2AuthorizationCodeBearer("/authorize", "/api/token", scopes={"openid": "openid"}, auto_error=False)
app = FastAPI()

async def current_user(token: str | None = Depends(scheme)):
    if token is None:
        raise HTTPException(status_code=401)
    return token

@app.get("/api/userinfo")
def userinfo(user=Depends(current_user)):
    return {"sub": user}
"""),
        Valid({  # the scheme with scopes only documents them; the bearer dependency checks each one
            "app/main.py": """
from fastapi import Depends, FastAPI
from app.auth import get_current_user

app = FastAPI()

@app.post("/documents")
def upload(user=Depends(get_current_user)):
    return None
""",
            "app/auth.py": """
from fastapi import Depends, HTTPException
from fastapi.security import HTTPBearer, OAuth2PasswordBearer, SecurityScopes
from jose import jwt

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="auth/token/", auto_error=False,
                                     scopes={"document.upload": "Upload documents"})
http_bearer = HTTPBearer(auto_error=False)

async def get_current_user(security_scopes: SecurityScopes, bearer=Depends(http_bearer)):
    payload = jwt.decode(bearer.credentials, "k", algorithms=["HS256"])
    for scope in security_scopes.scopes:
        if scope not in payload.get("scopes", []):
            raise HTTPException(status_code=403, detail=f"missing scope {scope}")
    return payload
""",
        }),
        Valid({
            "app/main.py": """
from fastapi import FastAPI, Security
from app.auth import get_current_user

app = FastAPI()

@app.delete("/items/{item_id}")
def delete_item(item_id: int, user=Security(get_current_user, scopes=["items:write"])):
    return None
""",
            "app/auth.py": """
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from jose import jwt

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes={"items:write": "Write items"})

async def get_current_user(security_scopes: SecurityScopes, token: str = Depends(oauth2_scheme)):
    payload = jwt.decode(token, "k", algorithms=["HS256"])
    for scope in security_scopes.scopes:
        if scope not in payload.get("scopes", []):
            raise HTTPException(status_code=403, detail="Not enough permissions")
    return payload
""",
        }),
    )
    INVALID = (
        Invalid({
            "app/main.py": """
from fastapi import FastAPI, Security
from app.auth import get_current_user

app = FastAPI()

@app.delete("/items/{item_id}")
def delete_item(item_id: int, user=Security(get_current_user, scopes=["items:write"])):  # expect: RG202
    return None
""",
            "app/auth.py": """
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer
from jose import jwt

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes={"items:write": "Write items"})

async def get_current_user(token: str = Depends(oauth2_scheme)):
    try:
        return jwt.decode(token, "k", algorithms=["HS256"])
    except Exception:
        raise HTTPException(status_code=401)
""",
        }),
        Invalid("""
from fastapi import Depends, FastAPI
from fastapi.security import OAuth2PasswordBearer

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes={"admin": "Administer"})  # expect: RG202
app = FastAPI()

@app.get("/admin/stats")
def stats(token: str = Depends(oauth2_scheme)):
    return {}
"""),
    )

    def run(self, graph):
        enforcers = {s.owner for s in graph.scope_facts if s.kind == "enforced"}

        def enforced(closure):
            # a dependency in the chain, or a helper one of them calls, compares the scopes
            seen, stack = set(), [q for c in closure for q in (c, f"{c}.__call__")]
            while stack:
                q = stack.pop()
                if q in seen or len(seen) > 500:
                    continue
                seen.add(q)
                if q in enforcers:
                    return True
                f = graph.functions.get(q)
                stack.extend(graph.canonical(c) for c in (f.calls if f else ()))
            return False

        covered = set()  # schemes whose scopes a reported requirement already names
        for s in graph.scope_facts:
            if s.kind != "required" or not s.scopes or not s.target:
                continue
            closure = graph.dependency_closure(s.target)
            covered.update(closure)
            if enforced(closure):
                continue
            scopes = ", ".join(s.scopes)
            yield self.finding(
                f"Scopes {scopes} are required through {s.target.rpartition('.')[2]}, but no dependency in its "
                "chain reads SecurityScopes and compares them with the token's: any valid token passes.",
                s.location)
        depended = {graph.canonical(d.target) for deps in graph.dependencies.values() for d in deps} | {
            graph.canonical(g.target) for r in graph.routes for g in r.guards if g.target}
        for s in graph.scope_facts:
            if s.kind != "declared" or graph.canonical(s.owner) in covered:
                continue
            if graph.canonical(s.owner) not in depended:
                continue  # no route or dependency uses the scheme: its scopes only document
            if s.scopes and set(s.scopes) <= IDENTITY_SCOPES:
                continue  # OpenID Connect's sign-in scopes say who the caller is, not what they may do
            users = [e for e in enforcers if graph.canonical(s.owner) in graph.dependency_closure(e)]
            if users:
                continue
            yield self.finding(
                f"{s.owner.rpartition('.')[2]} declares scopes, but no dependency reads SecurityScopes: "
                "scopes in the token are never checked.", s.location, Severity.WARNING)
