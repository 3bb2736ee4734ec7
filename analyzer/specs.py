"""Operations declared in OpenAPI documents, and the route inventory held against them.

A document that an application serves (Connexion's ``add_api``: a SpecApi fact) declares its
routes: each operation becomes a route of that application, under the document's
servers/basePath prefix (or the ``base_path`` given), handled by the function its
``operationId`` names and guarded by its ``security``: each security scheme is verified by the
function its ``x-...InfoFunc`` names, judged by what that function does. A document that no
application serves is the project's documentation: the routes found in the code are held
against it by path and method (``documented``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .facts import GuardUse, Route, SpecApi, SpecInfo, SpecOperation
from .states import Effect

_PARAM = re.compile(r"\{[^}]*\}|<[^>]*>|:\w+")


def shape(path: str) -> str:
    """A path with its parameters blanked and no trailing slash: ``/users/<int:id>/`` and
    ``/users/{user_id}`` are both ``/users/{}``."""
    return "/" + "/".join(_PARAM.sub("{}", s) for s in path.strip("/").split("/") if s)


@dataclass(frozen=True)
class Unserved:
    """A documented operation that no handler serves, and why."""

    operation: SpecOperation
    why: str


class SpecQueries:
    """The documents, the routes they declare, and what they document (``graph.specs``; ``g``
    is the AppGraph)."""

    def __init__(self, graph):
        self.g = graph

    def _spec_index(self):
        if not hasattr(self, "_specs"):
            infos = {i.file: i for i in self.g.facts_of("spec_infos")}
            ops: dict[str, list[SpecOperation]] = {}
            for op in self.g.facts_of("spec_operations"):
                ops.setdefault(op.file, []).append(op)
            served = []  # (SpecApi, SpecInfo)
            for api in self.g.facts_of("spec_apis"):
                info = _pick(api, infos)
                if info is not None:
                    served.append((api, info))
            self._specs = (infos, ops, served)
        return self._specs

    def spec_documents(self) -> list[SpecInfo]:
        return list(self._spec_index()[0].values())

    def served_documents(self) -> list[tuple[SpecApi, SpecInfo]]:
        return self._spec_index()[2]

    # -- the routes a served document declares ------------------------------------------------
    def spec_routes(self) -> list[Route]:
        """The routes the served documents declare, which the route expander links with the
        code's own."""
        _, ops, served = self._spec_index()
        routes = []
        for api, info in served:
            prefix = api.base_path if api.base_path is not None else info.prefixes[0]
            for op in ops.get(info.file, ()):
                handler = self.spec_handler(op, api)
                if not handler:
                    continue  # reported as documented but not served (RG502)
                path = (prefix.rstrip("/") + "/" + op.path.lstrip("/")) if prefix else op.path
                routes.append(Route(api.router, api.framework, path, (op.method,), handler, None, op.location,
                                    op.operation_id, self.spec_guards(op, info), by_reference=True))
        return routes

    def spec_handler(self, op: SpecOperation, api: SpecApi) -> str:
        """The project function that serves ``op`` ('' when none does): its ``operationId``
        (after its ``x-openapi-router-controller``), or, with a RestyResolver, the function named
        after its path and method."""
        name = f"{op.controller}.{op.operation_id}" if op.controller and op.operation_id else op.operation_id
        style, _, module = api.resolver.partition(":")
        if not name and module:  # Connexion's REST naming: GET /pets is pets.search, GET /pets/{id} pets.get
            words = [s.replace("-", "_") for s in op.path.strip("/").split("/") if s and not _PARAM.fullmatch(s)]
            item = bool(op.path.rstrip("/")) and _PARAM.fullmatch(op.path.rstrip("/").rpartition("/")[2])
            style, _, collection = style.partition("/")  # resty/list: collection_endpoint_name="list"
            verb = (collection or "search") if op.method == "GET" and not item else op.method.lower()
            if style == "method" and words:  # one class per collection: PetsView.search
                words[-1] = "".join(w.capitalize() for w in words[-1].split("_")) + "View"
            name = ".".join([module, *words, verb])
        return self.project_function(name) if name else ""

    def project_function(self, dotted: str) -> str:
        """The project function (or method) that a dotted import path names, wherever the project's
        import root is: ``api.pets.get_pet`` is ``src.api.pets.get_pet`` in a ``src`` layout."""
        q = self.g.alias(dotted)
        if q in self.g.functions:
            return q
        q = self.g.method(self.g.canonical(dotted))  # a method of a class
        if q and q in self.g.functions:
            return q
        module, _, attr = dotted.rpartition(".")
        package, _, cls = module.rpartition(".")
        exported = self.g.imports.get(package, {}).get(cls)  # ``pkg.View.get``: the class ``pkg`` imports as View
        q = self.g.method(f"{exported}.{attr}") if exported else None
        if q and q in self.g.functions:
            return q
        if not hasattr(self, "_by_leaf"):
            self._by_leaf: dict[str, list[str]] = {}
            for name in self.g.functions:
                self._by_leaf.setdefault(name.rpartition(".")[2], []).append(name)
        tail = "." + dotted
        found = sorted(n for n in self._by_leaf.get(dotted.rpartition(".")[2], ()) if n.endswith(tail))
        return found[0] if found else ""

    def spec_requirement(self, op: SpecOperation, info: SpecInfo) -> tuple[tuple[str, ...], ...]:
        """The security alternatives that apply to ``op`` (its own, else the document's)."""
        return op.security if op.security is not None else info.security

    def spec_guards(self, op: SpecOperation, info: SpecInfo) -> tuple[GuardUse, ...]:
        """The guard that ``op``'s security requirement puts in front of its handler: public when
        it declares none (``security: []``) or one alternative needs nothing, a guard when every
        alternative's schemes are verified by a function that turns a credential away; else the
        verifier that accepts every credential, which the linker lists as applied, not a guard."""
        alternatives = self.spec_requirement(op, info)
        if op.security == ():
            return (GuardUse("", "security: [] in the OpenAPI document", op.location, "spec", effect=Effect.PUBLIC),)
        if not alternatives:
            return ()
        if any(not alt for alt in alternatives):
            return (GuardUse("", "security: [{}] (optional) in the OpenAPI document", op.location, "spec",
                             effect=Effect.PUBLIC),)
        schemes = {name: how for name, _, how in info.schemes}
        names = ", ".join(sorted({n for alt in alternatives for n in alt}))
        verdicts = [[(n, *self.scheme_verdict(schemes.get(n, ""))) for n in alt] for alt in alternatives]
        weak = next((alt for alt in verdicts if not any(ok for _, ok, _ in alt)), None)
        if weak is None:  # every alternative verifies a credential
            why = next(why for alt in verdicts for _, ok, why in alt if ok)
            return (GuardUse(why, f"security {names} in the OpenAPI document", op.location, "spec", effect=Effect.AUTH),)
        verifier = next((schemes[n].partition("=")[2] for n, _, _ in weak if "=" in schemes.get(n, "")), "")
        if not verifier:
            return ()  # a scheme that nothing verifies (an unknown type): no security is applied
        return (GuardUse(self.project_function(verifier) or verifier,
                         f"security {names} (verified by {verifier.rpartition('.')[2]})", op.location, "spec"),)

    def scheme_verdict(self, how: str) -> tuple[bool, str]:
        """(verifies, why) for a security scheme verified as ``how`` (SpecInfo.schemes)."""
        if how == "x-tokenInfoUrl":
            return True, "the token is checked at the scheme's x-tokenInfoUrl"
        if how.startswith("env:"):  # not visible in the code: trusted, as a library's guard is
            return True, f"verified by the function that the {how[4:]} environment variable names"
        key, _, name = how.partition("=")
        if not name:
            return False, ""
        q = self.project_function(name)
        if not q:  # a library's verifier (connexion.decorators.security...): trusted as written
            return True, f"{key} {name}"
        verdict = self.g.auth_judge.judge(q)
        if verdict and verdict[0] == Effect.AUTH:
            return True, f"{key} {q.rpartition('.')[2]}: {verdict[1]}"
        f = self.g.functions.get(q)
        if f is not None and f.returns_none:
            return True, f"{key} {q.rpartition('.')[2]} returns None for a credential it does not accept"
        return False, ""

    # -- the inventory against the documents ------------------------------------------------
    def unserved_operations(self) -> list[Unserved]:
        """Operations of a served document that no project function handles."""
        _, ops, served = self._spec_index()
        found = []
        for api, info in served:
            for op in ops.get(info.file, ()):
                if self.spec_handler(op, api):
                    continue
                if op.operation_id:
                    name = f"{op.controller}.{op.operation_id}" if op.controller else op.operation_id
                    found.append(Unserved(op, f"its operationId names {name}, which no project module defines"))
                elif not api.resolver:
                    found.append(Unserved(op, "it has no operationId"))
        return found

    def _operation_index(self):
        """(operations of served documents by location, operations of the other documents by
        (method, path shape) under each of their prefixes)."""
        if not hasattr(self, "_op_index"):
            infos, ops, served = self._spec_index()
            bound = {info.file for _, info in served}
            declared = {op.location: op for f in bound for op in ops.get(f, ())}
            documented = {}
            for f, info in infos.items():
                for op in ops.get(f, ()) if f not in bound else ():
                    for prefix in info.prefixes:
                        documented.setdefault((op.method, shape(prefix + "/" + op.path)), op)
            self._op_index = (declared, documented)
        return self._op_index

    def spec_operation(self, route) -> SpecOperation | None:
        """The document operation that declares or documents ``route``: the one it was made from
        (a served document), else one of a document that no application serves with the same
        method and path shape (under the document's prefixes)."""
        declared, documented = self._operation_index()
        if route.registration is not None and route.registration in declared:
            return declared[route.registration]
        segments = shape(route.path).split("/")[1:]
        for i in range(len(segments)):  # a document that names no server is relative to where the API is
            op = documented.get((route.method, "/" + "/".join(segments[i:])))  # mounted (/api/1 + /auth/login)
            if op is not None and (not i or self._spec_index()[0][op.file].prefixes == ("",)):
                return op
        return None

    def hidden(self, route):
        """Where ``route`` is kept out of the document the framework generates (FastAPI's
        ``include_in_schema=False`` on its decorator, its router or the include), or None."""
        if not hasattr(self, "_hidden"):
            self._hidden = {e.location for e in self.g.facts_of("schema_exclusions") if not e.app}
            self._no_document = {e.location for e in self.g.facts_of("schema_exclusions") if e.app}
        if not self._hidden:
            return None
        node = ("route", route.path, route.method, route.handler, route.location)
        if self._no_document and node in self.g.graph and all(  # an app that serves no document hides nothing
                self._nearest_app(chain) in self._no_document for parent, _ in self.g.graph.in_edges(node)
                if parent[0] == "router" for chain in self.g.route_expander.chains(parent[1])):
            return None
        if route.location in self._hidden:
            return route.location
        if route.registration in self._hidden:  # ``add_api_route(..., include_in_schema=False)``
            return route.registration
        for at in route.mounts:
            if at in self._hidden:
                return at
        if node in self.g.graph:
            for parent, _ in self.g.graph.in_edges(node):
                r = self.g.routers.get(parent[1]) if parent[0] == "router" else None
                if r is not None and r.location in self._hidden:
                    return r.location
        return None

    def _nearest_app(self, chain):
        """The location of the application nearest to the route along a mount chain (a mounted
        sub-application generates its own document)."""
        apps = [self.g.routers[r] for r, _ in chain if r in self.g.routers and self.g.routers[r].kind == "app"]
        return apps[-1].location if apps else None

    def beside_document(self, route) -> bool:
        """Whether ``route`` is added to the Flask application underneath a Connexion application
        that serves a document (``@app.app.route(...)``): beside the document, not in it."""
        if not hasattr(self, "_beside"):
            flask_apps = {f"{self.g.alias(api.router)}.app" for api, _ in self.served_documents()}
            # and the names the project gives that Flask app (``flask_app = app.app``), which mount it
            self._beside = flask_apps | {p[1] for a in flask_apps if ("router", a) in self.g.graph
                                         for p, _ in self.g.graph.in_edges(("router", a)) if p[0] == "router"}
        node = ("route", route.path, route.method, route.handler, route.location)
        return bool(self._beside) and route.framework not in self.g.k.document_frameworks and node in self.g.graph and any(
            rid in self._beside for parent, _ in self.g.graph.in_edges(node) if parent[0] == "router"
            for chain in self.g.route_expander.chains(parent[1]) for rid, _ in chain)

    def documentation(self, route) -> dict:
        """What the inventory says of ``route`` against the OpenAPI documents (for the JSON
        route list): ``{"documented": {file, line, operationId, security}}`` or
        ``{"documented": False}`` when the project has a document, or the route is kept out of
        the one the framework generates; {} otherwise."""
        hidden = self.hidden(route)
        if hidden is not None:
            return {"documented": False, "hidden_at": {"file": hidden.file, "line": hidden.line}}
        if not self.spec_documents():
            return {}
        op = self.spec_operation(route)
        if op is None:
            return {"documented": False}
        info = self._spec_index()[0][op.file]
        return {"documented": {"file": op.file, "line": op.location.line, "operationId": op.operation_id,
                               "security": [list(alt) for alt in self.spec_requirement(op, info)]}}

    def documented_by_files(self) -> bool:
        """Whether the project has an OpenAPI document that no application serves and that
        documents at least one of its routes (so it documents this application, not another)."""
        if not hasattr(self, "_documents_app"):
            declared, documented = self._operation_index()
            self._documents_app = bool(documented) and any(
                r.registration not in declared and self.spec_operation(r) is not None for r in self.g.routes)
        return self._documents_app


def _pick(api: SpecApi, infos: dict[str, SpecInfo]) -> SpecInfo | None:
    """The document an ``add_api`` call names: its path from the app's specification_dir (or the
    only document under a directory named by the words of the expression that builds it), else
    beside the calling module, else the only document of that file name in the project."""
    for f in api.files:
        if f.startswith("*/"):
            named = [p for p in sorted(infos) if p == f[2:] or p.endswith(f[1:])]
            if len(named) == 1:
                return infos[named[0]]
        elif f in infos:
            return infos[f]
    return None
