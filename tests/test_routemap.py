"""The HTML route map (``routeguard routes --format html``): its structure (apps, routers,
operations with their state, guards with provenance, findings and links), the escaping of
every text that comes from the scanned tree, its self-containment and its determinism.
The page in a real browser: tests/test_routemap_browser.py."""
import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from routeguard import scan_paths, scan_sources
from routeguard.cli import main
from routeguard.config import ConfigError, from_mapping
from routeguard.report.html import render_map
from helpers import FIXTURES

PAYLOAD = "</script><script>alert(1)</script>"

# A Flask shop: an app factory, blueprints in their own modules, a guard decorator from the
# project's auth module, and an admin blueprint registered under a prefix.
SHOP = {
    "shop/__init__.py": """
from flask import Flask


def create_app():
    app = Flask(__name__)
    from shop.orders import bp as orders_bp
    from shop.admin import bp as admin_bp
    app.register_blueprint(orders_bp, url_prefix="/orders")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    return app
""",
    "shop/auth.py": """
from functools import wraps

from flask import abort
from flask_login import current_user


def staff_only(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            abort(401)
        return view(*args, **kwargs)
    return wrapper
""",
    "shop/orders.py": """
from flask import Blueprint, jsonify
from flask_login import login_required

from shop.models import Order, db

bp = Blueprint("orders", __name__)


@bp.get("/")
@login_required
def list_orders():
    return jsonify([o.id for o in Order.query.all()])


@bp.delete("/<int:order_id>")
def delete_order(order_id):
    db.session.delete(Order.query.get(order_id))
    db.session.commit()
    return "", 204
""",
    "shop/admin.py": """
from flask import Blueprint

from shop.auth import staff_only

bp = Blueprint("admin", __name__)


@bp.post("/reindex")
@staff_only
def reindex():
    return "ok"
""",
    "shop/models.py": """
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Order(db.Model):
    id = db.Column(db.Integer, primary_key=True)
""",
}

# Text from a hostile tree: a route path, a docstring, a blueprint module's file name.
HOSTILE = {
    "evil/__init__.py": "",
    "evil/app.py": f'''
from flask import Flask

app = Flask(__name__)


@app.route("/x{PAYLOAD}/<int:item_id>")
def show(item_id):
    """{PAYLOAD}"""
    return {{"id": item_id}}


@app.post('/y"><img src=x onerror=alert(2)>')
def make():
    """<img src=x onerror=alert(3)>"""
    db.session.add(item)
    return "ok"
''',
    "evil/<svg onload=alert(4)>.py": "from flask import Blueprint\nbp = Blueprint('b', __name__)\n\n\n"
                                     "@bp.route('/z')\ndef z():\n    return 'z'\n",
}


