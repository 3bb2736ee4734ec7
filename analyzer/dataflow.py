"""The data side of one file: fields of data classes, what functions return, what they
read from the request, where client data is written into objects as a whole, and CORS
policies.

A framework-neutral reader driven by the adapters' tables (``request_data``,
``request_attrs``, ``response_wrappers``, ``object_dumpers``, ``managers``,
``cors_calls``, ``cors_settings``). It runs after the adapters, in the same parse; its
inference is local to one function and flow-insensitive: a name holds what it was last
assigned in source order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import libcst as cst

from .decisions import DecisionsMixin, call_held
from .facts import CORS_DEFAULTS, CorsPolicy, DataHandoff, DataWrite, FieldFact, RequestRead, ResponseData
from .fields import classify
from .names import NOT_LITERAL, call_arg, dotted, literal
from .walk import AssignVisitor, collect, walk

# Methods that return the whole of their receiver as a dict (or a copy of it), besides the model
# libraries' (Knowledge.data_methods): the dict's own and the usual names of a project's.
WHOLE_METHODS = frozenset({"copy", "items", "to_dict", "todict", "as_dict"})
# Methods that dump an object (to a dict or JSON) for a response, besides the libraries'
# (Knowledge.dump_methods).
DUMP_METHODS = frozenset({"to_dict", "as_dict", "todict", "to_json", "serialize", "asdict"})
# Functions that pass their first argument's data through unchanged.
PASS_THROUGH = frozenset({"json.loads", "dict", "copy.copy", "copy.deepcopy", "list"})
MAPPINGS = frozenset({"dict", "typing.Dict", "typing.Mapping", "typing.MutableMapping", "collections.abc.Mapping"})
# Methods of a query (or a queryset held in a local) that return its rows or a narrower query:
# ``qs.first()`` is a row; another method of a local's value (``team.get_invite_code()``) is not.
ROW_METHODS = frozenset({"first", "all", "one", "get", "one_or_none", "scalar", "scalar_one", "scalar_one_or_none",
                         "scalars", "first_or_404", "get_or_404", "one_or_404", "latest", "earliest", "last",
                         "filter", "filter_by", "where", "order_by", "limit", "offset", "exclude", "select_related",
                         "prefetch_related", "only", "defer", "distinct", "options", "join", "unique", "iterator",
                         "paginate", "execute", "refresh_from_db", "dump", "dumps"})  # a schema's dump has its fields
# Query methods that return a number or a yes/no, not rows: ``Teams.query.count()``.
SCALAR_METHODS = frozenset({"count", "exists", "aggregate"})
STDLIB_DUMPERS = frozenset({"vars", "dataclasses.asdict"})
# Keyword arguments of response constructors that are not part of the body.
NOT_BODY = frozenset({"status", "status_code", "headers", "safe", "content_type", "mimetype", "media_type",
                      "encoder", "json_dumps_params", "template_name", "exception", "background"})
ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
_ORIGIN_HINT = re.compile(r"access-control-allow-origin", re.IGNORECASE)
_ORIGIN_READ = re.compile(r"""["'](origin|http_origin)["']""", re.IGNORECASE)
_ALL = re.compile(r"^\^?(https?\??:(//|\\/\\/))?(\.\*|\.\+|\(\.\*\)|\[\^/\]\*|\[\^/\]\+)\$?$")


class _InputFinder(cst.CSTVisitor):
    """The first value in an expression that the client sends: ((source, key), node)."""

    def __init__(self, owner):
        self.owner, self.found = owner, None

    def _try(self, node) -> bool:
        if self.found is None:
            f = self.owner.frame
            if isinstance(node, cst.Name) and (node.value in f.request_params or node.value in ("self", "cls")):
                return False
            hit = self.owner._input(node) or self._item(node)
            if hit:
                self.found = (hit, node)
        return self.found is None

    def _item(self, node):
        """``data.get("role")`` / ``data["role"]`` of a local holding the client's data as a whole."""
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in ("get", "pop") \
                and node.args and isinstance(literal(node.args[0].value), str):
            whole, key = node.func.value, literal(node.args[0].value)
        elif isinstance(node, cst.Subscript) and isinstance(_subscript_key(node), str):
            whole, key = node.value, _subscript_key(node)
        else:
            return None
        c = self.owner.client(whole)
        if not c or c[0].startswith("type:"):
            return None  # a validated schema's dump: judged by the schema
        return ("param" if c[0] == "param" else "body"), key

    def visit_Name(self, node) -> bool:
        return self._try(node)

    def visit_Subscript(self, node) -> bool:
        return self._try(node)

    def visit_Call(self, node) -> bool:
        return self._try(node)

    def visit_Attribute(self, node) -> bool:
        # ``request.form`` is an input, ``request.user`` or ``obj.id`` is not: never the root alone
        self._try(node)
        return False

    def visit_Lambda(self, node) -> bool:
        return False


def matches_every_origin(pattern: str) -> bool:
    return pattern.strip() in ("*", ".*", "^.*$", ".+") or bool(_ALL.match(pattern.strip()))


def _list_item(ann):
    """``X`` of a ``list[X]`` / ``List[X]`` / ``Sequence[X]`` annotation, else None."""
    if isinstance(ann, cst.Subscript) and (dotted(ann.value) or "").rpartition(".")[2] in ("list", "List", "Sequence") \
            and len(ann.slice) == 1 and isinstance(ann.slice[0].slice, cst.Index):
        value = ann.slice[0].slice.value
        return value if dotted(value) else None
    return None


@dataclass
class _Frame:
    qualname: str
    cls: str  # enclosing class, for ``self``
    params: dict = field(default_factory=dict)  # name -> annotation qualname ('' if none)
    request_params: set = field(default_factory=set)
    types: dict = field(default_factory=dict)  # local name -> class qualname
    client: dict = field(default_factory=dict)  # local name -> (label, location, display)
    dicts: dict = field(default_factory=dict)  # local name -> [ResponseData] built there
    loops: dict = field(default_factory=dict)  # loop key name -> [label, location, display, filtered]
    origin_vars: set = field(default_factory=set)
    origin_checked: bool = False
    acao: tuple | None = None  # (kind, location)
    acac: object = None  # location
    reads: set = field(default_factory=set)
    body: dict = field(default_factory=dict)  # typed parameter -> (class, location, display)
    whole: set = field(default_factory=set)  # typed parameters passed on as a whole
    members: dict = field(default_factory=dict)  # loop variable over a list body -> that parameter
    inputs: dict = field(default_factory=dict)  # local name -> (source, key): a value the client sets
    # local name -> a comparison of a client value it holds (``is_local = request.client.host in
    # [...]``): a decision where an ``if`` tests the name or the response carries it, not where it
    # only picks a cookie's attributes
    tests: dict = field(default_factory=dict)
    excepts: dict = field(default_factory=dict)  # ``except ... as name`` -> classes caught
    tried: dict = field(default_factory=dict)  # ``except ... as name`` -> what its ``try`` body calls (see Disclosure)
    assigned: dict = field(default_factory=dict)  # id(call) -> the local name its result is bound to
    made: set = field(default_factory=set)  # local names bound to a call's result (``mgr = get_manager()``), once
    bound: dict = field(default_factory=dict)  # local names assigned so far -> the callee (None: not a call)
    set_fields: dict = field(default_factory=dict)  # local name -> keys/attributes the function sets on it
    writes: list = field(default_factory=list)  # (DataWrite, source name, target name, keywords), emitted on leave
    handoffs: list = field(default_factory=list)  # (DataHandoff, source name), emitted on leave
    literals: dict = field(default_factory=dict)  # loop variable over a literal list of strings -> the strings
    fixed: dict = field(default_factory=dict)  # local name -> it only ever holds fixed values (see DataPass.fixed)
    returned: list = field(default_factory=list)  # per return: (fixed response kind or '', location, display)


class DataPass(DecisionsMixin, AssignVisitor):
    def __init__(self, ctx, sink):
        self.ctx = ctx
        self.sink = sink
        self.k = ctx.knowledge
        self.stack: list[str] = []  # enclosing class/function names
        self.classes: list[str] = []
        self.frames: list[_Frame] = []
        self.seen: set = set()
        self._request_roots = None
        self._request_words = {"method", *self.k.request_attrs, *(k.rpartition(".")[2] for k in self.k.client_inputs)}
        self._whole = WHOLE_METHODS | self.k.data_methods
        self._dumps = DUMP_METHODS | self.k.dump_methods
        self.mentions_origin = any(_ORIGIN_HINT.search(line) for line in ctx.positions.lines)

    # -- helpers ----------------------------------------------------------------------
    @property
    def frame(self) -> _Frame | None:
        return self.frames[-1] if self.frames else None

    def resolve(self, expr) -> str:
        return self.ctx.resolve(expr)

    def _emit(self, kind: str, fact) -> None:
        key = (kind, fact)
        if key not in self.seen:
            self.seen.add(key)
            getattr(self.sink, kind).append(fact)

    # -- classes: fields -------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        qual = ".".join([self.ctx.module, *self.stack, node.name.value])
        if node.bases or node.decorators:
            self._fields(qual, node)
        self.stack.append(node.name.value)
        self.classes.append(qual)

    def leave_ClassDef(self, node) -> None:
        self.stack.pop()
        self.classes.pop()

    def _fields(self, qual: str, node: cst.ClassDef) -> None:
        ctx = self.ctx
        hidden = _meta_hidden(node, self.k.hiding_keywords)
        for stmt in node.body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign):
                    target, value, ann = small.target, small.value, small.annotation.annotation
                elif isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target, value, ann = small.targets[0].target, small.value, None
                else:
                    continue
                if not isinstance(target, cst.Name):
                    continue
                name = target.value
                if name.startswith("_") or name.isupper() or name in ("model_config", "Config", "objects"):
                    continue
                if ann is None and not isinstance(value, cst.Call):
                    continue
                type_text = " ".join(_type_words(x) for x in (ann, value) if x is not None)
                hides = name in hidden or (isinstance(value, cst.Call) and any(
                    literal(call_arg(value, k)) is True for k in self.k.hiding_keywords))
                self._emit("field_facts", FieldFact(qual, name, ctx.loc(small), classify(name, type_text, hides, self.k.types)))

    # -- functions ----------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        ctx = self.ctx
        qual = ".".join([ctx.module, *self.stack, node.name.value])
        f = _Frame(qual, self.classes[-1] if self.classes and self.stack and self.stack[-1] == self.classes[-1].rpartition(".")[2] else "")
        for p in (*node.params.posonly_params, *node.params.params, *node.params.kwonly_params):
            name = p.name.value
            client_input = self._param_input(p) if self.k.client_inputs and name not in ("self", "cls") else None
            if client_input:
                f.inputs[name] = client_input
            ann = p.annotation.annotation if p.annotation else None
            q = ctx.resolve(ann) if ann is not None and dotted(ann) else ""
            f.params[name] = q
            if name in ("request", "req") or (q and q in self.k.request_types):
                f.request_params.add(name)
            mapping = ann.value if isinstance(ann, cst.Subscript) else ann
            if mapping is not None and dotted(mapping) and ctx.resolve(mapping) in MAPPINGS \
                    and not (p.default is not None and isinstance(p.default, cst.Call)):
                # A route handler's plain-dict parameter is the request body as a whole.
                f.client[name] = ("param", ctx.loc(p.name), name)
            if q and "." in q and q.rpartition(".")[2][:1].isupper() and name not in ("self", "cls") \
                    and not q.startswith(("typing.", "builtins.")) and q not in self.k.request_types:
                f.types[name] = q
                if not (p.default is not None and isinstance(p.default, cst.Call)):  # Depends(), Query()...
                    f.body[name] = (q, ctx.loc(p), ctx.code(p))
            item = _list_item(ann)  # data: list[Recipe]: a body of several, each judged as one
            if item is not None and not (p.default is not None and isinstance(p.default, cst.Call)):
                q = ctx.resolve(item)
                if "." in q and q.rpartition(".")[2][:1].isupper() and not q.startswith(("typing.", "builtins.")):
                    f.body[name] = (q, ctx.loc(p), ctx.code(p))
        if f.cls and node.params.params and node.params.params[0].name.value in ("self", "cls"):
            f.types[node.params.params[0].name.value] = f.cls
        self.frames.append(f)
        self.stack.append(node.name.value)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        f = self.frames.pop()
        self.stack.pop()
        for dw, source, target, keywords in f.writes:
            # the fields the function sets itself, on the client's data before the copy or on the
            # written object after it, are not the client's choice
            own = {*f.set_fields.get(source, ()), *f.set_fields.get(target, ()), *keywords}
            kind = "field_writes" if dw.how == "field" else "data_writes"
            self._emit(kind, replace(dw, overwritten=tuple(sorted(own))) if own else dw)
        for handoff, source in f.handoffs:
            own = tuple(sorted(f.set_fields.get(source, ())))
            self._emit("handoffs", replace(handoff, overwritten=own) if own else handoff)
        for name, (q, loc, display) in f.body.items():
            self._emit("request_reads", RequestRead(f.qualname, loc, "body", display, q, name, name in f.whole))
        if f.returned and all(kind for kind, _, _ in f.returned):  # every return is a fixed page, file...
            kinds = ",".join(sorted({kind for kind, _, _ in f.returned}))
            self._emit("responses", ResponseData(f.qualname, f.returned[0][1], "fixed", kinds,
                                                 display=f.returned[0][2]))
        if f.acao and f.acac is not None and not f.origin_checked:
            kind, loc = f.acao
            self._emit("cors", CorsPolicy(loc, kind, True, loc, f.acac, display="Access-Control-Allow-Origin",
                                          function=f.qualname))

    # -- types and client data ------------------------------------------------------------------
    def type_of(self, expr) -> str:
        f = self.frame
        if isinstance(expr, cst.Await):
            return self.type_of(expr.expression)
        if isinstance(expr, cst.Name):
            return f.types.get(expr.value, "") if f else ""
        if isinstance(expr, cst.Subscript):
            if isinstance(_subscript_key(expr), str):  # data["members"]: one value, not the object
                return ""
            return self.type_of(expr.value)
        if isinstance(expr, cst.Attribute):
            d = dotted(expr)
            if d and expr.attr.value in self.k.managers and _cap(dotted(expr.value)):
                return self.resolve(expr.value)
            return ""
        if not isinstance(expr, cst.Call):
            return ""
        func = expr.func
        if isinstance(func, cst.Attribute) and (func.attr.value in SCALAR_METHODS or (
                func.attr.value == "get" and expr.args and isinstance(literal(expr.args[0].value), str)
                and not _manager_chain(func.value, self.k.managers))):
            return ""  # a count, or one key's value read off a mapping
        d = dotted(func)
        if d and _cap(d) and not (f and d.split(".")[0] in f.types):
            return self.resolve(func)
        node = expr
        called = True  # the attribute met next is the method called, not a field read
        while True:
            if isinstance(node, cst.Call):
                first = node.args[0].value if node.args and node.args[0].keyword is None and node.args[0].star == "" else None
                if first is not None and _cap(dotted(first)):
                    return self.resolve(first)
                if isinstance(first, cst.Attribute) and _cap(dotted(first.value)) and (
                        first.attr.value.startswith("get") or first.attr.value in ROW_METHODS):
                    return self.resolve(first.value)  # get_object_or_404(Query.get_by_id, query_id)
                if isinstance(first, cst.Call):
                    t = self.type_of(first)
                    if t:
                        return t
                node = node.func
                called = True
            elif isinstance(node, cst.Attribute):
                if node.attr.value in self.k.managers and _cap(dotted(node.value)):
                    return self.resolve(node.value)
                if not called:
                    return ""  # team.password.encode(): a method of the field's value, not the object
                if isinstance(node.value, cst.Name):
                    if node is not expr.func or node.attr.value in ROW_METHODS or not f \
                            or node.value.value in ("self", "cls"):
                        return f.types.get(node.value.value, "") if f else ""
                    return ""  # team.get_invite_code(): what a method of the object returns is unknown
                node = node.value
                called = False
            else:
                return ""

    def _raw(self, expr) -> bool:
        """``expr`` is the request's data as a whole."""
        f = self.frame
        target = expr.func if isinstance(expr, cst.Call) else expr
        d = dotted(target)
        if not d:
            return False
        if self.resolve(target) in self.k.request_data:
            return True
        parts = d.split(".")
        if len(parts) == 2 and f and parts[0] in f.request_params:
            return parts[1] in self.k.request_attrs
        if len(parts) == 3 and parts[0] == "self" and parts[1] == "request":
            return parts[2] in self.k.request_attrs
        return False

    def client(self, expr):
        """(label, location, display) when ``expr`` is client data as a whole: label "raw", or
        ``type:<qname>`` for a dump of a parameter typed by a class."""
        f = self.frame
        if f is None or expr is None:
            return None
        if isinstance(expr, cst.Await):
            return self.client(expr.expression)
        if isinstance(expr, cst.Name):
            return f.client.get(expr.value)
        if isinstance(expr, cst.BooleanOperation):
            return self.client(expr.left) or self.client(expr.right)
        if self._raw(expr):
            loc = self.ctx.loc(expr)
            self._read(expr, loc)
            return ("raw", loc, render(expr))
        if isinstance(expr, cst.Dict):
            for el in expr.elements:
                if isinstance(el, cst.StarredDictElement):
                    c = self.client(el.value)
                    if c:
                        return c
            return None
        if isinstance(expr, cst.DictComp):
            if _has_ifs(expr.for_in):
                return None
            return self.client(expr.for_in.iter)
        if not isinstance(expr, cst.Call):
            return None
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value in self._whole:
            inner = self.client(func.value)
            if inner:
                return inner
            if isinstance(func.value, cst.Name) and func.value.value in f.params and func.attr.value != "items":
                t = f.types.get(func.value.value, "")
                if t:
                    return (f"type:{t}", self.ctx.loc(expr), render(expr))
            return None
        if expr.args and self.resolve(func) in PASS_THROUGH:
            return self.client(expr.args[0].value)
        return None

    def _read(self, expr, loc) -> None:
        f = self.frame
        if f is not None and loc not in f.reads:
            f.reads.add(loc)
            self._emit("request_reads", RequestRead(f.qualname, loc, "raw", render(expr)))

    # -- statements ----------------------------------------------------------------------------
    def _assign(self, target, value, stmt) -> None:
        f = self.frame
        if f is None:
            if isinstance(target, cst.Name) and target.value in self.k.cors_settings and (
                    not self.classes or self.k.cors_settings[target.value].startswith("default")):
                self._cors_setting(target.value, value, stmt)  # a config class's attribute too (Flask)
            return
        for name in _names(target):
            f.fixed[name.value] = f.fixed.get(name.value, True) and isinstance(target, cst.Name) and self.fixed(value)
        if isinstance(target, cst.Subscript):
            key = _subscript_key(target)
            if isinstance(key, str):
                self._header(key, value, stmt)
                if isinstance(target.value, cst.Attribute) and target.value.attr.value == "headers" \
                        and not self._input_kind(target.value):  # resp.headers["remote-role"] = role
                    self._emit("response_headers", (f.qualname, key.lower()))
                if isinstance(target.value, cst.Name):
                    f.set_fields.setdefault(target.value.value, set()).add(key)
            return
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            f.set_fields.setdefault(target.value.value, set()).add(target.attr.value)
            self._field_write(self.type_of(target.value), target.attr.value, value, target)
        if not isinstance(target, cst.Name):
            return
        name = target.value
        self._input_assign(name, value)
        call = value.expression if isinstance(value, cst.Await) else value
        if isinstance(call, cst.Call):
            f.assigned[id(call)] = name
        callee, held = call_held(f.bound, name, value)
        (f.made.add if held else f.made.discard)(name)  # policy = A(); policy = B(): it holds either
        f.bound[name] = callee
        t = self.type_of(value)
        if t:
            f.types[name] = t
        else:
            f.types.pop(name, None)
        c = self.client(value)
        if c:
            f.client[name] = c
        else:
            f.client.pop(name, None)
        if isinstance(value, cst.Dict):
            f.dicts[name] = (value, stmt)
        else:
            f.dicts.pop(name, None)
        if self.mentions_origin and (_ORIGIN_READ.search(self.ctx.code(value)) or any(
                isinstance(n, cst.Name) and n.value in f.origin_vars for n in _names(value))):
            f.origin_vars.add(name)

    def visit_For(self, node: cst.For) -> None:
        f = self.frame
        if f is None:
            return
        it = node.iter
        key = node.target.elements[0].value if isinstance(node.target, cst.Tuple) and node.target.elements else node.target
        source = None
        mapping = it.func.value if isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) \
            and it.func.attr.value in ("items", "keys") else it
        if mapping is not it:
            source = self.client(it.func.value) or self.client(it)
        elif not isinstance(it, cst.Call):
            source = self.client(it)
        if source is None and isinstance(mapping, cst.Name) and mapping.value in f.params \
                and mapping.value not in ("self", "cls") and mapping.value not in f.types:
            # a helper's own parameter: it writes whatever its callers hand it (see DataHandoff)
            source = (f"arg:{mapping.value}", self.ctx.loc(it), mapping.value)
        if isinstance(node.target, cst.Name):
            keys = [literal(e.value) for e in it.elements] if isinstance(it, (cst.List, cst.Tuple, cst.Set)) else []
            if keys and all(isinstance(k, str) for k in keys):
                f.literals[node.target.value] = keys
            else:
                f.literals.pop(node.target.value, None)
        if isinstance(key, cst.Name):
            if source:
                f.loops[key.value] = [*source, False]
            else:
                f.loops.pop(key.value, None)
        if isinstance(node.target, cst.Name):
            t = self.type_of(it)
            if t:
                f.types[node.target.value] = t
            if isinstance(it, cst.Name) and it.value in f.body:  # for recipe in data: each item of the body
                f.members[node.target.value] = it.value
                f.types[node.target.value] = f.body[it.value][0]

    def visit_If(self, node: cst.If) -> None:
        self._test(node.test)
        if not _presence(node.test, node.body):
            self._decide_truth(node.test)
        self._decide_rejection(node)
        self._decide_held(node.test)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._test(node.test)
        if not _presence(node.test, node.body):
            self._decide_truth(node.test)
        if literal(node.body) is NOT_LITERAL or literal(node.orelse) is NOT_LITERAL:
            self._decide_held(node.test)  # load_reports() if show_all else []; not "lax" if is_local else "none"

    def _test(self, test) -> None:
        f = self.frame
        if f is None or not (f.loops or f.origin_vars):
            return
        for n in _comparisons(test):
            names = {x.value for x in _names(n.left)} if not isinstance(n.left, cst.Call) or \
                not (isinstance(n.left.func, cst.Name) and n.left.func.value == "hasattr") else set()
            for name in names:
                if name in f.loops and any(isinstance(c.operator, (cst.In, cst.NotIn, cst.Equal, cst.NotEqual))
                                           for c in n.comparisons):
                    f.loops[name][3] = True
                if name in f.origin_vars:
                    f.origin_checked = True
            for c in n.comparisons:
                if any(isinstance(x, cst.Name) and x.value in f.origin_vars for x in _names(c.comparator)):
                    f.origin_checked = True

    def visit_Return(self, node: cst.Return) -> None:
        f = self.frame
        if f is not None:
            f.returned.append((self.fixed_response(node.value), self.ctx.loc(node), _short(render(node.value)))
                              if node.value is not None else ("", self.ctx.loc(node), ""))
        if f is None or node.value is None:
            return
        self._decide_held(node.value)  # return {"trusted": trusted}: the client is told it may
        self._disclose(node.value, "", node)  # what is not in a response call (seen there)
        for fact in self.response(node.value, at=node):
            self._emit("responses", fact)

    # -- responses fixed in the code ------------------------------------------------------------
    def fixed_response(self, expr) -> str:
        """The kind of response (template, file, redirect, text) when ``expr`` makes one whose
        arguments are all fixed (a template with no stored data, a file at a fixed path, a
        redirect to a fixed address), else ''."""
        if isinstance(expr, cst.Await):
            expr = expr.expression
        if isinstance(expr, cst.Tuple) and expr.elements and all(
                isinstance(e.value, cst.Integer) for e in expr.elements[1:]):  # return "FAILED", 503
            expr = expr.elements[0].value
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            return "text"  # return "OK": a text fixed in the code
        if not isinstance(expr, cst.Call):
            return ""
        table = self.k.fixed_responses
        kind = table.get(self.resolve(expr.func)) or (
            table.get("." + expr.func.attr.value) if isinstance(expr.func, cst.Attribute) else None)
        # the status it answers with carries no data: ``Response("ok", status_code=200 if ok else 400)``
        if kind in (None, "url") or not all(self.fixed(a.value) for a in expr.args
                                            if not (a.keyword and a.keyword.value in ("status", "status_code"))):
            return ""
        return kind

    def fixed(self, expr) -> bool:
        """``expr`` holds neither client data nor anything loaded at run time: literals, module
        constants and settings, the request passed on to a renderer, fixed locals, and what
        path helpers and address builders make of those."""
        f = self.frame
        if isinstance(expr, (cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString)):
            return True
        if isinstance(expr, cst.FormattedString):
            return all(self.fixed(p.expression) for p in expr.parts if isinstance(p, cst.FormattedStringExpression))
        if isinstance(expr, (cst.Name, cst.Attribute)) and self._per_request(expr):
            return False
        if isinstance(expr, cst.Name):
            name = expr.value
            if name in f.fixed:
                return f.fixed[name]
            if name in f.request_params:
                return True
            return name not in f.params and (name in ("None", "True", "False") or name in self.ctx.defined
                                             or name in self.ctx.imports)
        if isinstance(expr, cst.Attribute):
            root = expr.value
            while isinstance(root, cst.Attribute):
                root = root.value
            return isinstance(root, cst.Name) and root.value not in f.request_params and self.fixed(root)
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            return all(self.fixed(el.value) for el in expr.elements)
        if isinstance(expr, cst.Dict):
            return all(self.fixed(el.value) and (isinstance(el, cst.StarredDictElement) or self.fixed(el.key))
                       for el in expr.elements)
        if isinstance(expr, cst.BinaryOperation):
            return self.fixed(expr.left) and self.fixed(expr.right)
        if isinstance(expr, cst.Call) and all(self.fixed(a.value) for a in expr.args):
            q = self.resolve(expr.func)
            if q in _PATH_CALLS or self.k.fixed_responses.get(q) == "url":
                return True
            # a method of a fixed local (``path.open("rb")``, ``Path(x).parent``), not of a module's object
            owner = expr.func.value if isinstance(expr.func, cst.Attribute) else None
            while isinstance(owner, cst.Attribute):
                owner = owner.value
            return isinstance(owner, cst.Name) and bool(f.fixed.get(owner.value)) or \
                isinstance(owner, cst.Call) and self.fixed(owner)
        return False

    def _per_request(self, expr) -> bool:
        """``expr`` is (or is read off) an object that differs per request: the framework's
        global request, the caller (``current_user``, ``g.user``), the session."""
        if self._request_roots is None:
            self._request_roots = {".".join(n.split(".")[:2]) for n in (*self.k.client_inputs, *self.k.caller_names)
                                   if "." in n and n.split(".")[0] not in ("request", "self")}
        q = self.resolve(expr)
        return any(q == r or q.startswith(r + ".") for r in self._request_roots) or "session" in q.split(".")

    # -- what the request's method or body decides ----------------------------------------------
    def visit_Attribute(self, node: cst.Attribute) -> None:
        """A read of the request's method (``if request.method == "POST"``) or of its body
        (``request.POST``, ``request.get_json()``): the function acts on what the client sends,
        so a view that accepts every method may write (see exposure.any_writes)."""
        f = self.frame
        if f is None or node.attr.value not in self._request_words:
            return
        if node.attr.value == "method":
            d = dotted(node.value) or ""
            obj = self.resolve(node.value)
            if d in f.request_params or d == "self.request" or "." in obj and any(
                    k.startswith(obj + ".") for k in self.k.client_inputs):
                self._emit("request_reads", RequestRead(f.qualname, self.ctx.loc(node), "method", render(node)))
            return
        found = self._input_kind(node)
        if found and found[1] == "body" or not found and self._raw(node):  # request.body, request.json()
            self._emit("request_reads", RequestRead(f.qualname, self.ctx.loc(node), "payload", render(node)))

    # -- calls -----------------------------------------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        self._cors_call(node)
        f = self.frame
        if f is None:
            return
        self._sink_call(node)
        self._address_prefix_call(node)
        ctx = self.ctx
        func = node.func
        if self._raw(node.func if isinstance(node.func, cst.Attribute) else node):
            self._read(node, ctx.loc(node))
        for arg in node.args:
            v = arg.value
            if isinstance(v, cst.Name) and (v.value in f.body or v.value in f.members):
                f.whole.add(f.members.get(v.value, v.value))
            else:
                c = self.client(v) if arg.star == "**" else None
                if c and c[0].startswith("type:"):
                    f.whole.update(n for n, (q, _, _) in f.body.items() if f"type:{q}" == c[0])
        fname = dotted(func)
        if fname == "setattr" and len(node.args) >= 2:
            key = node.args[1].value
            if isinstance(key, cst.Name) and key.value in f.loops:
                label, loc, display, filtered = f.loops[key.value]
                obj = node.args[0].value
                if not filtered and label in ("arg:" + display, "param") and display in f.params \
                        and isinstance(obj, cst.Name) and obj.value in f.params and (obj.value != "self" or f.cls):
                    self._emit("handoffs", DataHandoff(f.qualname, ctx.loc(node), "writes", display, obj.value))
                if not filtered and not label.startswith("arg:"):
                    if label.startswith("type:"):
                        f.whole.update(n for n, (q, _, _) in f.body.items() if f"type:{q}" == label)
                    f.writes.append((DataWrite(f.qualname, ctx.loc(node), "setattr", label,
                                               self.type_of(node.args[0].value), display, loc),
                                     display if display.isidentifier() else "", _name(node.args[0].value), ()))
            return
        self._handoff(node)
        self._removed(node)
        keyed = [a for a in node.args if a.keyword is not None and a.star == ""]
        if keyed:
            target = self._write_target(node)
            for a in keyed if target else ():
                self._field_write(target, a.keyword.value, a.value, a)
        for arg in node.args:
            if arg.star == "**":
                c = self.client(arg.value)
                if c:
                    target = self._write_target(node)
                    if target is not None:
                        keywords = tuple(a.keyword.value for a in node.args if a.keyword is not None)
                        f.writes.append((DataWrite(f.qualname, ctx.loc(node), "unpack", c[0], target, c[2], c[1]),
                                         _name(arg.value), f.assigned.get(id(node), ""), keywords))
        if isinstance(func, cst.Attribute) and func.attr.value in self.k.update_methods and node.args \
                and node.args[0].keyword is None and node.args[0].star == "":
            c = self.client(node.args[0].value)
            if c:
                recv = func.value
                if c[0].startswith("type:"):
                    f.whole.update(n for n, (q, _, _) in f.body.items() if f"type:{q}" == c[0])
                if isinstance(recv, cst.Attribute) and recv.attr.value == "__dict__":
                    recv = recv.value
                if isinstance(recv, cst.Name) and recv.value in f.dicts:  # extra = {}; extra.update(request.args)
                    f.client[recv.value] = c
                    return
                f.writes.append((DataWrite(f.qualname, ctx.loc(node), "update", c[0], self.type_of(recv), c[2], c[1]),
                                 _name(node.args[0].value), _name(recv), ()))
        if isinstance(func, cst.Attribute) and func.attr.value in ("add", "set", "__setitem__") \
                and dotted(func.value) and dotted(func.value).endswith("headers") and len(node.args) >= 2:
            key = literal(node.args[0].value)
            if isinstance(key, str):
                self._header(key, node.args[1].value, node)

    def _handoff(self, node: cst.Call) -> None:
        """A call that hands the client's data as a whole to a function (``self.update_model(query,
        data)``): a DataHandoff, for the linker to join with what the callee does with it."""
        f = self.frame
        func = node.func
        positional = [a for a in node.args if a.keyword is None and a.star == ""]
        for a in node.args:
            v = a.value
            if a.star or not (v.value in f.client if type(v) is cst.Name else
                              type(v) in (cst.Attribute, cst.Call) and self._raw(v)):
                continue
            c = self.client(v)
            if not c or c[0] not in ("raw", "param"):
                continue
            if isinstance(func, cst.Attribute) and dotted(func.value) in ("self", "cls") and f.cls:
                callee = f"{f.cls}.{func.attr.value}"
            elif isinstance(func, cst.Attribute) and self.type_of(func.value):
                callee = f"{self.type_of(func.value)}.{func.attr.value}"
            else:
                callee = self.resolve(func)
            if not callee:
                return
            slots = {id(b): str(i) for i, b in enumerate(positional)}
            args = tuple((b.keyword.value if b.keyword else slots[id(b)], t)
                         for b in node.args if b is not a and not b.star for t in [self.type_of(b.value)] if t)
            if isinstance(func, cst.Attribute) and self.type_of(func.value):
                args += (("self", self.type_of(func.value)),)
            slot = a.keyword.value if a.keyword else slots[id(a)]
            f.handoffs.append((DataHandoff(f.qualname, self.ctx.loc(node), "passes", slot, callee=callee, args=args,
                                           source=c[0], display=c[2], source_location=c[1]),
                               v.value if isinstance(v, cst.Name) else ""))
            return

    def _removed(self, node: cst.Call) -> None:
        """``data.pop("id", None)``, also for each key of a literal list (``for key in ["id",
        "user"]: data.pop(key, None)``): keys the function takes out of the client's data are
        no more the client's choice than those it sets."""
        f = self.frame
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "pop" and isinstance(func.value, cst.Name)
                and node.args and func.value.value in f.client):
            return
        key = node.args[0].value
        keys = [literal(key)] if not isinstance(key, cst.Name) else f.literals.get(key.value, [])
        f.set_fields.setdefault(func.value.value, set()).update(k for k in keys if isinstance(k, str))

    def _field_write(self, target: str, name: str, value, at) -> None:
        """``obj.<name> = value`` or ``Model(<name>=value)``: one field of a known class set
        from a value the client sends (its item of the body, query or form, or a plain
        parameter of a route handler)."""
        if not target or value is None:
            return
        finder = _InputFinder(self)
        walk(value, finder)
        if not finder.found:
            return
        (kind, _), node = finder.found
        f = self.frame
        f.writes.append((DataWrite(f.qualname, self.ctx.loc(at), "field", "param" if kind == "param" else "raw",
                                   target, render(node), self.ctx.loc(node), field=name), "", "", ()))

    def _write_target(self, call: cst.Call) -> str | None:
        """Qualified class written by a call that unpacks data; None when it writes nothing known."""
        func = call.func
        d = dotted(func)
        if d and _cap(d):
            return self.resolve(func)
        if isinstance(func, cst.Attribute) and func.attr.value in self.k.write_methods:
            t = self.type_of(func.value)
            return t or None
        return None

    # -- responses ---------------------------------------------------------------------------------
    def _where(self, expr, at):
        """Location of ``expr``: its own when it is cheap to find (calls, attributes), else
        that of the enclosing call or statement ``at``."""
        if at is None or isinstance(expr, (cst.Call, cst.Attribute, cst.Subscript)):
            return self.ctx.loc(expr)
        return self.ctx.loc(at)

    def response(self, expr, wrapped: bool = False, at=None) -> list:
        f = self.frame
        out: list = []
        if isinstance(expr, cst.Await):
            return self.response(expr.expression, wrapped, expr if isinstance(expr, cst.Call) else at)
        if isinstance(expr, cst.Tuple) and expr.elements and not wrapped:
            return self.response(expr.elements[0].value, wrapped, expr if isinstance(expr, cst.Call) else at)
        if isinstance(expr, cst.Dict):
            keys = []
            for el in expr.elements:
                if isinstance(el, cst.DictElement):
                    k = literal(el.key)
                    if isinstance(k, str):
                        keys.append((k, _attr(el.value)))
                    out.extend(self.response(el.value, True, expr if isinstance(expr, cst.Call) else at))
                else:
                    out.extend(self.response(el.value, True, expr if isinstance(expr, cst.Call) else at))
            if keys:
                out.insert(0, ResponseData(f.qualname, self._where(expr, at), "keys", keys=tuple(keys),
                                           display=_short(render(expr))))
            return out
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            for el in expr.elements:
                out.extend(self.response(el.value, True, expr if isinstance(expr, cst.Call) else at))
            return out
        if isinstance(expr, (cst.ListComp, cst.GeneratorExp, cst.SetComp)):
            return self._in_comprehension(expr.for_in, lambda: self.response(expr.elt, True, expr if isinstance(expr, cst.Call) else at))
        if isinstance(expr, cst.DictComp):
            owner = _getattr_owner(expr.value)
            if owner is not None:
                t = self._in_comprehension(expr.for_in, lambda: self.type_of(owner))
                if t:
                    return [ResponseData(f.qualname, self._where(expr, at), "object", t, display=_short(render(expr)))]
            return self._in_comprehension(expr.for_in, lambda: self.response(expr.value, True, expr if isinstance(expr, cst.Call) else at))
        if isinstance(expr, cst.Attribute) and expr.attr.value == "__dict__":
            t = self.type_of(expr.value)
            return [ResponseData(f.qualname, self._where(expr, at), "object", t, display=render(expr))] if t else []
        if isinstance(expr, cst.Name):
            if expr.value in f.dicts:
                node, stmt = f.dicts.pop(expr.value)  # read once: a dict returned twice is reported once
                out = self.response(node, True, stmt)
                f.dicts[expr.value] = (node, stmt)
                return out
            t = f.types.get(expr.value, "")
            if wrapped and t:
                return [ResponseData(f.qualname, self._where(expr, at), "object", t, display=render(expr))]
            return []
        if not isinstance(expr, cst.Call):
            return []
        func = expr.func
        q = self.resolve(func) if dotted(func) else ""
        first = expr.args[0].value if expr.args and expr.args[0].keyword is None and not expr.args[0].star else None
        if q in self.k.response_wrappers:
            if first is not None:
                out.extend(self.response(first, True, expr if isinstance(expr, cst.Call) else at))
            keys = []
            for arg in expr.args:
                if arg.keyword is None or arg.keyword.value in NOT_BODY:
                    continue
                if arg.keyword.value in ("content", "data", "body"):
                    out.extend(self.response(arg.value, True, expr if isinstance(expr, cst.Call) else at))
                else:
                    keys.append((arg.keyword.value, _attr(arg.value)))
                    out.extend(self.response(arg.value, True, expr if isinstance(expr, cst.Call) else at))
            if keys:
                out.insert(0, ResponseData(f.qualname, self._where(expr, at), "keys", keys=tuple(keys),
                                           display=_short(render(expr))))
            return out
        if q in self.k.object_dumpers or q in STDLIB_DUMPERS:
            if first is None:
                return []
            t = self.type_of(first)
            if not t:
                return self.response(first, wrapped, expr if isinstance(expr, cst.Call) else at)
            only = literal(call_arg(expr, "fields"))
            if isinstance(only, tuple):
                return [ResponseData(f.qualname, self._where(expr, at), "keys", keys=tuple((k, k) for k in only if isinstance(k, str)),
                                     display=_short(render(expr)))]
            exclude = literal(call_arg(expr, "exclude"))
            excluded = tuple(("-", k) for k in exclude if isinstance(k, str)) if isinstance(exclude, tuple) else ()
            return [ResponseData(f.qualname, self._where(expr, at), "object", t, keys=excluded, display=_short(render(expr)))]
        if q in ("list", "dict", "tuple", "sorted") and first is not None:
            return self.response(first, wrapped, expr if isinstance(expr, cst.Call) else at)
        if isinstance(func, cst.Attribute):
            name = func.attr.value
            if name == "values" and self.type_of(func.value) and _manager_chain(func.value, self.k.managers):
                t = self.type_of(func.value)
                names = [literal(a.value) for a in expr.args if a.keyword is None]
                if names and all(isinstance(n, str) for n in names):
                    return [ResponseData(f.qualname, self._where(expr, at), "keys", keys=tuple((n, n) for n in names),
                                         display=_short(render(expr)))]
                if not expr.args:
                    return [ResponseData(f.qualname, self._where(expr, at), "object", t, display=_short(render(expr)))]
                return []
            t = self.type_of(func.value)
            if name in self._dumps and t:
                return [ResponseData(f.qualname, self._where(expr, at), "method", t, method=name,
                                     display=_short(render(expr)))]
            if t:  # the linker follows it when a project class defines the method
                return [ResponseData(f.qualname, self._where(expr, at), "call", f"{t}.{name}", display=_short(render(expr)))]
            if name in self._dumps:
                return []
        if q and "." in q and not _cap(dotted(func)) and dotted(func).split(".")[0] not in f.types \
                and dotted(func).split(".")[0] not in f.params and q.startswith(_package(self.ctx.module)):
            return [ResponseData(f.qualname, self._where(expr, at), "call", q, display=_short(render(expr)))]
        return []

    def _in_comprehension(self, for_in, body):
        """Run ``body`` with the comprehension's targets typed from what they iterate."""
        f = self.frame
        saved = dict(f.types)
        node = for_in
        while node is not None:
            if isinstance(node.target, cst.Name):
                t = self.type_of(node.iter)
                if t:
                    f.types[node.target.value] = t
            node = node.inner_for_in
        try:
            return body()
        finally:
            f.types = saved

    # -- CORS -----------------------------------------------------------------------------------------
    def _cors_call(self, node: cst.Call) -> None:
        spec = self.k.cors_calls.get(self.resolve(node.func)) if dotted(node.func) else None
        if spec is None:
            for arg in node.args[:1]:
                if arg.keyword is None and dotted(arg.value):
                    spec = self.k.cors_calls.get(self.resolve(arg.value))
        if spec is None:
            return
        ctx = self.ctx
        origins_kw, cred_kw, regex_kw, default = spec
        options = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        for value in list(options.values()):  # flask-cors resources={r"/api/*": {"origins": ...}}
            if isinstance(value, cst.Dict):
                for el in value.elements:
                    if isinstance(el, cst.DictElement) and isinstance(el.value, cst.Dict):
                        for inner in el.value.elements:
                            k = literal(inner.key) if isinstance(inner, cst.DictElement) else None
                            if k in (origins_kw, cred_kw, regex_kw) and k not in options:
                                options[k] = inner.value
        origins_expr = options.get(origins_kw)
        origins = _origins(origins_expr) if origins_expr is not None else default
        regex_expr = options.get(regex_kw) if regex_kw else None
        if regex_expr is not None:
            pattern = literal(regex_expr)
            if isinstance(pattern, str) and matches_every_origin(pattern):
                origins, origins_expr = "reflect", regex_expr
        cred_expr = options.get(cred_kw)
        cred = literal(cred_expr) if cred_expr is not None else False
        credentials = cred if isinstance(cred, bool) else None
        if not origins:
            return
        f = self.frame
        name = next((dotted(x) for x in (node.func, *(a.value for a in node.args[:1]))
                     if dotted(x) and dotted(x).rpartition(".")[2] in {q.rpartition(".")[2] for q in self.k.cors_calls}),
                    dotted(node.func) or "")
        shown = [f"{k}={ctx.code(v)}" for k, v in options.items() if k in (origins_kw, regex_kw, cred_kw)]
        if origins_expr is None and default == "any":
            shown.append(f"{origins_kw} default to '*'")
        self._emit("cors", CorsPolicy(
            ctx.loc(node), origins, credentials, ctx.loc(origins_expr) if origins_expr is not None else None,
            ctx.loc(cred_expr) if cred_expr is not None else None, display=_short(f"{name}({', '.join(shown)})", 120),
            function=f.qualname if f else ""))

    def _cors_setting(self, name: str, value, stmt) -> None:
        role = self.k.cors_settings[name]
        v = literal(value)
        loc = self.ctx.loc(stmt)
        display = _short(self.ctx.code(stmt))
        if role == "any" and v is True:
            self._emit("cors", CorsPolicy(loc, "any", None, loc, group="settings", display=display))
        elif role == "credentials" and isinstance(v, bool):
            self._emit("cors", CorsPolicy(loc, "", v, None, loc, group="settings", display=display))
        elif role == "regex" and isinstance(v, tuple) and any(isinstance(p, str) and matches_every_origin(p) for p in v):
            self._emit("cors", CorsPolicy(loc, "reflect", None, loc, group="settings", display=display))
        elif role == "default-origins":  # flask-cors's CORS_ORIGINS: the origins of calls that name none
            self._emit("cors", CorsPolicy(loc, _origins(value), None, loc, group=CORS_DEFAULTS, display=display))
        elif role == "default-credentials" and isinstance(v, bool):
            self._emit("cors", CorsPolicy(loc, "", v, None, loc, group=CORS_DEFAULTS, display=display))

    def _header(self, key: str, value, stmt) -> None:
        f = self.frame
        if f is None:
            return
        key = key.lower()
        if key == ACAO:
            v = literal(value)
            if v == "*":
                f.acao = ("any", self.ctx.loc(stmt))
            elif _ORIGIN_READ.search(self.ctx.code(value)) or any(
                    isinstance(n, cst.Name) and n.value in f.origin_vars for n in _names(value)):
                f.acao = ("reflect", self.ctx.loc(stmt))
        elif key == ACAC:
            v = literal(value)
            if v is True or (isinstance(v, str) and v.lower() == "true"):
                f.acac = self.ctx.loc(stmt)


