"""What a project's functions return and grant, whichever framework serves them: the rows an
ORM query yields (``db.query(User)...first()``, ``session.exec(select(Item))``), the result of
another function (``call:<qname>``, resolved at link time), the scopes a token a function mints
grants (literal, every scope, or the client's choice), and the module-level secrets passed as a
signing key (``jwt.encode(payload, SECRET_KEY)``).

This is one extraction pass that the adapters declaring it in ``Adapter.passes`` share (the web
framework whose handlers return ORM rows, the model and token libraries): it runs once on each
file any of their markers match. What a name means comes from the adapters' tables
(``select_calls``, ``row_queries``, ``result_methods``, ``token_signers``, ``injected_defaults``,
``credential_forms``, ``injected_modules``), so this module names no library.
"""
from __future__ import annotations

import re

import libcst as cst

from .facts import ReturnFact, ScopeFact
from .frameworks.base import ScopedVisitor, add_setting
from .names import call_arg, dotted, literal, string_list
from .walk import walk

# typing's wrappers around a parameter's type: Annotated[User, ...], Optional[User], list[User]
ANNOTATED = frozenset({"typing.Annotated", "typing_extensions.Annotated"})
WRAPPERS = frozenset({"typing.Optional", "typing.Union", "typing.List", "typing.Sequence", "typing.Iterable",
                      "typing.Set", "list", "set", "tuple", "typing.Tuple", "collections.abc.Sequence"})
NOT_RESULTS = frozenset({"dict", "list", "str", "int", "len"})  # builtins: not a result of the project's
SECRET_NAME = re.compile(r"SECRET|PRIVATE_KEY|SIGNING_KEY", re.IGNORECASE)
CONFIG_MODULES = {"config", "settings", "configuration"}  # their secrets are settings, read by the config pass
KEY_KEYWORDS = ("secret_key", "secret", "signing_key")
SCOPE_KEYS = ("scopes", "scope")


def read(adapter, ctx, sink) -> None:
    """The pass, as ``Adapter.passes`` lists it."""
    walk(ctx.tree, FunctionPass(ctx, sink))


def unwrap_annotation(ctx, expr, local=None):
    """(type expression, [calls given in ``Annotated[...]``]) of a parameter annotation."""
    deps = []
    while isinstance(expr, cst.Subscript):
        base = ctx.resolve(expr.value, local)
        elems = [e.slice.value for e in expr.slice if isinstance(e.slice, cst.Index)]
        if base in ANNOTATED and elems:
            deps.extend(e for e in elems[1:] if isinstance(e, cst.Call))
            expr = elems[0]
        elif base in WRAPPERS and elems:
            expr = next((e for e in elems if not (isinstance(e, cst.Name) and e.value == "None")), elems[0])
        else:
            break
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        expr = expr.right if isinstance(expr.left, cst.Name) and expr.left.value == "None" else expr.left
    return expr, deps


def injected_dependency(ctx, call: cst.Call, annotation, local=None):
    """(the expression an injected default calls, or None; its qualified name, or ''):
    ``Depends(get_db)``, or the annotation's class for a bare ``Depends()``."""
    dep = call_arg(call, "dependency", 0)
    if dep is None and annotation is not None:
        dep = unwrap_annotation(ctx, annotation, local)[0]
    return dep, ctx.resolve(dep.func if isinstance(dep, cst.Call) else dep, local) if dep is not None else ""


def type_name(ctx, expr, local=None) -> str:
    """The qualified class an annotation names (a project or library class), else ''."""
    expr, _ = unwrap_annotation(ctx, expr, local)
    q = ctx.resolve(expr, local) if dotted(expr) else ""
    if not q or "." not in q or q.startswith(("typing.", "builtins.")):
        return ""
    return q


