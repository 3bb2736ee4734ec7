"""What a data field means: the one vocabulary every check uses.

``classify(name, type_text, hidden)`` gives a field's mark:

- ``secret``: must never leave the server: passwords and their hashes, tokens, keys,
  national identity numbers (ssn, cedula, dni, cpf, nif, curp, rut, aadhaar, pesel,
  personnummer, codice_fiscale, steuer_id, sin, nino...) and card data (card number, pan,
  cvv/cvc, card expiry);
- ``privileged``: a client must never set it on itself: role, staff/admin and verification
  flags, permissions, balances, owner/user references;
- ``personal``: personal data, reported at a lower severity: phone, postal address, birth
  date;
- ``""``: nothing of the above.

A field is judged by its name and, where known, the text of its declared type, whose words
the library adapters name (``field_types``, ``type_words``; ``TypeWords``): a boolean
(``has_password: bool``, ``is_token = BooleanField()``) and a time (``password_last_reset =
DateTimeField()``) hold no secret, a text column named
``owner`` is a name or contact, not a reference to a user, a masked field type
(``ObfuscatedPasswordField``) sends no secret. ``hidden`` says the field never leaves the
server (the adapters' ``hiding_keywords``: DRF ``write_only=True``, marshmallow ``load_only``,
pydantic ``exclude=True``): it
can still be privileged, never secret or personal.

``owner_field(name, type_text)`` is the one definition of a field that ties a row to a user.
Projects add names (or globs) with the ``sensitive-fields``, ``privileged-fields`` and
``personal-fields`` configuration keys; the graph applies them (``AppGraph.field_mark``).
"""
from __future__ import annotations

import fnmatch
import re
from functools import cache

_SECRET = re.compile(
    r"(^|_)(password|passwd|passwort|pwd|passphrase|secret|token|api_?key|apikey|private_?key|secret_?key|"
    r"access_?key|signing_?key|otp_secret|totp_secret|mfa_secret|otp_seed|salt|pin_hash|recovery_codes?|"
    # card data
    r"credit_card(_number)?|card_number|card_no|cc_number|pan|cvv2?|cvc2?|iban)($|_)"
    r"|^hashed_|^password_?hash$|^pw_?hash$",
    re.IGNORECASE,
)
# National identity and tax numbers, as whole words (``rut`` is not ``route``), with an optional
# ``_number`` / ``_no`` tail: the trailing ``id`` of ``tax_id`` does not make it a reference.
_NATIONAL_ID = re.compile(
    r"(^|_)(ssn|social_security|sin|nino|tax_id|national_id|passport|cedula|dni|nie|cpf|nif|curp|rut|aadhaar|"
    r"aadhar|pesel|personnummer|codice_fiscale|steuer_?id|steuernummer|bsn)(_number|_num|_no|_nr)?$",
    re.IGNORECASE,
)
_CARD_EXPIRY = re.compile(r"^(credit_)?card_(expiry|expiration|exp)(_date|_month|_year)?$|^cc_exp(iry)?$", re.IGNORECASE)
# A trailing word that makes a secret-looking name describe the secret rather than hold it.
_NOT_VALUE = frozenset({
    "type", "at", "on", "expires", "expiry", "expiration", "exp", "ttl", "count", "length", "len", "id", "ids",
    "set", "enabled", "required", "hint", "policy", "version", "changed", "updated", "created", "last4",
    "last_4", "last_four", "prefix", "name", "url", "uri", "endpoint", "valid", "status", "date", "time", "used", "reset",
})
# A word that makes the name a question about the secret: has_password, is_token,
# public_view_has_password.
_FLAG_PREFIX = re.compile(r"(^|_)(has|is|use|uses|needs|need|show|require|requires|allow|can|should)_", re.IGNORECASE)
_PERSONAL = re.compile(
    r"(^|_)(phone|phone_number|mobile|mobile_number|cellphone|telephone|tel|"
    r"birth_?date|date_of_birth|dob|birthday|"
    r"address|street|street_address|home_address|postal_address|mailing_address|address_line\d?)($|_)",
    re.IGNORECASE,
)
# Words before "address" that make it a technical address, not where a person lives.
_NOT_POSTAL = re.compile(r"(^|_)(ip|mac|email|e_?mail|wallet|node|server|host|remote|lightning|ln|lnurl|btc|"
                         r"bitcoin|onchain|contract|web|callback|return|reply|from|to|sender|recipient|"
                         r"memory|hardware|bind|listen|socket|smtp|imap)_?address", re.IGNORECASE)