def _origins(expr) -> str:
    v = literal(expr)
    if isinstance(v, str):
        v = (v,)
    if isinstance(v, tuple):
        if any(isinstance(o, str) and matches_every_origin(o) for o in v):
            return "any"
        return "listed"
    return "unknown"


def _cap(d) -> bool:
    return bool(d) and d.rpartition(".")[2][:1].isupper() and not d.rpartition(".")[2].isupper()


def _name(expr) -> str:
    return expr.value if isinstance(expr, cst.Name) else ""


def _attr(expr) -> str:
    """The attribute name read for a value: ``user.password_hash`` -> "password_hash"."""
    while isinstance(expr, cst.Call) and expr.args and dotted(expr.func) in ("str", "int", "float", "bool"):
        expr = expr.args[0].value
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Call) and dotted(expr.func) == "getattr" and len(expr.args) >= 2:
        v = literal(expr.args[1].value)
        return v if isinstance(v, str) else ""
    return ""


def _getattr_owner(expr):
    if isinstance(expr, cst.Call) and dotted(expr.func) == "getattr" and len(expr.args) >= 2:
        return expr.args[0].value
    return None


def _manager_chain(expr, managers) -> bool:
    while isinstance(expr, (cst.Call, cst.Attribute)):
        if isinstance(expr, cst.Attribute):
            if expr.attr.value in managers:
                return True
            expr = expr.value
        else:
            expr = expr.func
    return False


