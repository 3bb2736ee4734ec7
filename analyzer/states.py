"""The values a route's protection is described with: its auth state, each guard's effect and
the layer that applies the guard. ``StrEnum``s, so they serialize (JSON, SARIF, text) as the
same strings and compare equal to strings read back from the cache."""
from __future__ import annotations

from enum import StrEnum


class AuthState(StrEnum):
    """Whether a route requires a caller."""
    PROTECTED = "protected"  # some guard authenticates every request
    PUBLIC = "public"  # deliberately open (an allow-list, optional authentication, AllowAny)
    UNPROTECTED = "unprotected"  # nothing authenticates it


class Effect(StrEnum):
    """What a guard does to a request."""
    AUTH = "auth"  # requires a caller
    PUBLIC = "public"  # lets everyone in, on purpose
    NONE = "none"  # looks like a guard, does not authenticate (inert, or only authorizes)


class Layer(StrEnum):
    """Where the guard is applied."""
    DECORATOR = "decorator"
    DEPENDENCY = "dependency"
    CLASS = "class"
    BLUEPRINT = "blueprint"
    ROUTER = "router"
    APP = "app"
    URLCONF = "urlconf"
    INCLUDE = "include"
    MIDDLEWARE = "middleware"
    SETTINGS = "settings"
    INLINE = "inline"
    PATH = "path"
    CONFIG = "config"
    DOCUMENT = "document"  # an OpenAPI document's security requirement


# The reason of a guard that lets anyone read a record its owner marked public (and only such
# records): a read it serves is no one's private data.
VISIBILITY_REASON = "serves only what is marked public"
# a permission class whose request check grants a method to everyone by testing the method
# (``if request.method in SAFE_METHODS: return True``): reads public, a write left open
GRANTED_REASON = "its request check lets everyone"
