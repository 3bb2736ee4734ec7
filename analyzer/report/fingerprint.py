"""GitHub's ``primaryLocationLineHash``: a port of codeql-action's src/fingerprints.ts.

A rolling hash over a 100-character window of the file with spaces and tabs
removed and line endings normalised; each line's value is the hash of the window
that starts at that line, with ``:N`` counting repeats.  GitHub computes the same
value when a SARIF upload lacks it, so results keep their identity across pushes.
"""
from __future__ import annotations

import sys
from array import array

BLOCK_SIZE = 100
MOD = 37
MASK = (1 << 64) - 1
FIRST_MOD = pow(MOD, BLOCK_SIZE, 1 << 64)
EOF = 65535
LF = 10


def line_hashes(text: str) -> list[str]:
    """The primaryLocationLineHash of every line of ``text`` (index 0 is line 1)."""
    # The text as the hash sees it: CR LF and CR as LF, no spaces or tabs, in UTF-16 code
    # units, then EOF; a line starts at 0 and after each LF (so a final line break makes a
    # last, empty line).
    flat = text.replace("\r\n", "\n").replace("\r", "\n").replace(" ", "").replace("\t", "")
    units = array("H", flat.encode("utf-16-le"))
    if sys.byteorder == "big":
        units.byteswap()
    seq = [*units, EOF]
    starts = [0, *(i + 1 for i, unit in enumerate(units) if unit == LF)]
    seq.extend([0] * BLOCK_SIZE)
    leaving = [0] * BLOCK_SIZE + seq  # leaving[end]: the unit that drops out of the window at end
    out: list[str] = []
    counts: dict[str, int] = {}
    ends = iter([p + BLOCK_SIZE - 1 for p in starts])
    target = next(ends)
    h = 0
    for end, (unit, gone) in enumerate(zip(seq, leaving)):
        h = (MOD * h + unit - FIRST_MOD * gone) & MASK
        if end == target:
            value = format(h, "x")
            counts[value] = counts.get(value, 0) + 1
            out.append(f"{value}:{counts[value]}")
            target = next(ends, -1)
    return out