class FunctionPass(ScopedVisitor):
    def __init__(self, ctx, sink):
        super().__init__(ctx)
        self.sink = sink
        self.k = ctx.knowledge
        self.config_module = ctx.module.rpartition(".")[2] in CONFIG_MODULES
        self.keys = self._keys()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.stack.append(node.name.value)

    def leave_ClassDef(self, node) -> None:
        self.stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind_def(node.name.value)
        _Reader(self, node, self._qualname(node.name.value)).read()
        self._enter(node)

    def _assign(self, target, value, stmt) -> None:
        if not self._bound(target) or self.scopes or self.stack:
            return  # module-level names only
        if target.value in self.keys and SECRET_NAME.search(target.value) and not self.config_module:
            add_setting(self.ctx, self.sink, target.value, value, stmt)
        if isinstance(value, cst.Dict):  # SCOPES = {"items:read": "...", ...}: the names it grants
            keys = [literal(e.key) for e in value.elements if isinstance(e, cst.DictElement)]
            if keys and all(isinstance(k, str) for k in keys):
                self.sink.constants.append((f"{self.ctx.module}.{target.value}", tuple(keys)))

    def injected(self, expr) -> bool:
        """A parameter default the framework fills (``Depends(...)``, ``Security(...)``)."""
        return isinstance(expr, cst.Call) and self.resolve(expr.func) in self.k.injected_defaults

    def _keys(self) -> set[str]:
        """Module-level names this file passes as a key: to a token library's signing or verifying
        call (``jwt.encode(payload, SECRET_KEY)``), or as ``secret_key=`` (a session middleware)."""
        names: set[str] = set()
        ctx = self.ctx
        signers = self.k.token_signers

        class Finder(cst.CSTVisitor):
            def visit_Call(self, node: cst.Call) -> None:
                signer = ctx.resolve(node.func) in signers
                for arg in node.args:
                    if isinstance(arg.value, cst.Name) and (signer or (
                            arg.keyword is not None and arg.keyword.value in KEY_KEYWORDS)):
                        names.add(arg.value.value)

        walk(ctx.tree, Finder())
        return names


class _MentionsClient(cst.CSTVisitor):
    """Whether an expression reads the scopes of a value the client chose (``form.scopes``), or a
    name derived from one (a class of its own: one made per call costs more than the walk)."""

    def __init__(self, client: set[str], derived: set[str]):
        self.client, self.derived, self.found = client, derived, False

    def visit_Attribute(self, node):
        if isinstance(node.value, cst.Name) and node.value.value in self.client and node.attr.value in SCOPE_KEYS:
            self.found = True

    def visit_Name(self, node):
        if node.value in self.derived:
            self.found = True


