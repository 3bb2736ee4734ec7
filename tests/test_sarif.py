"""SARIF that looks first-class in GitHub code scanning, and deterministic output."""
from routeguard import scan_sources
from helpers import validate_sarif

FILES = {
    "shop/__init__.py": """
from flask import Flask
from .api import api_bp

def create_app():
    app = Flask(__name__)
    app.register_blueprint(api_bp, url_prefix="/api")
    return app
""",
    "shop/api.py": """
from flask import Blueprint
from flask_login import login_required

api_bp = Blueprint("api", __name__)

@login_required
@api_bp.post("/orders")
def create_order(): ...

@api_bp.delete("/orders/<int:order_id>")
def delete_order(order_id): ...
""",
    "shop/broken.py": "def broken(:\n",
}


def test_sarif_structure():
    report = scan_sources(FILES)
    doc = validate_sarif(report.render("sarif"))
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "routeguard" and driver["semanticVersion"] and driver["informationUri"]
    rules = driver["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    rg101 = next(r for r in rules if r["id"] == "RG101")
    assert rg101["name"] == "unauthenticated-route"
    assert rg101["shortDescription"]["text"] and rg101["fullDescription"]["text"].startswith("Flags a route")
    assert "## Why is this bad" in rg101["help"]["markdown"] and "##" not in rg101["help"]["text"]
    assert rg101["defaultConfiguration"]["level"] == "warning"
    assert rg101["properties"]["tags"][:2] == ["security", "external/cwe/cwe-306"]
    assert rg101["properties"]["precision"] == "medium"
    assert float(rg101["properties"]["security-severity"]) > 0
    assert run["columnKind"] == "unicodeCodePoints"
    results = run["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
        ("RG102", 7), ("RG101", 11), ("RG000", 1)]
    # the file that does not parse is a result (RG000) as well as a tool execution notification
    assert results[2]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "shop/broken.py"
    assert results[2]["level"] == "error" and results[2]["message"]["text"].startswith("file not analyzed: syntax error")
    results = results[:2]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["level"] in ("note", "warning", "error")
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": "shop/api.py", "uriBaseId": "%SRCROOT%"}
        region = loc["region"]
        assert region["startLine"] == region["endLine"] and region["endColumn"] > region["startColumn"] >= 1
        assert r["partialFingerprints"]["primaryLocationLineHash"].endswith(":1")
        first_sentence = r["message"]["text"].split(": ")[0]
        assert "/orders" in first_sentence
    rg102 = results[0]
    assert rg102["level"] == "error"
    related = rg102["relatedLocations"][0]
    assert related["id"] == 1 and related["physicalLocation"]["region"]["startLine"] == 8
    assert results[1]["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "shop/__init__.py"
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "shop/broken.py"
    assert "syntax error" in notes[0]["message"]["text"]


def test_warning_level_is_written_explicitly():
    report = scan_sources({"app.py": "from flask import Flask\napp = Flask(__name__)\n@app.get('/x')\n"
                                     "def x(): return open('/var/log/app.log').read()\n"
                                     "@app.get('/me')\n@login_required\ndef me(): ...\n"
                                     "from flask_login import login_required\n"})
    doc = validate_sarif(report.render("sarif"))
    assert doc["runs"][0]["results"][0]["level"] == "warning"


def test_output_is_deterministic():
    outputs = set()
    for order in (FILES, dict(reversed(list(FILES.items())))):
        report = scan_sources(order)
        outputs.add(tuple(report.render(fmt) for fmt in ("text", "json", "sarif", "github")))
    assert len(outputs) == 1
    assert "20" not in "".join(l for l in outputs.pop()[2].splitlines() if "Time" in l)


def test_vendored_schema_is_the_official_one():
    import hashlib

    import pytest

    from helpers import DATA, SHARED_SCHEMA

    vendored = hashlib.sha256((DATA / "sarif-schema-2.1.0.json").read_bytes()).hexdigest()
    assert vendored == "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
    if not SHARED_SCHEMA.is_file():
        pytest.skip("no second copy of the SARIF schema to compare with (the hash above already "
                    "pins the vendored one to the official file)")
    assert SHARED_SCHEMA.read_bytes() == (DATA / "sarif-schema-2.1.0.json").read_bytes()


def test_lines_are_numbered_as_python_numbers_them():
    """A form feed between lines and a U+2028 inside a string end no line: the finding, its
    columns and an inline suppression all stay on the lines Python gives them."""
    app = ('from flask import Flask\n\x0c\napp = Flask(__name__)\nBANNER = "a\u2028b"\n\n'
           '@app.post("/a")\ndef a(): ...\n\n'
           '@app.post("/b")\ndef b():  # routeguard: ignore[RG101]\n    ...\n'
           '@app.get("/me")\n@login_required\ndef me(): ...\nfrom flask_login import login_required\n')
    report = scan_sources({"app.py": app}, config={"report-public-reads": True})  # stubs: public, as notes
    assert [(f.rule_id, f.location.line, f.suppressed) for f in report.findings] == [("RG101", 6, False),
                                                                                     ("RG101", 9, True)]
    result = validate_sarif(report.render("sarif"))["runs"][0]["results"][0]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (6, 1, len('@app.post("/a")') + 1)


def test_json_is_written_as_the_standard_library_indents_it():
    import json

    from routeguard.report.json import dumps

    report = scan_sources({**FILES, "shop/caf\u00e9.py": 'MSG = "tab\\t \\u2028 \\"quoted\\""\n'})
    for fmt in ("sarif", "json"):
        text = report.render(fmt)
        assert text == json.dumps(json.loads(text), indent=2) + "\n"
    odd = {"": [0, -1, 2.5, 1e300, -0.0, True, False, None, {}, [], (), "\u00e9\x00\n\"\\"], "k": {"n": {"m": []}}}
    assert dumps(odd) == json.dumps(odd, indent=2)