class Page(HTMLParser):
    """The elements of a page: (tag, attrs) in document order, and each script's text."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.elements, self.scripts, self.styles, self.texts, self._in = [], [], [], [], None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)
        else:
            self.texts.append(data)

    def all(self, tag, cls=None):
        return [a for t, a in self.elements if t == tag and (cls is None or cls in a.get("class", "").split())]


def test_structure_states_guards_findings_and_links():
    report = scan_sources(SHOP)
    page_html = render_map(report, link_base="https://git.example.com/team/shop/blob/main")
    page = Page(page_html)
    ops = page.all("li", "op")
    assert len(ops) == len(report.routes) == 3
    states = {(r.method, r.path): s["data-state"] for r, s in zip(report.routes, ops)}
    assert states == {("GET", "/orders/"): "protected", ("DELETE", "/orders/<int:order_id>"): "unprotected",
                      ("POST", "/admin/reindex"): "protected"}
    assert {s["data-fw"] for s in ops} == {"flask"}
    # the tree: the app, with each blueprint below it, defined and mounted where the code says
    groups = page.all("details", "group")
    assert [g["data-total"] for g in groups] == ["3", "1", "2"]
    text = "".join(page.texts)
    assert "shop.create_app.app" in text or "shop.app" in text
    assert "shop.orders.bp" in text and "shop.admin.bp" in text
    assert "mounted at" in text
    # each guard with its layer and where it is declared
    assert "staff_only" in text and "login_required" in text
    hrefs = [a["href"] for a in page.all("a")]
    assert "shop/admin.py" in hrefs and "shop/orders.py" in hrefs
    assert "https://git.example.com/team/shop/blob/main/shop/admin.py#L10" in hrefs  # @staff_only
    # the finding about the open DELETE is on its operation
    (delete,) = [o for o in ops if o["data-method"] == "DELETE"]
    assert "data-findings" in delete
    op_html = page_html.split('data-method="DELETE"', 1)[1].split("</li>", 1)[0]
    assert "RG101" in op_html and "requires no authentication" in op_html
    # the filters offer what is there, with counts
    assert 'value="unprotected" checked' in page_html and "(1)" in page_html
    assert [a["value"] for a in page.all("input") if a.get("name") == "method"] == ["GET", "POST", "DELETE"]


def test_hostile_text_is_escaped_everywhere():
    report = scan_sources(HOSTILE)
    assert any(PAYLOAD in r.path for r in report.routes)
    page_html = render_map(report, link_base="https://git.example.com/a")
    page = Page(page_html)
    # one script, ours, and nothing that runs code: no injected element, no event handler
    assert len(page.all("script")) == 1
    assert page.scripts[0].strip() and PAYLOAD not in page.scripts[0] and "alert" not in page.scripts[0]
    assert not page.all("img") and not page.all("svg")
    assert not [a for _, attrs in page.elements for a in attrs if a.startswith("on")]
    assert "<script>alert" not in page_html and "<img" not in page_html and "<svg" not in page_html
    # the texts are shown as written
    text = "".join(page.texts)
    assert f"/x{PAYLOAD}/<int:item_id>" in text
    assert '/y"><img src=x onerror=alert(2)>' in text
    assert "evil/<svg onload=alert(4)>.py" in text
    # links to a hostile file name stay a path: every character that could end the
    # attribute or start a scheme is percent-encoded
    hrefs = [a["href"] for a in page.all("a") if "svg" in a["href"]]
    assert hrefs and all(h.startswith(("evil/%3Csvg%20onload%3Dalert%284%29%3E.py", "https://git.example.com/a/"))
                         for h in hrefs)


def test_self_contained_and_locked_down():
    """No network at view time: nothing loaded from anywhere, and a Content-Security-Policy
    that lets only the page's own script and style (by hash) run."""
    page_html = render_map(scan_sources(SHOP))
    page = Page(page_html)
    for tag, attrs in page.elements:
        assert "src" not in attrs, tag
        if tag == "link":
            pytest.fail(f"an external resource: {attrs}")
    assert "@import" not in page.styles[0] and "url(" not in page.styles[0]
    (csp,) = [a["content"] for a in page.all("meta") if a.get("http-equiv") == "Content-Security-Policy"]

    def digest(text):
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert "default-src 'none'" in csp
    assert f"script-src '{digest(page.scripts[0])}'" in csp
    assert f"style-src '{digest(page.styles[0])}'" in csp


def test_deterministic():
    """The same tree gives the same bytes, whatever order the sources come in; no timestamp."""
    one = render_map(scan_sources(SHOP))
    two = render_map(scan_sources(dict(reversed(list(SHOP.items())))))
    assert one == two
    assert not re.search(r"20\d\d-\d\d-\d\d|\d\d:\d\d:\d\d", one)


def test_public_read_is_its_own_state():
    sources = {
        "cat/__init__.py": "",
        "cat/app.py": """
from flask import Flask, jsonify

app = Flask(__name__)
COLOURS = ["red", "green"]


@app.get("/colours")
def colours():
    return jsonify(COLOURS)
""",
    }
    report = scan_sources(sources)
    routes = report.routes_json()
    page = Page(render_map(report))
    expected = ["public-read" if r.get("exposure") == "public read" else r["auth"] for r in routes]
    assert [o["data-state"] for o in page.all("li", "op")] == expected


def test_link_base_must_be_a_web_address():
    assert from_mapping({"link-base": "https://git.example.com/t/a/blob/main"}).link_base
    for bad in ("javascript:alert(1)", "file:///etc", 'https://x/"onmouseover="alert(1)', 3):
        with pytest.raises(ConfigError, match="link-base"):
            from_mapping({"link-base": bad})


