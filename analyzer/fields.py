"""Which data fields are sensitive: secrets that must never leave the server, and
privileged fields that a client must never set on itself.

A field is judged by its name (and, where known, the text of its type): ``secret`` for
passwords and their hashes, tokens, keys, government ids and card numbers; ``privileged``
for role, staff/admin and verification flags, permissions, balances and owner/user
foreign keys. Projects add names (or globs) with the ``sensitive-fields`` and
``privileged-fields`` configuration keys; the linker applies them.
"""
from __future__ import annotations

import fnmatch
import re

_SECRET = re.compile(
    r"(^|_)(password|passwd|passwort|pwd|passphrase|secret|token|api_?key|apikey|private_?key|secret_?key|"
    r"access_?key|signing_?key|otp_secret|totp_secret|mfa_secret|otp_seed|salt|ssn|social_security(_number)?|"
    r"tax_id|credit_card(_number)?|card_number|cc_number|cvv|cvc|iban|pin_hash|recovery_codes?)($|_)"
    r"|^hashed_|^password_?hash$|^pw_?hash$",
    re.IGNORECASE,
)
# A trailing word that makes a secret-looking name describe the secret rather than hold it.
_NOT_VALUE = frozenset({
    "type", "at", "on", "expires", "expiry", "expiration", "exp", "ttl", "count", "length", "len", "id", "ids",
    "set", "enabled", "required", "hint", "policy", "version", "changed", "updated", "created", "last4",
    "last_four", "prefix", "name", "url", "uri", "endpoint", "valid", "status", "date", "time", "used",
})
_SECRET_TYPES = re.compile(r"\b(SecretStr|SecretBytes|PasswordType|EncryptedType|StringEncryptedType)\b")
_PRIVILEGED = re.compile(
    r"^(is_admin|is_staff|is_superuser|is_super_user|is_moderator|is_verified|email_verified|is_email_verified|"
    r"verified|is_approved|role|roles|user_role|user_type|account_type|permissions|user_permissions|groups|"
    r"is_premium|balance|account_balance|credits|owner|owner_id|user|user_id|author|"
    r"author_id|created_by|created_by_id|tenant_id|org_id|organization_id)$",
    re.IGNORECASE,
)
_OWNER_TYPE = re.compile(r"AUTH_USER_MODEL|ForeignKey\(\s*['\"]?(auth\.)?users?\b|get_user_model", re.IGNORECASE)


def classify(name: str, type_text: str = "") -> str:
    """"secret" | "privileged" | "" for a field named ``name`` of type ``type_text``."""
    if _PRIVILEGED.match(name):
        return "privileged"
    if _SECRET.search(name):
        last = name.lower().rsplit("_", 1)[-1]
        two = "_".join(name.lower().split("_")[-2:])
        if last not in _NOT_VALUE and two not in _NOT_VALUE:
            return "secret"
    if type_text and _SECRET_TYPES.search(type_text):
        return "secret"
    if type_text and _OWNER_TYPE.search(type_text):
        return "privileged"
    return ""


def matches(name: str, patterns) -> bool:
    """``name`` matches one of the configured names or globs (case-insensitive)."""
    low = name.lower()
    return any(fnmatch.fnmatchcase(low, p.lower()) for p in patterns)
