"""GitHub's ``primaryLocationLineHash``: a port of codeql-action's src/fingerprints.ts.

A rolling hash over a 100-character window of the file with spaces and tabs
removed and line endings normalised; each line's value is the hash of the window
that starts at that line, with ``:N`` counting repeats.  GitHub computes the same
value when a SARIF upload lacks it, so results keep their identity across pushes.
"""
from __future__ import annotations

BLOCK_SIZE = 100
MOD = 37
MASK = (1 << 64) - 1
FIRST_MOD = pow(MOD, BLOCK_SIZE, 1 << 64)
EOF = 65535
TAB, SPACE, LF, CR = 9, 32, 10, 13


def line_hashes(text: str) -> list[str]:
    """The primaryLocationLineHash of every line of ``text`` (index 0 is line 1)."""
    data = text.encode("utf-16-le")
    units = [data[i] | (data[i + 1] << 8) for i in range(0, len(data), 2)]
    window = [0] * BLOCK_SIZE
    line_numbers = [-1] * BLOCK_SIZE
    out: dict[int, str] = {}
    counts: dict[str, int] = {}
    state = {"hash": 0, "index": 0, "line": 0, "line_start": True, "prev_cr": False}

    def output() -> None:
        i = state["index"]
        value = format(state["hash"] & MASK, "x")
        counts[value] = counts.get(value, 0) + 1
        out[line_numbers[i]] = f"{value}:{counts[value]}"
        line_numbers[i] = -1

    def update(current: int) -> None:
        i = state["index"]
        begin = window[i]
        window[i] = current
        state["hash"] = (MOD * state["hash"] + current - FIRST_MOD * begin) & MASK
        state["index"] = (i + 1) % BLOCK_SIZE

    def process(current: int) -> None:
        if current in (SPACE, TAB) or (state["prev_cr"] and current == LF):
            state["prev_cr"] = False
            return
        if current == CR:
            current = LF
            state["prev_cr"] = True
        else:
            state["prev_cr"] = False
        if line_numbers[state["index"]] != -1:
            output()
        if state["line_start"]:
            state["line_start"] = False
            state["line"] += 1
            line_numbers[state["index"]] = state["line"]
        if current == LF:
            state["line_start"] = True
        update(current)

    for unit in units:
        process(unit)
    process(EOF)
    for _ in range(BLOCK_SIZE):
        if line_numbers[state["index"]] != -1:
            output()
        update(0)
    return [out[n] for n in sorted(out)]
