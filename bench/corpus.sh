#!/usr/bin/env bash
# usage: bench/corpus.sh CORPORA_DIR OUT_DIR [routeguard]
# Scans each development-corpus tree (see ../shared/realworld/README.md) and writes
# OUT_DIR/<project>.findings.json and OUT_DIR/<project>.routes.json, then a summary.
set -u
C=${1:?corpora dir}; O=${2:?out dir}; RG=${3:-routeguard}
mkdir -p "$O"
for p in mealie dispatch lnbits ctfd lemur healthchecks taiga-back paperless-ngx; do
  t="$C/$p"; [ -d "$t" ] || { echo "missing $t"; continue; }
  case $p in mealie) s="$t/mealie";; paperless-ngx) s="$t/src";; *) s="$t";; esac
  "$RG" scan "$s" --format json --exit-zero --no-cache -o "$O/$p.findings.json" >/dev/null 2>"$O/$p.stderr"
  "$RG" routes "$s" --format json --no-cache > "$O/$p.routes.json" 2>>"$O/$p.stderr"
done
python3 - "$O" <<'PY'
import json, sys, collections, pathlib
o = pathlib.Path(sys.argv[1])
for f in sorted(o.glob("*.findings.json")):
    p = f.name.split(".")[0]
    d = json.loads(f.read_text() or "{}")
    fs = d.get("findings", d if isinstance(d, list) else [])
    c = collections.Counter(x.get("rule") or x.get("id") or x.get("check") for x in fs)
    try:
        r = json.loads((o / f"{p}.routes.json").read_text())
        rs = r.get("routes", r) if isinstance(r, dict) else r
        st = collections.Counter(x.get("auth", x.get("state")) for x in rs)
    except Exception as e:
        rs, st = [], {"error": str(e)}
    print(f"{p:14} findings {len(fs):4} {dict(sorted(c.items()))}  routes {len(rs)} {dict(st)}")
PY
