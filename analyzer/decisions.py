"""Two things the data pass (``analyzer/dataflow.py``) also reads in each function:

- access decisions taken on a value the client sets (``ClientDecision``): a cookie, a
  header, a query or body field, or the client's address, compared to a role name, a
  privilege flag the client names, or a local address;
- internal state put into a response (``Disclosure``): the process environment, the
  application's settings object, a traceback or an exception's text.

Which expressions are client values, settings objects and response calls comes only from
the adapters' tables (``client_inputs``, ``client_params``, ``config_objects``,
``response_wrappers``, ``response_sinks``). Signed sessions and verified token claims are
in none of them, so they are never client values here.
"""
from __future__ import annotations

import re

import libcst as cst

from .facts import ClientDecision, Disclosure
from .names import NOT_LITERAL, REJECT_NAMES, and_operands, dotted, literal
from .walk import collect, walk

# A field, header or cookie named like this holds a privilege the client claims for itself
# (after lower-casing, ``_`` -> ``-`` and dropping a leading ``x-``).
PRIVILEGE_KEY = re.compile(
    r"^(admin|is-?admin|as-?admin|admin-?mode|role|roles|user-?role|user-?type|access-?level|superuser|"
    r"is-?superuser|staff|is-?staff|internal|is-?internal|bypass|bypass-?auth|skip-?auth|no-?auth|authorized|"
    r"is-?authorized|authenticated|is-?authenticated|privileged|sudo|god-?mode|trusted)$")
ROLE_WORDS = frozenset({"admin", "administrator", "root", "superuser", "superadmin", "super-admin", "staff",
                        "moderator", "sudo"})
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"})
LOCAL_PREFIXES = ("127.", "10.", "192.168.", "172.", "fc", "fd", "::1")
FORWARDED_HEADERS = frozenset({"x-forwarded-for", "x-real-ip", "forwarded", "x-client-ip", "x-originating-ip",
                               "cf-connecting-ip", "true-client-ip", "x-cluster-client-ip"})
IP_LIKE = re.compile(r"^(\d{1,3}(\.\d{1,3}){1,3}\.?|[0-9a-f:]*::[0-9a-f:]*|localhost)(/\d+)?$", re.IGNORECASE)
ALLOW_LIST = re.compile(r"(?i)(^|[._])(allowed|trusted|internal|whitelist(ed)?|allowlist(ed)?|admin)[a-z_]*(ips?|hosts?|addr\w*|networks?)?$")
# Headers a request is turned away on (``Origin`` is not among them: compared with the site's own
# origin it is the defence against cross-site requests, and forging it gains a client nothing)
REQUEST_ONLY_HEADERS = frozenset({"user-agent", "referer"})
# Calls that only reshape a value: the client's value passes through them.
RESHAPE = frozenset({"str", "int", "bool", "lower", "upper", "strip", "casefold", "title"})
EQUALITY = (cst.Equal, cst.NotEqual, cst.Is, cst.IsNot)
TRACEBACK = frozenset({"traceback.format_exc", "traceback.format_exception", "traceback.format_tb",
                       "traceback.format_stack", "traceback.extract_tb", "traceback.format_exception_only"})
ENVIRON = "os.environ"
# Reads of one item of a mapping (not the mapping as a whole).
ITEM_READS = frozenset({"get", "getlist", "setdefault", "__getitem__", "pop"})
# Calls that turn an exception into text.
TEXT_CALLS = frozenset({"str", "repr", "format", "join", "dict", "list", "tuple", "items", "copy"})
# Attributes of a settings object that give all of it.
WHOLE = frozenset({"__dict__", "items", "copy", "keys", "values", "to_dict", "as_dict"})  # + Knowledge.data_methods
# Attributes of an exception that carry its text.
EXCEPTION_TEXT = frozenset({"args", "message", "msg", "strerror"})