def test_cli_writes_the_map_with_links_relative_to_it(tmp_path):
    project = FIXTURES / "flask" / "blog"
    out = tmp_path / "maps" / "routes.html"
    out.parent.mkdir()
    runner = CliRunner()
    result = runner.invoke(main, ["routes", str(project), "--format", "html", "-o", str(out), "--no-cache",
                                  "--link-base", "https://git.example.com/t/a/blob/main"])
    assert result.exit_code == 0, result.output
    page = Page(out.read_text(encoding="utf-8"))
    inventory = json.loads(runner.invoke(main, ["routes", str(project), "--format", "json", "--no-cache"]).output)
    assert len(page.all("li", "op")) == len(inventory)
    local = [a["href"] for a in page.all("a", "loc")]
    assert local and all((out.parent / h).resolve().is_file() for h in local)
    assert all(a["href"].startswith("https://git.example.com/t/a/blob/main/") for a in page.all("a", "web"))
    bad = runner.invoke(main, ["routes", str(project), "--format", "html", "--link-base", "javascript:x"])
    assert bad.exit_code == 2 and "--link-base" in bad.output


def test_corpus_scale_map_is_compact():
    """Every fixture project at once (hundreds of operations) renders in one page whose
    operations start collapsed inside their groups."""
    report = scan_paths([FIXTURES], cache=False)
    page_html = render_map(report)
    page = Page(page_html)
    assert len(page.all("li", "op")) == len(report.routes) > 200
    assert sum(1 for t, a in page.elements if t == "details" and "open" in a and "group" not in a.get("class", "")) == 0
    assert {o["data-fw"] for o in page.all("li", "op")} == {"flask", "fastapi", "django", "connexion"}


def _contrast(fg: str, bg: str) -> float:
    def luminance(hex_colour):
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_accessible_labels_keyboard_and_contrast():
    """Every control has a label, every group and operation opens from the keyboard (a
    details/summary), and the colours of the states meet WCAG AA contrast for small text."""
    page_html = render_map(scan_sources(SHOP))
    page = Page(page_html)
    assert page.all("html")[0]["lang"] == "en"
    labelled = {a["for"] for a in page.all("label") if "for" in a}
    for tag, attrs in page.elements:
        if tag == "input":  # wrapped in a <label> (checkboxes) or named by one (the search box)
            assert attrs.get("id") in labelled or attrs.get("type") == "checkbox", attrs
    checkboxes = page_html.count('type="checkbox"')
    assert checkboxes > 4 and len(re.findall(r'<label[^>]*><input type="checkbox"', page_html)) == checkboxes
    assert page_html.count("<details") == page_html.count("<summary>")
    assert 'role="status"' in page_html and 'role="search"' in page_html
    style = page.styles[0]
    for state in ("protected", "unprotected", "public-read", "public"):
        rule = re.search(r"\.st-%s\{background:(#\w{6});color:(#\w{6})" % state, style)
        assert rule and _contrast(rule.group(2), rule.group(1)) >= 4.5, state
    muted = re.search(r"--muted:(#\w{6})", style).group(1)
    assert _contrast(muted, "#ffffff") >= 4.5


def test_a_router_with_many_operations_is_split_by_module_or_view():
    routes_a = "".join(f'\n\n@app.get("/a/{i}")\n@login_required\ndef a{i}():\n    return "a"\n' for i in range(25))
    routes_b = "".join(f'\n\n@app.get("/b/{i}")\ndef b{i}():\n    return "b"\n' for i in range(20))
    sources = {
        "big/__init__.py": "",
        "big/app.py": "from flask import Flask\n\napp = Flask(__name__)\n\nfrom big import views_a, views_b  # noqa\n",
        "big/views_a.py": "from flask_login import login_required\n\nfrom big.app import app\n" + routes_a,
        "big/views_b.py": "from big.app import app\n" + routes_b,
    }
    report = scan_sources(sources)
    assert len(report.routes) == 45
    page_html = render_map(report)
    page = Page(page_html)
    assert [g["data-total"] for g in page.all("details", "group")] == ["45", "25", "20"]
    assert '<span class="kind">module</span> <code class="rid">big.views_a</code>' in page_html
    assert '<span class="kind">module</span> <code class="rid">big.views_b</code>' in page_html