# Field types whose value is sent masked (``****``) or never at all.
_MASKED_TYPES = re.compile(r"\b\w*(Obfuscated|Masked|Redacted)\w*\b")
# Python's own words of a declared type: what they hold, and the type system's names (not a class
# a reference points at). The libraries' words come from their adapters' tables (TypeWords).
PYTHON_TYPES = {"bool": "bool", "float": "number", "Decimal": "number", "str": "text",
                **dict.fromkeys(("datetime", "date", "time", "timedelta"), "time")}
PYTHON_TYPE_WORDS = frozenset({"Optional", "List", "Union", "None", "Set", "Sequence", "Dict", "Any", "Annotated",
                               "Literal", "True", "False", "Tuple", "Iterable", "Type"})
_NEVER = re.compile(r"(?!)")


class TypeWords:
    """What the words of a declared field type say: ``field_types`` (word -> "secret" | "bool" |
    "number" | "text" | "relation" | "masked": drawn without the stored value) and ``type_words``
    (words of the type system, never the class a reference points at), as the adapters' tables
    (Knowledge) give them."""

    def __init__(self, field_types, type_words, foreign_key_calls=(), user_model_refs=()):
        by_kind: dict[str, list[str]] = {}
        for word, kind in {**PYTHON_TYPES, **field_types}.items():
            by_kind.setdefault(kind, []).append(word)

        def pattern(kind: str, prefix: str = "") -> re.Pattern:
            words = sorted(by_kind.get(kind, ()))
            return re.compile(rf"\b{prefix}({'|'.join(words)})\b") if words else _NEVER

        self.secret, self.bool, self.number, self.text, self.time, self.masked = (
            pattern(k) for k in ("secret", "bool", "number", "text", "time", "masked"))
        self.relation = pattern("relation", r"\w*")  # ForeignKey, models.ForeignKey, UserForeignKey
        self.system = PYTHON_TYPE_WORDS | frozenset(type_words)
        # a type that refers to the user model: ``ForeignKey(settings.AUTH_USER_MODEL)``,
        # ``ForeignKey("users.id")``, ``ForeignKey("auth.User")``
        refs = [*sorted(user_model_refs), *(rf"{re.escape(c)}\(\s*['\"]?(auth\.)?users?\b" for c in sorted(foreign_key_calls))]
        self.user_model = re.compile("|".join(refs), re.IGNORECASE) if refs else _NEVER
        self.user_words = re.compile("|".join(["user", "User", *sorted(user_model_refs)]))


@cache
def default_types() -> TypeWords:
    """The words of the adapters this package ships (for callers that have no Knowledge at hand)."""
    from .frameworks import ADAPTERS
    from .frameworks.base import Knowledge

    return Knowledge(ADAPTERS).types


_PRIVILEGED = re.compile(
    r"^(is_admin|is_staff|is_superuser|is_super_user|is_moderator|is_verified|email_verified|is_email_verified|"
    r"verified|is_approved|role|roles|user_role|user_type|account_type|permissions|user_permissions|groups|"
    r"is_premium|balance|account_balance|credits|owner|owner_id|user|user_id|author|"
    r"author_id|created_by|created_by_id|tenant_id|org_id|organization_id)$",
    re.IGNORECASE,
)
# Names that refer to a user only when they hold a reference, not text (``owner: str`` is a name).
_REFERENCE_NAMES = frozenset({"owner", "user", "author", "created_by", "creator", "account", "customer",
                              "patient", "uploader", "uploaded_by", "posted_by", "seller", "buyer", "assignee",
                              "assigned_to", "member", "profile", "tenant"})
# A class a reference field points at, and the words that make it a person or an owning party.
_CLASS_WORD = re.compile(r"\b[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*\b|['\"](\w+)\.id['\"]")
_PERSON = re.compile(r"user|account|member|person|people|profile|customer|owner|author|principal|individual|"
                     r"participant|staff|employee|creator|identity|patient|seller|buyer|"
                     # parties that own rows on behalf of their members (a tie through a parent)
                     r"team|group|org|tenant|workspace|household|company|project", re.IGNORECASE)
# A role or status field: a privilege only on a row that describes someone who signs in (``User.role``,
# ``Membership.role``, ``User.is_verified``), a category or a state elsewhere (a network device's
# ``role``, a contact's; a security finding's ``verified``, a comment's ``is_approved``)
ROLE_FIELD = re.compile(r"^(role|roles|user_role|user_type|account_type|verified|is_verified|email_verified|"
                        r"is_email_verified|approved|is_approved|is_premium)$", re.IGNORECASE)


