"""Operations that one route serves: the queries and mutations of a GraphQL schema.

A route to a view that serves a GraphQL schema is not one operation but one per field of the
schema's root types. Each becomes a route of its own under the view's URL, with a ``kind``
("graphql-query", "graphql-mutation", "graphql-subscription") and an operation name; its
handler is the field's resolver, and its guards are the view's and the resolver's own. A
query is listed with the method that only reads (GET), a mutation with POST, so that every
check that asks whether an operation writes has its answer without knowing GraphQL.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .facts import GraphQLServe, Location
from .states import Layer

# the operation type -> the HTTP method whose meaning (read or write) it has
METHOD_OF = {"query": "GET", "mutation": "POST", "subscription": "GET"}
# methods of a mutation class that resolve it (graphene's ``mutate``, relay's ``mutate_and_get_payload``)
RESOLVING_METHODS = ("mutate", "mutate_and_get_payload")


@dataclass(frozen=True)
class Operation:
    kind: str  # graphql-query | graphql-mutation | graphql-subscription
    name: str
    method: str
    handler: str  # the resolver (or the class that resolves it when it has no known method)
    location: Location
    span: tuple[int, int]
    uses: tuple  # (GuardUse, layer) of the resolver and of the field


class OperationQueries:
    """The GraphQL schema facts, indexed, and the operations of a route (``graph.operations``;
    ``g`` is the AppGraph)."""

    def __init__(self, graph):
        self.g = graph

    def _graphql_index(self):
        if not hasattr(self, "_gql"):
            schemas = {s.qualname: s for s in self.g.facts_of("graphql_schemas")}
            fields: dict[str, list] = {}
            for f in self.g.facts_of("graphql_fields"):
                fields.setdefault(f.owner, []).append(f)
            self._gql = (schemas, fields, self.g.facts_of("graphql_serves"))
        return self._gql

    def graphql_serve(self, route, view_class: str, mro: list[str]):
        """The served-schema fact of a route to a GraphQL view: the view bound to the
        route's handler, else the nearest one at or below the registration in its file;
        None when the route's view is not a GraphQL view."""
        schemas, _, serves = self._graphql_index()
        if not serves and not schemas:
            return None
        handler = self.g.alias(route.handler)
        if not hasattr(self, "_gql_bound"):
            self._gql_bound = {}
            for s in serves:
                self._gql_bound.setdefault(s.bound, s)
        if handler in self._gql_bound:
            return self._gql_bound[handler]
        if not mro:  # a view function that does not run a schema
            return None
        here = [s for s in serves if s.location.file == route.location.file
                and s.location.line >= route.location.line and self.g.alias(s.view) in mro]
        if here:
            return min(here, key=lambda s: s.location.line)
        if any(c in self.g.k.graphql_views for c in mro):  # a schema configured in settings
            return next((s for s in serves if self.g.alias(s.view) in mro), None) or GraphQLServe(route.location, view_class)
        return None

    def graphql_operations(self, route, view_class: str, mro: list[str]) -> list[Operation] | None:
        """The operations a route to a GraphQL view serves, or None when it is not one (or its
        schema is unknown: the route is then listed as it is)."""
        serve = self.graphql_serve(route, view_class, mro)
        if serve is None:
            return None
        schemas, fields, _ = self._graphql_index()
        raw = serve.schema
        given = self.g.alias(raw) if raw else ""
        schema = (schemas.get(raw) or schemas.get(given)) if raw else None
        if raw and (schema is None or schema.built_by):  # ``schema = build_schema()``: what the function returns
            made = (given, *(self.g.alias(table.get(name, "")) for name in dict.fromkeys((raw, given))
                             for table in (self.g.instances, self.g.results)))
            built = next((schemas[q] for q in made if q in schemas and not schemas[q].built_by), None)
            schema = self._built_schema(schema, built) if built and schema else built
        built = [s for s in schemas.values() if not s.built_by]
        if schema is None and not given and len(built) == 1:  # the project's one schema (Django settings)
            schema = built[0]
        if schema is None:
            if serve.view:  # not ``session.execute(select(...))`` in a REST handler: no schema at all
                self.g.unread_schemas.setdefault(route.location, route.path)
            return None
        if not hasattr(self, "_gql_routes"):
            self._gql_routes = {}
        self._gql_routes.setdefault((serve, schema.qualname), set()).add(route.location)
        ops, seen = [], set()
        for kind, root in schema.roots:
            root = self.g.alias(root)
            for owner in self.g.mro(root) or [root]:
                for f in fields.get(owner, ()):
                    op_kind = kind or f.root or self._bindable_kind(owner)
                    name = f.name if f.named or not schema.camel else camel_case(f.name)
                    if not op_kind or (op_kind, name) in seen:
                        continue
                    seen.add((op_kind, name))
                    ops.append(self._operation(op_kind, name, f))
        if not ops:
            self.g.unread_schemas.setdefault(route.location, route.path)
        return ops

    def _built_schema(self, call, built):
        """The schema a project function builds from its parameters (``graphene.Schema(query=query)``),
        with the roots the call gives it."""
        f = self.g.functions.get(self.g.alias(call.built_by))
        given = dict(call.roots)
        roots = []
        for kind, root in built.roots:
            owner, _, param = root.rpartition(".")
            if f is not None and owner == f.qualname and param in f.params:
                root = given.get(param) or given.get(str(f.params.index(param))) or root
            roots.append((kind, root))
        return replace(built, roots=tuple(roots))

    def graphql_endpoints(self) -> list[tuple]:
        """(GraphQLServe, GraphQLSchema, [RouteInfo of the operations it serves, or of the
        endpoint itself when none is known]) for each view that serves a schema at some route,
        in source order."""
        schemas = self._graphql_index()[0]
        out = []
        for (serve, qual), sites in getattr(self, "_gql_routes", {}).items():
            ops = [r for r in self.g.routes if r.kind != "http" and r.registration in sites]
            # no operation found in the schema (built at run time): the endpoint's own route
            out.append((serve, schemas[qual], ops or [r for r in self.g.routes if (r.registration or r.location) in sites]))
        return sorted(out, key=lambda e: (e[0].location, e[1].qualname))

    def _bindable_kind(self, owner: str) -> str:
        made = self.g.instances.get(owner, "")
        return {"QueryType": "query", "MutationType": "mutation", "SubscriptionType": "subscription"}.get(
            made.rpartition(".")[2], "")

    def _operation(self, kind: str, name: str, f) -> Operation:
        # a field the library resolves itself is handled by its type (found at the field)
        handler, loc, span = self.g.alias(f.resolver) if f.resolver else f.owner, f.location, (f.location.line,) * 2
        if f.via:
            via = self.g.alias(f.via)
            mro = self.g.mro(via)
            for method in RESOLVING_METHODS:
                q, mf = self.g.find_method(mro, method)
                if mf is not None:
                    handler = mf.handler or f"{q}.{method}"
                    break
            else:
                cls = self.g.classes.get(via)
                handler, loc = via, cls.location if cls else loc
                span = (loc.line, loc.line)
        fn = self.g.functions.get(handler)
        if fn is not None:
            loc, span = fn.location, (fn.span_start, fn.location.line)
        uses = [(u, Layer.DECORATOR) for u in (fn.decorators if fn else ())]
        uses += [(u, Layer.DECORATOR) for u in f.guards]
        return Operation(f"graphql-{kind}", name, METHOD_OF[kind], handler, loc, span, tuple(uses))


def camel_case(name: str) -> str:
    """The name a schema serves a snake_case attribute under: ``delete_book`` -> ``deleteBook``."""
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest) if rest else name
