"""routeguard mcp: the MCP server, driven by the SDK's own client over a real stdio subprocess
(``python -m routeguard mcp``), playing a code-generation pipeline: generated sources in memory
-> scan_sources -> suggest_fixes -> apply -> scan again."""
import ast
import subprocess
import sys
import textwrap
from collections import Counter

import pytest

from test_fixes import DJANGO_NOTES, DRF, FASTAPI_ITEMS, FLASK_POSTS, dedent

mcp = pytest.importorskip("mcp", reason="the MCP SDK is the optional extra routeguard[mcp]; not installed here")
anyio = pytest.importorskip("anyio")

from mcp import Client  # noqa: E402
from mcp.client.stdio import StdioServerParameters  # noqa: E402

SERVER = StdioServerParameters(command=sys.executable, args=["-m", "routeguard", "mcp"])


def session(body):
    async def main():
        async with Client(SERVER, read_timeout_seconds=60) as client:
            return await body(client)
    return anyio.run(main)


def test_tools_are_listed_with_input_and_output_schemas():
    async def body(client):
        return (await client.list_tools()).tools
    tools = {t.name: t for t in session(body)}
    assert set(tools) == {"scan_sources", "scan_paths", "list_routes", "explain_rule", "suggest_fixes"}
    for t in tools.values():
        assert t.input_schema["type"] == "object" and t.output_schema["type"] == "object"
    assert "sources" in tools["scan_sources"].input_schema["properties"]


FLASK_APP = {**FLASK_POSTS, "blog/admin.py": """
    from flask import Blueprint
    from flask_login import login_required

    bp = Blueprint("account", __name__)


    @login_required
    @bp.route("/account", methods=["POST"])
    def account():
        return {}
"""}


@pytest.mark.parametrize("files, rules", [
    (FLASK_APP, {"RG101", "RG102"}),
    (FASTAPI_ITEMS, {"RG101", "RG303"}),
    (DJANGO_NOTES, {"RG101"}),
    (DRF, {"RG302"}),
], ids=["flask", "fastapi", "django", "drf-serializer"])
def test_pipeline_scan_fix_rescan(files, rules):
    files = dedent(files)

    async def body(client):
        scan = await client.call_tool("scan_sources", {"sources": files, "sarif": True})
        fixes = await client.call_tool("suggest_fixes", {"sources": files})
        fixed = {**files, **{f["file"]: f["fixed_source"] for f in fixes.structured_content["fixes"]}}
        again = await client.call_tool("scan_sources", {"sources": fixed})
        return scan, fixes, fixed, again

    scan, fixes, fixed, again = session(body)
    assert not scan.is_error and not fixes.is_error
    found = scan.structured_content
    assert rules <= {f["rule"] for f in found["findings"]}
    assert found["sarif"]["version"] == "2.1.0"
    assert all({"method", "path", "auth", "guards"} <= set(r) for r in found["routes"])
    assert all(f["fixable"] for f in found["findings"] if f["rule"] in rules)
    diffs = fixes.structured_content["fixes"]
    assert diffs and all(d["diff"].startswith(f"--- a/{d['file']}\n+++ b/{d['file']}\n") for d in diffs)
    for text in fixed.values():
        ast.parse(text)
    left = {f["rule"] for f in again.structured_content["findings"]}
    assert not rules & left
    count = lambda findings: Counter((f["rule"], f["file"]) for f in findings)  # noqa: E731
    left = count(found["findings"]) - count(f for f in found["findings"] if f["rule"] in rules)
    assert all(n <= left[k] for k, n in count(again.structured_content["findings"]).items())


def test_routes_rules_and_errors_without_killing_the_server(tmp_path):
    (tmp_path / "app.py").write_text(textwrap.dedent("""
        from flask import Flask
        app = Flask(__name__)

        @app.route("/health")
        def health():
            return "ok"
    """))

    async def body(client):
        routes = await client.call_tool("list_routes", {"sources": dedent(FASTAPI_ITEMS)})
        on_disk = await client.call_tool("scan_paths", {"paths": [str(tmp_path)]})
        rule = await client.call_tool("explain_rule", {"rule_id": "rg102"})
        unknown = await client.call_tool("explain_rule", {"rule_id": "RG999"})
        bad_config = await client.call_tool("scan_sources", {"sources": {"a.py": "x = 1\n"}, "config": {"select": 3}})
        both = await client.call_tool("list_routes", {})
        broken = await client.call_tool("scan_sources", {"sources": {"a.py": "def (:\n"}})
        still = await client.call_tool("explain_rule", {"rule_id": "RG101"})
        return routes, on_disk, rule, unknown, bad_config, both, broken, still

    routes, on_disk, rule, unknown, bad_config, both, broken, still = session(body)
    by_path = {(r["method"], r["path"]): r["auth"] for r in routes.structured_content["routes"]}
    assert by_path[("DELETE", "/items/{item_id}")] == "unprotected"
    assert by_path[("GET", "/items/{item_id}")] == "protected"
    assert [r["path"] for r in on_disk.structured_content["routes"]] == ["/health"]
    assert rule.structured_content["name"] == "guard-outside-route-decorator" and rule.structured_content["fixable"]
    assert unknown.is_error and "RG999" in unknown.content[0].text
    assert bad_config.is_error and both.is_error
    assert not broken.is_error and [f["rule"] for f in broken.structured_content["findings"]] == ["RG000"]
    assert not still.is_error
    assert not (tmp_path / ".routeguard_cache").exists()
