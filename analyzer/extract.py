"""One file -> ModuleFacts: parse once with LibCST, run the common pass and the adapters.

This is a pure function of the file's text, its path and module name, and the
knowledge tables, so that it can run in worker processes and be cached.
"""
from __future__ import annotations

import ast
import re

import libcst as cst

from . import source
from .facts import (
    ClassFact, FactSink, FunctionFact, GuardUse, Location, MethodFact, ModuleFacts, Suppression,
)
from .names import ImportTable, dotted, literal, string_list
from .dataflow import DataPass
from .positions import Positions
from .walk import Index, indexed, walk
from .authz import extract_authz

BUILTINS = frozenset(dir(__import__("builtins")))
REJECT_STATUS = frozenset({401, 403})
REJECT_NAMES = frozenset({"HTTP_401_UNAUTHORIZED", "HTTP_403_FORBIDDEN", "UNAUTHORIZED", "FORBIDDEN"})
SUPPRESSION = re.compile(r"#\s*routeguard:\s*ignore\b(?:\[([^\]]*)\])?", re.IGNORECASE)


class FileContext:
    """What an adapter needs to read one file: positions, source text and name resolution."""

    def __init__(self, path: str, module: str, is_package: bool, tree: cst.Module, positions: Positions, knowledge):
        self.path = path
        self.module = module
        self.tree = tree
        self.positions = positions
        self.knowledge = knowledge
        self.index = Index(tree)
        positions.owner = self.index.owner
        table = ImportTable(module, is_package)
        with indexed(self.index):
            walk(tree, table)
        self.imports = table.names
        self.defined = table.defined

    def loc(self, node: cst.CSTNode) -> Location:
        return self.positions.loc(node)

    def code(self, node: cst.CSTNode) -> str:
        return " ".join(self.tree.code_for_node(node).split())

    def resolve(self, expr, local: dict[str, str] | None = None) -> str:
        """Qualified name of a dotted expression (or dotted string); '' if it is not one."""
        d = expr if isinstance(expr, str) else dotted(expr)
        if not d:
            return ""
        head, _, rest = d.partition(".")
        if local and head in local:
            base = local[head]
        elif head in self.imports:
            base = self.imports[head]
        elif head in self.defined or head not in BUILTINS:
            base = f"{self.module}.{head}"
        else:
            base = head
        return f"{base}.{rest}" if rest else base

    def guard_use(self, expr: cst.BaseExpression, kind: str = "decorator", local=None, methods=()) -> GuardUse:
        """A GuardUse for ``login_required`` or ``jwt_required()`` written at ``expr`` (or a Decorator)."""
        at = expr
        if isinstance(expr, cst.Decorator):
            expr = expr.decorator
        target = expr.func if isinstance(expr, cst.Call) else expr
        return GuardUse(self.resolve(target, local), self.code(expr), self.loc(at), kind, tuple(methods))

    def decorators(self, node: cst.FunctionDef | cst.ClassDef, local=None) -> tuple[GuardUse, ...]:
        return tuple(self.guard_use(d, local=local) for d in node.decorators)

    def span_start(self, node: cst.FunctionDef | cst.ClassDef) -> int:
        return self.loc(node.decorators[0]).line if node.decorators else self.loc(node).line


class _Summary:
    def __init__(self):
        self.evidence: set[str] = set()
        self.calls: set[str] = set()


