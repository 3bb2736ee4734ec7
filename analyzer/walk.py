"""A fast read-only traversal for LibCST visitors.

LibCST's own ``node.visit(visitor)`` rebuilds every node it passes through (the same
code path serves transformers), which makes a visit cost more than the parse. Our
visitors only read, so ``walk`` calls the visitor's ``visit_X``/``leave_X`` methods
exactly as LibCST does, in the same order, but without rebuilding anything, and skips
whitespace and punctuation nodes, which no visitor of ours looks at.

Every pass over a file, and every nested walk a visitor starts on a part of it, reads
the same ``Index``: the file's nodes listed once in visiting order with where each
subtree ends. A walk is then a loop over a slice of that list instead of a recursion
that looks up each node's fields again, which makes the passes after the first cheap.
A node outside the current index (code built on the side) is indexed on the spot.
"""
from __future__ import annotations

import dataclasses
import inspect
import re
import typing
from contextlib import contextmanager
from contextvars import ContextVar

import libcst as cst

_SKIP = (
    cst.BaseParenthesizableWhitespace, cst.TrailingWhitespace, cst.EmptyLine, cst.Newline, cst.Comment,
    cst.Comma, cst.Dot, cst.Colon, cst.Semicolon, cst.AssignEqual, cst.LeftParen, cst.RightParen,
    cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace,
    cst.BaseBinaryOp, cst.BaseBooleanOp, cst.BaseCompOp, cst.BaseUnaryOp, cst.BaseAugOp,
    cst.Asynchronous, cst.ImportStar, cst.ParenthesizedWhitespace,
)
_VISIT_ORDER = re.compile(r'visit_\w+\(\s*self,\s*"(\w+)"')
_VISITABLE: dict[type, bool] = {}


def visitable(cls: type) -> bool:
    """A node class worth visiting (LibCST's bases are ABCs: isinstance on them is slow, so cache by class)."""
    found = _VISITABLE.get(cls)
    if found is None:
        found = _VISITABLE[cls] = issubclass(cls, cst.CSTNode) and not issubclass(cls, _SKIP)
    return found


def _classes(hint) -> list:
    """The classes a field's type hint names (``Sequence[Union[A, B]]`` -> [A, B])."""
    args = typing.get_args(hint)
    if not args:
        return [hint] if isinstance(hint, type) else []
    return [c for a in args for c in _classes(a)]


def _may_hold_nodes(hint) -> bool:
    """Whether a field of this type can hold a node worth visiting (``lpar``, ``comma`` and
    the whitespace fields, about half of all fields, cannot)."""
    return any(issubclass(c, cst.CSTNode) and not issubclass(c, _SKIP) for c in _classes(hint))


def _fields(cls) -> tuple[str, ...]:
    """Child fields in LibCST's visiting (source) order, read off ``_visit_and_replace_children``,
    leaving out those whose declared type cannot hold a node that is visited."""
    try:
        names = tuple(dict.fromkeys(_VISIT_ORDER.findall(inspect.getsource(cls._visit_and_replace_children))))
    except (OSError, TypeError):
        names = ()
    if not names:
        names = tuple(f.name for f in dataclasses.fields(cls))
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation that does not resolve: keep every field
        return names
    return tuple(n for n in names if n not in hints or _may_hold_nodes(hints[n]))


_SHAPES: dict[type, tuple[tuple[str, ...], bool]] = {}


def _shape(cls: type) -> tuple[tuple[str, ...], bool]:
    """(child fields, whether it is an owner) of a node class."""
    found = _SHAPES.get(cls)
    if found is None:
        found = _SHAPES[cls] = (_fields(cls), is_owner(cls))
    return found


_ON_VISIT, _ON_LEAVE = cst.CSTVisitor.on_visit, cst.CSTVisitor.on_leave


_NOTHING = (None, None)


def _table(vcls: type) -> dict:
    """node class -> (visit_X, leave_X) of a visitor class, filled as classes are met, and
    under the key None the names of the visit_X / leave_X methods the visitor defines itself
    (not the no-op ones that CSTVisitor defines for every node class: calling those for every
    node of every pass cost half of each pass). The table lives on the visitor class, so
    classes made per call (finders defined inside a function) are freed with their tables."""
    table = vcls.__dict__.get("_walk_methods")
    if table is None:
        table = {None: frozenset(name for k in vcls.__mro__ if not k.__module__.startswith("libcst")
                                 for name in vars(k) if name.startswith(("visit_", "leave_")))}
        setattr(vcls, "_walk_methods", table)
    return table