def call_held(bound: dict, name: str, value) -> tuple[str | None, bool]:
    """(the call ``value`` makes, awaited or not, else None; whether ``name`` then holds what that
    call made and nothing else): ``mgr = get_manager()``, once or twice, but not ``policy = A()``
    after ``policy = B()``. ``bound``: what each local was assigned so far (``_Frame.bound``)."""
    call = value.expression if isinstance(value, cst.Await) else value
    callee = (dotted(call.func) or "?") if isinstance(call, cst.Call) else None
    return callee, callee is not None and bound.get(name, callee) == callee


class DecisionsMixin:
    """Mixed into ``DataPass``: its frames carry ``inputs`` (local name -> client value) and
    ``excepts`` (local name -> the exception classes its ``except`` catches)."""

    # -- client values --------------------------------------------------------------------------
    def _input_kind(self, expr) -> tuple[str, str] | None:
        """(table entry, its spec) for a client input expression: a qualified name, or
        ``request.<attr>`` on the function's request parameter."""
        d = dotted(expr)
        if not d:
            return None
        table = self.k.client_inputs
        q = self.resolve(expr)
        if q in table:
            return q, table[q]
        parts = d.split(".")
        if parts[0] == "self" and len(parts) > 2 and parts[1] == "request":
            parts = parts[1:]
        elif self.frame is not None and parts[0] in self.frame.request_params:
            parts = ["request", *parts[1:]]
        else:
            return None
        name = ".".join(parts)
        return (name, table[name]) if name in table else None

    def _input(self, expr):
        """(source, key) when ``expr`` is one value the client sets."""
        f = self.frame
        while True:
            if isinstance(expr, cst.Call) and _called_name(expr) in RESHAPE:
                if isinstance(expr.func, cst.Attribute):  # value.lower()
                    expr = expr.func.value
                elif expr.args:  # str(value)
                    expr = expr.args[0].value
                else:
                    return None
            elif isinstance(expr, cst.Subscript) and isinstance(expr.value, cst.Call) \
                    and isinstance(expr.value.func, cst.Attribute) and expr.value.func.attr.value == "split":
                expr = expr.value.func.value  # value.split(",")[0]
            else:
                break
        if isinstance(expr, cst.Name):
            return f.inputs.get(expr.value)
        container, key = None, None
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value in ITEM_READS:
            container = expr.func.value
            key = literal(expr.args[0].value) if expr.args else None
        elif isinstance(expr, cst.Subscript) and len(expr.slice) == 1 and isinstance(expr.slice[0].slice, cst.Index):
            container = expr.value
            key = literal(expr.slice[0].slice.value)
        if container is not None and isinstance(key, str):
            found = self._input_kind(container)
            if found:
                name, spec = found
                item = self.k.client_inputs.get(f"{name}[{key}]")
                if item:
                    return _source(item, key)
                kind, _, prefix = spec.partition(":")
                if prefix and key.startswith(prefix):
                    key = key[len(prefix):]
                elif prefix:
                    return None  # an item of a container that is not the client's (META's SERVER_NAME)
                return _source(kind, key)
            return None
        found = self._input_kind(expr)
        if found:
            kind, _, key = found[1].partition(":")
            return _source(kind, key)
        return None

    def _param_input(self, p: cst.Param):
        """(source, key) for a parameter the framework fills from the request headers,
        cookies, query or body; ("param", name) for a plain scalar parameter (a client value
        only in a route handler)."""
        calls = [p.default] if isinstance(p.default, cst.Call) else []
        ann = p.annotation.annotation if p.annotation else None
        if isinstance(ann, cst.Subscript) and (dotted(ann.value) or "").rpartition(".")[2] == "Annotated":
            calls += [el.slice.value for el in ann.slice[1:]
                      if isinstance(el.slice, cst.Index) and isinstance(el.slice.value, cst.Call)]
            ann = ann.slice[0].slice.value if isinstance(ann.slice[0].slice, cst.Index) else None
        name = p.name.value
        for c in calls:
            kind = self.k.client_params.get(self.resolve(c.func)) if dotted(c.func) else None
            if kind:
                alias = literal(next((a.value for a in c.args if a.keyword and a.keyword.value == "alias"), None))
                key = alias if isinstance(alias, str) else name
                return _source(kind, key.replace("_", "-") if kind == "header" else key)
        if calls:
            return None  # Depends(), Security(): injected
        if ann is None or (dotted(ann) or "") in ("str", "bool", "int"):
            return "param", name
        return None

    def _input_assign(self, name: str, value) -> None:
        f = self.frame
        found = self._input(value) if not isinstance(value, cst.Comparison) else None
        if found:
            f.inputs[name] = found
        else:
            f.inputs.pop(name, None)
        f.tests.pop(name, None)
        if type(value) in (cst.Comparison, cst.BooleanOperation):
            held = collect(value, cst.Comparison)
            f.tests[name] = held
            self._held_nodes().update(id(c) for c in held)

    def _held_nodes(self) -> set:
        """Ids of comparisons held in a local: judged where an ``if`` tests the local."""
        return self._node_ids("_held")

    def _node_ids(self, name: str) -> set:
        """A set of node ids kept on the visitor under ``name``, made on first use."""
        found = self.__dict__.get(name)
        if found is None:
            found = self.__dict__[name] = set()
        return found

    def _decide_held(self, test) -> None:
        f = self.frame
        if f is None:
            return
        for name in collect(test, cst.Name):
            for node in f.tests.get(name.value, ()):
                self._judge(node)

    # -- decisions ----------------------------------------------------------------------------------
    def visit_BooleanOperation(self, node: cst.BooleanOperation) -> None:
        """``is_admin() and request.args.get("view") == "admin"``: the server's own role check
        decides; the client's value only chooses among what an admin may see."""
        if self.frame is None or not isinstance(node.operator, cst.And) or not self.k.client_inputs:
            return
        operands = and_operands(node)
        if any(self._role_test(o) for o in operands):
            vouched = self._vouched()
            for o in operands:
                vouched.add(id(o))
                vouched.update(id(c) for c in _operands_nodes(o))

    def _vouched(self) -> set:
        """Ids of the nodes of conditions that a server-side role check accompanies."""
        return self._node_ids("_vouched_nodes")

    def _role_test(self, expr) -> bool:
        k = self.k
        for n in (expr, *(x for x in _operands_nodes(expr))):
            target = n.func if isinstance(n, cst.Call) else n
            name = target.attr.value if isinstance(target, cst.Attribute) else \
                target.value if isinstance(target, cst.Name) else ""
            if name and (name in k.role_attributes or "." + name in k.role_calls) and not self._input(n):
                return True
        return False

    def visit_Comparison(self, node: cst.Comparison) -> None:
        if id(node) not in self._held_nodes():
            self._judge(node)

    def _judge(self, node: cst.Comparison) -> None:
        f = self.frame
        if f is None or not self.k.client_inputs or id(node) in self._vouched():
            return
        sides = [node.left, *(c.comparator for c in node.comparisons)]
        ops = [c.operator for c in node.comparisons]
        for i, side in enumerate(sides):
            found = self._input(side)
            if found:
                others = [s for j, s in enumerate(sides) if j != i]
                reason = _reason(found, others, ops)
            elif isinstance(side, cst.SimpleString) and i == 0 and len(sides) == 2 \
                    and isinstance(ops[0], (cst.In, cst.NotIn)) and self._input_kind(sides[1]):
                # "admin" in request.cookies
                kind, _, _ = self._input_kind(sides[1])[1].partition(":")
                found = _source(kind, literal(side))
                reason = "flag" if _privilege_key(found[1]) else ""
            else:
                continue
            if reason:
                self._decision(node, found, reason)
                return

    def _decide_truth(self, test) -> None:
        """A client value tested for truth: ``if request.headers.get("X-Admin"):``."""
        f = self.frame
        if f is None or not self.k.client_inputs:
            return
        stack = [test]
        while stack:
            e = stack.pop()
            if isinstance(e, cst.BooleanOperation):
                if isinstance(e.operator, cst.And) and any(self._role_test(o) for o in and_operands(e)):
                    continue
                stack += [e.left, e.right]
            elif isinstance(e, cst.UnaryOperation):
                stack.append(e.expression)
            elif not isinstance(e, cst.Comparison):
                found = self._input(e)
                if found and found[0] != "param" and _privilege_key(found[1]):
                    self._decision(e, found, "flag")

    def _decide_rejection(self, node: cst.If) -> None:
        """A request turned away (401/403) on its User-Agent or Referer."""
        f = self.frame
        if f is None or not self.k.client_inputs:
            return
        for e in _operands(node.test):
            found = self._input(e)
            if found and found[0] == "header" and found[1].lower() in REQUEST_ONLY_HEADERS and _rejects(node.body, self):
                self._decision(node.test, found, "rejects")
                return

    def _decision(self, node, found, reason) -> None:
        f = self.frame
        source, key = found
        self._emit("decisions", ClientDecision(f.qualname, self.ctx.loc(node), source, reason, key,
                                               _short(self.ctx.code(node))))

    def _address_prefix_call(self, node: cst.Call) -> None:
        """``request.remote_addr.startswith("192.168.")``"""
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "startswith" and node.args:
            found = self._input(func.value)
            prefix = literal(node.args[0].value)
            if found and found[0] in ("address", "forwarded") and isinstance(prefix, (str, tuple)):
                prefixes = prefix if isinstance(prefix, tuple) else (prefix,)
                if any(isinstance(x, str) and x.startswith(LOCAL_PREFIXES) for x in prefixes):
                    self._decision(node, found, "localhost")

    # -- disclosures ----------------------------------------------------------------------------------
    def visit_Try(self, node: cst.Try) -> None:
        f = self.frame
        if f is None or not any(h.name is not None for h in node.handlers):
            return
        calls, owner, made = set(), self, set(f.made)

        def called(func) -> str:
            if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in made:
                # mgr = get_manager(); mgr.check(x): a method of what the call made (named as the linker does)
                return f"{f.qualname}.{func.value.value}.{func.attr.value}"
            if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
                inner = called(func.value.func)  # b64decode(state).decode(): a method of what it returns
                return f"{inner}.{func.attr.value}" if inner != "?" else "?"
            return owner.resolve(func) if dotted(func) else "?"

        class Body(cst.CSTVisitor):
            def visit_Await(self, _) -> None:
                calls.add("await")

            def visit_Assign(self, a: cst.Assign) -> None:
                for t in a.targets:
                    if isinstance(t.target, cst.Name):
                        (made.add if call_held(f.bound, t.target.value, a.value)[1] else made.discard)(t.target.value)

            def visit_Call(self, c: cst.Call) -> None:
                calls.add(called(c.func))

            def visit_FunctionDef(self, _) -> bool:
                return False

        for stmt in node.body.body:
            walk(stmt, Body())
        tried = getattr(self, "_tried", None)
        if tried is None:
            tried = self._tried = {}
        for h in node.handlers:
            tried[id(h)] = tuple(sorted(calls))

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        f = self.frame
        if f is None or node.name is None or not isinstance(node.name.name, cst.Name):
            return
        t = node.type
        types = [e.value for e in t.elements] if isinstance(t, cst.Tuple) else [t] if t is not None else []
        f.excepts[node.name.name.value] = tuple(self.resolve(x) or "?" for x in types)
        f.tried[node.name.name.value] = getattr(self, "_tried", {}).get(id(node))

    def _disclose(self, expr, sink: str, at) -> None:
        """Internal state in ``expr``, which reaches the client (through ``sink``, or returned)."""
        f = self.frame
        if f is None or expr is None:
            return
        finder = _Leaks(self, sink == "")
        walk(expr, finder)
        for kind, node, caught in finder.found:
            name = node.value if isinstance(node, (cst.Attribute, cst.Arg)) else node
            tried = f.tried.get(name.value) if kind == "exception" and isinstance(name, cst.Name) else None
            self._emit("disclosures", Disclosure(f.qualname, self.ctx.loc(node), kind, _short(self.ctx.code(at)),
                                                 caught, sink, tried))

    def _sink_call(self, node: cst.Call) -> None:
        q = self.resolve(node.func) if dotted(node.func) else ""
        if q and (q in self.k.response_sinks or q in self.k.response_wrappers):
            for a in node.args:
                self._disclose(a.value, q, node)

    def _config(self, expr) -> bool:
        """``expr`` names the application's settings object (``app.config``)."""
        d = dotted(expr)
        if not d:
            return False
        q = self.resolve(expr)
        if q in self.k.config_objects:
            return True
        head, _, attr = q.rpartition(".")
        cls = self._instance_classes().get(head)
        return bool(cls) and f"{cls}.{attr}" in self.k.config_objects

    def _instance_classes(self) -> dict:
        found = getattr(self, "_instances", None)
        if found is None:
            found = self._instances = dict(self.sink.instances)
        return found


