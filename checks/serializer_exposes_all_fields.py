from __future__ import annotations

from routeguard.facts import WRITE_METHODS
from routeguard.findings import Related, Severity

from .base import Check, Invalid, Valid, staff_only
from routeguard.states import AuthState

SETTINGS = """
INSTALLED_APPS = ["rest_framework", "accounts"]
REST_FRAMEWORK = {"DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"]}
"""
MODELS = """
from django.db import models

class Account(models.Model):
    email = models.EmailField()
    api_key = models.CharField(max_length=64)
    is_staff = models.BooleanField(default=False)
"""


class SerializerExposesAllFields(Check):
    """
    ## What it does
    Flags a serializer or form generated from a model (`ModelSerializer`, `ModelForm`)
    that takes every field (`fields = "__all__"`), or whose `exclude` list still leaves
    sensitive fields, when the model has sensitive fields: passwords, tokens, keys,
    staff/admin flags and permissions. Write-only fields are not counted as exposed.
    The severity is raised when a view that uses it is unprotected or public. A form that
    only the framework's admin site uses (`form`/`add_form` of a `ModelAdmin`) is not
    reported: only staff reach it. Nor are other classes that name a model in their `Meta`
    without being its form or serializer: a django-tables2 table, a django-filter filter set,
    a factory_boy factory, a graphene mutation (its arguments decide what clients set).
    A serializer whose only sensitive fields are privileges (staff flags, roles, owners) is
    reported only when a route that checks no role writes through it: sending a flag reveals
    nothing, and an administrator's API that sets it is meant to.

    ## Why is this bad
    Such a serializer sends password hashes and API keys to every client that can
    read the view, and lets any client that can write set `is_staff` on itself. New
    sensitive columns are exposed the day they are added to the model.

    ## Example
    ```python
    class UserSerializer(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = "__all__"
    ```

    ## Use instead
    ```python
    class UserSerializer(serializers.ModelSerializer):
        class Meta:
            model = User
            fields = ["id", "username", "email"]
            read_only_fields = ["id"]
    ```

    ## References
    - OWASP API Security Top 10 2023, API3: Broken Object Property Level Authorization
    - CWE-213: Exposure of Sensitive Information Due to Incompatible Policies
    - Django REST framework documentation, "Specifying which fields to include"
    """

    id = "RG302"
    name = "serializer-exposes-all-fields"
    summary = "Model serializer or form takes every field (or excludes too few) of a model with sensitive fields"
    severity = Severity.WARNING
    confidence = "high"
    cwe = 213
    owasp = "API3:2023"

    VALID = (
        Valid({  # a table renders rows, a mutation's input type decides what clients set
            "proj/settings.py": SETTINGS,
            "accounts/models.py": MODELS,
            "accounts/tables.py": """
import django_tables2 as tables
from accounts.models import Account


class AccountTable(tables.Table):
    class Meta:
        model = Account
        exclude = ("id",)
""",
            "accounts/mutations.py": """
import graphene
from accounts.models import Account


class ModelMutation(graphene.Mutation):
    class Meta:
        abstract = True


class AccountCreate(ModelMutation):
    class Arguments:
        email = graphene.String(required=True)

    class Meta:
        model = Account
        exclude = ["api_key"]
""",
        }),
        Valid({
            "proj/settings.py": SETTINGS,
            "accounts/models.py": MODELS,
            "accounts/serializers.py": """
from rest_framework import serializers
from .models import Account

class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "email"]
""",
        }),
        Valid({
            "proj/settings.py": SETTINGS,
            "accounts/models.py": """
from django.db import models

class Tag(models.Model):
    name = models.CharField(max_length=30)
""",
            "accounts/serializers.py": """
from rest_framework import serializers
from .models import Tag

class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = "__all__"
""",
        }),
    )
    INVALID = (
        Invalid({
            "proj/settings.py": SETTINGS,
            "accounts/models.py": MODELS,
            "accounts/serializers.py": """
from rest_framework import serializers
from .models import Account

class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = "__all__"  # expect: RG302
""",
        }),
        Invalid({
            "proj/settings.py": SETTINGS,
            "accounts/forms.py": """
from django import forms
from django.contrib.auth.models import User

class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        exclude = ["password"]  # expect: RG302
""",
        }),
    )

    def run(self, graph):
        used_by: dict = {}
        for u in graph.schema_uses:
            used_by.setdefault(graph.alias(u.schema), set()).add(graph.alias(u.user))
        for name in sorted(graph.schemas):
            schema = graph.schemas[name]
            marked = _implicit(graph, schema)
            # a relation to a user that no authorization of the project reads (a reporter, the
            # risk's accountable owner, created_by): who it names grants nothing
            users = graph.authz.user_relations(schema.model) if marked else set()
            marked = {f: m for f, m in marked.items()
                      if not (m == "privileged" and f in users and f not in graph.authz.caller_fields())}
            if not marked:
                continue
            if schema.all_fields:
                how = "takes every field of"
                left = [f for f in marked if f not in schema.hidden]
            elif schema.exclude is not None:
                how = "excludes too few fields of"
                left = [f for f in marked if f not in schema.exclude and f not in schema.hidden]
            else:
                continue
            if not left:
                continue
            if graph.k.not_schemas.intersection(graph.mro(graph.canonical(schema.qualname))):
                continue  # a table, a filter set, a factory, a mutation: no form or serializer of the model
            users = used_by.get(graph.alias(schema.qualname), set())
            if users and all(graph.k.admin_classes.intersection(graph.mro(u)) for u in users):
                continue  # only the framework's admin site (staff) uses it
            routes = graph.routes_using(schema.qualname)
            kinds = {marked[f] for f in left}
            # a DELETE sends no fields: its serializer (a viewset's) is not written through; nor is one
            # a write route only renders its answer with (``CycleSerializer(cycle)`` after the update)
            writers = [r for r in graph.routes_using(schema.qualname, writing=True)
                       if r.method in WRITE_METHODS - {"DELETE"} or r.method == "ANY"]
            if schema.kind != "form" and kinds == {"privileged"} and (not writers or staff_only(graph, writers)):
                # a role or owner column only sent to clients: a privilege is set, not read; or set only
                # through routes that check a role (ralph's users API: writes are for superusers)
                continue
            if schema.kind == "form" and staff_only(graph, routes):
                continue  # a form only staff submit (django-helpdesk's ticket edit and CC forms)
            open_routes = [r for r in routes if r.auth != AuthState.PROTECTED]
            risk = "sent to clients" if schema.kind in ("serializer", "output") else "editable"
            if schema.kind == "serializer" and "privileged" in kinds:
                risk = "sent to clients and writable"
            where = ""
            if open_routes:
                where = f"; it is used by {open_routes[0].method} {open_routes[0].path}, which requires no authentication" \
                    if open_routes[0].auth == AuthState.UNPROTECTED else \
                    f"; it is used by {open_routes[0].method} {open_routes[0].path}, which is public"
            related = []
            seen = set()
            for r in open_routes or routes:
                if r.location not in seen:
                    seen.add(r.location)
                    related.append(Related(r.location, f"used by {r.method} {r.path}"))
            yield self.finding(
                f"{schema.qualname.rpartition('.')[2]} {how} {schema.model.rpartition('.')[2]}: "
                f"{', '.join(sorted(left))} {'is' if len(left) == 1 else 'are'} {risk}{where}.",
                schema.fields_location or schema.location,
                Severity.ERROR if open_routes else self.severity, related[:5], routes=open_routes or routes)


def _implicit(graph, schema) -> dict:
    """{field: mark} of the model's sensitive fields that the schema takes without naming them.
    A field the schema declares itself is the author's choice (its declaration decides: a
    masked or write-only password is no secret, an explicit ``owner = UserRelatedField()`` is
    RG304's business); a privileged field it makes read-only is neither writable nor secret."""
    if not schema.model:
        return {}
    own = {n for q in graph.mro(graph.canonical(schema.qualname)) for n in graph.field_facts.get(q, {})}
    found = {}
    for name, (mark, _) in graph.field_marks(schema.model).items():
        if name in own:
            if mark != "secret" or graph.model_field_mark(schema.qualname, name) != "secret":
                continue
        elif mark == "privileged" and name in schema.read_only:
            continue
        if mark in ("secret", "privileged"):
            found[name] = mark
    return found
