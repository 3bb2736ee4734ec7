"""Qualified-name resolution over LibCST, with a small import table of our own.

LibCST's ScopeProvider and QualifiedNameProvider cost about ten times the parse on
real code; routes, guards and settings only need to know what a dotted name at
module level (or a local of the function being read) refers to, which an import
table answers.
"""
from __future__ import annotations

import re
import string
from pathlib import PurePosixPath

import libcst as cst

NOT_LITERAL = object()


def module_name(path: str, is_package_dir) -> tuple[str, bool]:
    """Dotted module name of a project file and whether it is a package ``__init__``.

    ``is_package_dir(dir)`` says whether a directory holds an ``__init__.py``; the
    module name starts at the outermost such directory above the file, so that
    ``src/shop/api/views.py`` is ``shop.api.views``. Directories between it and the file
    that have no ``__init__.py`` are namespace packages inside it (``shop/orders/views.py``
    is ``shop.orders.views``, not ``views``): Python imports them by that name, and two
    ``views.py`` in sibling directories are two modules.
    """
    p = PurePosixPath(path)
    is_pkg = p.stem == "__init__"
    dirs = [d for d in p.parents if str(d) not in ("", ".")]  # nearest first
    top = max((i for i, d in enumerate(dirs) if is_package_dir(str(d))), default=-1)
    parts = [d.name for d in reversed(dirs[:top + 1])] + [p.stem]
    if is_pkg:
        parts = parts[:-1]
    return ".".join(parts) or p.stem, is_pkg


def module_names(paths) -> dict[str, tuple[str, bool]]:
    """{path: (module name, is package)} for the project's files. Files that no package
    holds are named by their stem (a script imports its neighbours that way); when two of
    them share a stem (``worker/app.py``, ``web/app.py``) each is named by its whole path
    instead, so that two modules are never joined into one."""
    paths = list(paths)
    packages = {p.rpartition("/")[0] for p in paths if p.endswith("/__init__.py")}
    named = {p: module_name(p, packages.__contains__) for p in paths}
    count: dict[str, int] = {}
    for name, _ in named.values():
        count[name] = count.get(name, 0) + 1
    for p, (name, is_pkg) in named.items():
        if count[name] > 1:
            parts = PurePosixPath(p).with_suffix("").parts
            named[p] = (".".join(parts[:-1] if is_pkg else parts), is_pkg)
    return named


