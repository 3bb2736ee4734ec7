"""The adapter protocol: all framework knowledge lives in adapters.

An adapter contributes data tables (which qualified names are guards, which calls
and attributes are signs of a credential check) and an ``extract`` function that
turns one parsed file into neutral facts (routers, mounts, routes, gates, settings).
The core and the checks never see a framework's API names.
"""
from __future__ import annotations

import re
from functools import cached_property
from typing import ClassVar, Mapping

import libcst as cst

from ..facts import FactSink, Setting
from ..names import NOT_LITERAL, dotted, literal
from ..walk import AssignVisitor, collect


class Adapter:
    name: ClassVar[str] = ""
    # Regular expressions: a file must match one for ``extract`` to be worth running on it
    # (none: always run). A cheap text prefilter; it must never skip a file that matters.
    markers: ClassVar[tuple[str, ...]] = ()
    # Qualified name of a decorator, dependency, permission class or mixin -> its Effect (auth | public).
    known_guards: ClassVar[Mapping[str, str]] = {}
    # Calls whose presence in a function means it checks a credential.
    auth_calls: ClassVar[frozenset[str]] = frozenset()
    # Methods of the framework's view classes that answer the caller with a rejection, called on
    # the view (``return self.handle_no_permission()``: Django's AccessMixin raises 403 or sends
    # the anonymous caller to the login page).
    rejecting_methods: ClassVar[frozenset[str]] = frozenset()
    # Attribute reads, in an ``if`` or ``assert`` test, that mean the same.
    auth_attributes: ClassVar[frozenset[str]] = frozenset()
    # The session (qualified names): ``if "user_id" not in session: return redirect(...)`` checks
    # a credential, ``session["user_id"] = user.id`` starts one.
    session_names: ClassVar[frozenset[str]] = frozenset()
    # Constant-time comparisons: comparing a signature or shared secret from the request.
    signature_checks: ClassVar[frozenset[str]] = frozenset({"hmac.compare_digest", "secrets.compare_digest"})
    # Exceptions a signed value that does not verify raises (caught, and the request turned away).
    signature_errors: ClassVar[frozenset[str]] = frozenset()
    # Exceptions whose raising means the request is rejected as unauthenticated/forbidden.
    auth_exceptions: ClassVar[frozenset[str]] = frozenset()
    # Class attributes that hold guards (``decorators = [login_required]``) -> guard kind.
    class_guard_attrs: ClassVar[Mapping[str, str]] = {}
    # External view base class -> names of the handler methods it provides (``get``, ``list``).
    provided_methods: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    # External view base class whose request entry point answers from hooks that the project's
    # subclass defines -> (the HTTP method it serves, the hooks in the order it calls them): the
    # first hook the subclass defines is the route's handler (it receives the request and the
    # path's parameters).
    view_hooks: ClassVar[Mapping[str, tuple[str, tuple[str, ...]]]] = {}
    # a group of routes that view-class methods add (``MethodFact.subroute``) -> the library bases
    # whose subclasses serve them, and the class attributes naming their prefix and base path,
    # their parameters taken from elsewhere, and their default base (Flask-Classful's
    # ``route_prefix``, ``route_base``, ``base_args``; the class name without "View")
    subroute_bases: ClassVar[Mapping[str, tuple[frozenset[str], str, str, str, str]]] = {}
    # auth_calls that only answer "forbidden": a refusal, which authenticates only where what
    # decides it reads a credential (a read-only maintenance middleware refuses every write)
    refusal_responses: ClassVar[frozenset[str]] = frozenset()
    # library views whose every method runs the view's own method of this name (Django's
    # RedirectView answers POST, PUT, PATCH and DELETE with ``self.get(...)``)
    delegated_methods: ClassVar[Mapping[str, str]] = {}
    # the methods a library view calls to build what it serves: a subclass that defines one serves
    # its own data (Django's ``get_context_data``, ``get_queryset``, ``get_object``, ``render_to_response``)
    data_hooks: ClassVar[frozenset[str]] = frozenset()
    # calls that queue a one-time notice for the user's next page (a flash message kept in the
    # session or a cookie): no stored data changes
    flash_calls: ClassVar[frozenset[str]] = frozenset()
    # Frameworks (Route.framework) whose views receive only the path's parameters and what
    # their decorators hand them: a parameter typed with a model there is not the request body
    # (FitTrackee's ``def edit_profile(auth_user: User)``).
    path_only_parameters: ClassVar[frozenset[str]] = frozenset()
    # External view base classes whose request entry point does not call super(): a guard
    # mixin after one of them in the MRO never runs.
    chain_ends: ClassVar[frozenset[str]] = frozenset()
    # View-class methods that run before every handler method (their checks guard them all).
    entry_methods: ClassVar[frozenset[str]] = frozenset()
    # Methods of a guard class that decide access -> "request" (every request) | "item"
    # (only when one object is fetched).
    guard_methods: ClassVar[Mapping[str, str]] = {}

    # -- the data side (read by analyzer/dataflow.py) --
    # Qualified names whose value (or call result) is the request's data as a whole.
    request_data: ClassVar[frozenset[str]] = frozenset()
    # Attributes (or methods) of a handler's request parameter that hold its data as a whole.
    request_attrs: ClassVar[frozenset[str]] = frozenset()
    # Classes that type a handler's request parameter.
    request_types: ClassVar[frozenset[str]] = frozenset()
    # Calls that build a response from their first argument (and keyword arguments).
    response_wrappers: ClassVar[frozenset[str]] = frozenset()
    # Functions that turn a whole object into a dict or JSON.
    object_dumpers: ClassVar[frozenset[str]] = frozenset()
    # Calls whose response is a page, a file, a redirect or a text named by their arguments:
    # qualified name (or ``.method`` for a method of that name on any object) -> "template" |
    # "file" | "redirect" | "text", or "url" for a call that builds an address from its arguments.
    fixed_responses: ClassVar[Mapping[str, str]] = {}
    # Library classes that make an in-memory value (``Headers(request.headers)``): calls on one
    # change that value, nothing stored.
    value_classes: ClassVar[frozenset[str]] = frozenset()
    # Keyword arguments of a field declaration (``write_only=True``), and names of lists in a
    # schema's inner ``class Meta`` (``load_only = ("password",)``), that keep a field out of every
    # response.
    hiding_keywords: ClassVar[frozenset[str]] = frozenset()
    # Library views (functions or classes) that only read, whatever method they are sent.
    read_views: ClassVar[frozenset[str]] = frozenset()
    # Base classes of the framework's built-in administration site (staff only): a form or
    # serializer that only these use is an administrator's tool.
    admin_classes: ClassVar[frozenset[str]] = frozenset()
    # library classes that declare a ``Meta.model`` without being a form or a serializer of it:
    # they take no client input and send no fields of their own (a table, a filter set, a factory)
    not_schemas: ClassVar[frozenset[str]] = frozenset()
    # Class attributes through which a model's rows are fetched or created (``User.query``).
    managers: ClassVar[frozenset[str]] = frozenset()
    # Base classes (qualified, after instance resolution: ``flask_sqlalchemy.SQLAlchemy.Model``)
    # that make a class a stored model -> "orm".
    model_bases: ClassVar[Mapping[str, str]] = {}
    # CORS: qualified name of a function, decorator or middleware class -> (origins keyword,
    # credentials keyword, origin-regex keyword, origins when the keyword is absent: "any" | "").
    cors_calls: ClassVar[Mapping[str, tuple[str, str, str, str]]] = {}
    # CORS settings names -> "any" (True allows every origin) | "credentials" | "regex" | "listed".
    cors_settings: ClassVar[Mapping[str, str]] = {}
    # Values the client sets, by what they are: qualified name, or ``request.<attr>`` on a
    # handler's request parameter, or ``<container>[<key>]`` for one item -> "cookie" |
    # "header" | "query" | "body" | "address" (the peer address) | "forwarded" (an address
    # header). After a colon: for a container, a prefix stripped from the keys read
    # (``header:HTTP_``, Django's META); for a single value, its key (``header:user-agent``).
    client_inputs: ClassVar[Mapping[str, str]] = {}
    # Parameter defaults (or ``Annotated`` metadata) that fill a parameter from the request.
    client_params: ClassVar[Mapping[str, str]] = {}
    # The application's settings objects as a whole (``app.config``), by qualified name.
    config_objects: ClassVar[frozenset[str]] = frozenset()
    # Calls whose arguments reach the client as a response body or error message, besides
    # ``response_wrappers`` (``HTTPException(detail=...)``, ``abort(400, msg)``).
    response_sinks: ClassVar[frozenset[str]] = frozenset()

    # -- authorization: what the caller may touch, not who they are (read by analyzer/authz.py) --
    # Guard (qualified name) -> "role" (checks a role, permission or staff flag), "owner" (an
    # object-level permission), "readonly" (authenticates writes only, lets reads through),
    # "test" (decided by the view's object methods, e.g. ``test_func``).
    authz_guards: ClassVar[Mapping[str, str]] = {}
    # Functions that load one object: qualified name -> index of the model argument.
    lookup_functions: ClassVar[Mapping[str, int]] = {}
    # Functions or methods (by name) that start a query over the model in argument 0
    # (``select(Model)``, ``db.query(Model)``), and methods that take (Model, id).
    lookup_builders: ClassVar[frozenset[str]] = frozenset()
    lookup_sessions: ClassVar[frozenset[str]] = frozenset()
    # Class attributes that query the class (``Model.query``, ``Model.objects``).
    lookup_managers: ClassVar[frozenset[str]] = frozenset()
    # Method names that filter a query (a caller in their arguments scopes it to the caller).
    query_filters: ClassVar[frozenset[str]] = frozenset()
    # Method names that fetch every row (a chain ending in one is not a lookup of one object).
    collection_terminals: ClassVar[frozenset[str]] = frozenset()
    # Expressions that denote the caller: qualified names (``flask_login.current_user``) or
    # dotted text (``request.user``); functions (or ``.method`` names) that return it.
    caller_names: ClassVar[frozenset[str]] = frozenset()
    caller_calls: ClassVar[frozenset[str]] = frozenset()
    # Dotted prefixes (qualified or as written) of request data that the client chooses.
    client_sources: ClassVar[frozenset[str]] = frozenset()
    # Parameter defaults or ``Annotated`` metadata that inject a value (not client data).
    injected_defaults: ClassVar[frozenset[str]] = frozenset()
    # Attributes whose test is a role/permission check; attributes holding a credential's
    # scopes (a check only where scopes are required); calls (qualified or method names)
    # that check a role or permission, and calls that check permission on one object.
    role_attributes: ClassVar[frozenset[str]] = frozenset()
    scope_attributes: ClassVar[frozenset[str]] = frozenset()
    role_calls: ClassVar[frozenset[str]] = frozenset()
    object_permission_calls: ClassVar[frozenset[str]] = frozenset()
    # View-class methods that fetch the object of an item route and run the object check on it
    object_fetchers: ClassVar[frozenset[str]] = frozenset()
    # View-class attributes that make it fetch one object on its item routes (``queryset``,
    # ``model``), and view-class methods whose checks apply to those fetches (``get_queryset``).
    implicit_lookup_attrs: ClassVar[frozenset[str]] = frozenset()
    object_methods: ClassVar[frozenset[str]] = frozenset()
    # The user model: references to it (``settings.AUTH_USER_MODEL``, ``get_user_model``) and
    # base classes that make a class the user model (``AbstractUser``, ``UserMixin``).
    user_models: ClassVar[frozenset[str]] = frozenset()
    # Calls that fetch a response from another server (an outbound HTTP request): what they
    # return is that server's data, not the client's, whatever the request carried.
    server_responses: ClassVar[frozenset[str]] = frozenset()
    # Token decoding functions (qualified name) -> calling convention ("pyjwt" | "jose").
    token_decoders: ClassVar[Mapping[str, str]] = {}
    # class methods that make a view function of a view class: ``dashboard = Dash.as_view()``
    view_constructors: ClassVar[frozenset[str]] = frozenset()
    # router classes: a project function annotated to return one makes a router
    # (``router = create_crud_router(...)`` with ``def create_crud_router(...) -> APIRouter``)
    router_classes: ClassVar[frozenset[str]] = frozenset()
    # Guard classes that decide per action: class-attribute suffix -> (the attribute that every
    # action also needs, the attribute that lets a caller in whatever the action), e.g.
    # ``list_perms = AllowAny()`` beside ``global_perms`` and ``enough_perms``.
    action_guard_attrs: ClassVar[Mapping[str, tuple[str, str]]] = {}
    # Methods that together make a project class a copy of the framework's own view base (a
    # vendored framework): its request entry points are the framework's machinery, not checks.
    framework_methods: ClassVar[frozenset[str]] = frozenset()
    # Views and apps that serve a GraphQL schema: a route to one serves the schema's operations.
    graphql_views: ClassVar[frozenset[str]] = frozenset()
    # OpenAPI documents: extensions of a security scheme that name the function verifying its
    # credential (``x-bearerInfoFunc``), and of an operation that name its handler's module.
    spec_verifiers: ClassVar[frozenset[str]] = frozenset()
    spec_controllers: ClassVar[frozenset[str]] = frozenset()
    # scheme type (``http/bearer``, or the type alone) -> the environment variable that names its
    # verifier when the document names none
    spec_env_verifiers: ClassVar[Mapping[str, str]] = {}

    # -- the model, schema and token libraries' tables (analyzer/libraries/) --
    # Base classes of a declarative ORM model, class decorators that make one, and calls that
    # make a base class (``Base = declarative_base()``).
    declarative_bases: ClassVar[frozenset[str]] = frozenset()
    model_decorators: ClassVar[frozenset[str]] = frozenset()
    model_factories: ClassVar[frozenset[str]] = frozenset()
    # Base classes of a data schema (a request or response model) and of a settings class.
    schema_bases: ClassVar[frozenset[str]] = frozenset()
    settings_bases: ClassVar[frozenset[str]] = frozenset()
    # Field-defining calls that relate a row to another model (by the call's last name) ->
    # ("one" (the row's parent) | "many" (many rows, or either way), the keyword naming the
    # target, or "" when only the first argument does).
    relation_fields: ClassVar[Mapping[str, tuple[str, str]]] = {}
    # Calls among a column's arguments, and keywords of a field, that hold a foreign key.
    foreign_key_calls: ClassVar[frozenset[str]] = frozenset()
    foreign_key_keywords: ClassVar[frozenset[str]] = frozenset()
    # Methods that write the keyword arguments (or a mapping argument) they get into stored
    # rows, and those of them that update existing rows.
    write_methods: ClassVar[frozenset[str]] = frozenset()
    update_methods: ClassVar[frozenset[str]] = frozenset()
    # Methods that return a model's data as a dict, and methods that dump it (dict or JSON).
    data_methods: ClassVar[frozenset[str]] = frozenset()
    dump_methods: ClassVar[frozenset[str]] = frozenset()
    # Calls that issue a token (a credential the caller then brings), and calls that sign or
    # verify one with the key they are given (a module constant passed to one is a secret).
    token_issuers: ClassVar[frozenset[str]] = frozenset()
    token_signers: ClassVar[frozenset[str]] = frozenset()
    # What a word of a declared field type says (routeguard.fields.TypeWords): word -> "secret"
    # (``SecretStr``), "bool", "number", "text" (``CharField``) or "relation" (``ForeignKey``);
    # and the words that are the type system (``Column``, ``Mapped``, ``Depends``), never the
    # class a reference field points at.
    field_types: ClassVar[Mapping[str, str]] = {}
    type_words: ClassVar[frozenset[str]] = frozenset()
    # Names that stand for the user model in a declared type (``ForeignKey(settings.AUTH_USER_MODEL)``).
    user_model_refs: ClassVar[frozenset[str]] = frozenset()
    # Functions that build a query of the model class in their first argument (``select(User)``).
    select_calls: ClassVar[frozenset[str]] = frozenset()
    # Methods of a session or query that load rows of the model class in their first argument
    # (``db.query(User)``, ``session.get(User, id)``), and those that run a built query and return
    # its rows (``session.exec(stmt)``, ``.scalars(stmt)``).
    row_queries: ClassVar[frozenset[str]] = frozenset()
    result_methods: ClassVar[frozenset[str]] = frozenset()
    # Classes a handler parameter is given to receive the client's credentials (a login form),
    # and the modules whose classes the framework injects into a handler (not the request body).
    credential_forms: ClassVar[frozenset[str]] = frozenset()
    injected_modules: ClassVar[frozenset[str]] = frozenset()
    # Packages and modules whose errors come from storage, the network, the OS or a remote service
    # (their text carries the server's details): ``sqlalchemy``, ``urllib.request``
    infrastructure_modules: ClassVar[frozenset[str]] = frozenset()
    # Frameworks (``Route.framework``) whose routes an OpenAPI document declares (Connexion), and
    # those that answer a request with the first registered pattern that matches (Django's URLconf)
    document_frameworks: ClassVar[frozenset[str]] = frozenset()
    first_match_frameworks: ClassVar[frozenset[str]] = frozenset()
    # View class attributes that list the only methods the view answers (Django's
    # ``http_method_names = ["get", "head"]``: any other method gets 405)
    method_allow_attrs: ClassVar[frozenset[str]] = frozenset()
    # The base class of the framework's HTTP errors (a 401/403 among them): ``except HTTPException``
    error_bases: ClassVar[frozenset[str]] = frozenset()
    # The keywords of a token decoder's token argument (``jwt.decode(jwt=...)``)
    token_arguments: ClassVar[frozenset[str]] = frozenset()
    # framework (``Route.framework``) -> a setting its settings module always sets: a scan whose
    # routes are the framework's and that finds no such setting misses the project's settings
    settings_keys: ClassVar[Mapping[str, str]] = {}
    # framework (also its top-level module) -> the environment variable its debug mode is read from
    # (the RG401 autofix); model base classes that declare no fields of their own (``Model``)
    debug_variables: ClassVar[Mapping[str, str]] = {}
    fieldless_bases: ClassVar[frozenset[str]] = frozenset()

    def extract(self, ctx, sink: FactSink) -> None:
        """Emit the facts of one file; a library adapter that only contributes tables does not
        override it (and is never run). Adapters that share one ``extract`` (the model libraries
        share the reading of model classes) run it once, on the files any of their markers match."""

    # Neutral passes the adapter's files also need, as functions (adapter, ctx, sink): each runs
    # once on the files any adapter listing it matches (analyzer/functions.py: what functions
    # return and grant, for the framework whose handlers return rows and the libraries of rows and tokens).
    passes: ClassVar[tuple] = ()

    def extract_document(self, doc, sink: FactSink) -> None:
        """Facts of a non-Python input (``doc``: a documents.SpecDocument) beyond the neutral
        ones (its operations, prefixes and security, which the core records)."""


