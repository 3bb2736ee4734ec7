from __future__ import annotations

from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid

APP = """
import connexion

app = connexion.App(__name__, specification_dir="specs/")
app.add_api("openapi.yaml")
"""
PETS = """
def list_pets():
    return []
"""


class DocumentedOperationNotServed(Check):
    """
    ## What it does
    Reports an operation of an OpenAPI document that an application serves (Connexion's
    `add_api`) whose handler does not exist in the project: its `operationId` (after its
    `x-openapi-router-controller`) names a function that no project module defines, or it
    has no `operationId` at all.

    ## Why is this bad
    The document says the API offers the operation, and clients, gateways and tests rely on
    it; the application either fails to start or answers it with an error
    (`resolver_error=501`). Often the operation was renamed or removed in the code and the
    document kept the old one, so the inventory no longer tells what is served, and a
    function later given that name is exposed with the document's security, whatever it does.

    ## Example
    ```yaml
    paths:
      /pets/{pet_id}:
        put:
          operationId: app.pets.update_pet   # no such function
    ```

    ## Use instead
    Remove the operation from the document, or implement it under the name it gives.

    ## References
    - OWASP API Security Top 10 2023, API9: Improper Inventory Management
    - CWE-1059: Insufficient Technical Documentation
    """

    id = "RG502"
    name = "documented-operation-not-served"
    summary = "An operation of a served OpenAPI document names a handler that does not exist"
    severity = Severity.NOTE
    confidence = "medium"
    cwe = 1059
    owasp = "API9:2023"

    VALID = (
        Valid({"app/__init__.py": APP, "app/pets.py": PETS, "app/specs/openapi.yaml": """
openapi: 3.0.0
info: {title: pets, version: "1"}
paths:
  /pets:
    get:
      operationId: app.pets.list_pets
      responses: {"200": {description: ok}}
"""}),
    )
    INVALID = (
        Invalid({"app/__init__.py": APP, "app/pets.py": PETS, "app/specs/openapi.yaml": """
openapi: 3.0.0
info: {title: pets, version: "1"}
paths:
  /pets:
    get:
      operationId: app.pets.list_pets
      responses: {"200": {description: ok}}
    post:  # expect: RG502
      operationId: app.pets.create_pet
      responses: {"201": {description: ok}}
"""}),
    )

    def run(self, graph):
        served = {info.file: api for api, info in graph.specs.served_documents()}
        for u in graph.specs.unserved_operations():
            op = u.operation
            api = served.get(op.file)
            message = (f"{op.method} {op.path} is declared in {op.file} but no handler serves it: {u.why}.")
            related = (Related(api.location, "the document is served here"),) if api else ()
            yield self.finding(message, op.location, self.severity, related)
