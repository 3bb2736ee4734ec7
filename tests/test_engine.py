"""Parallel extraction and the cache give byte-identical output; bad files are isolated."""
import shutil

from routeguard import scan_paths
from routeguard.engine import CACHE_DIR, Progress, extract_many
from routeguard.frameworks import ADAPTERS
from routeguard.frameworks.base import Knowledge
from helpers import FIXTURES


def test_output_identical_across_jobs_and_cache(tmp_path):
    project = tmp_path / "blog"
    shutil.copytree(FIXTURES / "flask" / "blog", project)
    for name in ("one", "two", "three"):  # enough files for the worker pool to start
        shutil.copytree(FIXTURES / "flask" / "jwt_api", project / name)
    renders = set()
    for jobs, cache in ((1, False), (2, False), (2, True), (1, True)):
        report = scan_paths([project], jobs=jobs, cache=cache)
        renders.add((report.render("sarif"), report.render("json"), report.render("text")))
    assert len(renders) == 1
    assert (project / CACHE_DIR / "facts-v2.json").exists()
    assert (project / CACHE_DIR / ".gitignore").exists()


def test_cache_is_invalidated_by_content(tmp_path):
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n@app.post('/a')\ndef a(): ...\n")
    assert [f.rule_id for f in scan_paths([tmp_path]).findings] == ["RG101"]
    (tmp_path / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    assert scan_paths([tmp_path]).findings == []


def test_parallel_results_in_input_order():
    k = Knowledge(ADAPTERS)
    jobs = [(f"m{i}.py", f"x = {i}\n" if i % 7 else "def f(:\n", f"m{i}", False) for i in range(60)]
    facts = extract_many(jobs, k, jobs=2)
    assert [f.path for f in facts] == [j[0] for j in jobs]
    assert [bool(f.error) for f in facts] == [i % 7 == 0 for i in range(60)]


def test_progress_only_on_a_terminal(capsys):
    bar = Progress(3, enabled=False)
    bar.step(3)
    bar.close()
    assert capsys.readouterr().err == ""
    bar = Progress(2, enabled=True)
    bar.step(2)
    bar.close()
    assert "2/2 files" in capsys.readouterr().err


def test_tests_and_migrations_are_skipped_by_default(tmp_path):
    (tmp_path / "app.py").write_text("x = 1\n")  # a project with nothing but tests has nothing to scan
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\n@app.post('/t')\ndef t(): ...\n")
    # a reusable app's test project (Misago's misago/core/testproject/: settings, urls and views for its tests)
    (tmp_path / "core" / "testproject").mkdir(parents=True)
    (tmp_path / "core" / "testproject" / "views.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\n@app.post('/u')\ndef u(): ...\n")
    assert scan_paths([tmp_path]).findings == [] and scan_paths([tmp_path]).routes == []
    assert len(scan_paths([tmp_path], {"default-excludes": False}).routes) == 2


def test_an_application_package_named_test_is_scanned(tmp_path):
    """DefectDojo keeps the views of its ``Test`` model in ``dojo/test/``: a package named like
    a test folder inside the application package, with no test module in it, is application
    code. Its sibling ``dojo/tests/`` (test modules) and the top-level ``tests/`` stay skipped,
    and so does ``dojo/test/`` when the user excludes ``test`` themselves."""
    dojo = tmp_path / "dojo"
    route = ("from flask import Blueprint\nbp = Blueprint('{0}', __name__)\n"
             "@bp.post('/{0}/<int:tid>/delete')\ndef delete_{0}(tid):\n    Test.query.get(tid).delete()\n")
    for folder, module in (("test", "views.py"), ("tests", "test_views.py")):
        (dojo / folder / "sub").mkdir(parents=True)
        (dojo / folder / "__init__.py").write_text("")
        (dojo / folder / "sub" / module).write_text(route.format(folder))
    (dojo / "__init__.py").write_text("")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "__init__.py").write_text("")
    (tmp_path / "tests" / "helpers.py").write_text(route.format("top"))
    found = scan_paths([tmp_path]).findings
    assert [(f.rule_id, f.location.file) for f in found] == [("RG101", "dojo/test/sub/views.py")]
    assert scan_paths([tmp_path], {"exclude": ["test"]}).findings == []
    (dojo / "test" / "conftest.py").write_text("")  # now it is tests
    assert scan_paths([tmp_path]).findings == []
    # onyx keeps a feature in ``server/features/build/``: a package, not build output
    (dojo / "build").mkdir()  # a namespace package: no __init__.py of its own
    (dojo / "build" / "views.py").write_text(route.format("build"))
    (tmp_path / "build" / "lib").mkdir(parents=True)
    (tmp_path / "build" / "lib" / "views.py").write_text(route.format("output"))
    assert [f.location.file for f in scan_paths([tmp_path]).findings] == ["dojo/build/views.py"]