def _has_ifs(for_in) -> bool:
    while for_in is not None:
        if for_in.ifs:
            return True
        for_in = for_in.inner_for_in
    return False


def _subscript_key(target: cst.Subscript):
    if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
        v = literal(target.slice[0].slice.value)
        return v if v is not NOT_LITERAL else None
    return None


def _package(module: str) -> str:
    return module.split(".")[0]


def render(expr, depth: int = 0) -> str:
    """Short source-like text of an expression, without LibCST code generation."""
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return f"{render(expr.value, depth)}.{expr.attr.value}"
    if isinstance(expr, cst.Await):
        return f"await {render(expr.expression, depth)}"
    if isinstance(expr, cst.Call):
        if depth >= 2:
            return f"{render(expr.func, depth)}(...)"
        args = []
        for a in expr.args:
            text = ("**" if a.star == "**" else "*" if a.star == "*" else "") + render(a.value, depth + 1)
            args.append(f"{a.keyword.value}={text}" if a.keyword is not None else text)
        return f"{render(expr.func, depth)}({', '.join(args)})"
    if isinstance(expr, (cst.SimpleString, cst.Integer)):
        return expr.value
    if isinstance(expr, cst.Subscript):
        return f"{render(expr.value, depth)}[...]"
    if isinstance(expr, cst.Dict):
        return "{...}"
    if isinstance(expr, (cst.List, cst.ListComp)):
        return "[...]"
    return "..."