class _Leaks(cst.CSTVisitor):
    def __init__(self, owner, skip_sinks: bool):
        self.owner, self.skip_sinks, self.found = owner, skip_sinks, []

    def visit_Call(self, c: cst.Call) -> bool:
        o = self.owner
        q = o.resolve(c.func) if dotted(c.func) else ""
        if self.skip_sinks and (q in o.k.response_sinks or q in o.k.response_wrappers):
            return False  # seen as a response call of its own
        if q in TRACEBACK:
            self.found.append(("traceback", c, ()))
            return False
        if isinstance(c.func, cst.Attribute) and c.func.attr.value in ITEM_READS:
            if (dotted(c.func.value) and o.resolve(c.func.value) == ENVIRON) or o._config(c.func.value):
                return False  # one variable or setting
        if q in ("vars", "dir") and c.args and o._config(c.args[0].value):
            self.found.append(("config", c, ()))
            return False
        if _called_name(c) not in TEXT_CALLS and q not in o.k.response_sinks and q not in o.k.response_wrappers:
            # isinstance(e, X), getattr(e, "code"): the exception is not made text
            walk(c.func, self)
            for a in c.args:
                if not (isinstance(a.value, cst.Name) and a.value.value in o.frame.excepts):
                    walk(a.value, self)
            return False
        return True

    def visit_Subscript(self, s: cst.Subscript) -> bool:
        o = self.owner
        if (dotted(s.value) and o.resolve(s.value) == ENVIRON) or o._config(s.value):
            return False
        return True

    def visit_Attribute(self, a: cst.Attribute) -> bool:
        o = self.owner
        d = dotted(a)
        if d and o.resolve(a) == ENVIRON:
            self.found.append(("environ", a, ()))
            return False
        if d and o._config(a):
            self.found.append(("config", a, ()))
            return False
        if isinstance(a.value, cst.Name) and a.value.value in o.frame.excepts:
            if a.attr.value in EXCEPTION_TEXT:
                self.found.append(("exception", a, o.frame.excepts[a.value.value]))
            return False
        if d and o._config(a.value):
            if a.attr.value in WHOLE or a.attr.value in o.k.data_methods:
                self.found.append(("config", a, ()))
            return False  # one setting
        walk(a.value, self)  # not the attribute's own name
        return False

    def visit_Arg(self, a: cst.Arg) -> bool:
        walk(a.value, self)  # not the keyword's name
        return False

    def visit_Name(self, n: cst.Name) -> None:
        o = self.owner
        if n.value in o.frame.excepts:
            self.found.append(("exception", n, o.frame.excepts[n.value]))
        elif o.resolve(n) == ENVIRON:
            self.found.append(("environ", n, ()))

    def visit_Lambda(self, n) -> bool:
        return False

    def visit_IfExp(self, n: cst.IfExp) -> bool:
        walk(n.body, self)  # ``str(e).splitlines()[0] if str(e) else "..."``: the test is not sent
        walk(n.orelse, self)
        return False


