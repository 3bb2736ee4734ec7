from __future__ import annotations

from routeguard.findings import Severity

from .base import Check, Invalid, Valid


class ClientChosenScopes(Check):
    """
    ## What it does
    Flags a token endpoint that puts the scopes the client asked for
    (`form_data.scopes`, or another list from the request) into the token without
    restricting them to the scopes the user actually holds.

    ## Why is this bad
    The OAuth2 password form lets the client list any scopes it likes. Copying that
    list into the token lets every user grant themselves any scope, `admin` included,
    by adding it to the login request: scope checks downstream then pass because the
    token says so.

    ## Example
    ```python
    @router.post("/token")
    async def login(form_data: OAuth2PasswordRequestForm = Depends()):
        user = authenticate(form_data.username, form_data.password)
        return {"access_token": create_access_token(
            {"sub": user.username, "scopes": form_data.scopes})}
    ```

    ## Use instead
    ```python
    granted = [s for s in form_data.scopes if s in user.scopes]
    return {"access_token": create_access_token({"sub": user.username, "scopes": granted})}
    ```

    ## References
    - OWASP API Security Top 10 2023, API5: Broken Function Level Authorization
    - CWE-269: Improper Privilege Management
    - RFC 6749 section 3.3: the authorization server may grant fewer scopes than requested
    """

    id = "RG203"
    name = "client-chosen-scopes"
    summary = "Token minted with the scopes the client asked for, unchecked against the user's"
    severity = Severity.ERROR
    confidence = "medium"
    cwe = 269
    owasp = "API5:2023"

    VALID = (
        Valid("""
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordRequestForm
from app.security import authenticate_user, create_access_token

app = FastAPI()

@app.post("/token")
async def login(form_data: OAuth2PasswordRequestForm = Depends()):
    user = authenticate_user(form_data.username, form_data.password)
    if not user:
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    granted = [scope for scope in form_data.scopes if scope in user.scopes]
    return {"access_token": create_access_token(data={"sub": user.username, "scopes": granted})}
"""),
        Valid("""
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordRequestForm
from app.security import authenticate_user, create_access_token

app = FastAPI()

@app.post("/token")
async def login(form_data: OAuth2PasswordRequestForm = Depends()):
    user = authenticate_user(form_data.username, form_data.password)
    for scope in form_data.scopes:
        if scope not in user.scopes:
            raise HTTPException(status_code=403, detail="Scope not allowed")
    return {"access_token": create_access_token(data={"sub": user.username, "scopes": form_data.scopes})}
"""),
    )
    INVALID = (
        Invalid("""
from fastapi import Depends, FastAPI, HTTPException
from fastapi.security import OAuth2PasswordRequestForm
from app.security import authenticate_user, create_access_token

app = FastAPI()

@app.post("/token")
async def login(form_data: OAuth2PasswordRequestForm = Depends()):
    user = authenticate_user(form_data.username, form_data.password)
    if not user:
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    access_token = create_access_token(data={"sub": user.username, "scopes": form_data.scopes})  # expect: RG203
    return {"access_token": access_token, "token_type": "bearer"}
"""),
    )

    def run(self, graph):
        for s in graph.scope_facts:
            if s.kind == "granted" and s.source == "client" and not s.restricted:
                yield self.finding(
                    f"{s.owner.rpartition('.')[2]} mints a token with the scopes the client asked for, "
                    "without restricting them to the scopes the user holds.", s.location)
