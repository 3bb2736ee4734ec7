"""routeguard on hostile input: everything in a scanned tree is attacker-controlled (CI on pull
requests, pre-commit in a fresh clone). Nothing in it may run, hang, or switch checks off."""
import json
import os
import pickle
import subprocess
import sys

import pytest

from routeguard import scan_paths
from routeguard.cache import CACHE_DIR, CACHE_FILE, FACT_CLASSES, decode, dump, encode

APP = "from flask import Flask\napp = Flask(__name__)\n@app.post('/a')\ndef a(): ...\n"


class _Exploit:
    """Unpickling this creates the file ``marker``."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _project(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "app.py").write_text(APP)
    (tmp_path / CACHE_DIR).mkdir()
    return tmp_path


@pytest.mark.parametrize("name", ["facts-v1.pickle", CACHE_FILE])
def test_a_planted_pickle_cache_never_runs(tmp_path, capsys, name):
    project = _project(tmp_path / "p")
    marker = tmp_path / "pwned"
    (project / CACHE_DIR / name).write_bytes(pickle.dumps({"key": "x", "entries": _Exploit(marker)}))
    report = scan_paths([project])
    assert not marker.exists()
    assert [f.rule_id for f in report.findings] == ["RG101"]
    err = capsys.readouterr().err
    if name == CACHE_FILE:
        assert err.count("\n") == 1 and "ignoring the cache" in err and "not a routeguard cache" in err
    # the cache was rebuilt as JSON and serves the next scan
    assert (project / CACHE_DIR / CACHE_FILE).read_bytes().startswith(b'{"format": "routeguard-facts"')
    assert [f.rule_id for f in scan_paths([project]).findings] == ["RG101"]
    assert capsys.readouterr().err == ""


def test_a_corrupt_or_tampered_cache_is_ignored_and_rebuilt(tmp_path, capsys):
    project = _project(tmp_path)
    scan_paths([project])
    path = project / CACHE_DIR / CACHE_FILE
    good = path.read_bytes()
    for bad, why in [(good[:-20], "checksum mismatch"), (b"\x00\xff garbage", "not a routeguard cache"),
                     (good.replace(b"RG", b"RX") if b"RG" in good else good.replace(b'"/a"', b'"/b"'),
                      "checksum mismatch")]:
        path.write_bytes(bad)
        assert [f.rule_id for f in scan_paths([project]).findings] == ["RG101"]
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and why in err, err
        assert path.read_bytes() == good


def test_a_cache_with_a_valid_checksum_holds_only_fact_classes():
    header, payload = dump("k", {}).split(b"\n")
    for evil in (b'[["a.py","d",{"Popen":[["id"]]}]]', b'[["a.py","d",{"__class__":[]}]]',
                 b'[["a.py","d",{"ModuleFacts":[1]}]]', b'[["a.py","d",{"x":1,"y":2}]]'):
        with pytest.raises(ValueError):
            decode(evil)
    assert "FactSink" not in FACT_CLASSES and "ModuleFacts" in FACT_CLASSES


def test_cache_round_trip_keeps_facts_equal():
    from routeguard.engine import extract_many
    from routeguard.frameworks import ADAPTERS
    from routeguard.frameworks.base import Knowledge

    (facts,) = extract_many([("app.py", APP + "DEBUG = True\nX = ('a', 1, None)\n", "app", False)], Knowledge(ADAPTERS))
    back = decode(json.dumps([["app.py", "d", encode(facts)]]).encode())
    assert back["app.py"] == ("d", facts)
    assert hash(back["app.py"][1].routes[0]) == hash(facts.routes[0])


def test_a_symlinked_cache_directory_is_never_written_through(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    project = tmp_path / "p"
    project.mkdir()
    (project / "app.py").write_text(APP)
    (project / CACHE_DIR).symlink_to(elsewhere)
    assert [f.rule_id for f in scan_paths([project]).findings] == ["RG101"]
    assert list(elsewhere.iterdir()) == []
