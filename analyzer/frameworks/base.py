"""The adapter protocol: all framework knowledge lives in adapters.

An adapter contributes data tables (which qualified names are guards, which calls
and attributes are signs of a credential check) and an ``extract`` function that
turns one parsed file into neutral facts (routers, mounts, routes, gates, settings).
The core and the checks never see a framework's API names.
"""
from __future__ import annotations

import re
from typing import ClassVar, Mapping

from ..facts import FactSink


class Adapter:
    name: ClassVar[str] = ""
    # Regular expressions: a file must match one for ``extract`` to be worth running on it
    # (none: always run). A cheap text prefilter; it must never skip a file that matters.
    markers: ClassVar[tuple[str, ...]] = ()
    # Qualified name of a decorator, dependency, permission class or mixin -> "auth" | "public".
    known_guards: ClassVar[Mapping[str, str]] = {}
    # Calls whose presence in a function means it checks a credential.
    auth_calls: ClassVar[frozenset[str]] = frozenset()
    # Attribute reads, in an ``if`` or ``assert`` test, that mean the same.
    auth_attributes: ClassVar[frozenset[str]] = frozenset()
    # Exceptions whose raising means the request is rejected as unauthenticated/forbidden.
    auth_exceptions: ClassVar[frozenset[str]] = frozenset()
    # Class attributes that hold guards (``decorators = [login_required]``) -> guard kind.
    class_guard_attrs: ClassVar[Mapping[str, str]] = {}
    # External view base class -> names of the handler methods it provides (``get``, ``list``).
    provided_methods: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    # External view base classes whose request entry point does not call super(): a guard
    # mixin after one of them in the MRO never runs.
    chain_ends: ClassVar[frozenset[str]] = frozenset()
    # View-class methods that run before every handler method (their checks guard them all).
    entry_methods: ClassVar[frozenset[str]] = frozenset()
    # Methods of a guard class that decide access -> "request" (every request) | "item"
    # (only when one object is fetched).
    guard_methods: ClassVar[Mapping[str, str]] = {}

    def extract(self, ctx, sink: FactSink) -> None:  # pragma: no cover - protocol
        raise NotImplementedError


class Knowledge:
    """The union of every adapter's tables, as the extractor and linker use them."""

    def __init__(self, adapters, extra_guards: Mapping[str, str] | None = None):
        self.adapters = tuple(adapters)
        self.known_guards: dict[str, str] = {}
        self.auth_calls: set[str] = set()
        self.auth_attributes: set[str] = set()
        self.auth_exceptions: set[str] = set()
        self.class_guard_attrs: dict[str, str] = {}
        self.provided_methods: dict[str, tuple[str, ...]] = {}
        self.chain_ends: set[str] = set()
        self.entry_methods: set[str] = set()
        self.guard_methods: dict[str, str] = {}
        for a in self.adapters:
            self.provided_methods.update(a.provided_methods)
            self.chain_ends |= a.chain_ends
            self.entry_methods |= a.entry_methods
            self.guard_methods.update(a.guard_methods)
            self.known_guards.update(a.known_guards)
            self.auth_calls |= a.auth_calls
            self.auth_attributes |= a.auth_attributes
            self.auth_exceptions |= a.auth_exceptions
            self.class_guard_attrs.update(a.class_guard_attrs)
        self.known_guards.update(extra_guards or {})
        self.markers = {a.name: re.compile("|".join(a.markers)) if a.markers else None for a in self.adapters}

    def runs(self, adapter, text: str) -> bool:
        pattern = self.markers[adapter.name]
        return pattern is None or pattern.search(text) is not None

    def fingerprint(self) -> str:
        """What extraction depends on besides a file's text, for the cache key."""
        return repr((sorted(a.name for a in self.adapters), sorted(self.known_guards.items())))


def setting_value(ctx, expr):
    """(value, literal, fallback) for the right-hand side of a setting.

    ``os.environ.get("KEY", "dev")`` and ``os.getenv("KEY", "dev")`` give the literal
    default with ``fallback=True``: that value is used wherever the variable is unset.
    """
    import libcst as cst

    from ..names import NOT_LITERAL, call_arg, literal

    value = literal(expr)
    if value is not NOT_LITERAL:
        return value, True, False
    if isinstance(expr, cst.Call) and ctx.resolve(expr.func) in ENV_LOOKUPS:
        default = literal(call_arg(expr, "default", 1))
        if default is not NOT_LITERAL and default is not None:
            return default, True, True
    return None, False, False


ENV_LOOKUPS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault", "environ.get"})
