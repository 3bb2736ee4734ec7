"""Finding the node a finding points at, shared by the fixes."""
from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider


def positions(module: cst.Module):
    """(wrapper, {node: CodeRange}) for a module; transform ``wrapper.module``."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    return wrapper, wrapper.resolve(PositionProvider)


def starting_at(module: cst.Module, line: int, col: int, kind, pos=None):
    """The outermost node of type ``kind`` that starts at ``line``:``col`` (``col`` 1-based, as
    in a Location), or None."""
    if pos is None:
        _, pos = positions(module)
    found = [n for n, r in pos.items() if isinstance(n, kind) and r.start.line == line and r.start.column == col - 1]
    return max(found, key=lambda n: _size(pos[n]), default=None)


def enclosing(pos, line: int, kind):
    """The innermost node of type ``kind`` whose range covers ``line``."""
    found = [n for n, r in pos.items() if isinstance(n, kind) and r.start.line <= line <= r.end.line]
    return min(found, key=lambda n: _size(pos[n]), default=None)


def _size(r):
    return (r.end.line - r.start.line, r.end.column - r.start.column if r.end.line == r.start.line else 0)


def replace(module: cst.Module, old: cst.CSTNode, new: cst.CSTNode) -> cst.Module:
    return module.deep_replace(old, new)


def code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)
