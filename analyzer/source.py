"""Source text as Python reads it: decoding, and line numbering."""
from __future__ import annotations

import io
import re
import tokenize

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def decode(data: bytes) -> str:
    """Decode Python source as the interpreter would (BOM, coding cookie, else UTF-8)."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(encoding)


def lines(text: str) -> list[str]:
    """The lines of ``text`` numbered as Python numbers them (index 0 is line 1).

    Only LF, CR LF and CR end a line. ``str.splitlines`` also breaks at form feeds,
    \\v, \\x1c-\\x1e, \\x85, \\u2028 and \\u2029, which Python reads as whitespace or as
    string content, and that would shift every later line.
    """
    return _LINE_BREAK.split(text)