_SIGNS_IN = re.compile(r"user|account|member|person|people|staff|employee|customer|principal|identity|"
                       r"participant|patient", re.IGNORECASE)


# A reference to whoever last did something to the row (``updated_by``, ``approved_by``,
# ``last_created_by``) or wrote something attached to it (``comment_authors``): a record of who
# acted, which grants nothing; unlike who created, posted or owns it (``created_by``,
# ``uploaded_by``, ``author``), which is whose row it is.
_ATTRIBUTION = re.compile(r"^((last_\w+|updated|modified|changed|edited|approved|reviewed|deleted|completed|verified|"
                          r"closed|resolved|rejected|invited|archived|cancell?ed|published|imported|exported)_by(_id)?"
                          r"|(?!co_)\w+_authors?)$")


def signs_in(class_name: str) -> bool:
    """A class name that says its rows are people or their accounts (``User``, ``Membership``),
    not a party they belong to (``Organization``) or a thing (``Device``)."""
    return bool(_SIGNS_IN.search(class_name))


# Fields that tie a row to a user (RG105's ownership evidence, and RG304's owner fields).
_OWNER_WORDS = (r"owner|user|author|creator|created_by|account|tenant|customer|patient|uploader|uploaded_by|posted_by|"
                r"seller|buyer|assignee|assigned_to|member|profile")
OWNER_FIELD = re.compile(rf"^({_OWNER_WORDS})(_id|_pk)?$|^owner_(user|account)(_id|_pk)?$")
# ... and fields that tie it to a user, to whoever last changed it, or to a party that owns rows
# on behalf of its members (a group, a team, a tenant): whose data the row then is.
_PARTY_WORDS = r"group|household|team|org|organi[sz]ation|project|workspace|company|space|wallet"
TIED_FIELD = re.compile(rf"^({_OWNER_WORDS}|updated_by|{_PARTY_WORDS})(_id|_ids|_slug|_pk)?$", re.IGNORECASE)

# Visibility: words for whether a record may be seen by anyone, and the names built from them.
_SHOWN = "public|published|visible|listed|shared"
_NOT_SHOWN = "private|unpublished|hidden|unlisted|draft"
# A record's own flag that says who may see it, as a branch tests it: ``recipe.settings.public``,
# ``group.private_group``, ``page.auth_required``. "shared" and "draft" only as the whole name:
# they begin other names too (``shared_secret``, lnbits' ``wallet.shared_wallet_id``, ``draft_id``).
VISIBILITY_FLAG = re.compile(rf"^(is_)?({_SHOWN}|{_NOT_SHOWN})$|^(is_)?(private|public|published|unpublished|visible|"
                             r"hidden|listed|unlisted)_\w+$"
                             r"|^\w+_(private|public|visibility)$|^visibility$|^(auth|login)_required$", re.IGNORECASE)
