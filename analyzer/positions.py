"""Source positions for LibCST nodes without LibCST's PositionProvider.

PositionProvider regenerates the code of the whole module to learn where each node
starts, which costs twice the parse. CPython's ``ast`` (which extraction runs anyway,
as a guard) already knows where every statement starts. So: statements, def/class
names and decorators are placed from the ``ast`` tree matched statement by statement;
calls, attributes, subscripts and comparisons by pairing them, in source order, with
the ``ast`` nodes of the same kind in their statement; a name by finding it in its
statement's text when it occurs there exactly once. Any other node is placed by
generating the code of its enclosing statement alone (its header, for a compound
statement) and offsetting by that statement's start. Files or nodes that the matching
cannot place fall back to PositionProvider.
"""
from __future__ import annotations

import ast
import re

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from . import source
from .facts import Location
from .walk import collect

_PASS_BLOCK = cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Pass()])])
_NAME_AFTER = {cst.FunctionDef: re.compile(r"(?:async\s+)?def\s+"), cst.ClassDef: re.compile(r"class\s+")}


class Positions:
    def __init__(self, path: str, tree: cst.Module, text: str, ast_tree: ast.Module | None, owner):
        self.path = path
        self.tree = tree
        self.lines = source.lines(text)
        self.ast = ast_tree
        self.owner = owner  # node -> its innermost statement or decorator (walk.Index.owner)
        self.start: dict = {}  # statement / decorator expression -> (line, col) of its first character
        self.direct: dict = {}  # node -> Location known without code generation
        self.local: dict = {}
        self.ast_of: dict = {}  # statement / decorator -> its ast node
        self.same_kind: dict = {}  # (owner, node type) -> {node: Location}
        self.full = None
        self.matched = False
        if ast_tree is not None:
            try:
                self._match(tree.body, ast_tree.body)
                self.matched = True
            except (IndexError, AttributeError, TypeError):
                self.start.clear()
                self.direct.clear()

    # -- matching LibCST statements with ast statements --------------------------------
    def _col(self, line: int, byte_col: int) -> int:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", "replace"))

    def _pos(self, a) -> tuple[int, int]:
        return a.lineno, self._col(a.lineno, a.col_offset)

    def _match(self, stmts, asts) -> None:
        i = 0
        for s in stmts:
            if isinstance(s, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                for small in s.body:
                    self._small(small, asts[i])
                    i += 1
                continue
            a = asts[i]
            i += 1
            self.start[s] = self._pos(a)
            self.ast_of[s] = a
            line, col = self.start[s]
            if a.end_lineno is not None:
                self.direct[s] = Location(self.path, line, col + 1, a.end_lineno, self._col(a.end_lineno, a.end_col_offset) + 1)
            if isinstance(s, (cst.FunctionDef, cst.ClassDef)):
                self._definition(s, a)
                if s.decorators:  # a decorated definition spans its decorators (PositionProvider starts at "def")
                    first = self.direct[s.decorators[0]]
                    self.direct[s] = Location(self.path, first.line, first.col, self.direct[s].end_line, self.direct[s].end_col)
                self._block(s.body, a.body)
            elif isinstance(s, cst.If):
                self._block(s.body, a.body)
                self._orelse(s.orelse, a.orelse)
            elif isinstance(s, (cst.For, cst.While)):
                self._block(s.body, a.body)
                if s.orelse:
                    self._block(s.orelse.body, a.orelse)
            elif isinstance(s, cst.With):
                self._block(s.body, a.body)
            elif isinstance(s, (cst.Try, cst.TryStar)):
                self._block(s.body, a.body)
                for h, ah in zip(s.handlers, a.handlers, strict=True):
                    self._block(h.body, ah.body)
                if s.orelse:
                    self._block(s.orelse.body, a.orelse)
                if s.finalbody:
                    self._block(s.finalbody.body, a.finalbody)
            elif isinstance(s, cst.Match):
                for c, ac in zip(s.cases, a.cases, strict=True):
                    self._block(c.body, ac.body)
        if i != len(asts):
            raise IndexError("statement count differs")

    def _small(self, small, a) -> None:
        self.start[small] = self._pos(a)
        self.ast_of[small] = a
        if a.end_lineno is not None:
            self.direct[small] = Location(self.path, a.lineno, self._col(a.lineno, a.col_offset) + 1,
                                          a.end_lineno, self._col(a.end_lineno, a.end_col_offset) + 1)

    def _block(self, block, asts) -> None:
        self._match(block.body if isinstance(block, cst.IndentedBlock) else [block], asts)

    def _orelse(self, orelse, asts) -> None:
        if isinstance(orelse, cst.If):  # elif: its own ast.If
            self._match([orelse], asts)
            self.start.pop(orelse, None)  # "elif" is not "if": place its header by the fallback
        elif isinstance(orelse, cst.Else):
            self._block(orelse.body, asts)

    def _definition(self, s, a) -> None:
        line, col = self._pos(a)
        text = self.lines[line - 1]
        m = _NAME_AFTER[type(s)].match(text, col)
        if m and text.startswith(s.name.value, m.end()):
            self.direct[s.name] = Location(self.path, line, m.end() + 1, line, m.end() + len(s.name.value) + 1)
        for d, ad in zip(s.decorators, a.decorator_list, strict=True):
            eline, ecol = self._pos(ad)
            self.start[d] = (eline, ecol)  # its expression: the base for nodes inside it
            self.ast_of[d] = ad
            at = self.lines[eline - 1].rfind("@", 0, ecol)
            end = (ad.end_lineno, self._col(ad.end_lineno, ad.end_col_offset))
            self.direct[d] = Location(self.path, eline, (at if at >= 0 else ecol) + 1, end[0], end[1] + 1)

    # -- lookups ---------------------------------------------------------------------------
    def loc(self, node) -> Location:
        found = self.direct.get(node)
        if found is not None:
            return found
        owner = self.owner(node)
        if self.matched and owner is not None and type(node) in _SAME_KIND:
            found = self._same_kind(owner, type(node)).get(node)
            if found is not None:
                return found
        if self.matched and type(node) is cst.Name and owner in self.direct:
            found = self._only_word(self.direct[owner], node.value)
            if found is not None:
                return found
        if self.matched and owner is not None and owner in self.start:
            ranges = self._local(owner)
            r = ranges.get(node) if ranges is not None else None
            if r is not None:
                # Later lines of the statement were generated without the block's indentation.
                line0, col0 = self.start[owner]
                first = self.lines[line0 - 1]
                indent = len(first) - len(first.lstrip())
                return Location(self.path, line0 + r.start.line - 1,
                                (col0 if r.start.line == 1 else indent) + r.start.column + 1,
                                line0 + r.end.line - 1, (col0 if r.end.line == 1 else indent) + r.end.column + 1)
        return self._full(node)

    def _only_word(self, span: Location, word: str) -> Location | None:
        """Where ``word`` is, if it occurs exactly once as a whole word in ``span`` (strings
        and comments included, so that a second occurrence anywhere means: not known)."""
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
        found = None
        for line in range(span.line, span.end_line + 1):
            text = self.lines[line - 1]
            start = span.col - 1 if line == span.line else 0
            end = span.end_col - 1 if line == span.end_line else len(text)
            for m in pattern.finditer(text, start, end):
                if found is not None:
                    return None
                found = Location(self.path, line, m.start() + 1, line, m.end() + 1)
        return found

    def text(self, loc: Location) -> str:
        """The source text that ``loc`` spans."""
        if loc.line == loc.end_line:
            return self.lines[loc.line - 1][loc.col - 1:loc.end_col - 1]
        return "\n".join([self.lines[loc.line - 1][loc.col - 1:], *self.lines[loc.line:loc.end_line - 1],
                          self.lines[loc.end_line - 1][:loc.end_col - 1]])

    def _same_kind(self, owner, kind) -> dict:
        """Calls, attributes, subscripts or comparisons of a statement, paired in source order
        with the ast nodes of the same kind, which carry their positions: no code generation."""
        key = (owner, kind)
        if key in self.same_kind:
            return self.same_kind[key]
        found: dict = {}
        header, ast_parts = self._header(owner)
        if header is not None:
            nodes = collect(header, kind)
            want = _SAME_KIND[kind]
            peers = sorted((n for part in ast_parts if part is not None for n in ast.walk(part) if type(n) is want),
                           key=lambda n: (n.lineno, n.col_offset, -n.end_lineno, -n.end_col_offset))
            if len(peers) == len(nodes):
                for node, a in zip(nodes, peers):
                    found[node] = Location(self.path, a.lineno, self._col(a.lineno, a.col_offset) + 1,
                                           a.end_lineno, self._col(a.end_lineno, a.end_col_offset) + 1)
        self.same_kind[key] = found
        return found

    def _header(self, owner):
        """The part of ``owner`` that it owns (not nested statements), as (LibCST node, ast nodes)."""
        a = self.ast_of.get(owner)
        if a is None:
            return None, ()
        if isinstance(owner, cst.Decorator):
            return owner.decorator, (a,)
        if isinstance(owner, cst.BaseSmallStatement):
            return owner, (a,)
        if isinstance(owner, cst.FunctionDef):
            return owner.with_changes(body=_PASS_BLOCK, decorators=()), (a.args, a.returns)
        if isinstance(owner, cst.ClassDef):
            return owner.with_changes(body=_PASS_BLOCK, decorators=()), (*a.bases, *a.keywords)
        if isinstance(owner, (cst.If, cst.While)):
            return owner.test, (a.test,)
        if isinstance(owner, cst.For):
            return owner.with_changes(body=_PASS_BLOCK, orelse=None), (a.target, a.iter)
        return None, ()

    def _local(self, owner):
        if owner in self.local:
            return self.local[owner]
        if isinstance(owner, cst.Decorator):
            body = cst.SimpleStatementLine(body=[cst.Expr(owner.decorator)])
        elif isinstance(owner, cst.BaseSmallStatement):
            body = cst.SimpleStatementLine(body=[owner])
        elif isinstance(owner, (cst.FunctionDef, cst.ClassDef)):
            body = owner.with_changes(body=_PASS_BLOCK, decorators=(), leading_lines=(), lines_after_decorators=())
        elif isinstance(owner, (cst.If, cst.While, cst.For)):
            body = owner.with_changes(body=_PASS_BLOCK, orelse=None, leading_lines=())
        elif isinstance(owner, cst.With):
            body = owner.with_changes(body=_PASS_BLOCK, leading_lines=())
        else:
            body = None
        ranges = None
        if body is not None:
            ranges = MetadataWrapper(cst.Module(body=[body]), unsafe_skip_copy=True).resolve(PositionProvider)
        self.local[owner] = ranges
        return ranges

    def _full(self, node) -> Location:
        if self.full is None:
            self.full = MetadataWrapper(self.tree, unsafe_skip_copy=True).resolve(PositionProvider)
        r = self.full[node]
        return Location(self.path, r.start.line, r.start.column + 1, r.end.line, r.end.column + 1)


_SAME_KIND = {cst.Call: ast.Call, cst.Attribute: ast.Attribute, cst.Subscript: ast.Subscript,
              cst.Comparison: ast.Compare}