class _Reader:
    """One function: the types its parameters hold, the scopes its tokens grant, what it returns."""

    def __init__(self, p: FunctionPass, node: cst.FunctionDef, qualname: str):
        self.p = p
        self.ctx = p.ctx
        self.k = p.k
        self.node = node
        self.qualname = qualname
        self.local = p.local

    def read(self) -> None:
        self._params()
        self._grants()
        self._returns()

    def _params(self) -> None:
        """``env``: parameter -> what it holds (``call:<dependency>`` or ``call:<its class>``);
        ``client``: parameters whose attributes the client chooses (a credentials form, a body)."""
        ctx, p = self.ctx, self.p
        self.env: dict[str, tuple[str, ...]] = {}
        self.client: set[str] = set()
        forms, injected_types = self.k.credential_forms, tuple(self.k.injected_modules)
        for param in (*self.node.params.posonly_params, *self.node.params.params, *self.node.params.kwonly_params):
            name = param.name.value
            ann = param.annotation.annotation if param.annotation else None
            inner, deps = unwrap_annotation(ctx, ann, self.local) if ann is not None else (None, [])
            t = type_name(ctx, inner, self.local) if inner is not None else ""
            dep = param.default if param.default is not None and p.injected(param.default) else \
                next((d for d in deps if p.injected(d)), None)
            target = injected_dependency(ctx, dep, inner, self.local)[1] if dep is not None else ""
            if target in forms or t in forms or (dep is None and t and not t.startswith(injected_types)):
                self.client.add(name)
            if target and target not in forms:
                self.env[name] = (f"call:{target}",)
            elif t:
                self.env[name] = (f"call:{t}",)
            elif ann is not None and dotted(ann):
                q = ctx.resolve(ann, self.local)
                if q and "." in q:
                    self.env[name] = (f"call:{q}",)

    # -- scopes its tokens grant ------------------------------------------------------------
    def _grants(self) -> None:
        ctx, k, local = self.ctx, self.k, self.local
        self.assigned: set[str] = set()
        source = ctx.positions.text(ctx.loc(self.node))
        if "scope" not in source:
            return  # mints no token with scopes
        client, derived, assigned = self.client, set(), self.assigned
        grants: list = []
        restricted = [False]
        token_calls = [False]

        def mentions_client(expr) -> bool:
            finder = _MentionsClient(client, derived)
            walk(expr, finder)
            return finder.found

        self_node = self.node

        class Reader(cst.CSTVisitor):
            def visit_FunctionDef(self, node):
                return node is self_node

            def visit_Assign(self, node):
                assigned.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))
                if mentions_client(node.value) and not _is_filter(node.value):
                    derived.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))

            def visit_For(self, node):
                if isinstance(node.target, cst.Name) and mentions_client(node.iter):
                    derived.add(node.target.value)

            def visit_CompFor(self, node):
                if isinstance(node.target, cst.Name) and mentions_client(node.iter):
                    derived.add(node.target.value)

            def visit_Comparison(self, node):
                if any(isinstance(c.operator, (cst.In, cst.NotIn)) for c in node.comparisons) and mentions_client(node):
                    restricted[0] = True

            def visit_BinaryOperation(self, node):
                if isinstance(node.operator, (cst.BitAnd, cst.Subtract)) and mentions_client(node):
                    restricted[0] = True

            def visit_Call(self, node):
                q = ctx.resolve(node.func, local)
                name = q.rpartition(".")[2].lower()
                if "token" in name or "encode" in name or q in k.token_signers:
                    token_calls[0] = True
                if isinstance(node.func, cst.Attribute) and node.func.attr.value in (
                        "intersection", "issubset", "issuperset", "difference") and mentions_client(node):
                    restricted[0] = True
                if ("token" in name or "encode" in name) and q not in k.injected_defaults:
                    grants.extend(arg.value for arg in node.args
                                  if arg.keyword is not None and arg.keyword.value in SCOPE_KEYS)

            def visit_DictElement(self, node):
                if literal(node.key) in SCOPE_KEYS:
                    grants.append(node.value)

        walk(self.node, Reader())
        if not token_calls[0]:
            return
        for value in grants:
            source, scopes, ref = self._grant_source(value, mentions_client)
            if source:
                self.p.sink.scopes.append(ScopeFact(
                    "granted", self.qualname, ctx.loc(value), scopes, source=source, ref=ref,
                    restricted=source == "client" and (restricted[0] or _is_filter(value))))

    def _grant_source(self, value, mentions_client):
        while isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "join" \
                and value.args:
            value = value.args[0].value
        scopes = string_list(value)
        if scopes is not None:
            if isinstance(literal(value), str):
                scopes = tuple(scopes[0].split())
            return ("wildcard" if "*" in scopes else "literal"), scopes, ""
        if mentions_client(value):
            return "client", (), ""
        # list(SCOPES), list(SCOPES.keys()), SCOPES.keys(), ALL_SCOPES
        expr = value
        while isinstance(expr, cst.Call):
            if isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "keys":
                expr = expr.func.value
            elif isinstance(expr.func, cst.Name) and expr.func.value in ("list", "set", "tuple", "sorted") and expr.args:
                expr = expr.args[0].value
            else:
                break
        if dotted(expr):
            ref = self.ctx.resolve(expr, self.local)
            head, last = dotted(expr).split(".")[0], dotted(expr).rpartition(".")[2]
            if head in self.env or head in self.assigned or ref.startswith(f"{self.qualname}."):
                return "", (), ""
            return ("all" if "ALL" in last.upper() else "other"), (), ref
        return "", (), ""

    # -- what it returns ------------------------------------------------------------------
    def _returns(self) -> None:
        ctx = self.ctx
        env = dict(self.env)
        values: list[str] = []
        reader = self

        class Finder(cst.CSTVisitor):
            def visit_FunctionDef(self, node):
                return node is reader.node

            def visit_Lambda(self, node):
                return False

            def visit_Assign(self, node):
                types = reader._infer(node.value, env)
                for t in node.targets:
                    if isinstance(t.target, cst.Name):
                        env[t.target.value] = types

            def visit_AnnAssign(self, node):
                if isinstance(node.target, cst.Name):
                    t = type_name(ctx, node.annotation.annotation, reader.local)
                    env[node.target.value] = (f"call:{t}",) if t else \
                        (reader._infer(node.value, env) if node.value is not None else ())

            def visit_Return(self, node):
                if node.value is not None:
                    values.extend(t for t in reader._infer(node.value, env) if t not in values)

        walk(self.node, Finder())
        annotation = type_name(ctx, self.node.returns.annotation, self.local) if self.node.returns else ""
        if annotation or values:
            self.p.sink.returns.append(ReturnFact(self.qualname, ctx.loc(self.node.name), tuple(values), annotation))

    def _infer(self, expr, env) -> tuple[str, ...]:
        ctx, k = self.ctx, self.k
        if isinstance(expr, cst.Await):
            return self._infer(expr.expression, env)
        if isinstance(expr, cst.Name):
            return env.get(expr.value, ())
        if isinstance(expr, cst.IfExp):
            return tuple(dict.fromkeys(self._infer(expr.body, env) + self._infer(expr.orelse, env)))
        if not isinstance(expr, cst.Call):
            return ()
        # ORM queries: db.query(User)..., session.get(User, id), session.exec(select(User))...
        node = expr
        while True:
            f = node.func
            if isinstance(f, cst.Attribute) and f.attr.value in k.row_queries and node.args \
                    and isinstance(node.args[0].value, (cst.Name, cst.Attribute)) \
                    and (dotted(node.args[0].value) or "").rpartition(".")[2][:1].isupper():
                return (ctx.resolve(node.args[0].value, self.local),)
            if ctx.resolve(f, self.local) in k.select_calls and node.args:
                return (ctx.resolve(node.args[0].value, self.local),) if dotted(node.args[0].value) else ()
            results = isinstance(f, cst.Attribute) and f.attr.value in k.result_methods
            if results and node.args and isinstance(node.args[0].value, cst.Name):
                return env.get(node.args[0].value.value, ())
            inner = [a.value for a in node.args if isinstance(a.value, cst.Call)]
            if isinstance(f, cst.Attribute) and isinstance(f.value, cst.Call):
                node = f.value
            elif inner and results:
                node = inner[0]
            else:
                break
        d = dotted(expr.func)
        if not d:
            return ()
        head = d.split(".")[0]
        if head in env or head in ("self", "cls"):
            return ()
        q = ctx.resolve(expr.func, self.local)
        if not q or q in NOT_RESULTS or q in k.object_dumpers or "." not in q:
            return ()
        return (f"call:{q}",)


def _is_filter(expr) -> bool:
    """A comprehension with a condition, or an intersection: the client's choice is narrowed."""
    if isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        f = expr.for_in
        while f is not None:
            if f.ifs:
                return True
            f = f.inner_for_in
        return False
    if isinstance(expr, cst.Call) and expr.args:
        if isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "intersection":
            return True
        return _is_filter(expr.args[0].value)
    return isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitAnd)
