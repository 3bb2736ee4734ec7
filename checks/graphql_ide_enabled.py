from __future__ import annotations

from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, is_test_path
from routeguard.states import AuthState

SCHEMA = """
import graphene

class Query(graphene.ObjectType):
    hello = graphene.String()

    def resolve_hello(root, info):
        return "hello"

schema = graphene.Schema(query=Query)
"""


class GraphQLIDEEnabled(Check):
    """
    ## What it does
    Flags a GraphQL endpoint that serves its in-browser IDE (GraphiQL, a playground, an
    explorer) whatever the environment: `GraphQLView.as_view(schema=schema, graphiql=True)`,
    or a view whose library turns the IDE on unless told not to (strawberry's views and
    routers, ariadne's apps) and that is not told. An IDE switched by a setting
    (`graphiql=settings.DEBUG`) is not reported; the library's default, and an IDE behind a
    login that guards every operation, are reported as notes.

    ## Why is this bad
    The IDE lets anyone who reaches the endpoint browse the schema's documentation and
    compose and send any query and mutation from a browser, with the cookies of whoever
    opens it: in production it is a ready-made client for an attacker and an easy target
    for cross-site tricks against logged-in users.

    ## Example
    ```python
    app.add_url_rule("/graphql", view_func=GraphQLView.as_view("graphql", schema=schema, graphiql=True))
    ```

    ## Use instead
    ```python
    app.add_url_rule("/graphql", view_func=GraphQLView.as_view(
        "graphql", schema=schema, graphiql=app.config["DEBUG"]))
    ```

    ## References
    - OWASP API Security Top 10 2023, API8: Security Misconfiguration
    - CWE-489: Active Debug Code
    """

    id = "RG405"
    name = "graphql-ide-enabled"
    summary = "GraphQL endpoint serves GraphiQL or a playground whatever the environment"
    severity = Severity.WARNING
    confidence = "medium"
    cwe = 489
    owasp = "API8:2023"

    VALID = (
        Valid({"app/schema.py": SCHEMA, "app/__init__.py": """
from flask import Flask
from flask_graphql import GraphQLView
from .schema import schema

app = Flask(__name__)
app.add_url_rule("/graphql", view_func=GraphQLView.as_view("graphql", schema=schema, graphiql=app.debug))
"""}),
        Valid({"app/schema.py": SCHEMA, "app/urls.py": """
from django.urls import path
from strawberry.django.views import GraphQLView
from .schema import schema

urlpatterns = [path("graphql/", GraphQLView.as_view(schema=schema, graphql_ide=None))]
"""}),
    )
    INVALID = (
        Invalid({"app/schema.py": SCHEMA, "app/__init__.py": """
from flask import Flask
from flask_graphql import GraphQLView
from .schema import schema

app = Flask(__name__)
app.add_url_rule("/graphql", view_func=GraphQLView.as_view("graphql", schema=schema, graphiql=True))  # expect: RG405
"""}),
        Invalid({"app/schema.py": SCHEMA, "app/urls.py": """
from django.urls import path
from strawberry.django.views import GraphQLView
from .schema import schema

urlpatterns = [path("graphql/", GraphQLView.as_view(schema=schema))]  # expect: RG405
"""}),
    )

    def run(self, graph):
        for serve, schema, routes in graph.operations.graphql_endpoints():
            if not serve.ide or is_test_path(serve.location.file):
                continue
            opened = any(r.auth != AuthState.PROTECTED for r in routes)
            if serve.ide == "on":
                who = "anyone who reaches it gets" if opened else "every signed-in user gets"
                message = (f"The GraphQL endpoint at {routes[0].path if routes else 'its route'} serves its "
                           f"in-browser IDE in every environment ({serve.ide_code}): {who} a "
                           "client for every query and mutation; switch it with the debug setting.")
                severity = self.severity if opened else Severity.NOTE
            else:
                message = (f"The GraphQL endpoint at {routes[0].path if routes else 'its route'} serves its "
                           f"in-browser IDE ({serve.ide_code}): nothing turns it off outside development.")
                severity = Severity.NOTE
            related = [Related(schema.location, "the schema it serves")]
            yield self.finding(message, serve.location, severity, related, routes=routes[:1])