# A stored field that is such a flag (``published``, ``is_public``, ``private``).
VISIBILITY_FIELD = re.compile(rf"^(is_)?({_SHOWN}|{_NOT_SHOWN})$", re.IGNORECASE)
# A query or attribute name that selects what is meant to be seen by anyone (``published_posts``).
SELECTS_VISIBLE = re.compile(rf"(^|[._])(is_)?({_SHOWN})($|[._])", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def _points_elsewhere(type_text: str, types: TypeWords, keys_only: bool = False) -> bool:
    """The declared type names classes (or a ``"table.id"`` key), none of them a person:
    ``owner = relationship("Service")``, ``owner: ServiceRead | None``; ``keys_only``: judge
    the foreign-key target only (``owner_id: ObjectId`` names a type, not a target)."""
    found = [m.group(1) or m.group(0) for m in _CLASS_WORD.finditer(type_text or "") if m.group(1) or not keys_only]
    found = [w for w in found if w not in types.system and "." not in w]
    return bool(found) and not any(_PERSON.search(w) for w in found)


def text_type(type_text: str, types: TypeWords | None = None) -> bool:
    """The declared type holds text and no reference to another row."""
    types = types or default_types()
    return bool(type_text) and bool(types.text.search(type_text)) and not types.relation.search(type_text)


def masked_type(type_text: str) -> bool:
    """The declared type sends a masked value (``ObfuscatedPasswordField``) or none."""
    return bool(type_text) and bool(_MASKED_TYPES.search(type_text))


def _secret(name: str, type_text: str, types: TypeWords) -> bool:
    if _CARD_EXPIRY.match(name) or (_NATIONAL_ID.search(name) and not _FLAG_PREFIX.search(name)):
        return True
    if _SECRET.search(name):
        if _FLAG_PREFIX.search(name):
            return False
        last = name.rsplit("_", 1)[-1]
        two = "_".join(name.split("_")[-2:])
        return last not in _NOT_VALUE and two not in _NOT_VALUE
    return bool(type_text) and bool(types.secret.search(type_text))


def _personal(name: str) -> bool:
    return bool(_PERSONAL.search(name)) and not _NOT_POSTAL.search(name) and not _FLAG_PREFIX.search(name) \
        and name.rsplit("_", 1)[-1] not in _NOT_VALUE - {"date"}


# Besides what classify() calls personal: data that identifies, reaches or profiles a person,
# which an anonymous read should not hand out either (an e-mail address, an IP address, a salary).
_IDENTIFYING = re.compile(r"(^|_)(e_?mail|ip|ip_address|ssn|salary|location)($|_)", re.IGNORECASE)


def personal_data(name: str) -> bool:
    """A field about a person, whoever owns the row: a personal field (``classify``) or one that
    identifies or contacts its person (``email``, ``last_login_ip``)."""
    return classify(name) == "personal" or bool(_IDENTIFYING.search(name))


def classify(name: str, type_text: str = "", hidden: bool = False, types: TypeWords | None = None) -> str:
    """"secret" | "privileged" | "personal" | "" for a field named ``name`` declared with the
    type ``type_text`` (annotation or column/field constructor, as text); ``hidden``: the
    field is never sent to clients (write-only, load-only, excluded); ``types``: what the
    type's words say (``Knowledge.types``)."""
    low = _snake(name)
    types = types or default_types()
    if _PRIVILEGED.match(low):
        if (low in _REFERENCE_NAMES and (text_type(type_text, types) or _points_elsewhere(type_text, types))) \
                or _points_elsewhere(type_text, types, keys_only=True):
            return ""  # ``owner = Column(String)``: a name or a contact; ``owner: ServiceRead``: not a person
        return "privileged"
    if type_text and types.user_model.search(type_text) and not _ATTRIBUTION.match(low):
        return "privileged"
    if hidden or masked_type(type_text) or (type_text and (types.bool.search(type_text) or types.masked.search(type_text))):
        return ""  # never sent, sent masked, or a yes/no about the secret
    if _secret(low, type_text, types):
        if type_text and types.number.search(type_text) and not types.text.search(type_text):
            return ""  # ``pan: float`` is a camera's, not a card's
        if type_text and types.time.search(type_text) and not _CARD_EXPIRY.match(low):
            return ""  # ``password_last_reset = DateTimeField()``: when, not what
        return "secret"
    if _personal(low):
        return "personal"
    return ""


_CREDENTIAL = re.compile(r"(^|_)(token|api_?key|apikey|key|secret|access_?key|signing_?key|secret_?key|private_?key"
                         r"|(recovery|backup)_?codes?)($|_)")  # second-factor recovery codes: issued once to their holder
_NOT_CREDENTIAL = re.compile(r"(^|_)(password|passwd|passwort|pwd|passphrase|hash|hashed|salt|pin)($|_)")


def credential(name: str) -> bool:
    """A secret that is a credential issued to its holder (an API key, a token, a client
    secret), not a password, a hash, an identity number or card data."""
    low = _snake(name)
    return classify(low) == "secret" and bool(_CREDENTIAL.search(low)) and not _NOT_CREDENTIAL.search(low) \
        and not _NATIONAL_ID.search(low)


def owner_field(name: str, type_text: str = "", types: TypeWords | None = None) -> bool:
    """``name`` (declared as ``type_text``, when known) ties a row to a user: an owner/user/
    author reference, or a foreign key to the user model; a text column named ``owner`` or
    ``owner_email`` is a contact, not a tie."""
    types = types or default_types()
    if OWNER_FIELD.match(name):
        return not (name in _REFERENCE_NAMES and (text_type(type_text, types) or _points_elsewhere(type_text, types))) \
            and not _points_elsewhere(type_text, types, keys_only=True)
    return bool(type_text) and bool(types.relation.search(type_text)) and bool(
        types.user_words.search(type_text)) and not name.endswith(("_at", "_on"))


def owner_column(name: str) -> bool:
    """A filter or comparison on ``name`` scopes rows to someone: an owner field, or an owner's
    contact (``owner_email=current_user.email``)."""
    return bool(OWNER_FIELD.match(name)) or name.startswith("owner_")


def matches(name: str, patterns) -> bool:
    """``name`` matches one of the configured names or globs (case-insensitive)."""
    low = name.lower()
    return any(fnmatch.fnmatchcase(low, p.lower()) for p in patterns)