class Knowledge:
    """The union of every adapter's tables, as the extractor and linker use them."""

    def __init__(self, adapters, extra_guards: Mapping[str, str] | None = None):
        self.adapters = tuple(adapters)
        for name in (*TABLES, *AUTHZ_TABLES):  # unions over the adapters (in a mapping, a later adapter wins)
            merged = {} if isinstance(getattr(Adapter, name), Mapping) else set()
            for a in self.adapters:
                merged.update(getattr(a, name))
            setattr(self, name, merged)
        self.known_guards.update(extra_guards or {})
        groups: dict = {}  # extract function or pass -> the adapters that share it, in order
        for a in self.adapters:
            own = (type(a).extract,) if type(a).extract is not Adapter.extract else ()
            for run in (*own, *a.passes):
                groups.setdefault(run, []).append(a)
        # (function, the first adapter sharing it, their markers' pattern or None: every file)
        self.extractors = tuple(
            (run, group[0], None if not all(a.markers for a in group)
             else re.compile("|".join(dict.fromkeys(m for a in group for m in a.markers))))
            for run, group in groups.items())

    @cached_property
    def types(self):
        """What the words of a declared field type say, from every adapter's tables."""
        from ..fields import TypeWords

        return TypeWords(self.field_types, self.type_words, self.foreign_key_calls, self.user_model_refs)

    def runs(self, pattern, text: str) -> bool:
        return pattern is None or pattern.search(text) is not None

    def fingerprint(self) -> str:
        """What extraction depends on besides a file's text, for the cache key."""
        return repr((sorted(a.name for a in self.adapters), sorted(self.known_guards.items())))