def _type_words(expr) -> str:
    """The names and string literals in a field's annotation or constructor call."""
    words: list[str] = []
    stack = [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, cst.Name):
            words.append(e.value)
        elif isinstance(e, cst.Attribute):
            words.append(render(e))
        elif isinstance(e, cst.SimpleString):
            words.append(f"'{literal(e)}'")
        elif isinstance(e, cst.Call):
            words.append(f"{render(e.func)}(")
            stack.extend(a.value for a in e.args)
        elif isinstance(e, cst.Subscript):
            stack.append(e.value)
            stack.extend(el.slice.value for el in e.slice if isinstance(el.slice, cst.Index))
        elif isinstance(e, cst.BinaryOperation):
            stack.extend((e.left, e.right))
    return " ".join(words)


def _meta_hidden(node: cst.ClassDef, keywords) -> set:
    """Fields an inner ``class Meta`` lists as never sent out (``load_only = ("password",)``):
    under one of ``keywords`` (Knowledge.hiding_keywords)."""
    found: set = set()
    for stmt in node.body.body:
        if isinstance(stmt, cst.ClassDef) and stmt.name.value == "Meta":
            for line in stmt.body.body:
                for small in line.body if isinstance(line, cst.SimpleStatementLine) else ():
                    if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                            and isinstance(small.targets[0].target, cst.Name) \
                            and small.targets[0].target.value in keywords:
                        v = literal(small.value)
                        if isinstance(v, tuple):
                            found.update(x for x in v if isinstance(x, str))
    return found


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


# Python's own calls that only build a path or a string from their arguments, or open the file at it.
_PATH_CALLS = frozenset({"str", "open", "io.open", "os.path.join", "os.path.dirname", "os.path.abspath", "os.path.realpath",
                         "os.fspath", "pathlib.Path", "pathlib.PurePath", "pathlib.PurePosixPath"})


def _names(expr) -> list:
    return collect(expr, cst.Name)


def _comparisons(expr) -> list:
    found = []

    class F(cst.CSTVisitor):
        def visit_Comparison(self, node):
            found.append(node)

    walk(expr, F())
    return found


def _presence(test, body) -> bool:
    """The test asks only whether the client sent a value that the branch then uses (``Role.objects.get(
    id=request.POST.get("role")) if request.POST.get("role") else None``: a value given or not, no
    privilege granted on it)."""
    return type(test) is cst.Call and any(test.deep_equals(c) for c in collect(body, cst.Call))
