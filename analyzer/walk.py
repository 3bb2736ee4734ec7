"""A fast read-only traversal for LibCST visitors.

LibCST's own ``node.visit(visitor)`` rebuilds every node it passes through (the same
code path serves transformers), which makes a visit cost more than the parse. Our
visitors only read, so ``walk`` calls the visitor's ``on_visit``/``on_leave`` exactly as
LibCST does, in the same order, but walks children without rebuilding them and skips
whitespace and punctuation nodes, which no visitor of ours looks at.
"""
from __future__ import annotations

import dataclasses
import inspect
import re

import libcst as cst

_SKIP = (
    cst.BaseParenthesizableWhitespace, cst.TrailingWhitespace, cst.EmptyLine, cst.Newline, cst.Comment,
    cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual, cst.LeftParen, cst.RightParen,
    cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace,
    cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp, cst.BaseAugOp,
    cst.Asynchronous, cst.ImportStar, cst.ParenthesizedWhitespace,
)
_VISIT_ORDER = re.compile(r'visit_\w+\(\s*self,\s*"(\w+)"')
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls) -> tuple[str, ...]:
    """Child fields in LibCST's visiting (source) order, read off ``_visit_and_replace_children``."""
    names = _FIELDS.get(cls)
    if names is None:
        try:
            names = tuple(dict.fromkeys(_VISIT_ORDER.findall(inspect.getsource(cls._visit_and_replace_children))))
        except (OSError, TypeError):
            names = ()
        if not names:
            names = tuple(f.name for f in dataclasses.fields(cls))
        _FIELDS[cls] = names
    return names


_VISITABLE: dict[type, bool] = {}


def visitable(cls: type) -> bool:
    """A node class worth visiting (LibCST's bases are ABCs: isinstance on them is slow, so cache by class)."""
    found = _VISITABLE.get(cls)
    if found is None:
        found = _VISITABLE[cls] = issubclass(cls, cst.CSTNode) and not issubclass(cls, _SKIP)
    return found


_ON_VISIT, _ON_LEAVE = cst.CSTVisitor.on_visit, cst.CSTVisitor.on_leave


def _methods(vcls: type, ncls: type) -> tuple:
    """(visit_X, leave_X) of a visitor class for a node class, looked up once. The table
    lives on the visitor class, so classes made per call are freed with their tables."""
    table = vcls.__dict__.get("_walk_methods")
    if table is None:
        table = {}
        setattr(vcls, "_walk_methods", table)
    found = table.get(ncls)
    if found is None:
        name = ncls.__name__
        found = table[ncls] = (getattr(vcls, f"visit_{name}", None), getattr(vcls, f"leave_{name}", None))
    return found


def walk(node: cst.CSTNode, visitor, owners: dict | None = None, stack: list | None = None) -> None:
    """Visit ``node`` and its children with ``visitor`` (a CSTVisitor), as ``node.visit`` would.

    With ``owners``, also record each node's innermost enclosing statement or decorator
    (``stack`` holds the enclosing ones), which is how positions are found later.
    """
    vcls = type(visitor)
    if vcls.on_visit is _ON_VISIT and vcls.on_leave is _ON_LEAVE:
        _walk(node, visitor, vcls, owners, stack if stack is not None else [])
    else:  # a visitor with its own on_visit/on_leave
        _walk_generic(node, visitor)


def _walk(node, visitor, vcls, owners, stack) -> None:
    ncls = type(node)
    visit, leave = _methods(vcls, ncls)
    owner = owners is not None and is_owner(ncls)
    if owners is not None and stack:
        owners[node] = stack[-1]
    if owner:
        stack.append(node)
    if visit is None or visit(visitor, node) is not False:
        for name in _fields(ncls):
            value = getattr(node, name)
            kind = type(value)
            if kind is list or kind is tuple:
                for child in value:
                    if visitable(type(child)):
                        _walk(child, visitor, vcls, owners, stack)
            elif visitable(kind):
                _walk(value, visitor, vcls, owners, stack)
    if owner:
        stack.pop()
    if leave is not None:
        leave(visitor, node)


def _walk_generic(node, visitor) -> None:
    if visitor.on_visit(node):
        for name in _fields(type(node)):
            value = getattr(node, name)
            kind = type(value)
            if kind is list or kind is tuple:
                for child in value:
                    if visitable(type(child)):
                        _walk_generic(child, visitor)
            elif visitable(kind):
                _walk_generic(value, visitor)
    visitor.on_leave(node)


_OWNER_KINDS = (cst.BaseSmallStatement, cst.BaseCompoundStatement, cst.Decorator)
_IS_OWNER: dict[type, bool] = {}


def is_owner(cls: type) -> bool:
    """Statements and decorators: the nodes whose positions the ast tree gives directly."""
    found = _IS_OWNER.get(cls)
    if found is None:
        found = _IS_OWNER[cls] = issubclass(cls, _OWNER_KINDS)
    return found


class AssignVisitor(cst.CSTVisitor):
    """Sends every ``x = value`` and ``x: T = value`` to ``_assign(target, value, statement)``."""

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._assign(t.target, node.value, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assign(node.target, node.value, node)

    def _assign(self, target, value, stmt) -> None:  # pragma: no cover - overridden
        pass


class _Collector(cst.CSTVisitor):
    def __init__(self, kind: type, out: list):
        self.kind, self.out = kind, out

    def on_visit(self, node) -> bool:
        if type(node) is self.kind:
            self.out.append(node)
        return True


def collect(node: cst.CSTNode, kind: type) -> list:
    """Every node of class ``kind`` in ``node`` (itself included), in source order."""
    out: list = []
    _walk_generic(node, _Collector(kind, out))
    return out
