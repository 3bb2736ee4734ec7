"""RG106: decode the token with its signature verified: drop ``verify_signature: False`` from
``options`` (the whole ``options=`` when nothing else is left) and ``verify=False``.
A decode with no key, or one that accepts ``"none"``, has no single fix and is left alone."""
from __future__ import annotations

import libcst as cst
import libcst.matchers as m

from . import Edit
from ._cst import positions, starting_at

_FALSE = m.Name("False")


def fix(finding, module: cst.Module, graph) -> Edit | None:
    _, pos = positions(module)
    loc = finding.location
    call = starting_at(module, loc.line, loc.col, cst.Call, pos)
    if call is None:
        return None
    args = []
    changed = False
    for arg in call.args:
        name = arg.keyword.value if arg.keyword else ""
        if name == "verify" and m.matches(arg.value, _FALSE):
            changed = True
            continue
        if name == "options" and isinstance(arg.value, cst.Dict):
            kept = [e for e in arg.value.elements if not (
                isinstance(e, cst.DictElement) and m.matches(e.key, m.SimpleString())
                and e.key.evaluated_value == "verify_signature" and m.matches(e.value, _FALSE))]
            if len(kept) != len(arg.value.elements):
                changed = True
                if not kept:
                    continue
                last = kept[-1]
                if isinstance(last, cst.DictElement) and last.comma is not cst.MaybeSentinel.DEFAULT \
                        and len(kept) < len(arg.value.elements) and arg.value.elements[-1] is not last:
                    kept[-1] = last.with_changes(comma=cst.MaybeSentinel.DEFAULT)
                arg = arg.with_changes(value=arg.value.with_changes(elements=kept))
        args.append(arg)
    keyed = len([a for a in args if a.keyword is None and not a.star]) >= 2 or any(
        a.keyword and a.keyword.value == "key" for a in args)
    if not changed or not keyed:  # without a key there is nothing to verify with: no single fix
        return None
    if args[-1].comma is not cst.MaybeSentinel.DEFAULT and call.args[-1] not in args:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return Edit(module.deep_replace(call, call.with_changes(args=args)))
