"""Connexion (2 and 3): the routes are declared in an OpenAPI document, not in the code.

``app = connexion.App(__name__, specification_dir="specs/")`` (or ``FlaskApp``, ``AsyncApp``)
makes an application, and ``app.add_api("openapi.yaml", base_path="/v1")`` serves a document
from it. The document's operations are read by the core (analyzer/documents.py: paths,
servers/basePath, ``security``, security schemes); this adapter records the application and
the ``add_api`` call (SpecApi), and its tables say which scheme extensions name the function
that verifies a credential (``x-bearerInfoFunc``...) and which extension names a handler's
module (``x-openapi-router-controller``). The linker binds each operation to the function its
``operationId`` names (analyzer/specs.py).
"""
from __future__ import annotations

import posixpath

import libcst as cst

from .. import documents
from ..facts import Mount, Router, SpecApi
from ..names import NOT_LITERAL, base_exprs, call_arg, literal
from ..walk import collect, walk
from .base import Adapter, ScopedVisitor

APPS = frozenset({
    "connexion.App", "connexion.FlaskApp", "connexion.AsyncApp", "connexion.apps.flask_app.FlaskApp",
    "connexion.apps.flask.FlaskApp", "connexion.apps.asynchronous.AsyncApp", "connexion.apps.aiohttp_app.AioHttpApp",
    "connexion.AioHttpApp", "connexion.ConnexionMiddleware", "connexion.middleware.ConnexionMiddleware",
    "connexion.middleware.main.ConnexionMiddleware",
})
# resolvers that name a handler after the path and method rather than an operationId
# -> "resty" (``module.pets.search``) | "method" (a class per collection: ``module.PetsView.search``)
RESOLVERS = {"connexion.resolver.RestyResolver": "resty", "connexion.RestyResolver": "resty",
             "connexion.resolver.MethodViewResolver": "method", "connexion.resolver.MethodResolver": "method",
             "connexion.resolver.MethodResolverBase": "method"}
SPEC_SUFFIXES = (".yaml", ".yml", ".json")
# an API object made from a document, whose ``.blueprint`` a Flask app registers (Airflow 2's
# ``FlaskApi(specification=safe_load(f), base_path="/api/v1").blueprint``)
FLASK_APIS = frozenset({"connexion.apis.flask_api.FlaskApi", "connexion.apis.FlaskApi", "connexion.FlaskApi"})


class ConnexionAdapter(Adapter):
    name = "connexion"
    markers = (r"\bconnexion\b",)
    document_frameworks = frozenset({"connexion"})
    spec_verifiers = frozenset({"x-bearerInfoFunc", "x-tokenInfoFunc", "x-apikeyInfoFunc", "x-basicInfoFunc"})
    spec_controllers = frozenset({"x-openapi-router-controller"})
    # a scheme without its x-...InfoFunc: Connexion takes the verifier from these variables
    spec_env_verifiers = {"oauth2": "TOKENINFO_FUNC", "http/bearer": "BEARERINFO_FUNC", "http/basic": "BASICINFO_FUNC",
                          "basic": "BASICINFO_FUNC", "apiKey": "APIKEYINFO_FUNC"}
    # what a verifier raises to turn a credential away (Connexion answers 401/403)
    auth_exceptions = frozenset({
        "connexion.exceptions.OAuthProblem", "connexion.exceptions.Unauthorized", "connexion.exceptions.Forbidden",
        "connexion.exceptions.OAuthResponseProblem", "connexion.exceptions.OAuthScopeProblem",
        "connexion.problem.problem",
    })

    def extract(self, ctx, sink) -> None:
        walk(ctx.tree, _Visitor(ctx, sink))


