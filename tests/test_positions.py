"""What extraction reads off a tree equals what LibCST itself gives: the node index
(analyzer/walk.py) lists the nodes LibCST visits, positions placed from CPython's ast
(analyzer/positions.py) equal PositionProvider's, and string values equal LibCST's."""
import ast

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from routeguard.extract import parse
from routeguard.facts import Location
from routeguard.names import literal
from routeguard.positions import Positions
from routeguard.walk import Index, visitable
from helpers import FIXTURES

# Every kind placed from the ast except definitions: a decorated def or class deliberately
# spans its decorators here, where PositionProvider starts at "def" (their names are checked).
KINDS = (cst.Call, cst.Attribute, cst.Subscript, cst.Comparison, cst.Name, cst.Param, cst.Decorator,
         cst.Assign, cst.AnnAssign, cst.Return, cst.Expr, cst.If)

HARD = '''\
import os\x0c
from flask import Flask, request
BANNER = "caf\u00e9 \u2028 request"  # request named in a string and a comment


def guard(role):  # a decorator factory
    def wrap(f):
        return f
    return wrap


@guard(
    role=("admin"),
)
def view(request, pk: int = 1, *args, **kwargs):
    if (request.user.id == pk) and pk < 3 < 5:
        return (os.environ["X"]), {"k": [request.args.get("a"), lambda q: q.x]}
    data = request.json
    data.update(f"{pk!r:>{pk}}")
    return request.form[data["k"]][0]


class Caf\u00e9(object):
\tname = guard(role="x")  # tab-indented
'''


# Strings in every prefix and quoting, with and without escapes, and a line break inside a
# triple-quoted string written as CRLF (Python reads it as LF).
STRINGS = r'''
LABELS = [r"a\d", R'x', u'caf\u00e9', U"plain", b"\x00\xff", rb"\n", Br'b', "tab\there", 'it\'s', "",
          '', """q""", """""", "#{x}", 'a' "b", b'c' b'd', "\N{BULLET}"]
''' + "TRIPLE = '''\"quoted\"'''\n" + 'CRLF = """one\r\ntwo"""\r\n'


class _Visited(cst.CSTVisitor):
    def __init__(self):
        self.nodes = []

    def on_visit(self, node):
        if visitable(type(node)):
            self.nodes.append(node)
        return True


@pytest.mark.parametrize("text", [HARD, STRINGS], ids=["hard", "strings"])
def test_index_lists_what_libcst_visits(text):
    tree = parse(text)
    native = _Visited()
    tree.visit(native)
    listed = Index(tree).nodes
    assert len(listed) == len(native.nodes) > 50
    assert all(a is b for a, b in zip(listed, native.nodes))


def test_string_values_equal_libcst():
    tree = parse(STRINGS)
    strings = [n for n in Index(tree).nodes if isinstance(n, (cst.SimpleString, cst.ConcatenatedString))]
    assert len(strings) > 20
    for node in strings:
        value = node.evaluated_value
        assert literal(node) == (value.decode("latin-1") if isinstance(value, bytes) else value), node.value
    assert literal(strings[-1]) == "one\ntwo"


def _check(path: str, text: str) -> int:
    tree = parse(text)
    index = Index(tree)
    positions = Positions(path, tree, text, ast.parse(text), index.owner)
    truth = MetadataWrapper(tree, unsafe_skip_copy=True).resolve(PositionProvider)
    checked = 0
    for node in index.nodes:
        if type(node) in KINDS:
            r = truth[node]
            want = Location(path, r.start.line, r.start.column + 1, r.end.line, r.end.column + 1)
            assert positions.loc(node) == want, (path, type(node).__name__, tree.code_for_node(node)[:60])
            checked += 1
    return checked


def test_hard_cases():
    assert _check("hard.py", HARD) > 60


@pytest.mark.parametrize("project", sorted(p for p in FIXTURES.glob("*/*") if p.is_dir()), ids=lambda p: p.name)
def test_fixture_files(project):
    checked = sum(_check(str(f), f.read_text(encoding="utf-8")) for f in sorted(project.rglob("*.py")))
    assert checked > 50
    for f in sorted(project.rglob("*.py")):
        tree = parse(f.read_text(encoding="utf-8"))
        native = _Visited()
        tree.visit(native)
        assert [id(n) for n in Index(tree).nodes] == [id(n) for n in native.nodes], f