def function_params(node: cst.FunctionDef, qualname: str) -> dict[str, str]:
    """{parameter: its qualified name} of a function's positional parameters."""
    return {p.name.value: f"{qualname}.{p.name.value}" for p in (*node.params.posonly_params, *node.params.params)}


# A test that is off only in tests or on a developer's machine (``if not settings.TESTING:``).
_DEVELOPMENT = re.compile(r"(^|[^a-z])(test|debug|dev\b|develop|local|mock)|__name__", re.IGNORECASE)


class ScopedVisitor(AssignVisitor):
    """A visitor that knows its enclosing classes and functions and the names a function
    binds locally (``app = Flask(...)`` inside ``create_app``), so that each binding
    resolves to one qualified name: ``pkg.create_app.app``."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.stack: list[str] = []  # enclosing class and function names
        self.scopes: list[tuple[str, dict[str, str]]] = []  # (function qualname, its local names)
        self.branches: list[cst.If] = []  # the ``if``s with no ``else`` being visited

    def visit_If(self, node: cst.If) -> None:
        if node.orelse is None:  # then all it holds runs only when the test holds
            self.branches.append(node)

    def leave_If(self, node: cst.If) -> None:
        if self.branches and self.branches[-1] is node:
            self.branches.pop()

    def condition(self) -> str:
        """The test of an ``if`` with no ``else`` around what is being visited, as source text,
        when configuration decides it (``if auth_string is not None:``): what it registers may be
        off in a deployment. "" when it runs unconditionally, when another branch does something
        else instead, or when the test only switches it off for tests or development."""
        for node in reversed(self.branches):
            text = self.ctx.code(node.test)
            if not _DEVELOPMENT.search(text) and literal(node.test) is NOT_LITERAL:  # ``if True:`` is no choice
                return text
        return ""

    @property
    def funcs(self) -> list[str]:
        return [q for q, _ in self.scopes]

    @property
    def local(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for _, names in self.scopes:
            merged.update(names)
        return merged

    def resolve(self, expr) -> str:
        return self.ctx.resolve(expr, self.local)

    def constant_ref(self, expr) -> str:
        """The constant an argument names (``rule=CREATE_USER``, ``urls.ID_VERIFICATION_CONFIG``),
        qualified, for the linker to look up (it may be another module's); else ''."""
        return self.resolve(expr) if isinstance(expr, (cst.Name, cst.Attribute)) and dotted(expr) else ""

    def _qualname(self, name: str) -> str:
        return ".".join([self.ctx.module, *self.stack, name])

    def _enter(self, node: cst.FunctionDef, params: dict[str, str] | None = None) -> str:
        """Enter the function ``node``: its parameters (or ``params``) become its locals. Its
        qualified name; ``leave_FunctionDef`` leaves it."""
        qualname = self._qualname(node.name.value)
        if params is None:
            params = function_params(node, qualname)
        self.scopes.append((qualname, params))
        self.stack.append(node.name.value)
        return qualname

    def leave_FunctionDef(self, node) -> None:
        self.scopes.pop()
        self.stack.pop()

    def _bind_def(self, name: str) -> None:
        """A function defined in a function body is one of its locals (not a method of a
        class defined there)."""
        if self.scopes and self.scopes[-1][0] == ".".join([self.ctx.module, *self.stack]):
            self._bind(name)

    def visit_Global(self, node: cst.Global) -> None:
        if self.scopes:  # global app: the function binds the module's name
            for n in node.names:
                self.scopes[-1][1][n.name.value] = f"{self.ctx.module}.{n.name.value}"

    def _bound(self, target) -> bool:
        """Whether ``target`` (of ``target = value``) is a plain name; in a function it becomes a
        local of it (``pkg.f.name``, not ``pkg.name``)."""
        if not isinstance(target, cst.Name):
            return False
        if self.scopes:
            self._bind(target.value)
        return True

    def _bind(self, name: str) -> str:
        module_name = f"{self.ctx.module}.{name}"
        if self.scopes and self.scopes[-1][1].get(name) != module_name:
            qname = f"{self.scopes[-1][0]}.{name}"
            self.scopes[-1][1][name] = qname
            return qname
        return module_name


def add_setting(ctx, sink: FactSink, key: str, value, node, scope: str = "", via: str = "", env: bool = False) -> None:
    """Record setting ``key = value`` read at ``node``. Another adapter's reading of the same
    place is kept, unless this one knows more: ``env`` says the value is a settings class's
    default (what runs when the environment variable is unset)."""
    v, is_literal, fallback = setting_value(ctx, value)
    fallback = fallback or (env and is_literal)
    loc = ctx.loc(node)
    same = [s for s in sink.settings if s.key == key and s.location == loc]
    if same and not (fallback and not same[0].fallback):
        return
    sink.settings[:] = [s for s in sink.settings if s not in same]
    sink.settings.append(Setting(key, v, loc, is_literal, fallback, scope, via or ctx.code(node)))


def setting_value(ctx, expr):
    """(value, literal, fallback) for the right-hand side of a setting.

    ``os.environ.get("KEY", "dev")`` and ``os.getenv("KEY", "dev")`` give the literal
    default with ``fallback=True``: that value is used wherever the variable is unset.
    """
    from ..names import NOT_LITERAL, call_arg, literal

    value = literal(expr)
    if value is not NOT_LITERAL:
        return value, True, False
    if isinstance(expr, cst.Call) and (ctx.resolve(expr.func) in ENV_LOOKUPS or _env_reader(ctx, expr.func)):
        default = literal(call_arg(expr, "default", 1))
        if default is not NOT_LITERAL and default is not None:
            return default, True, True
    return None, False, False


ENV_LOOKUPS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault", "environ.get"})
# Classes whose instances read the environment: ``env = environ.Env()``; ``env.str("SECRET_KEY",
# default="change_me")``, ``env("SECRET_KEY", default=...)`` (django-environ, environs)
ENV_READERS = frozenset({"environ.Env", "environ.environ.Env", "environs.Env"})


def _env_reader(ctx, func) -> bool:
    """``func`` is a module-level environment reader or one of its typed getters."""
    receiver = func.value if isinstance(func, cst.Attribute) else func
    if not isinstance(receiver, cst.Name):
        return False
    made = ctx.constant(receiver)
    return isinstance(made, cst.Call) and ctx.resolve(made.func) in ENV_READERS


# The adapters' tables that Knowledge merges: what authenticates, views, requests, models...
TABLES = (
    "known_guards", "auth_calls", "rejecting_methods", "auth_attributes", "auth_exceptions", "class_guard_attrs", "provided_methods", "view_hooks",
    "subroute_bases", "refusal_responses", "delegated_methods", "data_hooks", "flash_calls",
    "path_only_parameters",
    "chain_ends", "entry_methods", "guard_methods", "request_data", "request_attrs", "request_types",
    "response_wrappers", "object_dumpers", "fixed_responses", "hiding_keywords", "read_views", "admin_classes", "not_schemas", "managers", "model_bases", "cors_calls", "cors_settings",
    "view_constructors", "router_classes", "action_guard_attrs", "graphql_views", "spec_verifiers", "spec_controllers",
    "spec_env_verifiers",
    "framework_methods", "signature_checks", "signature_errors", "client_inputs", "client_params", "config_objects", "response_sinks", "session_names", "value_classes",
    "declarative_bases", "model_decorators", "model_factories", "schema_bases", "settings_bases", "relation_fields",
    "foreign_key_calls", "foreign_key_keywords", "write_methods", "update_methods", "data_methods", "dump_methods",
    "token_issuers", "token_signers", "select_calls", "row_queries", "result_methods", "credential_forms",
    "injected_modules", "infrastructure_modules", "document_frameworks", "first_match_frameworks",
    "method_allow_attrs", "error_bases", "token_arguments", "settings_keys", "debug_variables", "fieldless_bases",
    "field_types", "type_words",
    "user_model_refs",
)
# ... and the authorization tables (analyzer/authz.py)
AUTHZ_TABLES = (
    "authz_guards", "lookup_functions", "lookup_builders", "lookup_sessions", "lookup_managers", "query_filters",
    "collection_terminals", "caller_names", "caller_calls", "client_sources", "injected_defaults",
    "role_attributes", "scope_attributes", "role_calls", "object_permission_calls", "object_fetchers",
    "implicit_lookup_attrs",
    "object_methods", "token_decoders", "user_models", "server_responses",
)

# Outbound HTTP clients that every framework's projects use (an OAuth callback's token
# exchange, a provider's /user endpoint).
HTTP_CLIENTS = frozenset({
    f"{lib}.{verb}" for lib in ("requests", "httpx") for verb in ("get", "post", "put", "patch", "delete", "request")
} | {"urllib.request.urlopen"})
COMMON_ROLE_ATTRIBUTES = frozenset({
    "is_admin", "is_staff", "is_superuser", "is_superadmin", "is_moderator", "is_manager", "role", "roles",
    "permissions", "user_permissions", "access_level", "user_type", "groups", "perms", "is_system_admin", "admin",
    # the caller's standing among the accounts (Argilla's ``User.is_owner``: ``self.role == UserRole.owner``),
    # or in a membership row (``membership.is_owner``): either way, who may act
    "is_owner",
})


def rejections(block, hands_on=lambda node: False) -> list:
    """Where ``block`` answers the request itself instead of handing it on: ``return <a
    response>`` (not ``return None``, nor what ``hands_on`` says passes it to the view:
    ``return await call_next(request)``), ``raise``, ``abort(...)``."""
    return [*(r for r in collect(block, cst.Return) if r.value is not None and literal(r.value) is not None
              and not hands_on(r)),
            *collect(block, cst.Raise),
            *(c for c in collect(block, cst.Call) if (dotted(c.func) or "").rpartition(".")[2] == "abort")]