def _source(kind: str, key) -> tuple[str, str]:
    key = key if isinstance(key, str) else ""
    if kind == "header" and key.lower().replace("_", "-") in FORWARDED_HEADERS:
        kind = "forwarded"
    return kind, key


def _called_name(call: cst.Call) -> str:
    f = call.func
    return f.attr.value if isinstance(f, cst.Attribute) else f.value if isinstance(f, cst.Name) else ""


def _ip_like(value) -> bool:
    return isinstance(value, str) and IP_LIKE.match(value) is not None


def _norm(key: str) -> str:
    k = key.lower().replace("_", "-")
    return k[2:] if k.startswith("x-") else k


def _privilege_key(key: str) -> bool:
    return bool(key) and PRIVILEGE_KEY.match(_norm(key)) is not None


def _reason(found, others, ops) -> str:
    source, key = found
    values = [literal(o) for o in others]
    strings = [x for v in values for x in (v if isinstance(v, tuple) else (v,)) if isinstance(x, str)]
    if source in ("address", "forwarded"):
        if any(s.lower() in LOCAL_ADDRESSES for s in strings):
            return "localhost"
        if source == "forwarded" and (any(_ip_like(s) for s in strings)
                                      or any(isinstance(v, tuple) and any(_ip_like(x) for x in v) for v in values)
                                      or any(ALLOW_LIST.search(dotted(o) or "") for o in others)):
            return "address"  # a header the client writes, compared to an allowed address
        return ""
    if not all(isinstance(op, EQUALITY) for op in ops) or any(v is NOT_LITERAL for v in values):
        return ""  # validation against a list of choices, or a comparison with stored data
    if any(s.lower() in ROLE_WORDS for s in strings) and (source != "param" or _privilege_key(key)):
        return "role"
    if source != "param" and _privilege_key(key):
        return "flag"
    return ""