def dotted(expr: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a Name/Attribute chain, else None."""
    kind = type(expr)  # not isinstance: LibCST's node classes are ABCs, slow to test, and final
    if kind is cst.Name:
        return expr.value
    if kind is cst.Attribute:
        head = dotted(expr.value)
        return f"{head}.{expr.attr.value}" if head else None
    return None


_CONSTANTS = {"True": True, "False": False, "None": None}


def _string(node: cst.SimpleString):
    """The value of a string literal. One with no escapes and no carriage return (which
    Python's tokenizer turns into a newline) is its text between the quotes; the rest go
    through LibCST, which evaluates them with ``ast.literal_eval``."""
    raw = node.value
    quote = 0
    while raw[quote] not in "'\"":
        quote += 1
    if raw[:quote].lower() in ("", "r", "u") and "\\" not in raw and "\r" not in raw:
        width = 3 if raw[quote:quote + 3] in ('"""', "'''") else 1
        return raw[quote + width:-width]
    return _evaluated(node)


def _evaluated(node):
    """LibCST's value of a string literal; bytes as latin-1 text."""
    value = node.evaluated_value
    return value.decode("latin-1") if isinstance(value, bytes) else value


def assignments(statements):
    """(name, value, statement) for each ``name = value`` and ``name: T = value`` among
    ``statements`` (a block's body): class attributes annotated with ``ClassVar``, as linters
    ask for mutable ones (``permission_classes: ClassVar[list] = [IsAuthenticated]``), count."""
    for stmt in statements:
        if type(stmt) is not cst.SimpleStatementLine:
            continue
        for small in stmt.body:
            if type(small) is cst.Assign:
                for t in small.targets:
                    if type(t.target) is cst.Name:
                        yield t.target.value, small.value, small
            elif type(small) is cst.AnnAssign and small.value is not None and type(small.target) is cst.Name:
                yield small.target.value, small.value, small


def literal(expr: cst.BaseExpression | None):
    """The Python value of a literal expression, or NOT_LITERAL."""
    kind = type(expr)  # exact classes, as in dotted()
    if kind is cst.SimpleString:
        return _string(expr)
    if kind is cst.ConcatenatedString:
        return _evaluated(expr)
    if kind is cst.Integer:
        return int(expr.value.replace("_", ""), 0)
    if kind is cst.Name and expr.value in _CONSTANTS:
        return _CONSTANTS[expr.value]
    if kind is cst.List or kind is cst.Tuple or kind is cst.Set:
        values = []
        for el in expr.elements:
            if type(el) is not cst.Element:
                return NOT_LITERAL
            v = literal(el.value)
            if v is NOT_LITERAL:
                return NOT_LITERAL
            values.append(v)
        return tuple(values)
    return NOT_LITERAL


def view_receiver(expr: cst.BaseExpression) -> cst.BaseExpression:
    """The class a view constructor (``X.as_view()``) is called on: ``X``, or the class a
    registry is given when it hands back that class or a subclass of it (Misago's
    ``extensions.get(EventHideView).as_view()``: a call of one argument that names a class)."""
    if type(expr) is cst.Call and len(expr.args) == 1 and expr.args[0].keyword is None and not expr.args[0].star:
        arg = expr.args[0].value
        if type(arg) in (cst.Name, cst.Attribute) and (dotted(arg) or "").rpartition(".")[2][:1].isupper():
            return arg
    return expr


def path_text(expr: cst.BaseExpression | None, code, strings: dict[str, str] | None = None) -> str:
    """A route path: evaluated where its inputs are the module's constants (``strings``), else
    shown as a pattern (``render_path``); '' for none."""
    return render_path(expr, strings or {}, code) if expr is not None else ""


def string_bindings(body) -> list[tuple[str, cst.BaseExpression, cst.CSTNode, str | None]]:
    """(name, value, statement, text) for each ``name = value`` bound unconditionally at module
    level, in order: ``text`` is the string the value makes from literals and the constants
    bound before it (``PREFIX = "api/v1/"``, f-strings, sums and ``.format`` of such constants,
    an integer), None when it makes none. A binding under an ``if`` or ``try`` is a
    configuration-dependent override: the unconditional value is the default and is the one read."""
    found: dict[str, str] = {}
    out = []
    for name, value, stmt in assignments(body):
        text = render_path(value, found, None)
        if text is not None:
            found[name] = text
        else:
            found.pop(name, None)
        out.append((name, value, stmt, text))
    return out


def module_strings(bindings) -> dict[str, str]:
    """The module's string constants from its ``string_bindings``: each name's last binding, when
    that one makes a string."""
    found: dict[str, str | None] = {}
    for name, _, _, text in bindings:
        found[name] = text
    return {name: text for name, text in found.items() if text is not None}


def render_path(expr, strings: dict[str, str], code):
    """A route path built at runtime, evaluated where its inputs are constants: literals,
    module constants, f-strings and ``+`` of those. Anything else is shown as a ``{name}``
    pattern (``code`` None: return None instead): ``{settings.PREFIX}``, and a lookup by a
    literal key by its key (``"^{}".format(get_system_setting("url_prefix"))``: ``^{url_prefix}``)."""
    value = literal(expr)
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):  # API_VERSION = 1
        return str(value)
    if isinstance(expr, cst.Name) and expr.value in strings:
        return strings[expr.value]
    if isinstance(expr, cst.FormattedString):
        parts = []
        for p in expr.parts:
            if isinstance(p, cst.FormattedStringText):
                parts.append(p.value)
                continue
            if p.conversion is None and p.format_spec is None:
                inner = render_path(p.expression, strings, code)
            else:  # f"{x!r}", f"{n:03d}": not a constant's text
                inner = None if code is None else "{%s}" % code(p.expression)
            if inner is None:
                return None
            parts.append(inner)
        return "".join(parts)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        left, right = render_path(expr.left, strings, code), render_path(expr.right, strings, code)
        return None if left is None or right is None else left + right
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format" \
            and isinstance(literal(expr.func.value), str):
        text = _format_path(literal(expr.func.value), expr.args, strings, code)
        if text is not None:
            return text
    if code is None or expr is None:
        return None
    return "{%s}" % _pattern_name(expr, code)


def _format_path(template: str, args, strings: dict[str, str], code) -> str | None:
    """``template.format(...)`` as a path: each field filled with its argument where that is a
    constant (``"/<org_slug>{}".format(rule)``, ``"/{0}/<id>".format(action)``), else kept as a
    pattern: a keyword's or a ``**mapping``'s field by its name (Read the Docs'
    ``r"webhook/(?P<project_slug>{project_slug})/$".format(**pattern_opts)``), a positional one by
    its argument's code. None when ``code`` is None and a field is not a constant, or when the
    template is no format string."""
    positional = [] if any(a.star == "*" for a in args) else [a.value for a in args if a.keyword is None and not a.star]
    keywords = {a.keyword.value: a.value for a in args if a.keyword is not None}
    out, auto = [], 0
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return None
    for text, field, spec, conversion in fields:
        out.append(text)
        if field is None:
            continue
        if field == "":
            field, auto = str(auto), auto + 1
        name = re.match(r"\w*", field).group()
        arg = positional[int(name)] if name.isdigit() and int(name) < len(positional) else keywords.get(name)
        if arg is None or spec or conversion or name != field:  # **mapping, "{0.attr}", "{n:03d}"
            value = None if code is None else "{%s}" % name
        else:
            value = render_path(arg, strings, code)
        if value is None:
            return None
        out.append(value)
    return "".join(out)


def _pattern_name(expr, code) -> str:
    """How a value computed at runtime is named in a path pattern: a lookup by a literal key
    (``get_system_setting("url_prefix")``, ``os.environ["PREFIX"]``) by its key, else its code."""
    key = (literal(expr.args[0].value) if isinstance(expr, cst.Call) and len(expr.args) == 1
           else literal(expr.slice[0].slice.value) if isinstance(expr, cst.Subscript) and len(expr.slice) == 1
           and isinstance(expr.slice[0].slice, cst.Index) else None)
    return key if isinstance(key, str) and key.isidentifier() else code(expr)


RULE_ARG = "\x00"  # where a rule builder's template puts its argument


def rule_template(node: cst.FunctionDef, strings: dict[str, str]) -> str | None:
    """What a function that builds a route rule from its one argument returns, with RULE_ARG
    for the argument: ``def org_scoped_rule(rule): if settings.MULTI_ORG: return "/<org_slug>{}"
    .format(rule); return rule`` -> RULE_ARG. The default is the final unconditional return (a
    return under an ``if`` is a configuration-dependent variant); None if it is not built from
    the argument and constants."""
    params = [p for p in node.params.params if p.name.value not in ("self", "cls")]
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    if len(params) != 1 or not body or not isinstance(body[-1], cst.SimpleStatementLine):
        return None
    last = body[-1].body[-1]
    if not isinstance(last, cst.Return) or last.value is None:
        return None
    name = params[0].name.value
    text = render_path(last.value, {**strings, name: RULE_ARG}, None)
    return text if text is not None and RULE_ARG in text else None


def string_list(expr: cst.BaseExpression | None) -> tuple[str, ...] | None:
    """A literal string or collection of strings as a tuple, else None."""
    value = literal(expr)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return value
    return None


def method_names(expr: cst.BaseExpression | None) -> tuple[str, ...] | None:
    """HTTP method names as written in a route's ``methods``: strings, or members of Python's
    ``http.HTTPMethod`` (``[HTTPMethod.GET, HTTPMethod.POST]``); None if not a literal list."""
    found = string_list(expr)
    if found is not None or not isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
        return found
    names = []
    for el in expr.elements:
        v = el.value
        if isinstance(literal(v), str):
            names.append(literal(v))
        elif isinstance(v, cst.Attribute) and (dotted(v.value) or "").rpartition(".")[2] == "HTTPMethod":
            names.append(v.attr.value)
        else:
            return None
    return tuple(names)


def call_arg(call: cst.Call, keyword: str | None = None, position: int | None = None):
    """The expression passed as ``keyword=`` or at ``position``, else None."""
    if keyword is not None:
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == keyword:
                return arg.value
    if position is not None:
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if position < len(positional):
            return positional[position].value
    return None


class ImportTable(cst.CSTVisitor):
    """Collects every import in a module (at any depth) and the names it defines at top level."""

    def __init__(self, module: str, is_package: bool):
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.names: dict[str, str] = {}
        self.defined: set[str] = set()

    def _base(self, node: cst.ImportFrom) -> str:
        target = dotted(node.module) if node.module else ""
        if not node.relative:
            return target or ""
        parts = self.package.split(".") if self.package else []
        up = len(node.relative) - 1
        parts = parts[: len(parts) - up] if up else parts
        return ".".join([*parts, target] if target else parts)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted(alias.name)
            if alias.asname and isinstance(alias.asname.name, cst.Name):
                self.names[alias.asname.name.value] = full
            else:
                head = full.split(".")[0]
                self.names.setdefault(head, head)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        base = self._base(node)
        if isinstance(node.names, cst.ImportStar):
            if base:  # ``from .views import *``: the linker looks names up there ("*" is no identifier)
                self.names[f"*{base}"] = base
            return
        for alias in node.names:
            name = alias.name.value if isinstance(alias.name, cst.Name) else dotted(alias.name)
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            self.names[local] = f"{base}.{name}" if base else name

    def visit_Module(self, node: cst.Module) -> None:
        for stmt in node.body:
            for target in _bound_names(stmt):
                self.defined.add(target)


def _bound_names(stmt) -> list[str]:
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return [stmt.name.value]
    names = []
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            if isinstance(small, cst.Assign):
                for t in small.targets:
                    if isinstance(t.target, cst.Name):
                        names.append(t.target.value)
            elif isinstance(small, (cst.AnnAssign, cst.AugAssign)) and isinstance(small.target, cst.Name):
                names.append(small.target.value)
    elif isinstance(stmt, cst.If):  # if TYPE_CHECKING / try-import shims
        for inner in stmt.body.body:
            names.extend(_bound_names(inner))
    return names


def base_exprs(node):
    """The base-class expressions of a ClassDef, keywords left out and a generic base read as
    its class: ``ModelViewSet[Document]`` is ModelViewSet."""
    return [a.value.value if isinstance(a.value, cst.Subscript) else a.value for a in node.bases if a.keyword is None]


def and_operands(node) -> list:
    """The operands of an ``a and b and c`` test, left to right (the test itself when it is not one)."""
    return operands(node, cst.BooleanOperation, cst.And)


def if_present(test) -> bool:
    """``test`` holds only when an object is there: ``obj and obj.user != request.user`` (or
    ``obj is not None and ...``), each other operand a comparison of one of the object's fields."""
    parts = and_operands(test)
    present = {dotted(p) for p in parts if dotted(p)} | {
        dotted(p.left) for p in parts if isinstance(p, cst.Comparison) and len(p.comparisons) == 1
        and isinstance(p.comparisons[0].operator, cst.IsNot) and dotted(p.comparisons[0].comparator) == "None"}
    present.discard("")
    rest = [p for p in parts if dotted(p) not in present and not (isinstance(p, cst.Comparison)
                                                                  and dotted(p.left) in present)]
    return bool(present) and bool(rest) and all(
        isinstance(p, cst.Comparison) and any((dotted(side) or "").startswith(tuple(f"{x}." for x in present))
                                              for side in (p.left, *(c.comparator for c in p.comparisons)))
        for p in rest)


def operands(node, kind, operator) -> list:
    """The operands of a chain of one operator (``a + b + c``: ``kind`` BinaryOperation,
    ``operator`` Add), left to right; the node itself when it is not one."""
    out, stack = [], [node]
    while stack:
        e = stack.pop()
        if isinstance(e, kind) and isinstance(e.operator, operator):
            stack += [e.right, e.left]
        else:
            out.append(e)
    return out


REJECT_STATUS = frozenset({401, 403})
# Status names that turn the caller away: 401 and 403 as the standard library and the frameworks'
# status modules name them (``HTTPStatus.FORBIDDEN``, ``status.HTTP_401_UNAUTHORIZED``), and a
# websocket's policy-violation close (RFC 6455 7.4.1, ``WS_1008_POLICY_VIOLATION``: the socket
# closed or refused on a credential that does not pass)
REJECT_NAMES = frozenset({"HTTP_401_UNAUTHORIZED", "HTTP_403_FORBIDDEN", "UNAUTHORIZED", "FORBIDDEN",
                          "WS_1008_POLICY_VIOLATION"})


def refusing_status(expr) -> str:
    """The status that turns the caller away which ``expr`` writes (``403``,
    ``status.HTTP_403_FORBIDDEN``, ``HTTPStatus.FORBIDDEN``), as written; else ''."""
    value = literal(expr)
    if value in REJECT_STATUS:
        return str(value)
    name = (dotted(expr) or "").rpartition(".")[2]
    return name if name in REJECT_NAMES else ""
# Calls that end the request where they stand (``abort(401)``, ``raise_unauthorized()``).
ABORTS = re.compile(r"^_?(abort\w*|\w*unauthori[sz]ed|\w*forbidden|deny\w*|reject\w*|raise_\w+)$")


def leaves(block, answer: str = "") -> bool:
    """The block ends the request in one of its own statements: returns, raises, or calls
    something that aborts (``abort(401)``, ``raise_forbidden()``, a call with a 401/403), or
    in an ``if``/``else`` whose every branch does. A branch that only logs, flashes, prints or
    counts lets the request go on. ``answer`` names the local that a function returns at its
    one exit (``response = "Forbidden", 403`` ... ``return response``): setting it to a refusal
    is answering."""
    for stmt in block.body:
        if type(stmt) is cst.If and _all_branches_leave(stmt, answer):
            return True
        for small in stmt.body if type(stmt) is cst.SimpleStatementLine else (stmt,):
            kind = type(small)
            if kind is cst.Return or kind is cst.Raise:
                return True
            if answer and kind is cst.Assign and len(small.targets) == 1 and type(small.targets[0].target) is cst.Name \
                    and small.targets[0].target.value == answer and _refusal(small.value):
                return True
            if kind is cst.Expr and type(small.value) is cst.Call:
                call = small.value
                func = call.func
                name = func.attr.value if type(func) is cst.Attribute else func.value if type(func) is cst.Name else ""
                if ABORTS.match(name) or any(literal(a.value) in REJECT_STATUS for a in call.args):
                    return True
    return False


def _refusal(expr) -> bool:
    """An answer that turns the caller away, set aside to be returned later: a ``("Forbidden",
    403)`` tuple, a redirect, an abort, a response made with a 401/403 (``payload = {}`` is
    none)."""
    if type(expr) is cst.Tuple:
        return any(literal(el.value) in REJECT_STATUS for el in expr.elements)
    if type(expr) is not cst.Call:
        return False
    func = expr.func
    name = func.attr.value if type(func) is cst.Attribute else func.value if type(func) is cst.Name else ""
    return bool(ABORTS.match(name)) or "redirect" in name.lower() or any(
        refusing_status(a.value) for a in expr.args)


def _all_branches_leave(stmt: cst.If, answer: str) -> bool:
    """``if xhr: return "Forbidden", 403`` / ``else: return redirect(login)``: every branch of
    the ``if`` (an ``elif`` chain, ending in an ``else``) ends the request."""
    orelse = stmt.orelse
    if orelse is None or not leaves(stmt.body, answer):
        return False
    return leaves(orelse.body, answer) if type(orelse) is cst.Else else _all_branches_leave(orelse, answer)