class _Visitor(ScopedVisitor):
    def __init__(self, ctx, sink):
        super().__init__(ctx)
        self.sink = sink
        self.apps: dict[str, str] = {}  # variable (qualified) -> the specification_dir of the app it holds
        self.values: dict[str, cst.BaseExpression] = {}  # name -> the expression last assigned to it
        self.app_classes: set[str] = set()  # project subclasses of an application class, in this file

    def visit_FunctionDef(self, node) -> None:
        self._bind_def(node.name.value)
        self._enter(node, {})

    def visit_ClassDef(self, node) -> None:
        if any(self.resolve(b) in APPS or self.resolve(b) in self.app_classes for b in base_exprs(node)):
            self.app_classes.add(self._qualname(node.name.value))  # class DSSApp(connexion.App)
        self.stack.append(node.name.value)

    def leave_ClassDef(self, node) -> None:
        self.stack.pop()

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:  # ``with spec_path.open() as f: specification = safe_load(f)``
            if item.asname is not None and isinstance(item.asname.name, cst.Name):
                self.values[item.asname.name.value] = item.item

    def _assign(self, target, value, stmt) -> None:
        made = value.value if isinstance(value, cst.Attribute) and value.attr.value == "blueprint" else value
        if isinstance(target, cst.Name) and isinstance(made, cst.Call) and self.resolve(made.func) in FLASK_APIS:
            # ``api_bp = FlaskApi(specification=..., base_path=...).blueprint``, or the API object
            # whose ``.blueprint`` is registered later: a Flask blueprint serving the document
            bound = self._bind(target.value) + (".blueprint" if made is value else "")
            self.sink.routers.append(Router(bound, "blueprint", "connexion", "", "", self.ctx.loc(stmt)))
            self._served(bound, call_arg(made, "specification", 0), made, "")
        elif isinstance(target, cst.Name) and isinstance(value, cst.Call) and self._is_app(value.func):
            self._app(self._bind(target.value), value)
        elif isinstance(target, cst.Name) and isinstance(value, cst.Attribute) and value.attr.value == "app" \
                and self.resolve(value.value) in self.apps:  # ``flask_app = app.app``: the same Flask app
            # the name the project gives it, on which its hooks are registered (``app.before_request``),
            # stands above what the Flask app serves: its own routes and the document's operations
            bound, loc = self._bind(target.value), self.ctx.loc(stmt)
            self.sink.routers.append(Router(bound, "app", "flask", "", "", loc))
            self.sink.mounts.append(Mount(bound, f"{self.resolve(value.value)}.app", loc, ""))
        elif isinstance(target, cst.Name):  # ``spec_dir = Path(__file__).parent / "api"``, read where it is used
            self.values[target.value] = value

    def _strings(self, expr, depth: int = 0) -> list:
        """The string literals of ``expr`` and, through the names it uses, of what they were bound
        to (``safe_load(f)`` where ``with (ROOT / "v1.yaml").open() as f``), in source order."""
        found = []
        for node in collect(expr):
            if type(node) is cst.SimpleString:
                found.append(node)
            elif type(node) is cst.Name and depth < 3 and node.value in self.values and self.values[node.value] is not expr:
                found.extend(self._strings(self.values[node.value], depth + 1))
        return found

    def _is_app(self, func) -> bool:
        q = self.resolve(func)
        return q in APPS or q in self.app_classes

    def _app(self, qname: str, call: cst.Call) -> str:
        given = call_arg(call, "specification_dir", 1)
        if isinstance(given, cst.Name) and given.value in self.values:
            given = self.values[given.value]
        spec_dir = literal(given)
        if given is not None and not isinstance(spec_dir, str):  # Path(__file__).parent / "apis" / "v1": "*/apis/v1"
            words = [w for w in (literal(s) for s in collect(given, cst.SimpleString)) if isinstance(w, str) and w]
            spec_dir = "*/" + "/".join(w.strip("/") for w in words) if words else ""
        self.apps[qname] = spec_dir if isinstance(spec_dir, str) else ""
        self.sink.routers.append(Router(qname, "app", "connexion", "", "", self.ctx.loc(call)))
        # the Flask application underneath (``@app.app.route(...)``): its routes are not in the document,
        # and the document's operations are its routes too (its hooks run before them)
        self.sink.routers.append(Router(f"{qname}.app", "app", "flask", "", "", self.ctx.loc(call)))
        self.sink.mounts.append(Mount(f"{qname}.app", qname, self.ctx.loc(call), ""))
        return qname

    def _inline_document(self, app: str, node: cst.Call, spec: cst.Dict) -> None:
        """``add_api({...})``: a document written in the code as a dict. Its literal parts are read
        like a file's (at the call's line); a part computed at run time (a dict built by a
        function, a value from a variable) is not known and is left out."""
        data = _data(spec)
        version = data.get("openapi") or data.get("swagger") if isinstance(data, dict) else None
        if not isinstance(version, str):
            return
        lines = {}  # (path, verb) -> the line the operation is written on
        paths = _items(spec).get("paths")
        for path in _items(paths.value).values() if paths is not None else ():
            for verb, element in _items(path.value).items():
                lines[(literal(path.key), verb)] = self.ctx.loc(element).line
        doc = documents.SpecDocument(self.ctx.path, data, version=version)
        doc.lines.update({(path, verb): lines.get((path, verb), self.ctx.loc(node).line)
                          for path, verb, _, _ in doc.operations()})
        documents.spec_facts(doc, self.sink, self.ctx.knowledge)
        base = literal(call_arg(node, "base_path"))
        self.sink.spec_apis.append(SpecApi(app, "connexion", (self.ctx.path,), self.ctx.loc(node),
                                           base if isinstance(base, str) else None))

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "add_api"):
            return
        receiver = func.value
        if isinstance(receiver, cst.Call) and self._is_app(receiver.func):  # FlaskApp(__name__).add_api(...)
            app = self._app(f"{self.ctx.module}.<app@{self.ctx.loc(receiver).line}>", receiver)
        else:
            app = self.resolve(receiver)
            if app not in self.apps:
                return
        spec = call_arg(node, "specification", 0)
        if spec is None:
            return
        if isinstance(spec, cst.Name) and isinstance(self.values.get(spec.value), cst.Dict):
            spec = self.values[spec.value]  # spec = {"openapi": "3.0.0", ...}; app.add_api(spec)
        if isinstance(spec, cst.Dict):
            self._inline_document(app, node, spec)
            return
        self._served(app, spec, node, self.apps.get(app, ""))

    def _served(self, app: str, spec, node: cst.Call, spec_dir: str) -> None:
        """The document file ``spec`` names, served by ``app`` as ``node`` (``add_api``, an API
        object) says: its base path and resolver."""
        if spec is None:
            return
        named, words = literal(spec), []
        if not isinstance(named, str):  # Path(__file__).parent / "openapi.yaml": the file's name
            names = [literal(s) for s in self._strings(spec)]
            words = [n.strip("/") for n in names if isinstance(n, str) and n.strip("/")]
            named = next((n for n in reversed(names) if isinstance(n, str) and n.lower().endswith(SPEC_SUFFIXES)), "")
            named = named.rpartition("/")[2]
            words = words[:words.index(named) + 1] if named in words else []
        if not named or named.startswith(("http://", "https://")):
            return
        here = posixpath.dirname(self.ctx.path)
        files = [f"*/{'/'.join(words)}"] if len(words) > 1 else []  # joinpath("api", "openapi", "v1.yaml")
        if spec_dir.startswith("*/"):  # a directory built from an expression: the words it is made of
            files.append(f"{spec_dir}/{named.rpartition('/')[2]}")
        else:
            files.append(posixpath.normpath(posixpath.join(here, spec_dir, named)))
        if not named.startswith("/"):
            files.append(posixpath.normpath(posixpath.join(here, named)))
        files.append("*/" + named.lstrip("/").rpartition("/")[2])  # wherever a document of that name is
        base = call_arg(node, "base_path")
        base = literal(self.values.get(base.value, base) if isinstance(base, cst.Name) else base)
        resolver = call_arg(node, "resolver")
        if isinstance(resolver, cst.Name) and resolver.value in self.values:  # resolver = RestyResolver(...)
            resolver = self.values[resolver.value]
        style = RESOLVERS.get(self.resolve(resolver.func), "") if isinstance(resolver, cst.Call) else ""
        module = literal(call_arg(resolver, "default_module_name", 0)) if style else None
        collection = literal(call_arg(resolver, "collection_endpoint_name")) if style else None
        if isinstance(collection, str) and collection != "search":
            style = f"{style}/{collection}"
        self.sink.spec_apis.append(SpecApi(
            app, "connexion", tuple(dict.fromkeys(f.lstrip("./") if f.startswith("./") else f for f in files)),
            self.ctx.loc(node), base if isinstance(base, str) else None,
            f"{style}:{module}" if isinstance(module, str) else ""))


def _data(expr):
    """The value of a dict, list or literal written in the code; None for a part computed at run time."""
    if isinstance(expr, cst.Dict):
        return {k: _data(e.value) for e in expr.elements if isinstance(e, cst.DictElement)
                for k in [literal(e.key)] if isinstance(k, str)}
    if isinstance(expr, (cst.List, cst.Tuple)):
        return [_data(e.value) for e in expr.elements if isinstance(e, cst.Element)]
    value = literal(expr)
    return None if value is NOT_LITERAL else value


def _items(expr) -> dict:
    """The elements of a dict written in the code, by their string keys."""
    return {k: e for e in expr.elements if isinstance(e, cst.DictElement) for k in [literal(e.key)]
            if isinstance(k, str)} if isinstance(expr, cst.Dict) else {}
