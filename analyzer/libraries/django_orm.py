"""The Django ORM: model base classes (django.contrib.auth's among them, with the sensitive
fields they bring), managers, relations, the user model, lookups of one object and the
queryset methods that write rows."""
from __future__ import annotations

from ..frameworks.base import Adapter

# Models of django.contrib.auth and the sensitive fields they bring.
AUTH_MODELS = {
    "django.contrib.auth.models.AbstractBaseUser": ("password",),
    "django.contrib.auth.base_user.AbstractBaseUser": ("password",),
    "django.contrib.auth.models.PermissionsMixin": ("is_superuser", "groups", "user_permissions"),
    "django.contrib.auth.models.AbstractUser": ("password", "is_staff", "is_superuser", "groups", "user_permissions"),
    "django.contrib.auth.models.User": ("password", "is_staff", "is_superuser", "groups", "user_permissions"),
}
USER_MODEL_FUNCS = {"django.contrib.auth.get_user_model"}


class DjangoORMAdapter(Adapter):
    name = "django_orm"
    markers = ("django", "modelcluster")
    object_dumpers = frozenset({"django.forms.models.model_to_dict", "django.forms.model_to_dict"})
    managers = frozenset({"objects"})
    fieldless_bases = frozenset({"django.db.models.Model", "django.db.models.base.Model"})
    model_bases = {"django.db.models.Model": "orm", "django.db.models.base.Model": "orm",
                   **dict.fromkeys(AUTH_MODELS, "orm")}
    # ForeignKey(User, ...) / ForeignKey(to="auth.User"); modelcluster's ParentalKey for Wagtail pages
    relation_fields = {"ForeignKey": ("one", "to"), "OneToOneField": ("one", "to"), "ManyToManyField": ("many", "to"),
                       "ParentalKey": ("one", "to"), "ParentalManyToManyField": ("many", "to")}
    write_methods = frozenset({"create", "update", "update_or_create", "get_or_create"})
    update_methods = frozenset({"update"})
    field_types = {
        "BooleanField": "bool", "NullBooleanField": "bool", "FloatField": "number", "DecimalField": "number",
        **dict.fromkeys(("DateTimeField", "DateField", "TimeField", "DurationField"), "time"),
        **dict.fromkeys(("CharField", "TextField", "EmailField", "SlugField"), "text"),
        **dict.fromkeys(("ForeignKey", "OneToOneField", "ManyToManyField"), "relation"),
        # a form field drawn as a password box never writes the stored value into the page
        "PasswordInput": "masked",
    }
    type_words = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})
    user_model_refs = frozenset({"AUTH_USER_MODEL", "get_user_model"})  # ForeignKey(settings.AUTH_USER_MODEL)
    lookup_functions = {"django.shortcuts.get_object_or_404": 0, "django.shortcuts.get_list_or_404": 0}
    lookup_managers = frozenset({"objects", "_default_manager"})
    query_filters = frozenset({"filter", "get", "exclude", "get_object_or_404"})
    collection_terminals = frozenset({"all", "count", "exists", "values_list", "get_list_or_404"})
    user_models = frozenset({"django.conf.settings.AUTH_USER_MODEL", *USER_MODEL_FUNCS, *AUTH_MODELS})
