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

from ..facts import Router, SpecApi
from ..names import call_arg, literal
from ..walk import collect, walk
from .base import Adapter, ScopedVisitor

APPS = frozenset({
    "connexion.App", "connexion.FlaskApp", "connexion.AsyncApp", "connexion.apps.flask_app.FlaskApp",
    "connexion.apps.flask.FlaskApp", "connexion.apps.asynchronous.AsyncApp", "connexion.apps.aiohttp_app.AioHttpApp",
    "connexion.AioHttpApp", "connexion.ConnexionMiddleware", "connexion.middleware.ConnexionMiddleware",
    "connexion.middleware.main.ConnexionMiddleware",
})
# resolvers that name a handler after the path and method rather than an operationId
RESTY = frozenset({"connexion.resolver.RestyResolver", "connexion.RestyResolver",
                   "connexion.resolver.MethodViewResolver", "connexion.resolver.MethodResolver"})
SPEC_SUFFIXES = (".yaml", ".yml", ".json")


class ConnexionAdapter(Adapter):
    name = "connexion"
    markers = (r"\bconnexion\b",)
    spec_verifiers = frozenset({"x-bearerInfoFunc", "x-tokenInfoFunc", "x-apikeyInfoFunc", "x-basicInfoFunc"})
    spec_controllers = frozenset({"x-openapi-router-controller"})
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
        self.seen: set = set()

    def visit_FunctionDef(self, node) -> None:
        self._bind_def(node.name.value)
        qualname = self._qualname(node.name.value)
        self.scopes.append((qualname, {}))
        self.stack.append(node.name.value)

    def leave_FunctionDef(self, node) -> None:
        self.scopes.pop()
        self.stack.pop()

    def visit_ClassDef(self, node) -> None:
        self.stack.append(node.name.value)

    def leave_ClassDef(self, node) -> None:
        self.stack.pop()

    def _assign(self, target, value, stmt) -> None:
        if isinstance(target, cst.Name) and isinstance(value, cst.Call) and self.resolve(value.func) in APPS:
            self._app(self._bind(target.value), value)

    def _app(self, qname: str, call: cst.Call) -> str:
        self.seen.add(id(call))
        spec_dir = literal(call_arg(call, "specification_dir", 1))
        self.apps[qname] = spec_dir if isinstance(spec_dir, str) else ""
        self.sink.routers.append(Router(qname, "app", "connexion", "", "", self.ctx.loc(call)))
        return qname

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "add_api"):
            return
        receiver = func.value
        if isinstance(receiver, cst.Call) and self.resolve(receiver.func) in APPS:  # FlaskApp(__name__).add_api(...)
            app = self._app(f"{self.ctx.module}.<app@{self.ctx.loc(receiver).line}>", receiver)
        else:
            app = self.resolve(receiver)
            if app not in self.apps:
                return
        spec = call_arg(node, "specification", 0)
        if spec is None:
            return
        named = literal(spec)
        if not isinstance(named, str):  # Path(__file__).parent / "openapi.yaml": the file's name
            names = [literal(s) for s in collect(spec, cst.SimpleString)]
            named = next((n for n in reversed(names) if isinstance(n, str) and n.lower().endswith(SPEC_SUFFIXES)), "")
            named = named.rpartition("/")[2]
        if not named or named.startswith(("http://", "https://")):
            return
        here = posixpath.dirname(self.ctx.path)
        spec_dir = self.apps.get(app, "")
        files = [posixpath.normpath(posixpath.join(here, spec_dir, named))]
        if not named.startswith("/"):
            files.append(posixpath.normpath(posixpath.join(here, named)))
        files.append("*/" + named.lstrip("/").rpartition("/")[2])  # wherever a document of that name is
        base = literal(call_arg(node, "base_path"))
        resolver = call_arg(node, "resolver")
        resty = isinstance(resolver, cst.Call) and self.resolve(resolver.func) in RESTY
        module = literal(call_arg(resolver, "default_module_name", 0)) if resty else None
        self.sink.spec_apis.append(SpecApi(
            app, "connexion", tuple(dict.fromkeys(f.lstrip("./") if f.startswith("./") else f for f in files)),
            self.ctx.loc(node), base if isinstance(base, str) else None,
            f"resty:{module}" if isinstance(module, str) else ""))