def test_extraction_restores_the_collector_and_libcst_validation():
    """Extraction runs the cyclic collector less often and parses without LibCST's node
    validation; both are as before afterwards, also after a file that does not parse."""
    import gc

    import libcst as cst
    import pytest

    from routeguard.extract import parse

    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        facts = extract_many([("a.py", "x = (1,\n     2)\n", "a", False), ("b.py", "def f(:\n", "b", False)],
                             Knowledge(ADAPTERS), jobs=1)
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*saved)
    assert [bool(f.error) for f in facts] == [False, True]
    assert parse("x = (1,\n     2)\n").code == "x = (1,\n     2)\n"
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")


def test_walk_visits_like_libcst_and_refuses_on_visit():
    """walk() calls visit_X/leave_X in LibCST's order, prunes on False, and works on nodes
    outside any index (built on the side) as on nodes of an indexed file."""
    import libcst as cst
    import pytest

    from routeguard.walk import Index, indexed, walk

    tree = cst.parse_module("def f(a):\n    return g(a, h(1))\n\nclass C:\n    x = k(2)\n")

    class Calls(cst.CSTVisitor):
        def __init__(self):
            self.seen = []

        def visit_Call(self, node):
            self.seen.append(("visit", node.func.value))

        def leave_Call(self, node):
            self.seen.append(("leave", node.func.value))

        def visit_ClassDef(self, node):
            return False

    expected = [("visit", "g"), ("visit", "h"), ("leave", "h"), ("leave", "g")]
    native = Calls()
    tree.visit(native)
    assert native.seen == expected  # k(2) is in the pruned class body
    for index in (None, Index(tree)):
        ours = Calls()
        if index is None:
            walk(tree, ours)
        else:
            with indexed(index):
                walk(tree, ours)
        assert ours.seen == expected

    class Generic(cst.CSTVisitor):
        def on_visit(self, node):
            return True

    with pytest.raises(TypeError):
        walk(tree, Generic())


def test_knowledge_merges_every_adapter_table():
    """Every table an adapter declares reaches the extractor and the linker through Knowledge."""
    from collections.abc import Mapping

    from routeguard.frameworks.base import AUTHZ_TABLES, TABLES, Adapter

    declared = {n for n, v in vars(Adapter).items() if not n.startswith("_") and isinstance(v, (Mapping, frozenset))}
    assert declared == set(TABLES) | set(AUTHZ_TABLES)
    k = Knowledge(ADAPTERS, {"company.sso.require_sso": "auth"})
    assert "as_view" in k.view_constructors and "django.contrib.auth.mixins.LoginRequiredMixin" in k.known_guards
    assert k.known_guards["company.sso.require_sso"] == "auth"


def test_a_package_scanned_outside_a_git_work_tree_keeps_its_import_names(tmp_path):
    """An unpacked sdist or a copied tree has no .git: scanning its package directory names the
    modules as the package's own absolute imports do (``pkg.auth``), so its guards are found."""
    pkg = tmp_path / "shop"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "auth.py").write_text(
        "from functools import wraps\nfrom flask import abort, g\n\n"
        "def login_required(f):\n    @wraps(f)\n    def inner(*a, **k):\n"
        "        if g.user is None:\n            abort(401)\n        return f(*a, **k)\n    return inner\n")
    (pkg / "views.py").write_text(
        "from flask import Flask\nfrom shop.auth import login_required\n\napp = Flask(__name__)\n\n"
        "@app.post('/orders')\n@login_required\ndef create_order():\n    return {}\n")
    report = scan_paths([pkg], cache=False)
    assert [(r.path, r.auth) for r in report.routes] == [("/orders", "protected")]
    assert report.root == str(tmp_path)
