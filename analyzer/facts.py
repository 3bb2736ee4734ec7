"""The neutral, picklable facts that extraction produces and linking consumes.

Facts never hold CST nodes: only strings, numbers, tuples and other facts, so that
files can be extracted in worker processes and cached.  Every name in a fact is a
*qualified* name (``package.module.attr``) resolved through the file's imports; the
linker joins facts from different files on those names.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True, order=True)
class Location:
    """A span in a project file. Lines and columns are 1-based; ``end_col`` is exclusive."""

    file: str
    line: int
    col: int = 1
    end_line: int = 0
    end_col: int = 0


@dataclass(frozen=True)
class GuardUse:
    """One place where something that may guard a route is applied.

    ``target`` is the qualified name of the decorator, dependency, permission class,
    mixin or gate function.  Whether it really authenticates is decided at link time,
    from the adapters' tables of known guards, the project configuration and the
    summaries of the project's own functions.  ``effect`` is set when the adapter
    already knows it (an ``Effect``: auth, public, or none: looks like a guard, lets everyone in).
    """

    target: str
    display: str
    location: Location
    kind: str = "decorator"  # decorator | dependency | permission | mixin | gate | middleware
    methods: tuple[str, ...] = ()  # empty: every method
    effect: str = ""  # an Effect, or "" when the linker judges it
    # Set when the guard passes if any one of these targets passes (``A | B``): it then
    # authenticates only if every alternative does.
    alternatives: tuple[str, ...] = ()
    # Classes and functions handed to the guard where it is made
    # (``PermissionsDependency([IncidentViewPermission])``): a callable guard runs them.
    given: tuple[str, ...] = ()
    # The keywords the guard was made with whose values are not None or False
    # (``require_auth(scopes=[...], role=UserRole.ADMIN)``): a check its factory makes only when
    # given one of them (AccessCheck.switch) runs for this use only if it is here.
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Router:
    """An application, blueprint, router, API object or URLconf that routes hang off."""

    id: str
    kind: str  # app | blueprint | router | api | urlconf
    framework: str
    name: str = ""
    prefix: str = ""
    location: Location | None = None
    guards: tuple[GuardUse, ...] = ()  # guards every route of this router gets
    # An instance of this project class (``router = AdminAPIRouter(prefix="/admin")``): it is a
    # router only if a class along its bases is one (a ``kind="class"`` Router fact, which adds
    # its own guards and default prefix); the linker decides, the class may be anywhere.
    # A Flask router class names the kind its instances get ("api", "blueprint", "app") in ``name``.
    cls: str = ""
    # the constant of another module its prefix is (``APIRouter(prefix=urls.V1_URL_PREFIX)``), looked up when linking
    prefix_ref: str = ""
    # a module's list of URL patterns other than its ``urlpatterns`` (pretix's ``common_patterns``):
    # served only where a URLconf includes it, never a root of its own
    fragment: bool = False


@dataclass(frozen=True)
class Mount:
    """``parent`` includes ``child``: register_blueprint, include_router, include(), Api(bp)."""

    parent: str
    child: str
    location: Location
    prefix: str | None = None  # None: the child's own prefix applies
    name: str | None = None
    guards: tuple[GuardUse, ...] = ()
    # The include prefix is prepended to the child's own prefix instead of replacing it.
    keep_prefix: bool = False
    # The child is a separate application: it does not inherit the parent's router-level
    # guards (gates such as middleware still run in front of it).
    isolated: bool = False
    # The include prefix is a constant or settings attribute: its qualified name; a
    # configuration key (``url_prefix=app.config["USER_URL_PREFIX"]``): CONFIG_REF + the key.
    prefix_ref: str = ""


CONFIG_REF = "<config>."
# A collection named ANY_ATTRIBUTE + name holds what project classes bind to that class
# attribute (``events = slack_event_router``): ``for plugin in plugins.all():
# api.include_router(plugin.events)`` mounts each of them.
ANY_ATTRIBUTE = "<attribute>."


@dataclass(frozen=True)
class Route:
    """A route as declared on one router (before mount prefixes are applied).

    For a class-based view ``view_class`` names the class; its HTTP-verb methods
    and class-level guards are resolved by the linker (bases may be in other files).
    """

    router: str
    framework: str
    path: str
    methods: tuple[str, ...]
    handler: str
    handler_location: Location | None
    location: Location
    endpoint: str = ""
    guards: tuple[GuardUse, ...] = ()
    misplaced: tuple[GuardUse, ...] = ()
    view_class: str = ""
    span_start: int = 0  # first line of the handler's decorators (suppression scope)
    # Registered by a call (add_url_rule, path()) rather than a decorator: the handler's
    # own decorators, wherever it is defined, are its guards.
    by_reference: bool = False
    # (HTTP method, name of the view-class method that handles it): routes generated for a
    # class whose handlers are not named after verbs.  The linker keeps the actions that a
    # class in the MRO defines or an external base provides (Knowledge.provided_methods).
    actions: tuple[tuple[str, str], ...] = ()
    # Methods of the view class whose ``subroute`` names this group add routes below this one.
    subroutes: str = ""
    # Only the routes that its methods add (``subroutes``) are served, not the registration
    # itself: Flask-AppBuilder's ``add_view(Cls)``.
    container: bool = False
    # Report findings at the registration (``location``) rather than at the handler method.
    locate_at_route: bool = False
    # True: the route addresses one object; False: a collection (or creates); None: unknown.
    item: bool | None = None
    # The rule is built by a call of a project function on a literal (``org_scoped_rule("/x")``):
    # (its qualified name, the literal); the linker applies the function's ``rule_builders`` template.
    rule_call: tuple[str, str] = ()
    # The constant that holds the path (``rule=CREATE_USER``, imported or module level), when
    # ``path`` is its name as written: the linker puts its value in.
    path_ref: str = ""
    # A table of (rule, view class) rows registered one by one in a loop (``for route in
    # API_ROUTES: api.add_resource(*route)``), imported or module level: the linker makes one
    # route of each row (``route_tables``).
    table: str = ""


@dataclass(frozen=True)
class RouteHelper:
    """A project function or method that registers a route from its own parameters: FlaskBB's
    ``register_view(bp_or_app, routes, view_func)`` (``bp_or_app.add_url_rule(route, view_func=
    view_func)`` for each route), redash's ``ApiExt.add_org_resource(self, resource, *urls)``
    (``self.add_resource(resource, *urls)``). Each call of it is a registration (HelperCall)."""

    function: str
    kind: str  # "url_rule" (add_url_rule: a view function) | "resource" (add_resource: a resource class)
    #            | "table" (``for path, resource in routes``: a table of (rule, view class) pairs)
    params: tuple[str, ...]  # positional parameter names, in order (``self`` included)
    star: str  # the ``*args`` parameter's name, or ""
    receiver: str  # parameter that is the app, blueprint or API ("self": the object the method is called on)
    rule: str  # parameter holding the rule or rules
    view: str  # parameter holding the view function or resource class
    location: Location
    transform: str = ""  # a call the helper passes the rules through (``org_scoped_rule``): not executed
    wraps: str = ""  # parameter holding decorators the helper applies to each view (``decorators=[...]``)
    framework: str = ""  # the framework of the routes it registers (``Route.framework``)


@dataclass(frozen=True)
class HelperCall:
    """A call with a literal path argument (``register_view(bp, routes=["/x"], view_func=V.as_view("v"))``,
    ``api.add_org_resource(R, "/api/r")``): a registration if the callee is a RouteHelper.
    ``args``: (position or keyword, "paths", the literal strings) or (position or keyword, "view",
    (handler, view class, endpoint, guards)): the argument as a view, a resource or a router."""

    callee: str
    receiver: str  # the object a method is called on, or ""
    args: tuple[tuple[str, str, tuple], ...]
    location: Location
    methods: tuple[str, ...] = ()  # a literal ``methods=[...]`` passed through


@dataclass(frozen=True)
class Gate:
    """A hook that runs before the routes of a router (``before_request``, middleware).

    ``exempt_guards``: qualified names of decorators that exempt the view they are on
    from this gate (the view is then explicitly public).
    """

    router: str
    func: str
    location: Location
    scope: str = "router"  # router: this router and what it mounts; app: the whole app it is mounted in
    exempt_endpoints: tuple[str, ...] = ()
    exempt_paths: tuple[str, ...] = ()  # path prefixes
    exempt_refs: tuple[str, ...] = ()  # qualified names of constants holding more exemptions
    kind: str = "gate"
    exempt_guards: tuple[str, ...] = ()
    # the URL parameters it reads (a Flask ``url_value_preprocessor`` that checks the
    # ``project_id`` it pops): it guards only the routes whose path carries one
    params: tuple[str, ...] = ()
    # the endpoints and path prefixes its check is made for (``if request.path.startswith("/admin")
    # and ...: return redirect(...)``): it guards only those routes
    scope_endpoints: tuple[str, ...] = ()
    scope_paths: tuple[str, ...] = ()
    # the test of the ``if`` (with no ``else``) it is registered under, when configuration decides
    # whether it runs at all (``if auth_string is not None:``)
    condition: str = ""


@dataclass(frozen=True)
class MethodFact:
    name: str
    location: Location
    span_start: int
    decorators: tuple[GuardUse, ...] = ()
    handler: str = ""  # the function that handles it, when not ``<class>.<name>``
    guard_attrs: tuple[tuple[str, tuple[GuardUse, ...]], ...] = ()  # per-method overrides of class guard attrs
    # (group, path suffix, methods, item): this method adds a route below the class's
    # routes whose ``subroutes`` is ``group``. A suffix that starts with "/" is joined as
    # written; otherwise the route's own trailing-slash style applies (DRF's actions).
    subroute: tuple | None = None
    # the actions it asks its guard classes about by name (``self.check_permissions(request,
    # "get_token")``), when not its own name
    checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassFact:
    qualname: str
    location: Location
    bases: tuple[str, ...] = ()
    methods: tuple[MethodFact, ...] = ()
    guard_attrs: tuple[tuple[str, tuple[GuardUse, ...]], ...] = ()
    # other class attributes holding a literal string list, joined by ","; DRF's ``filter_backends``:
    # the classes it names
    attrs: tuple[tuple[str, str], ...] = ()
    decorators: tuple[GuardUse, ...] = ()  # guards applied to the whole class (every method, subclasses too)
    # it restricts the collections it serves to the requester's own objects (a DRF view's
    # ``get_queryset``, or a filter backend's ``filter_queryset``, that reads ``request.user``)
    scoped: bool = False


@dataclass(frozen=True)
class FunctionFact:
    """What a function does, as far as authentication goes.

    ``evidence`` lists direct signs that it checks a credential (a call to a known
    auth primitive, a read of ``is_authenticated``, a 401/403 rejection); ``calls``
    the qualified names it calls, so that the linker can follow helpers transitively.
    Nested functions (a decorator's wrapper) are folded into the outer function.
    """

    qualname: str
    location: Location
    span_start: int
    evidence: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    decorators: tuple[GuardUse, ...] = ()
    methods: tuple[str, ...] = ()  # HTTP methods its decorators restrict it to (empty: not restricted)
    misplaced: tuple[GuardUse, ...] = ()  # guards written where they have no effect (above the registering decorator)
    params: tuple[str, ...] = ()  # positional parameter names, in order
    # methods it calls on its class's next base: ``super().dispatch(...)`` -> ("dispatch",)
    super_calls: tuple[str, ...] = ()
    # qualified names of the variables it returns: ``return router`` -> ("pkg.make_router.router",)
    returns: tuple[str, ...] = ()
    # what its rejections depend on (read by the linker): ``passes`` the conditions on a setting
    # under which it calls the wrapped view without any credential check; ``gated`` the
    # settings under which alone it answers 401/403; ``optional`` the credential check it makes
    # optional; ``first_check`` and ``first_write`` the lines of its first credential check and
    # of its first write (0: none)
    passes: tuple[str, ...] = ()
    gated: tuple[str, ...] = ()
    # a permission class's request check: the HTTP methods it lets through with no check of the
    # caller ("GET:declared" by a method test, "GET" by a default ``return True``, "POST:empty"
    # only without a body)
    unchecked: tuple[str, ...] = ()
    # the halves of a login, which the linker also follows into helpers: it verifies credentials
    # taken from the request (or sends the caller to an identity provider); how it lets a caller
    # in (starts a session, issues a token)
    verifies: bool = False
    lets_in: str = ""
    # the tests, on settings alone, of branches that end the request (``if not
    # settings.ALLOW_SIGNUP: raise ...``): what switches the function off
    switches: tuple[str, ...] = ()
    optional: str = ""
    returns_none: bool = False  # returns None in some branch (an optional dependency without a caller)
    first_check: int = 0
    first_write: int = 0
    # it returns the outcome of comparing a signature or shared secret (``return
    # hmac.compare_digest(mac, sig)``): why, if so
    compares: tuple[str, ...] = ()
    # what it calls in the test of an ``if`` whose branch ends the request: ``if not
    # self._validate_signature(request): raise BadRequest`` -> ("pkg.View._validate_signature",)
    tested: tuple[str, ...] = ()
    # its parameters that it passes to a call or compares (a path parameter it looks up or verifies)
    used: tuple[str, ...] = ()
    # what a decorator passes to the function it wraps, besides what the route gives it: the
    # positions ("0") and keywords of the arguments its wrapper adds (``return f(user, *args,
    # **kwargs)``, ``f(*args, project=project, **kwargs)``): the caller it authenticated
    injects: tuple[str, ...] = ()
    # the calls whose result its answer is made of, directly or through a local (``return
    # check(request)``, ``resp = check(request); return resp``): where a callee's answer becomes its own
    returned_calls: tuple[str, ...] = ()
    # those of ``tested`` tested where the branch only answers no (``if not should_update(...):
    # return``): an answer for its own caller, no end of the request
    answer_tests: tuple[str, ...] = ()
    # the tests of branches that end the request on a record's own visibility flag (``if
    # group.preferences.private_group: raise HTTPException(404)``): it serves what is marked public
    visibility: tuple[str, ...] = ()
    # the secret settings it reads (``settings.API_KEYS``, ``app.config.SECRET_KEY``)
    secrets: tuple[str, ...] = ()
    # the classes it hands to calls (``select(User)``, ``query(Invoice.id)``): the rows it may query
    refs: tuple[str, ...] = ()
    # its parameters built into a call's argument (``FileResponse(MEDIA / user_id / name)``)
    flows: tuple[str, ...] = ()
    # its rejections that apply only when there is an object (``if owner_object and
    # owner_object.user != request.user: return HttpResponseForbidden()``): a check on a route
    # that addresses an object, none on a form that creates one
    if_object: tuple[str, ...] = ()
    # the functions it calls only inside a ``try`` that swallows their rejection (``try: user =
    # get_current_user(request) except Exception: user = None``): no guard, whatever they check
    swallowed: tuple[str, ...] = ()
    # the parameters it calls (a hook's ``def __call__(self, action, *args): return action(*args)``)
    runs: tuple[str, ...] = ()
    # the functions it hands to a call: (callee, argument position, function), for the linker to
    # follow when the callee calls that parameter (``check_hook(_check_action, user)``)
    hands: tuple[tuple[str, str, str], ...] = ()
    # credential tests whose branch only returns None or False (``if user.is_anonymous: return
    # False``): a check where the function is the guard (an optional dependency), an answer to
    # the caller where a handler calls it as a helper (``can_see_last_thread(...)``)
    answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Setting:
    """A configuration value: ``DEBUG = True``, ``app.config["SECRET_KEY"] = "x"``..."""

    key: str
    value: object
    location: Location
    literal: bool = True
    fallback: bool = False  # the literal is the default of an environment lookup
    scope: str = ""  # enclosing class, if any
    via: str = ""
    # where a fallback is read from when not the environment: "configuration" for the default of
    # a lookup in a configuration mapping (``api_config.get("jwt_secret_key", "super-secret")``)
    source: str = ""


@dataclass(frozen=True)
class Dependency:
    """``user`` (a function, a method or a type alias) runs ``target`` before it and gets
    its result, so whatever ``target`` checks, ``user`` checks too (parameter dependencies)."""

    user: str
    target: str
    location: Location
    display: str = ""


@dataclass(frozen=True)
class ScopeFact:
    """Something about OAuth-style scopes.

    kind: ``required`` (``owner`` requires ``scopes`` of the credential when using ``target``),
    ``declared`` (credential scheme ``owner`` lists the scopes it knows; ``ref`` names the
    constant holding them), ``enforced`` (function ``owner`` compares the scopes its callers
    require with the ones the credential carries), ``granted`` (function ``owner`` mints a
    token with scopes taken from ``source``: literal | wildcard | all | client | other;
    ``restricted`` when client-chosen scopes are checked against what the user holds).
    """

    kind: str
    owner: str
    location: Location
    scopes: tuple[str, ...] = ()
    target: str = ""
    source: str = ""
    ref: str = ""
    restricted: bool = False


@dataclass(frozen=True)
class ModelFact:
    """A data class: ``orm`` (a stored table row), ``schema`` (validation/serialization), or ''
    when its bases decide (resolved along the class hierarchy at link time)."""

    qualname: str
    location: Location
    kind: str = ""
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReturnFact:
    """What a function (or a type alias) yields, as far as local inference tells.

    ``values``: qualified class names, or ``call:<qname>`` for the result of calling
    ``qname`` (resolved at link time). ``serialized``: the framework serializes whatever
    this handler returns; ``schema`` is the output schema declared for it (``"None"`` when
    explicitly disabled). The neutral pass (analyzer/functions.py) knows the values and
    annotation, the framework adapter the rest: the linker merges the two.
    """

    function: str
    location: Location
    values: tuple[str, ...] = ()
    annotation: str = ""
    serialized: bool = False
    schema: str = ""
    schema_location: Location | None = None


@dataclass(frozen=True)
class PathExemption:
    """Request paths that the gate function ``func`` lets through without a credential."""

    func: str
    location: Location
    exact: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    exact_refs: tuple[str, ...] = ()  # qualified names of constants holding exact paths
    prefix_refs: tuple[str, ...] = ()
    # the paths its check is made for alone (``if path.startswith("/admin") and ...: return 401``)
    scope_exact: tuple[str, ...] = ()
    scope_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DefaultGuards:
    """Settings-level guards for the class guard attribute ``attr``, used by a view class
    that does not define ``attr`` itself (nor inherits it from a project class).

    ``scope``: qualified-name prefixes; the defaults apply only to view classes whose MRO
    reaches a class named with one of them (empty: every view class).
    """

    attr: str
    guards: tuple[GuardUse, ...]
    location: Location
    scope: tuple[str, ...] = ()
    # settings built by a project function (``REST_FRAMEWORK = get_drf_settings(...)``): ``via``
    # names it on the settings' record; ``source`` names it on the defaults that function
    # returns, which apply only where some settings are built by it
    via: str = ""
    source: str = ""


@dataclass(frozen=True)
class FieldFact:
    """A stored field of model ``model``; ``mark`` is "secret" (passwords, tokens, keys)
    or "privileged" (staff/admin flags, permissions)."""

    model: str
    name: str
    location: Location
    mark: str = ""


@dataclass(frozen=True)
class SchemaFact:
    """A serializer or form generated from a model.

    ``all_fields``: every model field is included; ``exclude``: the fields left out
    (None when the schema lists its fields); ``hidden``: fields never shown in output
    (write-only).
    """

    qualname: str
    location: Location
    kind: str  # serializer | form | output (a type clients read and never write: a GraphQL object type)
    model: str
    all_fields: bool = False
    fields: tuple[str, ...] = ()
    exclude: tuple[str, ...] | None = None
    hidden: tuple[str, ...] = ()
    fields_location: Location | None = None
    read_only: tuple[str, ...] = ()  # fields the client cannot write (``read_only_fields``)


@dataclass(frozen=True)
class SchemaUse:
    """The view class or function ``user`` reads or writes data through ``schema``.
    ``renders``: it is only built around objects to send them (``XSerializer(obj)``,
    ``XSerializer(rows, many=True)``), never given client data."""

    user: str
    schema: str
    location: Location
    renders: bool = False


@dataclass(frozen=True)
class ResponseData:
    """Data that ``function`` puts in what it returns (a handler's response, or a helper's
    result that a response may include).

    kind: ``keys`` (a mapping built in the code: ``keys`` holds (key, attribute) pairs, the
    attribute being the name read off an object for that key's value, or ''); ``object``
    (a whole object of type ``ref`` is dumped: ``__dict__``, a dump function, a bare model
    in a JSON response); ``method`` (the result of calling ``method`` on an object of type
    ``ref``: ``to_dict()``, resolved at link time); ``call`` (the result of the project
    function ``ref``). ``ref`` is a qualified name, possibly of a class that is not a model.
    """

    function: str
    location: Location
    kind: str
    ref: str = ""
    keys: tuple[tuple[str, str], ...] = ()
    method: str = ""
    display: str = ""


@dataclass(frozen=True)
class RequestRead:
    """``function`` reads client-controlled data: ``kind`` "raw" (the request body, form or
    query as a whole: ``request.json``, ``request.POST``...) or "body" (a parameter typed by
    the class ``schema``, which the framework fills from the request body when ``function``
    is a route handler), "method" (it reads which HTTP method the request uses) or "payload"
    (it reads the request's body or form: ``request.POST``, ``request.get_json()``)."""

    function: str
    location: Location
    kind: str
    display: str = ""
    schema: str = ""
    param: str = ""
    whole: bool = False  # "body": the function passes the object on as a whole (to a call, or unpacked)


@dataclass(frozen=True)
class DataWrite:
    """Client data written into an object as a whole (mass assignment).

    ``how``: ``unpack`` (``Model(**data)``, ``Model.objects.create(**data)``), ``update``
    (``obj.update(data)``), ``setattr`` (``for k, v in data.items(): setattr(obj, k, v)``),
    or ``field``: one field, named in ``field``, set from a value the client sends
    (``user.role = request.json["role"]``, ``User(admin=payload.get("admin"))``).
    ``target``: qualified name of the class written (''  when unknown). ``source``: "raw" for
    the request's data, or ``type:<qname>`` for a dump of an object of that class (a
    validated schema); ``source_location`` is where the data was read.
    """

    function: str
    location: Location
    how: str
    source: str
    target: str = ""
    display: str = ""
    source_location: Location | None = None
    overwritten: tuple[str, ...] = ()  # fields the function sets itself: data["user_id"] = ..., obj.owner = ...
    field: str = ""


@dataclass(frozen=True)
class DataHandoff:
    """Client data handed as a whole to a project function that writes it, in another function or
    file (mass assignment through a helper). ``how`` "writes": ``function`` sets every key of its
    parameter ``data`` as an attribute of its parameter ``target`` ("self": the object the method
    is called on): ``def update_model(self, model, updates): for k, v in updates.items():
    setattr(model, k, v)``. ``how`` "passes": ``function`` calls ``callee`` with the client's data
    (``source``, as DataWrite's) as the argument ``data`` (its position, counted without
    ``self``, or its keyword); ``args`` gives the class of the other arguments (position or
    keyword, or "self" for the object the method is called on), ``overwritten`` the keys the
    caller sets or removes itself. The linker joins the two into a DataWrite at the call."""

    function: str
    location: Location
    how: str
    data: str
    target: str = ""
    callee: str = ""
    args: tuple[tuple[str, str], ...] = ()
    source: str = ""
    display: str = ""
    source_location: Location | None = None
    overwritten: tuple[str, ...] = ()


# The group of the configuration values that CORS calls fall back on (see CorsPolicy)
CORS_DEFAULTS = "defaults"


@dataclass(frozen=True)
class CorsPolicy:
    """A cross-origin (CORS) policy, or a piece of one.

    ``origins``: "any" (every origin, ``*``), "reflect" (the request's own Origin echoed, or
    a pattern matching every origin), "listed" (explicit origins), "unknown" (computed), or
    '' when this piece does not set them. ``credentials``: True/False, or None when not set
    here. Pieces with the same non-empty ``group`` (settings spread over modules) combine;
    those of the group "defaults" (flask-cors's ``CORS_ORIGINS`` in the app's config) stand
    for what a call that does not set its origins or credentials (no ``*_location``) gets.
    """

    location: Location
    origins: str = ""
    credentials: bool | None = None
    origins_location: Location | None = None
    credentials_location: Location | None = None
    group: str = ""
    display: str = ""
    function: str = ""


@dataclass(frozen=True)
class Suppression:
    line: int
    ids: tuple[str, ...]  # empty: a bare ignore


@dataclass(frozen=True)
class ObjectLookup:
    """``function`` loads one stored object of ``model`` by an id the client supplies
    (``source``: the parameter or request read it comes from).  ``implicit``: a view
    class that fetches the object for its item routes (``function`` is the class)."""

    function: str
    location: Location
    model: str
    display: str = ""
    source: str = ""
    implicit: bool = False
    # Set instead of ``model`` when the client's id is passed on to the project function
    # ``via`` (its own lookups then count for this function).
    via: str = ""
    # A query over ``model`` restricted to the caller's rows (not a lookup by a client id;
    # it shows that the project treats these rows as private).
    scoped: bool = False
    # Set instead of ``source`` when the row is found by a secret the client presents (the
    # column it is matched on: ``User.objects.get(email_token=data["token"])``): knowing the
    # secret is the credential, as with a capability URL.
    secret: str = ""
    # A query that returns every row of ``model`` to whoever runs it (``Model.query.all()``,
    # not scoped to the caller): in a route, the project lists these rows to its callers.
    listed: bool = False
    # The row is found by a name that identifies one account (``username``, ``email``), not an
    # id; only emitted when the function then changes the row it found.
    by_name: bool = False
    # The functions whose results the lookup also filters on (``project=self.get_project()``):
    # a parent that one of them ties to the caller ties this row too.
    parents: tuple[str, ...] = ()
    # The function's own parameters, other than the id's, that the lookup also filters on
    # (``filter_by(id=todo_id, user_id=user.id)``, ``Person.query.get(member_id, project)``): one
    # that the route's authenticating decorator passes in is the caller, and ties the row to it.
    given: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccessCheck:
    """``function`` checks what the caller may do: ``kind`` "owner" (ties an object to the
    caller: an owner comparison, a filter on the caller, an object-permission check) or
    "role" (a role, permission or staff-flag check), or "scope" (compares a credential's
    scopes: an authorization only where the route requires scopes)."""

    function: str
    location: Location
    kind: str
    display: str = ""
    rejects: bool = False  # tested in an ``if`` one of whose branches ends the request
    model: str = ""  # an owner check that filters a query: the model queried (``Tag.objects.get(owner=user)``)
    # a parameter of an enclosing function (a decorator factory's) that the check is made only
    # when given: ``if role and user.role < role.value: ...`` in ``def require_auth(role=None)``
    switch: str = ""


@dataclass(frozen=True)
class OwnerField:
    """A stored field of ``model`` that relates its rows to another model: ``target`` is
    "user" (the framework's user model: ``settings.AUTH_USER_MODEL``), a qualified class
    name, ``name:<Class>`` (a class named in a string) or ``table:<name>`` (a foreign key to
    a table); '' when a field named like an owner (``owner_id``) shows no relation."""

    model: str
    name: str
    location: Location
    target: str = ""
    # The row points to one ``target`` (a foreign key, one-to-one): ``target`` is its parent.
    parent: bool = False
    # The row stays when ``target``'s is deleted (``on_delete=models.SET_NULL``, ``ondelete="SET
    # NULL"``): the relation records who made or last touched it, the row is not theirs.
    kept: bool = False


@dataclass(frozen=True)
class TokenDecode:
    """``function`` decodes a token without verifying its signature; ``flaw`` says how."""

    function: str
    location: Location
    display: str
    flaw: str


@dataclass(frozen=True)
class ClientDecision:
    """``function`` decides access from a value the client sets: ``source`` is "cookie",
    "header", "query", "body", "param" (a parameter the framework fills from the request;
    counts only in a route handler), "address" (the peer address) or "forwarded" (an
    address header the client writes); ``key`` the cookie, header or field name read;
    ``reason`` "role" (compared to a role name), "flag" (a privilege flag the client
    names), "localhost" (the address compared to a local one), "address" (a spoofable
    address compared) or "rejects" (the request is turned away on it)."""

    function: str
    location: Location
    source: str
    reason: str
    key: str = ""
    display: str = ""


@dataclass(frozen=True)
class Disclosure:
    """``function`` puts internal state into a response: ``kind`` "environ" (the process
    environment), "config" (the application's settings object), "traceback" or
    "exception" (an exception's text; ``caught`` the exception classes of its ``except``,
    empty when it catches everything). ``sink``: the response or error call it goes
    through ('' when it is returned)."""

    function: str
    location: Location
    kind: str
    display: str = ""
    caught: tuple[str, ...] = ()
    sink: str = ""
    # "exception": the functions the ``try`` body calls (qualified names; "await" when it
    # awaits anything), or None when not known
    tried: tuple[str, ...] | None = None


@dataclass(frozen=True)
class GraphQLSchema:
    """A GraphQL schema built in code (``graphene.Schema(query=Query, mutation=Mutation)``):
    its root types as (operation type "query" | "mutation" | "subscription", or "" when the
    root's own fields say, qualified name of the class or bindable), and what bounds a query."""

    qualname: str
    location: Location
    roots: tuple[tuple[str, str], ...] = ()
    limits: tuple[str, ...] = ()  # validation rules or extensions that bound depth or cost
    introspection: bool | None = None  # False: turned off where the schema is built
    camel: bool = True  # field names written in snake_case are served in camelCase
    # a call of a project function that may build the schema (saleor's ``schema =
    # build_federated_schema(Query, mutation=Mutation)``): roots are its arguments, by parameter
    # name or position ("0", "1", ...), and the linker keeps it when the function builds one
    built_by: str = ""


@dataclass(frozen=True)
class GraphQLField:
    """A field of a GraphQL object type and the function that resolves it.

    ``owner`` is the class (or the variable of an ariadne bindable); ``name`` the field's
    name in the schema; ``resolver`` the function, or ``via`` a class whose resolving
    method (a graphene ``Mutation``'s ``mutate``) resolves it; ``guards`` the permission
    classes given with the field; ``root`` the operation type its owner serves, when the
    adapter knows it where the field is declared (``MutationType()``)."""

    owner: str
    name: str
    named: bool  # the name is given as served (else it is the attribute's, camel-cased by the schema)
    location: Location
    resolver: str = ""
    via: str = ""
    guards: tuple[GuardUse, ...] = ()
    root: str = ""


@dataclass(frozen=True)
class GraphQLServe:
    """A view or app that serves a GraphQL schema (``GraphQLView.as_view(schema=schema)``):
    the schema's qualified name ('' when configured in settings) and the variable the view is
    bound to. ``ide``: the in-browser IDE (GraphiQL, a playground) is "on" (enabled in the
    code whatever the environment), "default" (the library enables it unless told not to),
    or '' (off, or decided by an expression such as a debug setting); ``ide_code`` says how.
    ``introspection`` False and ``limits`` as on GraphQLSchema, given to the view."""

    location: Location
    view: str
    schema: str = ""
    bound: str = ""
    ide: str = ""
    ide_code: str = ""
    introspection: bool | None = None
    limits: tuple[str, ...] = ()


def kind(index: str = "", key: str = "", graph: str = ""):
    """A fact kind: a field of ModuleFacts that the extractors fill (one list of FactSink) and
    the linker indexes over every analyzed module, as ``index`` says:

    - "list": every fact, in file order
    - "map": ``fact.<key>`` -> the fact (a later one wins); with no key the facts are
      (name, value) pairs
    - "merge": ``fact.<key>`` -> one fact made of all those with that key, each field from the
      last of them that sets it (passes that each know part of a function: what it returns,
      how its framework serializes it)
    - "group": ``fact.<key>`` -> [facts]
    - "table": ``fact.<key>`` -> {``fact.name``: the fact} (the first one wins)
    - "": not indexed (the linker walks the modules for it, or ``facts_of(kind)``)

    ``graph`` names the AppGraph attribute that holds the index (the kind's own name
    when empty)."""
    return field(default=(), metadata={"fact": (index, key, graph)})


@dataclass(frozen=True)
class SpecOperation:
    """An operation that an OpenAPI/Swagger document declares (analyzer/documents.py).

    ``security``: the alternatives of its security requirement, each the scheme names it
    needs together; ``()`` declares it public (``security: []``); None leaves it to the
    document's default (SpecInfo.security). ``controller``: its
    ``x-openapi-router-controller`` (the operation's, else its path item's)."""

    file: str
    path: str  # as written under ``paths``, without the servers/basePath prefix
    method: str
    operation_id: str
    location: Location
    controller: str = ""
    security: tuple[tuple[str, ...], ...] | None = None


@dataclass(frozen=True)
class SpecInfo:
    """An OpenAPI/Swagger document as a whole: the prefixes its servers (or basePath) put
    before every path, its default security, and its security schemes as (name, type, how a
    credential is verified: ``x-bearerInfoFunc=module.function``, ``x-tokenInfoUrl``, or '')."""

    file: str
    version: str
    location: Location
    prefixes: tuple[str, ...] = ("",)
    security: tuple[tuple[str, ...], ...] = ()
    schemes: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class SpecApi:
    """A document served by an application (Connexion's ``app.add_api("openapi.yaml")``):
    the application (a router id), the files it may name (project-relative, most likely first),
    the ``base_path`` given (None: the document's servers/basePath), and where."""

    router: str
    framework: str
    files: tuple[str, ...]
    location: Location
    base_path: str | None = None
    # handlers named after the paths: "resty:<module>" (RestyResolver), "method:<module>" (MethodResolver);
    # "resty/list:<module>" when the collection's GET is named "list" (collection_endpoint_name)
    resolver: str = ""


@dataclass(frozen=True)
class SchemaExclusion:
    """A route decorator, router or include that keeps its routes out of the OpenAPI document the
    framework generates (FastAPI's ``include_in_schema=False``): at that call's location.
    ``app``: an application that generates no document at all (``FastAPI(openapi_url=None)``)."""

    location: Location
    app: bool = False


@dataclass(frozen=True)
class ProxyRule:
    """A ``location`` of a reverse-proxy configuration the project ships (analyzer/proxies.py):
    its URL ``prefix`` (the whole path when ``exact``), and whether only the proxy's internal
    requests or local addresses reach it (``internal;``, ``deny all;``)."""

    prefix: str
    location: Location
    exact: bool = False
    internal: bool = False


@dataclass(frozen=True)
class ModuleFacts:
    """What one file says: a header (where it is, whether it was analyzed) and a tuple of
    facts for each fact kind. The fact kinds are declared here, once: FactSink and the
    AppGraph's indexes are made from these declarations (FACT_KINDS)."""

    path: str
    module: str
    lines: int = 0
    error: str | None = None  # why the file was not analyzed (reported as RG000)
    error_line: int = 0  # where, when a position is known (a syntax error)
    error_col: int = 0
    imports: tuple[tuple[str, str], ...] = ()
    # -- the fact kinds (suppressions, among them, is part of the header) --
    instances: tuple[tuple[str, str], ...] = kind("map")  # (qualified variable, qualified class)
    constants: tuple[tuple[str, tuple[str, ...]], ...] = kind("map")
    routers: tuple[Router, ...] = kind()
    mounts: tuple[Mount, ...] = kind()
    routes: tuple[Route, ...] = kind()
    gates: tuple[Gate, ...] = kind()
    functions: tuple[FunctionFact, ...] = kind("map", "qualname")
    classes: tuple[ClassFact, ...] = kind("map", "qualname")
    settings: tuple[Setting, ...] = kind("list")
    suppressions: tuple[Suppression, ...] = ()
    dependencies: tuple[Dependency, ...] = kind("group", "user")
    scopes: tuple[ScopeFact, ...] = kind("list", graph="scope_facts")
    models: tuple[ModelFact, ...] = kind("map", "qualname")
    returns: tuple[ReturnFact, ...] = kind("merge", "function")
    exemptions: tuple[PathExemption, ...] = kind("group", "func")
    defaults: tuple[DefaultGuards, ...] = kind("list")
    field_facts: tuple[FieldFact, ...] = kind("table", "model")
    schemas: tuple[SchemaFact, ...] = kind("map", "qualname")
    schema_uses: tuple[SchemaUse, ...] = kind("list")
    responses: tuple[ResponseData, ...] = kind("group", "function")
    request_reads: tuple[RequestRead, ...] = kind("group", "function")
    data_writes: tuple[DataWrite, ...] = kind("list")
    # one privileged-looking field set from a client value (DataWrite how="field"): kept apart,
    # since setting a field of an object is not by itself a write of stored rows
    field_writes: tuple[DataWrite, ...] = kind("list")
    handoffs: tuple[DataHandoff, ...] = kind("list")
    cors: tuple[CorsPolicy, ...] = kind("list")
    # (callee, parameter position or keyword, qualified value): ``register_blueprints(app)``
    # makes the callee's parameter an alias of the caller's router.
    bindings: tuple[tuple[str, str, str], ...] = kind()
    lookups: tuple[ObjectLookup, ...] = kind("group", "function", graph="lookups_by_function")
    access_checks: tuple[AccessCheck, ...] = kind("group", "function", graph="access_checks_by_function")
    token_decodes: tuple[TokenDecode, ...] = kind("list")
    owner_fields: tuple[OwnerField, ...] = kind("group", "model", graph="owner_fields_by_model")
    # (qualified name, why) for module and class level names bound to a value that rejects:
    # ``InvalidCredentials = HTTPException(status_code=401)``, ``error_code = HTTP_403_FORBIDDEN``
    rejecting_values: tuple[tuple[str, str], ...] = kind("map")
    route_helpers: tuple[RouteHelper, ...] = kind()
    helper_calls: tuple[HelperCall, ...] = kind()
    decisions: tuple[ClientDecision, ...] = kind()
    # (function, header name in lower case) for a header a function sets on a response it makes
    # (``ok.headers["remote-role"] = role``): a forward-auth endpoint tells its proxy who the caller is
    response_headers: tuple[tuple[str, str], ...] = kind("list")
    disclosures: tuple[Disclosure, ...] = kind()
    graphql_schemas: tuple[GraphQLSchema, ...] = kind()
    graphql_fields: tuple[GraphQLField, ...] = kind()
    graphql_serves: tuple[GraphQLServe, ...] = kind()
    spec_operations: tuple[SpecOperation, ...] = kind()
    spec_infos: tuple[SpecInfo, ...] = kind()
    spec_apis: tuple[SpecApi, ...] = kind()
    schema_exclusions: tuple[SchemaExclusion, ...] = kind()
    proxy_rules: tuple[ProxyRule, ...] = kind("list")
    # (function, template): a function that builds a route rule from its argument (names.rule_template)
    rule_builders: tuple[tuple[str, str], ...] = kind("map")
    # (name, qualified names it holds): ``BLUEPRINTS = (users_bp, roles_bp)``; a parameter
    # rebound in its function (``blueprints = blueprints + DEFAULT_BLUEPRINTS``); the linker
    # joins the items of every binding of a name (AppGraph.collections)
    collections: tuple[tuple[str, tuple[str, ...]], ...] = kind()
    # (name, ((rule, view class), ...)): a module-level table of routes (``API_ROUTES =
    # [(SketchResource, "/sketches/<int:sketch_id>/"), ...]``), for a loop that registers each row
    route_tables: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = kind("map")


# fact kind -> (index, key, AppGraph attribute), as declared on ModuleFacts
FACT_KINDS: dict[str, tuple[str, str, str]] = {
    f.name: (*f.metadata["fact"][:2], f.metadata["fact"][2] or f.name) for f in fields(ModuleFacts) if "fact" in f.metadata}


class FactSink:
    """Mutable collector the extractors write into, one list per fact kind; frozen into
    ModuleFacts at the end."""

    __slots__ = tuple(FACT_KINDS)

    def __init__(self):
        for name in FACT_KINDS:
            setattr(self, name, [])

    def frozen(self) -> dict[str, tuple]:
        return {name: tuple(getattr(self, name)) for name in FACT_KINDS}


def index_facts(modules) -> dict[str, object]:
    """The linker's indexes of every analyzed module's facts, by AppGraph attribute, as the
    fact kinds declare them."""
    out: dict[str, object] = {}
    for name, (how, key, attr) in FACT_KINDS.items():
        if not how:
            continue
        if how == "list":
            out[attr] = [x for m in modules for x in getattr(m, name)]
        elif how == "merge":
            merged: dict = {}
            for m in modules:
                for x in getattr(m, name):
                    before = merged.get(getattr(x, key))
                    merged[getattr(x, key)] = x if before is None else replace(before, **{
                        f.name: getattr(x, f.name) for f in fields(x) if getattr(x, f.name) != f.default})
            out[attr] = merged
        elif how == "map":
            out[attr] = {getattr(x, key): x for m in modules for x in getattr(m, name)} if key else \
                dict(x for m in modules for x in getattr(m, name))
        else:
            index: dict = {}
            for m in modules:
                for x in getattr(m, name):
                    if how == "group":
                        index.setdefault(getattr(x, key), []).append(x)
                    else:  # table
                        index.setdefault(getattr(x, key), {}).setdefault(x.name, x)
            out[attr] = index
    return out
