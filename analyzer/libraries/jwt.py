"""The JWT libraries (PyJWT, python-jose, authlib): decoding verifies a credential, encoding
issues one."""
from __future__ import annotations

from .. import functions
from ..frameworks.base import Adapter


class JWTAdapter(Adapter):
    name = "jwt"
    markers = ("jwt", "jose")
    passes = (functions.read,)  # the scopes a minted token grants, the module secrets that sign it
    auth_calls = frozenset({"jwt.decode", "jose.jwt.decode", "authlib.jose.jwt.decode"})
    token_decoders = {
        "jwt.decode": "pyjwt", "jwt.api_jwt.decode": "pyjwt", "jwt.PyJWT.decode": "pyjwt", "jwt.api_jws.decode": "pyjwt",
        "jose.jwt.decode": "jose",
    }
    token_arguments = frozenset({"jwt", "token"})  # PyJWT's decode(jwt, ...), python-jose's decode(token, ...)
    token_issuers = frozenset({"jwt.encode", "jose.jwt.encode"})
    token_signers = frozenset({"jwt.encode", "jose.jwt.encode", "jwt.decode", "jose.jwt.decode", "authlib.jose.jwt.encode"})
