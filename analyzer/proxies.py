"""The reverse-proxy configuration a project ships (nginx): which URL prefixes only the proxy's
own internal requests reach (``location /internal { internal; }``, whose requests nginx answers
404 unless they come from an ``auth_request``, a rewrite or an ``X-Accel-Redirect``), or only
local addresses (``deny all;`` beside ``allow 127.0.0.1;``).

Read as text, never executed or included: templating (Jinja ``{% %}``, ``{{ }}``, ``{# #}``) and
comments are blanked out, ``include`` is not followed, and regular-expression locations (``~``)
are left out (only prefix and exact locations are matched, by nginx's longest-prefix rule).
"""
from __future__ import annotations

import re

from .facts import Location, ProxyRule

SUFFIXES = (".conf", ".conf.template", ".conf.j2", ".conf.tpl")
# The first bytes of an nginx file: a block directive at the start of a line.
_HEAD = re.compile(rb"(?m)^[ \t]*(server|location|upstream|http|events)\b[^;{\n]*\{")
_LOCATION = re.compile(r"\blocation\s+(?:(=|\^~)\s*)?(/[^\s{;]*)\s*\{")
_INTERNAL = re.compile(r"(^|[;{}\s])internal\s*;")
_DENY_ALL = re.compile(r"(^|[;{}\s])deny\s+all\s*;")
_ALLOW = re.compile(r"(^|[;{}\s])allow\s+([^;\s]+)\s*;")
# the reason of the guard that such a location is on a route
PROXY_REASON = "the project's nginx configuration lets only its own internal requests or local addresses through"
_LOCAL = ("127.", "10.", "192.168.", "172.", "::1", "fc", "fd", "unix:", "localhost")


def is_proxy_config(path: str) -> bool:
    return path.lower().endswith(SUFFIXES)


def looks_like_proxy_config(head: bytes) -> bool:
    return _HEAD.search(head) is not None


def _blanked(text: str) -> str:
    """``text`` with its templating and comments replaced by spaces (lines kept), in one pass: an
    opener without its closer blanks the rest of the file."""
    pairs = {"{%": "%}", "{{": "}}", "{#": "#}", "#": "\n"}
    ahead = {opener: text.find(opener) for opener in pairs}  # the next of each, found once per pass
    out, i = [], 0
    while True:
        for opener, j in ahead.items():
            if 0 <= j < i:
                ahead[opener] = text.find(opener, i)
        found = [(j, opener) for opener, j in ahead.items() if j >= 0]
        if not found:
            out.append(text[i:])
            return "".join(out)
        j, opener = min(found)
        closer = pairs[opener]
        end = text.find(closer, j + len(opener))
        end = len(text) if end < 0 else end + (len(closer) if closer != "\n" else 0)
        out.append(text[i:j])
        out.append(re.sub(r"[^\n]", " ", text[j:end]))
        i = end


def proxy_rules(path: str, text: str) -> list[ProxyRule]:
    """The prefix and exact ``location`` blocks of an nginx configuration, each with whether its
    own directives (not those of the blocks nested in it) keep outside clients away. One pass over
    the braces: a file of any nesting is read in linear time."""
    clean = _blanked(text)
    opened = {m.end() - 1: m for m in _LOCATION.finditer(clean)}  # the "{" of a location -> its header
    rules, stack, last = [], [], 0
    for brace in re.finditer(r"[{}]", clean):
        i = brace.start()
        if stack and stack[-1][0] is not None:
            stack[-1][1].append(clean[last:i])  # the open block's own directives
        if brace.group() == "{":
            stack.append((opened.get(i), []))
        elif stack:
            m, own = stack.pop()
            if m is not None:
                rules.append(_rule(path, clean, m, ";".join(own)))
        last = i + 1
    return sorted(rules, key=lambda r: (r.location.line, r.location.col))


def _rule(path: str, clean: str, m: re.Match, body: str) -> ProxyRule:
    allows = [a.group(2) for a in _ALLOW.finditer(body)]
    internal = bool(_INTERNAL.search(body)) or bool(_DENY_ALL.search(body)) and bool(allows) and all(
        a.startswith(_LOCAL) for a in allows)
    line = clean.count("\n", 0, m.start()) + 1
    col = m.start() - clean.rfind("\n", 0, m.start())
    return ProxyRule(m.group(2), Location(path, line, col), m.group(1) == "=", internal)
