from __future__ import annotations

from routeguard.findings import Severity

from .base import Check, Invalid, Valid


class WildcardScope(Check):
    """
    ## What it does
    Flags a route or dependency that requires the wildcard scope `"*"`, and a token
    minted with every scope the API knows (a wildcard, the whole scope table, or an
    `ALL_SCOPES` constant) instead of the scopes the user holds.

    ## Why is this bad
    Scopes exist so that a token can do less than everything. A wildcard requirement
    makes every protected operation demand the one scope that grants all of them, so
    every working client ends up holding an all-powerful token; minting tokens with all
    scopes hands that power to every user who logs in, admin scopes included.

    ## Example
    ```python
    access_token = create_access_token(
        data={"sub": user.username, "scopes": list(SCOPES.keys())}
    )
    ```

    ## Use instead
    ```python
    granted = [s for s in form_data.scopes if s in user.scopes]
    access_token = create_access_token(data={"sub": user.username, "scopes": granted})
    ```
    Require the narrow scope each operation needs (`Security(get_current_user,
    scopes=["items:read"])`).

    ## References
    - OWASP API Security Top 10 2023, API5: Broken Function Level Authorization
    - CWE-269: Improper Privilege Management
    - FastAPI documentation, "OAuth2 scopes"
    """

    id = "RG201"
    name = "wildcard-scope"
    summary = "Wildcard scope required, or a token minted with every scope"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 269
    owasp = "API5:2023"

    VALID = (
        Valid({
            "app/main.py": """
from fastapi import FastAPI, Security
from app.auth import get_current_user

app = FastAPI()

@app.get("/items")
def items(user=Security(get_current_user, scopes=["items:read"])):
    return []
""",
            "app/auth.py": """
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from jose import jwt

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes={"items:read": "Read items"})

def get_current_user(security_scopes: SecurityScopes, token: str = Depends(oauth2_scheme)):
    payload = jwt.decode(token, "k", algorithms=["HS256"])
    for scope in security_scopes.scopes:
        if scope not in payload.get("scopes", []):
            raise HTTPException(status_code=401, detail="Not enough permissions")
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
def delete_item(item_id: int, user=Security(get_current_user, scopes=["*"])):  # expect: RG201
    return None
""",
            "app/auth.py": """
from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer, SecurityScopes

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")

def get_current_user(security_scopes: SecurityScopes, token: str = Depends(oauth2_scheme)):
    return {"scopes": security_scopes.scopes}
""",
        }),
        Invalid("""
from fastapi import FastAPI, Depends
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from jose import jwt

SCOPES = {"me": "Read yourself", "items": "Read items", "admin": "Everything"}
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token", scopes=SCOPES)
app = FastAPI()

@app.post("/token")
def login(form_data: OAuth2PasswordRequestForm = Depends()):
    token = jwt.encode({"sub": form_data.username, "scopes": list(SCOPES.keys())}, "k")  # expect: RG201
    return {"access_token": token}
"""),
    )

    def run(self, graph):
        declared_refs = {s.ref for s in graph.scope_facts if s.kind == "declared" and s.ref}
        declared_sets = [set(s.scopes) for s in graph.scope_facts if s.kind == "declared" and len(s.scopes) > 1]
        for s in graph.scope_facts:
            if s.kind == "required" and "*" in s.scopes:
                who = s.target.rpartition(".")[2] or "the dependency"
                yield self.finding(f"{who} is required with the wildcard scope \"*\": every client needs a token "
                                   "that can do everything.", s.location)
            elif s.kind == "granted":
                if s.source == "wildcard":
                    yield self.finding("A token is minted with the wildcard scope \"*\": it grants every operation.",
                                       s.location)
                elif s.source == "all" or (s.ref and s.ref in declared_refs) \
                        or (s.source == "literal" and any(d and d == set(s.scopes) for d in declared_sets)):
                    yield self.finding("A token is minted with every scope the API declares, whatever the user "
                                       "may hold.", s.location)
