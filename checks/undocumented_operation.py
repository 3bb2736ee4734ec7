from __future__ import annotations

from routeguard.exposure import state_changes
from routeguard.facts import WRITE_METHODS
from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, is_test_path, per_route
from routeguard.states import AuthState

FASTAPI_APP = """
from fastapi import APIRouter, Depends, FastAPI
from .auth import get_current_user
from .db import db

app = FastAPI()
"""
AUTH = """
from fastapi import Depends, HTTPException
from fastapi.security import OAuth2PasswordBearer

oauth2 = OAuth2PasswordBearer(tokenUrl="token")

def get_current_user(token: str = Depends(oauth2)):
    user = lookup(token)
    if user is None:
        raise HTTPException(status_code=401)
    return user
"""


class UndocumentedOperation(Check):
    """
    ## What it does
    Reports an operation that the code serves and the project's OpenAPI document leaves out,
    when it requires no authentication and changes state or is an administrator's operation:
    a FastAPI route declared with `include_in_schema=False` (on its decorator, its router or
    the `include_router` call), or a route that the project's hand-written OpenAPI document
    (one that documents its other routes) does not list.

    ## Why is this bad
    The OpenAPI document is the API's inventory: what gateways, scanners, reviewers and
    client teams see. A "shadow" operation kept out of it is neither reviewed nor tested, and
    when it is also open to anonymous callers and changes data, nobody who reads the
    documentation knows the door is there (OWASP API9, improper inventory management).
    Hidden documentation and static routes, and hidden routes that authenticate, are not
    reported: hiding is common and harmless there.

    ## Example
    ```python
    @router.post("/internal/reindex", include_in_schema=False)
    def reindex():
        search.rebuild_all()
    ```

    ## Use instead
    Document the operation and protect it, or remove it from the deployed application:
    ```python
    @router.post("/internal/reindex", dependencies=[Depends(require_admin)])
    def reindex():
        search.rebuild_all()
    ```

    ## References
    - OWASP API Security Top 10 2023, API9: Improper Inventory Management
    - CWE-1059: Insufficient Technical Documentation
    """

    id = "RG501"
    name = "undocumented-operation"
    summary = "An unauthenticated operation that changes state is left out of the OpenAPI document"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 1059
    owasp = "API9:2023"

    VALID = (
        Valid({"app/auth.py": AUTH, "app/main.py": FASTAPI_APP + """
@app.get("/healthz", include_in_schema=False)
def healthz():
    return {"ok": True}

@app.post("/internal/reindex", include_in_schema=False)
def reindex(user=Depends(get_current_user)):
    db.session.commit()
"""}),
    )
    INVALID = (
        Invalid({"app/auth.py": AUTH, "app/main.py": FASTAPI_APP + """
@app.post("/internal/reindex", include_in_schema=False)  # expect: RG501
def reindex():
    db.session.commit()
"""}),
    )

    def run(self, graph):
        files = graph.specs.documented_by_files()
        candidates = []
        for r in graph.routes:
            if r.kind != "http" or r.auth != AuthState.UNPROTECTED or r.misplaced or is_test_path(r.location.file):
                continue
            hidden = graph.specs.hidden(r)
            if hidden is None and not (files and graph.specs.spec_operation(r) is None and r.framework not in graph.k.document_frameworks) \
                    and not graph.specs.beside_document(r):
                continue
            why = graph.authz.privileged(r) or ("it changes state" if r.method in WRITE_METHODS and state_changes(graph, r)
                                          else "")
            if why:
                candidates.append((r, hidden, why))
        for group, verbs in per_route(candidates):
            r, hidden, why = group[0]
            if hidden is not None:
                where = "is kept out of the OpenAPI document (include_in_schema=False)"
                related = (Related(hidden, "kept out of the document here"),) if hidden != r.location else ()
            else:
                docs = sorted({d.file for d in graph.specs.spec_documents()})
                where = f"is not in the project's OpenAPI document ({', '.join(docs[:2])})"
                related = ()
            why = why if why.startswith("it ") else f"it is {why}" if why.startswith("an ") else f"it {why}"
            message = (f"{r.display(verbs)} {where} and requires no authentication, and {why}: a shadow "
                       "operation that the API's inventory does not show.")
            yield self.finding(message, r.location, self.severity, related, r.suppress_lines,
                               routes=[x for x, _, _ in group])
