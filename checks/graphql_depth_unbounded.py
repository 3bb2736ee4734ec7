from __future__ import annotations

from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, is_test_path
from .graphql_ide_enabled import SCHEMA
from .graphql_introspection_enabled import open_operations


class GraphQLDepthUnbounded(Check):
    """
    ## What it does
    Flags a GraphQL schema that callers without credentials can query and that bounds
    neither the depth nor the cost of a query: no depth, cost, complexity, token or alias
    limit among the validation rules or extensions given to the schema or to its view. A
    note: a limit enforced elsewhere (a gateway, a proxy) is not seen.

    ## Why is this bad
    One nested query over relations that point back at each other (`author { posts {
    author { posts ... } } }`), or a few hundred aliases of an expensive field, makes the
    server resolve millions of objects: a denial of service in a single request.

    ## Example
    ```python
    schema = strawberry.Schema(query=Query)
    ```

    ## Use instead
    ```python
    from strawberry.extensions import QueryDepthLimiter

    schema = strawberry.Schema(query=Query, extensions=[QueryDepthLimiter(max_depth=10)])
    ```

    ## References
    - OWASP API Security Top 10 2023, API4: Unrestricted Resource Consumption
    - CWE-770: Allocation of Resources Without Limits or Throttling
    """

    id = "RG407"
    name = "graphql-depth-unbounded"
    summary = "Public GraphQL schema with no depth or cost limit"
    severity = Severity.NOTE
    confidence = "low"
    cwe = 770
    owasp = "API4:2023"

    VALID = (
        Valid({"app/schema.py": SCHEMA, "app/__init__.py": """
from flask import Flask
from flask_graphql import GraphQLView
from graphene.validation import depth_limit_validator
from .schema import schema

app = Flask(__name__)
app.add_url_rule("/graphql", view_func=GraphQLView.as_view(
    "graphql", schema=schema, validation_rules=[depth_limit_validator(max_depth=10)]))
"""}),
    )
    INVALID = (
        Invalid({"app/schema.py": SCHEMA.replace("Schema(query=Query)", "Schema(query=Query)  # expect: RG407"), "app/__init__.py": """
from flask import Flask
from flask_graphql import GraphQLView
from .schema import schema

app = Flask(__name__)
app.add_url_rule("/graphql", view_func=GraphQLView.as_view("graphql", schema=schema))
"""}),
    )

    def run(self, graph):
        for serve, schema, routes in graph.operations.graphql_endpoints():
            opened = open_operations(routes)
            if not opened or serve.limits or schema.limits or is_test_path(schema.location.file):
                continue
            message = (f"The GraphQL schema served at {routes[0].path} bounds neither the depth nor the cost of a "
                       f"query, and {opened[0].display()} requires no authentication: one deeply nested or "
                       "aliased query can keep the server busy. Add a depth or cost limit.")
            yield self.finding(message, schema.location, related=[Related(serve.location, "served here")],
                               routes=opened[:1])