def _methods(vcls: type, ncls: type, table: dict) -> tuple:
    found = table.get(ncls)
    if found is None:
        own, name = table[None], ncls.__name__
        visit, leave = f"visit_{name}", f"leave_{name}"
        found = (getattr(vcls, visit) if visit in own else None, getattr(vcls, leave) if leave in own else None)
        table[ncls] = found = _NOTHING if found == _NOTHING else found
    return found


class Index:
    """A tree's visitable nodes in visiting order, where each subtree ends, and each node's
    innermost enclosing statement or decorator (its ``owner``, by which positions are found)."""

    def __init__(self, tree: cst.CSTNode):
        self.nodes: list = []
        self.ends: list[int] = []
        self.owners: list = []  # the owner of each node (None at the top)
        self.at: dict[int, int] = {}  # id(node) -> its place in nodes (ids: a node's own hash is slow)
        self._add(tree, None)

    def _add(self, node, owner) -> None:
        nodes, ends, owners, at = self.nodes, self.ends, self.owners, self.at
        shapes, known = _SHAPES, _VISITABLE

        def add(node, owner):
            i = len(nodes)
            nodes.append(node)
            ends.append(0)
            owners.append(owner)
            at[id(node)] = i
            names, owns = shapes.get(type(node)) or _shape(type(node))
            if owns:
                owner = node
            for name in names:
                value = getattr(node, name)
                kind = type(value)
                if kind is list or kind is tuple:
                    for child in value:
                        ok = known.get(type(child))
                        if ok or ok is None and visitable(type(child)):
                            add(child, owner)
                else:
                    ok = known.get(kind)
                    if ok or ok is None and visitable(kind):
                        add(value, owner)
            ends[i] = len(nodes)

        add(node, owner)

    def span(self, node) -> int | None:
        """Where ``node`` is listed, or None if it is not a node of this tree."""
        i = self.at.get(id(node))
        return i if i is not None and self.nodes[i] is node else None

    def owner(self, node):
        """The innermost statement or decorator around ``node``, if it is a node of this tree."""
        i = self.span(node)
        return self.owners[i] if i is not None else None


_INDEX: ContextVar[Index | None] = ContextVar("routeguard_walk_index", default=None)


@contextmanager
def indexed(index: Index):
    """Walks of nodes of ``index``'s tree read the index while this block runs."""
    token = _INDEX.set(index)
    try:
        yield index
    finally:
        _INDEX.reset(token)


def _located(node: cst.CSTNode) -> tuple[Index, int]:
    """The index that lists ``node`` and its place there."""
    index = _INDEX.get()
    start = index.span(node) if index is not None else None
    return (index, start) if start is not None else (Index(node), 0)


def walk(node: cst.CSTNode, visitor) -> None:
    """Visit ``node`` and its children with ``visitor`` (a CSTVisitor), as ``node.visit`` would."""
    vcls = type(visitor)
    if vcls.on_visit is not _ON_VISIT or vcls.on_leave is not _ON_LEAVE:
        raise TypeError(f"{vcls.__name__}: walk() calls visit_X/leave_X methods, not on_visit/on_leave")
    index, i = _located(node)
    nodes, ends = index.nodes, index.ends
    table = _table(vcls)
    stop = ends[i]
    pending: list = []  # (subtree end, leave method, node) of nodes whose leave is due
    while i < stop:
        node = nodes[i]
        while pending and pending[-1][0] <= i:
            _, leave, done = pending.pop()
            leave(visitor, done)
        ncls = type(node)
        found = table.get(ncls) or _methods(vcls, ncls, table)
        if found is _NOTHING:
            i += 1
            continue
        visit, leave = found
        if visit is not None and visit(visitor, node) is False:
            if leave is not None:
                leave(visitor, node)
            i = ends[i]
            continue
        if leave is not None:
            pending.append((ends[i], leave, node))
        i += 1
    while pending:
        _, leave, done = pending.pop()
        leave(visitor, done)


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


def collect(node: cst.CSTNode, kind: type | None = None) -> list:
    """Every node of class ``kind`` (of any class when None) in ``node`` (itself included), in
    source order."""
    index, start = _located(node)
    return [n for n in index.nodes[start:index.ends[start]] if kind is None or type(n) is kind]
