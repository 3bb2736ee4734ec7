"""Source text as Python reads it: decoding, and line numbering."""
from __future__ import annotations

import io
import re
import tokenize

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class SourceError(ValueError):
    """Bytes that are not Python source text; ``line`` and ``col`` (1-based) say where, when known."""

    def __init__(self, message: str, line: int = 0, col: int = 0):
        super().__init__(message)
        self.message, self.line, self.col = message, line, col


def decode(data: bytes) -> str:
    """Decode Python source as the interpreter would (BOM, coding cookie, else UTF-8).

    Raises SourceError naming the problem: bytes that are not valid in the file's
    encoding (with their position), or an encoding declaration Python does not know."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as e:
        # detect_encoding reads the first two lines; bytes there that are not UTF-8 come out
        # as "invalid or missing encoding declaration", which misleads: say what is wrong.
        if "unknown encoding" in str(e) or "encoding problem" in str(e):
            raise SourceError(str(e)) from None
        encoding = "utf-8"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        line_start = data.rfind(b"\n", 0, e.start) + 1
        col = len(data[line_start:e.start].decode(encoding, "replace")) + 1
        name = "UTF-8" if encoding in ("utf-8", "utf-8-sig") else encoding
        raise SourceError(f"not valid {name} (byte 0x{data[e.start]:02x}: {e.reason})",
                          data.count(b"\n", 0, e.start) + 1, col) from None
    except LookupError as e:
        raise SourceError(f"unknown encoding: {e}") from None


def lines(text: str) -> list[str]:
    """The lines of ``text`` numbered as Python numbers them (index 0 is line 1).

    Only LF, CR LF and CR end a line. ``str.splitlines`` also breaks at form feeds,
    \\v, \\x1c-\\x1e, \\x85, \\u2028 and \\u2029, which Python reads as whitespace or as
    string content, and that would shift every later line.
    """
    return _LINE_BREAK.split(text)
