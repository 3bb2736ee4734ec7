from __future__ import annotations

from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, is_test_path
from .graphql_ide_enabled import SCHEMA
from routeguard.states import AuthState


def open_operations(routes) -> list:
    """The operations of an endpoint that a caller without credentials may send."""
    return [r for r in routes if r.auth != AuthState.PROTECTED]


class GraphQLIntrospectionEnabled(Check):
    """
    ## What it does
    Flags a GraphQL schema that answers introspection queries from callers without
    credentials: an endpoint where some operation requires no authentication, whose schema
    and view turn introspection off nowhere (no `DisableIntrospection` /
    `NoSchemaIntrospectionCustomRule` rule or extension, no `introspection=False`).
    Introspection switched by an expression (a debug setting) is not seen, and reported.

    ## Why is this bad
    Introspection hands anyone the whole API: every query and mutation, including the
    administrative and undocumented ones, with their arguments and types. It is the first
    step of most GraphQL attacks and is rarely needed outside development.

    ## Example
    ```python
    schema = strawberry.Schema(query=Query, mutation=Mutation)
    ```

    ## Use instead
    ```python
    from strawberry.extensions import DisableIntrospection

    schema = strawberry.Schema(query=Query, mutation=Mutation,
                               extensions=[] if settings.DEBUG else [DisableIntrospection()])
    ```

    ## References
    - OWASP API Security Top 10 2023, API8: Security Misconfiguration
    - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    """

    id = "RG406"
    name = "graphql-introspection-enabled"
    summary = "GraphQL schema answers introspection queries from anonymous callers"
    severity = Severity.NOTE
    confidence = "medium"
    cwe = 200
    owasp = "API8:2023"

    VALID = (
        Valid({"app/schema.py": SCHEMA, "app/__init__.py": """
from flask import Flask
from flask_graphql import GraphQLView
from graphene.validation import DisableIntrospection
from .schema import schema

app = Flask(__name__)
app.add_url_rule("/graphql", view_func=GraphQLView.as_view("graphql", schema=schema,
                 validation_rules=[DisableIntrospection]))
"""}),
        Valid({"app/schema.py": SCHEMA, "app/__init__.py": """
from flask import Flask
from flask_graphql import GraphQLView
from flask_login import login_required
from .schema import schema

app = Flask(__name__)
app.add_url_rule("/graphql", view_func=login_required(GraphQLView.as_view("graphql", schema=schema)))
"""}),
    )
    INVALID = (
        Invalid({"app/schema.py": SCHEMA, "app/__init__.py": """
from flask import Flask
from flask_graphql import GraphQLView
from .schema import schema

app = Flask(__name__)
app.add_url_rule("/graphql", view_func=GraphQLView.as_view("graphql", schema=schema))  # expect: RG406
"""}),
    )

    def run(self, graph):
        for serve, schema, routes in graph.operations.graphql_endpoints():
            opened = open_operations(routes)
            if not opened or serve.introspection is False or schema.introspection is False \
                    or is_test_path(serve.location.file):
                continue
            message = (f"The GraphQL schema served at {routes[0].path} answers introspection queries, and "
                       f"{opened[0].display()} requires no authentication: anyone can list every query and "
                       f"mutation of the API with their arguments. Turn introspection off outside development.")
            yield self.finding(message, serve.location, related=[Related(schema.location, "the schema it serves")],
                               routes=opened[:1])