def _operands_nodes(expr) -> list:
    """Comparisons, calls and attributes in ``expr``, outside nested lambdas."""
    out, stack = [], [expr]
    while stack:
        e = stack.pop()
        if isinstance(e, (cst.Comparison, cst.Call, cst.Attribute)):
            out.append(e)
        if isinstance(e, cst.BooleanOperation):
            stack += [e.left, e.right]
        elif isinstance(e, cst.UnaryOperation):
            stack.append(e.expression)
        elif isinstance(e, cst.Comparison):
            stack += [e.left, *(c.comparator for c in e.comparisons)]
        elif isinstance(e, cst.Call):
            stack.append(e.func)
        elif isinstance(e, cst.Attribute):
            stack.append(e.value)
    return out


def _operands(test) -> list:
    out, stack = [], [test]
    while stack:
        e = stack.pop()
        if isinstance(e, cst.BooleanOperation):
            stack += [e.left, e.right]
        elif isinstance(e, cst.UnaryOperation):
            stack.append(e.expression)
        elif isinstance(e, cst.Comparison):
            stack += [e.left, *(c.comparator for c in e.comparisons)]
        else:
            out.append(e)
    return out


def _rejects(body, owner) -> bool:
    """The block answers 401/403 (a status literal, a FORBIDDEN/UNAUTHORIZED name, or an
    exception the adapters know as a rejection)."""
    found = []

    class F(cst.CSTVisitor):
        def visit_Integer(self, n: cst.Integer) -> None:
            if n.value in ("401", "403"):
                found.append(n)

        def visit_Attribute(self, a: cst.Attribute) -> None:
            if a.attr.value in REJECT_NAMES:
                found.append(a)

        def visit_Name(self, n: cst.Name) -> None:
            if owner.resolve(n) in owner.k.auth_exceptions:
                found.append(n)

    walk(body, F())
    return bool(found)


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
