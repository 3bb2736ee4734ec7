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


def walk(node: cst.CSTNode, visitor) -> None:
    if visitor.on_visit(node):
        for name in _fields(type(node)):
            value = getattr(node, name)
            kind = type(value)
            if kind is list or kind is tuple:
                for child in value:
                    if visitable(type(child)):
                        walk(child, visitor)
            elif visitable(kind):
                walk(value, visitor)
    visitor.on_leave(node)