class CommonPass(cst.CSTVisitor):
    """Framework-neutral facts: function summaries, classes, instances, constants.

    Every function gets a summary; what a nested function does (a decorator's
    wrapper) also counts for the functions around it.
    """

    def __init__(self, ctx: FileContext, sink: FactSink):
        self.ctx = ctx
        self.sink = sink
        self.k = ctx.knowledge
        self.stack: list[str] = []  # enclosing class and function names
        self.summaries: list[_Summary] = []
        self.test_depth = 0

    def _evidence(self, text: str) -> None:
        for s in self.summaries:
            s.evidence.add(text)

    # -- module level -------------------------------------------------------
    def visit_Module(self, node: cst.Module) -> None:
        for stmt in node.body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1:
                        self._module_assign(small.targets[0].target, small.value)
                    elif isinstance(small, cst.AnnAssign) and small.value is not None:
                        self._module_assign(small.target, small.value)

    def _module_assign(self, target, value) -> None:
        if not isinstance(target, cst.Name):
            return
        qname = f"{self.ctx.module}.{target.value}"
        if isinstance(value, cst.Call):
            cls = self.ctx.resolve(value.func)
            if cls:
                self.sink.instances.append((qname, cls))
        else:
            values = string_list(value)
            if values is not None:
                self.sink.constants.append((qname, values))

    # -- classes --------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        ctx = self.ctx
        qualname = ".".join([ctx.module, *self.stack, node.name.value])
        methods, guard_attrs, attrs = [], [], []
        for stmt in node.body.body:
            if isinstance(stmt, cst.FunctionDef):
                methods.append(MethodFact(stmt.name.value, ctx.loc(stmt.name), ctx.span_start(stmt), ctx.decorators(stmt)))
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Name):
                        name = small.targets[0].target.value
                        if name in self.k.class_guard_attrs:
                            guard_attrs.append((name, self._guard_list(small.value, self.k.class_guard_attrs[name])))
                        else:
                            values = string_list(small.value)
                            if values is not None:
                                attrs.append((name, ",".join(values)))
        bases = tuple(ctx.resolve(a.value) for a in node.bases if a.keyword is None)
        self.sink.classes.append(ClassFact(qualname, ctx.loc(node.name), tuple(b for b in bases if b),
                                           tuple(methods), tuple(guard_attrs), tuple(attrs)))
        self.stack.append(node.name.value)
        return True

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.stack.pop()

    def _guard_list(self, value, kind) -> tuple[GuardUse, ...]:
        ctx = self.ctx
        if isinstance(value, (cst.List, cst.Tuple)):
            return tuple(ctx.guard_use(e.value, kind) for e in value.elements if isinstance(e, cst.Element))
        if isinstance(value, cst.Dict):
            uses = []
            for e in value.elements:
                method = literal(e.key) if isinstance(e, cst.DictElement) else None
                if isinstance(method, str) and isinstance(e.value, (cst.List, cst.Tuple)):
                    uses.extend(ctx.guard_use(x.value, kind, methods=(method.upper(),))
                                for x in e.value.elements if isinstance(x, cst.Element))
            return tuple(uses)
        return (ctx.guard_use(value, kind),)

    # -- functions --------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        ctx = self.ctx
        for d in node.decorators:  # a nested function's decorators are calls of the outer ones
            walk(d, self)
            self._call(ctx.resolve(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator))
        self.summaries.append(_Summary())
        self.stack.append(node.name.value)
        walk(node.params, self)
        if node.returns is not None:
            walk(node.returns, self)
        walk(node.body, self)
        qualname = ".".join([ctx.module, *self.stack])
        self.stack.pop()
        s = self.summaries.pop()
        self.sink.functions.append(FunctionFact(
            qualname, ctx.loc(node.name), ctx.span_start(node),
            tuple(sorted(s.evidence)), tuple(sorted(s.calls)), ctx.decorators(node),
            params=tuple(p.name.value for p in (*node.params.posonly_params, *node.params.params))))
        return False

    def _call(self, qname: str) -> None:
        if not qname or not self.summaries:
            return
        for s in self.summaries:
            s.calls.add(qname)
        if qname in self.k.auth_calls or self.k.known_guards.get(qname) == "auth":
            self._evidence(f"calls {qname}")

    def visit_Call(self, node: cst.Call) -> None:
        if not self.summaries:
            return
        self._call(self.ctx.resolve(node.func))
        for arg in node.args:
            if (arg.keyword is None or arg.keyword.value in ("status", "status_code", "code")) \
                    and literal(arg.value) in REJECT_STATUS:
                self._evidence(f"rejects with {literal(arg.value)}")

    def visit_Return(self, node: cst.Return) -> None:
        if self.summaries and isinstance(node.value, cst.Tuple):
            for el in node.value.elements:
                if literal(el.value) in REJECT_STATUS:
                    self._evidence(f"rejects with {literal(el.value)}")

    def visit_Raise(self, node: cst.Raise) -> None:
        if not self.summaries or node.exc is None:
            return
        exc = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
        qname = self.ctx.resolve(exc)
        if qname in self.k.auth_exceptions:
            self._evidence(f"raises {qname}")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not self.summaries:
            return
        attr = node.attr.value
        if attr in REJECT_NAMES:
            self._evidence(f"rejects with {attr}")
        elif attr in self.k.auth_attributes and self.test_depth:
            self._evidence(f"checks {attr}")

    def visit_Name(self, node: cst.Name) -> None:
        if self.summaries and node.value in REJECT_NAMES:
            self._evidence(f"rejects with {node.value}")

    def visit_If(self, node: cst.If) -> None:
        self._test(node.test)

    def visit_Assert(self, node: cst.Assert) -> None:
        self._test(node.test)

    def _test(self, test) -> None:
        if self.summaries:
            self.test_depth += 1
            walk(test, self)
            self.test_depth -= 1


