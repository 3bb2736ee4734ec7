"""The HTML route map in a real headless Chromium (Debian's ``chromium``, driven by
Playwright against the system browser; Playwright's own browsers are never installed):
the page loads over file:// without console errors, the counts it shows match the JSON
inventory, the filters and the search work, and text from a hostile tree runs nothing.

Skipped, with the reason, when the browser or Playwright is missing outside CI; in CI
(``CI=true``) it must run, and fails instead. The screenshot of the fixture map is written
to $ROUTEGUARD_ARTIFACTS (default: the test's temporary directory); it is not committed."""
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from routeguard.cli import main
from helpers import FIXTURES

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PROJECTS = [FIXTURES / "flask" / "blog", FIXTURES / "fastapi" / "gateway", FIXTURES / "django" / "forum"]
PAYLOAD = "</script><script>window.__pwned=1;alert(1)</script>"


def _missing() -> str:
    if not Path(CHROMIUM).is_file():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[browser]')"
    return ""


@pytest.fixture(scope="module")
def browser():
    why = _missing()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the browser test must run in CI: {why}")
        pytest.skip(why)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _open(browser, path: Path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems, dialogs = [], []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: problems.append(f"request: {r.url}") if not r.url.startswith("file://") else None)
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=15000)
    return page, problems, dialogs


def _cli(*args) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def _shown(page) -> int:
    return int(page.get_attribute("body", "data-shown"))


def _visible_states(page) -> list[str]:
    return page.eval_on_selector_all("li.op:not([hidden])", "els => els.map(e => e.dataset.state)")


def test_fixture_map_counts_filters_and_search(browser, tmp_path):
    out = tmp_path / "routes.html"
    _cli("routes", *PROJECTS, "--format", "html", "-o", out, "--no-cache")
    inventory = json.loads(_cli("routes", *PROJECTS, "--format", "json", "--no-cache"))
    state = ["public-read" if r.get("exposure") == "public read" else r["auth"] for r in inventory]
    page, problems, _ = _open(browser, out)

    total = len(inventory)
    assert page.locator("li.op").count() == total
    assert _shown(page) == total
    assert page.inner_text("#shown").startswith(f"{total} of {total} operations shown")
    # the counts beside each filter are the inventory's
    for s in ("protected", "unprotected", "public", "public-read"):
        label = page.locator(f"#f-state label:has(input[value='{s}']) .n").inner_text()
        assert label == f"({state.count(s)})", s
    for fw in ("flask", "fastapi", "django"):
        label = page.locator(f"#f-fw label:has(input[value='{fw}']) .n").inner_text()
        assert label == f"({sum(r['framework'] == fw for r in inventory)})", fw

    # only the unprotected operations, by clicking the other states off
    for s in ("protected", "public", "public-read"):
        page.locator(f"#f-state input[value='{s}']").uncheck()
    assert _shown(page) == state.count("unprotected") > 0
    assert set(_visible_states(page)) == {"unprotected"}
    assert page.inner_text("#shown").startswith(f"{state.count('unprotected')} of {total} operations shown")
    for s in ("protected", "public", "public-read"):
        page.locator(f"#f-state input[value='{s}']").check()

    # one framework; then one method
    page.locator("#f-fw input[value='flask']").uncheck()
    page.locator("#f-fw input[value='django']").uncheck()
    assert _shown(page) == sum(r["framework"] == "fastapi" for r in inventory)
    page.locator("#f-fw input[value='flask']").check()
    page.locator("#f-fw input[value='django']").check()
    methods = page.eval_on_selector_all("#f-method input", "els => els.map(e => e.value)")
    for m in methods:
        if m != "DELETE":
            page.locator(f"#f-method input[value='{m}']").uncheck()
    assert _shown(page) == sum(r["method"] == "DELETE" for r in inventory) > 0
    for m in methods:
        page.locator(f"#f-method input[value='{m}']").check()
    assert _shown(page) == total

    # the search, by keyboard: "/" focuses it, matches open their groups, Escape clears it
    page.keyboard.press("/")
    page.keyboard.type("accounts")
    page.wait_for_selector(f"body:not([data-shown='{total}'])", state="attached")
    expected = [r for r in inventory if "accounts" in (r["path"] + r["handler"]["qualname"] + r["handler"]["file"])]
    assert _shown(page) >= len(expected) > 0
    first = page.locator("li.op:not([hidden])").first
    assert first.is_visible()
    first.locator("summary").click()
    assert first.locator("table.guards").is_visible()
    page.keyboard.press("Escape")  # the focus is on the summary now: clear from the box
    page.locator("#q").press("Escape")
    assert _shown(page) == total

    artifacts = Path(os.environ.get("ROUTEGUARD_ARTIFACTS") or tmp_path)
    artifacts.mkdir(parents=True, exist_ok=True)
    page.locator("#q").fill("accounts")
    page.wait_for_selector(f"body:not([data-shown='{total}'])", state="attached")
    page.screenshot(path=str(artifacts / "routemap.png"))
    print(f"screenshot: {artifacts / 'routemap.png'}")
    assert problems == []
    page.close()


def test_hostile_tree_runs_nothing(browser, tmp_path):
    project = tmp_path / "evil"
    (project / "evil").mkdir(parents=True)
    (project / "evil" / "__init__.py").write_text("")
    (project / "evil" / "app.py").write_text(f'''
from flask import Flask

app = Flask(__name__)


@app.route("/x{PAYLOAD}/<int:item_id>")
def show(item_id):
    """{PAYLOAD}"""
    return {{"id": item_id}}


@app.post('/y"><img src=x onerror="window.__pwned=2">')
def make():
    db.session.add(item)
    return "ok"
''')
    (project / "evil" / "<img src=x onerror=alert(3)>.py").write_text(
        "from flask import Blueprint\nbp = Blueprint('b', __name__)\n\n\n@bp.route('/z')\ndef z():\n    return 'z'\n")
    out = tmp_path / "routes.html"
    _cli("routes", project, "--format", "html", "-o", out, "--no-cache")
    page, problems, dialogs = _open(browser, out)
    assert dialogs == []
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.scripts.length") == 1
    assert page.locator("img, svg, iframe, object, embed").count() == 0
    paths = page.eval_on_selector_all("code.path", "els => els.map(e => e.textContent)")
    assert f"/x{PAYLOAD}/<int:item_id>" in paths
    assert '/y"><img src=x onerror="window.__pwned=2">' in paths
    # the search finds the hostile text as text
    page.locator("#q").fill("</script>")
    page.wait_for_selector("body[data-shown='1']", state="attached")
    assert problems == []  # neither an error nor a refused (CSP) script: nothing tried to run
    page.close()