def suppressions(text: str) -> tuple[Suppression, ...]:
    found = []
    for lineno, line in enumerate(source.lines(text), 1):
        if "routeguard" not in line:
            continue
        m = SUPPRESSION.search(line)
        if m:
            ids = tuple(sorted(i.strip().upper() for i in (m.group(1) or "").split(",") if i.strip()))
            found.append(Suppression(lineno, ids))
    return tuple(found)


def _python_ast(text: str) -> tuple[ast.Module | None, str | None]:
    """CPython's own parser as a cheap guard: LibCST's native parser crashes on brackets
    nested thousands deep and takes minutes on expressions thousands of terms long, both
    of which CPython refuses quickly. Other syntax errors are left to LibCST, which knows
    newer grammar than the running interpreter may."""
    try:
        return ast.parse(text), None
    except SyntaxError as e:
        if "too many nested" in str(e.msg):
            return None, f"file is nested too deeply to analyze (line {e.lineno}: {e.msg})"
    except (RecursionError, MemoryError):
        return None, "file is nested too deeply to analyze"
    except ValueError as e:
        return None, f"cannot parse file: {e}"
    return None, None


_VALIDATE = cst.CSTNode.__post_init__


def _no_validation(node) -> None:
    pass


def parse(text: str) -> cst.Module:
    """LibCST's parse, without re-validating each node as it is built.

    Every node the native parser builds runs ``_validate`` (about 13% of the parse),
    which checks invariants that only hand-built trees can break. The check is switched
    off for the parse alone and always restored, so that code using LibCST in the same
    process keeps it (a tree built by hand on another thread during one of our parses
    would go unchecked).
    """
    cst.CSTNode.__post_init__ = _no_validation
    try:
        return cst.parse_module(text)
    finally:
        cst.CSTNode.__post_init__ = _VALIDATE


def extract_source(path: str, text: str, module: str, is_package: bool, knowledge) -> ModuleFacts:
    """Parse ``text`` and return its facts; a file that cannot be read returns ``error``."""
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    python_ast, refused = _python_ast(text)
    if refused:
        return ModuleFacts(path, module, lines, error=refused)
    try:
        tree = parse(text)
    except cst.ParserSyntaxError as e:
        return ModuleFacts(path, module, lines, error=f"syntax error at line {e.raw_line}, column {e.raw_column + 1}: {e.message}")
    except RecursionError:
        return ModuleFacts(path, module, lines, error="file is nested too deeply to analyze")
    sink = FactSink()
    try:
        ctx = FileContext(path, module, is_package, tree, Positions(path, tree, text, python_ast), knowledge)
        with indexed(ctx.index):
            walk(tree, CommonPass(ctx, sink))
            extract_authz(ctx, sink)
            for adapter in knowledge.adapters:
                if knowledge.runs(adapter, text):
                    adapter.extract(ctx, sink)
            walk(tree, DataPass(ctx, sink))
    except RecursionError:
        return ModuleFacts(path, module, lines, error="file is nested too deeply to analyze")
    return ModuleFacts(path, module, lines, None, imports=tuple(sorted(ctx.imports.items())),
                       suppressions=suppressions(text), **{k: tuple(v) for k, v in vars(sink).items()})
