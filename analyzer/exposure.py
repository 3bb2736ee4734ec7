"""What an unauthenticated caller gains from a route, from what the graph knows.

RG101 and the route inventory use it to tell a **public read** (a read of data that no
user owns and that holds nothing sensitive: a tag list, a catalogue page, a template with
no data) from an exposure (a write, a delete, a command, a file, the environment or a
secret setting, user-owned or sensitive data). It works from evidence: a read is an
exposure when something its handler does or returns is tied to a user, a tenant or a
secret, and a public read otherwise (``_judge_read``). Names below are Python's own
(built-ins and the standard library) or words that name users and secrets, never a
framework's API.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .authz import NOT_CLIENT
from .extract import SETTING_GETTER
from .authz_graph import USER_SEGMENT
from .fields import SELECTS_VISIBLE, TIED_FIELD, VISIBILITY_FIELD, personal_data
from .facts import HTTP_METHODS

READS = frozenset({"GET", "HEAD", "OPTIONS"})
# Calls that run commands, touch files or sockets, load code, or read the environment (not a
# package's version: ``importlib.metadata.version``).
_EFFECT_CALL = re.compile(
    r"^(subprocess|shutil|os|pathlib|tempfile|socket|ctypes|pickle|marshal|importlib|glob)\.(?!(urandom|getpid|"
    r"cpu_count|getcwd|get_terminal_size|strerror|times|uname|metadata\.(version|metadata|requires))(\.|$))"
    r"|^io\.(open|FileIO)$"
    r"|^(builtins\.)?(open|eval|exec|compile|__import__)$")
# A name (call or attribute path) that reads configuration, credentials or secrets.
_SECRET_NAME = re.compile(r"(environ|getenv|secret|credential|password|passwd|token|api_?key|private)", re.IGNORECASE)
# A name that reads the configuration: harmless in itself, an exposure when what is returned is not known.
_CONFIG_NAME = re.compile(r"(^|[._])(settings|config|conf|configuration)($|[._])", re.IGNORECASE)
# Method names that change state (stored rows, files, queues, caches, messages).
_WRITE_CALL = re.compile(
    r"^(add|add_all|save|commit|create|bulk_\w+|delete|remove|update|insert|upsert|merge|put|set|setex|"
    r"write|write_text|write_bytes|unlink|rmdir|rmtree|mkdir|makedirs|rename|move|send|send_\w+|publish|emit|"
    r"enqueue|delay|apply_async|execute|executemany|executescript|flush|drop|truncate|"
    r"(create|update|delete|remove|insert|save|set|add|reset|revoke|grant|purge|clear|record|store|sync|import|"
    r"register|approve|reject|cancel|enable|disable|invite|assign|transfer|pay|charge|refund|upload|"
    r"mark|toggle|archive|restore|move|edit|change|replace|submit|schedule|trigger|run|start|stop)_\w+)$")
# Fields that hold further records whose type is not followed here.
_NESTED = re.compile(r"^(items|data|results|content|entries|records|rows|objects|children|members|users)$",
                     re.IGNORECASE)
_TENANTS = re.compile(r"^(groups?|households?|teams?|orgs?|organi[sz]ations?|tenants?|projects?|workspaces?|"
                      r"wallets?|admins?)$")
# A class, module or handler name about administration or configuration.
_ADMIN = re.compile(r"admin|settings|config|secret|credential|internal|debug", re.IGNORECASE)
# A handler or view name about administration or internals (a handler named ``config`` serves the
# client's configuration as often as not: what it reads is judged instead).
_ADMIN_HANDLER = re.compile(r"admin|secret|credential|internal|debug", re.IGNORECASE)
# A base class that ties rows to a user or tenant.
_OWNED_BASE = re.compile(r"user|owner|owned|author|group|household|team|org|tenant|project|account|workspace",
                         re.IGNORECASE)
# A class name that says its rows are people or their accounts.
_USERISH = re.compile(r"user|account|member|profile|customer|employee|person|patient", re.IGNORECASE)
_DEPTH = 3
# Calls that only build or test a path, and read nothing.
_PATH_ONLY = re.compile(r"^(os\.path\.\w+|os\.fspath|pathlib\.(Pure)?Path(\.(exists|is_file|is_dir|resolve|joinpath|name|suffix))?)$")
# One environment variable read by name: a secret one is a secret setting (FunctionFact.secrets)
_ONE_VARIABLE = frozenset({"os.getenv", "os.environ.get"})
# A path segment for administration or operations: what is under it is not meant for everyone.
_ADMIN_SEGMENT = re.compile(r"^(admin|administration|internal|manage|management|staff|ops|superuser|backoffice)$")
# Verbs that collections, hashes and forms share with stored data.
_AMBIGUOUS = re.compile(r"^(update|add|remove|put|set|insert|clear|pop|discard|extend|append|delete)$")
_DATA_RECEIVERS = frozenset({"db", "session", "objects", "query", "cursor", "conn", "connection", "repo", "repos",
                             "repository", "crud", "collection", "table", "redis", "storage"})
# Method names that send a message or hand work to another process.
_SENDS = re.compile(r"^(send|send_\w+|publish|emit|notify|notify_\w+|enqueue|delay|apply_async|\w+_mail|mail_\w+)$")
# Query methods that answer with one number or truth value, not rows (``User.objects.count()``).
_AGGREGATES = frozenset({"count", "exists"})
# Standard modules that make random values and digests: calling them reads no secret.
_CRYPTO_MODULES = frozenset({"secrets", "hashlib", "hmac", "uuid", "random"})
# What a response object sets on its way out: a cookie or a header is not stored state.
_RESPONSE_CALL = re.compile(r"^(set_cookie|set_signed_cookie|delete_cookie|(set|add|update)_\w*headers?)$")
_CACHE_OR_QUERY = re.compile(r"^(set|setex|put|execute|executemany|executescript|flush)$")
# A call that makes or checks a secret rather than reading one: ``generate_state_token``, ``CancelToken``.
_MAKES = re.compile(r"^(?i:generate|create|new|make|issue|build|sign|encode|hash|verify|check|validate)|^get_token$|^[A-Z]")
# A path segment under which files are served as media (images, assets, logos), as a static
# file server or a CDN would serve them
_MEDIA_SEGMENT = re.compile(r"(^|/)(media|static|assets?|images?|img|avatars?|thumbnails?|thumbs|icons?|logos?)(/|\(|$)",
                            re.IGNORECASE)
# Calls that only build a path or open a file for reading: a handler serving a fixed file makes them.
_READ_FILE = re.compile(r"^(os\.path\.\w+|os\.fspath|pathlib\.(Pure)?Path(\.(open|read_bytes|read_text|exists|is_file))?"
                        r"|(builtins\.)?open)$")
_FIXED = {"template": "renders a template with no stored data",
          "file": "serves a file at a path fixed in the code",
          "redirect": "redirects to an address fixed in the code or the settings",
          "text": "returns a text fixed in the code or the settings"}


def public_read(graph, route) -> str:
    """Why ``route`` (an unauthenticated read) only gives away data that no user owns and that
    holds nothing sensitive, or '' when it may give away more (or what it returns is unknown).
    A route that takes any method is a read when its handler does not write."""
    memo = graph.memo
    key = ("public read", route.handler, route.method, route.path)
    if key not in memo:
        # a handler that takes any method, or a websocket (a subscription), reads unless it writes
        reads = route.method in READS or route.method in ("ANY", "WEBSOCKET") and not any_writes(graph, route)
        memo[key] = _judge_read(graph, route) if reads else ("", "it accepts writes")
    return memo[key][0]


def read_exposure(graph, route) -> str:
    """What an unauthenticated read of ``route`` may give away ('' for a public read)."""
    public_read(graph, route)
    return graph.memo[("public read", route.handler, route.method, route.path)][1]


def any_writes(graph, route) -> bool:
    """A route that takes any method (a view with no method restriction) accepts writes when
    its handler, or a project function it calls, writes or may (a write call, a command, a
    file), or acts on the method or the body it is sent (``if request.method == "POST"``,
    ``request.POST``). A handler that is not a project function (a library view) may."""
    memo = graph.memo
    key = ("any writes", route.handler)
    if key not in memo:
        closure = _closure(graph, route.handler)
        if closure is None:  # a library view: only those known to read do not write
            memo[key] = not _read_view(graph, route)
            return memo[key]
        memo[key] = any(
            _writes(graph, q, f, reading=True) or any(_EFFECT_CALL.match(c) and not _READ_FILE.match(c) for c in f.calls)
            or any(rr.kind in ("method", "payload") for rr in graph.request_reads.get(q, ()))
            for q, f in closure)
    return memo[key]


def what_changes(graph, route) -> tuple[str, str]:
    """What makes ``route`` one that changes state, for the message: ("accepts writes", the
    write that its handler or a project function it calls makes), or ("runs commands or
    touches files", the call) when what it makes first is a command or a file call (``open``,
    ``os.remove``); the reason may be ''."""
    closure = _closure(graph, route.handler)
    if closure is None:
        return "accepts writes", "its handler is a library view that may write"
    for q, f in closure:
        if any(dw.function == q for dw in _data_writes(graph)):
            return "accepts writes", f"{q.rpartition('.')[2]} writes stored rows"
        call = next((c for c in f.calls if _write_call(graph, c, reading=True) or _effect(c)), None)
        if call:
            return "accepts writes" if _write_call(graph, call, reading=True) else "runs commands or touches files", \
                f"it calls {_shown(q, call)}"
    if any(rr.kind in ("method", "payload") for q, _ in closure for rr in graph.request_reads.get(q, ())):
        return "accepts writes", "it acts on the method or the body it is sent"
    return "accepts writes", ""


def _read_subclass(graph, route) -> str:
    """The route's view class when it is a project subclass of a library read view that defines
    no handler of its own (no HTTP method, no ``dispatch``), else ''."""
    cls = route.view_class
    if not cls or route.handler != cls or not any(c in graph.k.read_views for c in graph.mro(cls)) or any(
            graph.method_function(cls, m) for m in (*(v.lower() for v in HTTP_METHODS), *graph.k.entry_methods)):
        return ""
    return cls


def _data_hooks(graph, route) -> list[str]:
    """The project methods that give the page of a project subclass of a library read view
    (Weblate's ``AboutView(TemplateView)``) its data (``get_context_data``...), when it
    defines no handler of its own; [] otherwise."""
    cls = _read_subclass(graph, route)
    return [q for m in sorted(graph.k.data_hooks) if (q := graph.method_function(cls, m))] if cls else []


def _read_view(graph, route) -> bool:
    """The route's handler is a library view known to read (a redirect, a fixed template), or a
    project subclass of one that adds no handler or data method of its own (umap's
    ``MapShortUrl(RedirectView)`` overrides only ``get_redirect_url``; ``DesignSystem(TemplateView)``
    only names its template)."""
    if graph.alias(route.handler) in graph.k.read_views:
        return True
    return bool(_read_subclass(graph, route)) and not _data_hooks(graph, route)


def state_changes(graph, route) -> bool:
    """``route`` may change state: a write method whose handler writes (or may: unknown
    handlers count), or a handler that writes, runs commands or touches files on any method.
    A POST that only computes does not."""
    closure = _closure(graph, route.handler)
    if closure is None:  # a library view: it may, unless it is known to read
        return route.method not in READS and not _read_view(graph, route)
    if route.method == "DELETE":  # unless all it does is send the client elsewhere (a legacy alias)
        calls = closure[0][1].calls  # RedirectResponse(url, status_code=status.HTTP_307_...)
        redirects = [c for c in calls if graph.k.fixed_responses.get(graph.canonical(c)) == "redirect"]
        return not (len(closure) == 1 and redirects and all(c in redirects or c.rpartition(".")[2].isupper()
                                                             for c in calls))
    return any(_writes(graph, q, f) or any(_EFFECT_CALL.match(c) for c in f.calls) for q, f in closure)


def _judge_read(graph, route) -> tuple[str, str]:
    """(why it is a public read, what it exposes): one of the two is ''.

    Evidence, not proof: the read is an exposure when something it does or returns is tied
    to a user, a tenant or a secret (a write, a command, a file the request names, the
    environment or a secret setting, a call that names users or secrets, a row loaded by a
    client-supplied id, rows or a returned type that users own or that hold marked fields,
    the settings returned in a shape that is not known); otherwise it is a public read. A
    declared response schema that holds nothing sensitive bounds what the caller gets, and a
    secret read two calls away, or by a function that signs or checks with it, stays on the
    server."""
    reach = _reach(graph, route.handler)
    if reach is None:  # a library view: only those known to read give nothing away
        if _read_view(graph, route):
            return "a library view that serves fixed content", ""
        hooks = _data_hooks(graph, route)
        if hooks:  # a project subclass of a library read view: what its data methods read is what it serves
            verdicts = [_judge_read(graph, replace(route, handler=h, view_class="")) for h in hooks]
            exposed = next((v for v in verdicts if v[1]), None)
            return exposed or (f"a page whose data ({', '.join(h.rpartition('.')[2] for h in hooks)}) "
                               f"{verdicts[0][0]}", "")
        # a generic view of the project's model (``ListView`` with ``model = Ingredient``) serves its rows
        lookups = graph.authz.authz_index()[0]
        model = next((lk.model for c in (graph.mro(route.view_class) if route.view_class else ())
                      for lk in lookups.get(c, ()) if lk.implicit and lk.model), "")
        queryset = graph.functions.get(graph.method_function(route.view_class, "get_queryset")) \
            if route.view_class and not model else None
        if queryset is not None:  # def get_queryset(self): return Weakness.objects.filter(...)
            model = next((m for c in queryset.calls if (m := _queried_model(graph, c))), "")
        why = _held(graph, model) if model else None
        if why == "":
            return f"serves {model.rpartition('.')[2]} rows, which no user owns and which hold nothing sensitive", ""
        if why:
            return "", f"it serves {model.rpartition('.')[2]} rows, which {why}"
        return "", "its handler is a library view whose output is not known"
    handler = graph.alias(route.handler)
    start = next(iter(reach))
    fixed = [rd for rd in graph.responses.get(handler, ()) if rd.kind == "fixed"]
    rf = graph.returns.get(handler)
    # every answer is a page, file, redirect or text fixed in the code: what it reads stays on the server
    only_fixed = bool(fixed) and len(fixed) == len(graph.responses.get(handler, ())) and not any(
        not v.startswith("call:") or graph.canonical(v[5:]) not in graph.k.fixed_responses for v in (rf.values if rf else ()))
    # a declared response schema that holds nothing sensitive bounds what reaches the caller: what
    # the handler reads on the way stays on the server, unless it tests the client's own values
    # against users' data (``users.get_one(name)``: whether that user exists)
    declared = "" if rf is None or rf.schema in ("", "None", "?") else rf.schema
    bounded = bool(declared) and _held(graph, declared) == ""
    own = graph.functions[start]
    probes = set(own.used) - NOT_CLIENT
    media = _MEDIA_SEGMENT.search(route.path)
    if media and _serves_file(graph, own) and not _writes(graph, start, own, reading=True):
        return f"serves media files under /{media.group(2)}/, as a static file server would", ""
    reads_config = False
    for q, kept in reach.items():
        f = graph.functions[q]
        if _writes(graph, q, f, reading=True):
            return "", f"it changes stored state ({q.rpartition('.')[2]} writes)"
        kept = kept or bounded or only_fixed  # a secret it reads does not reach the response
        env = next((x for x in f.secrets if x.startswith("os.environ.")), None)
        if env:  # a secret environment variable (a string field of any response schema can carry it)
            return "", f"it reads the environment variable {env.rpartition('.')[2]}"
        if f.secrets and not kept:
            return "", f"it reads the secret setting {f.secrets[0]}"
        named = {*f.used, *f.flows} - {"self", "cls", "request", "req"}
        # a query that ends in a count or an existence test answers one number, not rows
        counted = tuple(c.rpartition(".")[0] for c in f.calls if c.rpartition(".")[2] in _AGGREGATES)
        if q == start and named and _serves_file(graph, f):
            return "", "it serves a file whose path the request names"  # the handler's own parameters: the URL
        for call in f.calls:
            if fixed and _READ_FILE.match(call):
                continue  # the fixed file it serves
            owner, _, last = call.rpartition(".")
            if _effect(call):
                return "", f"it calls {_shown(q, call)} (commands, files or the environment)"
            if only_fixed:
                continue
            if last in _AGGREGATES or counted and call.startswith(counted):
                continue  # a count of users or a test that one exists: not their data
            if _names_users(graph, call):
                if not bounded:
                    return "", f"it calls {_shown(q, call)}, which reads users' or tenants' data"
                if q == start and probes:
                    return "", (f"it tests the client's {', '.join(sorted(probes))} against users' or tenants' "
                                f"data ({call}): anyone learns which exist")
            if not kept and not _one_variable(call) and owner not in graph.k.client_inputs and (
                    (_SECRET_NAME.search(last) and not _MAKES.match(last)
                     and not graph.method(graph.canonical(call)))  # a project function's body is judged, not its name
                    or (_SECRET_NAME.search(_in_module(graph, owner)) and owner not in _CRYPTO_MODULES)):
                return "", f"it calls {_shown(q, call)}, which reads a secret"
            reads_config = reads_config or q == start and bool(_CONFIG_NAME.search(call)) \
                and not graph.method(graph.canonical(call))  # a project function: its body is judged
        if only_fixed or bounded and not probes or any(SELECTS_VISIBLE.search(c) for c in f.calls):
            continue  # nothing it reads reaches the caller, or it selects what is published
        for ref in (*(c for c in f.calls if not c.startswith(counted) and not _built(graph, q, c)), *f.refs):
            model = _queried_model(graph, ref)
            why = _held(graph, model) if model else None
            if why:
                return "", f"it reads {model.rpartition('.')[2]} rows, which {why}"
    if only_fixed and not graph.authz.route_lookups(route):
        return _fixed_reason(fixed), ""
    if _ADMIN_HANDLER.search(_in_module(graph, handler)) or \
            route.view_class and _ADMIN_HANDLER.search(_in_module(graph, route.view_class)):
        return "", "its handler is about administration or internals"
    segment = next((seg for seg in route.path.lower().split("/") if _ADMIN_SEGMENT.match(seg)), None)
    if segment:
        return "", f"it is served under /{segment}/"
    types: list[str] = []
    for lk in graph.authz.route_lookups(route):  # rows it loads by an id the client gives
        if not lk.model or "." not in lk.model:
            return "", f"it loads a record by a client-supplied id ({lk.display or lk.source})"
        types.append(lk.model)
    if fixed and not types:  # every return is a page, file, redirect or text fixed in the code
        return _fixed_reason(fixed), ""
    unknown = False  # part of what it returns has a type the analysis does not know
    if rf is not None:
        # the declared schema shapes the response; the rows it is built from (when known) say whose data it is
        types.extend([*([declared] if declared else ()), *graph.returned_types(handler)])
        unknown = rf.schema == "?" and not declared
        for value in rf.values:
            if value.startswith("call:"):
                found = _call_types(graph, value[5:])
                unknown = unknown or found is None
                types.extend(found or ())
    for rd in graph.responses.get(handler, ()):
        if rd.kind in ("object", "method") and rd.ref:
            types.append(rd.ref)
        elif rd.kind == "call" and (found := _call_types(graph, rd.ref)) is not None:
            types.extend(found)
        elif rd.kind != "fixed":
            unknown = True  # a mapping built from values of unknown origin, another function's result
    names = []
    for t in dict.fromkeys(types):
        why = _held(graph, t)
        if why:
            return "", f"it returns {t.rpartition('.')[2]}, whose rows {why}"
        if why is None:
            unknown = True
        else:
            names.append(t.rpartition(".")[2])
    if unknown and reads_config:
        return "", "it reads the settings and returns values whose origin is not followed"
    if names:
        return f"returns {', '.join(names)}, which no user owns and which holds nothing sensitive", ""
    return ("reads nothing tied to a user, a tenant or a secret" if unknown else "returns no stored data"), ""


def _shown(function: str, call: str) -> str:
    """A call as the message shows it: a method of a local of ``function`` by the local's name
    (``notification.save``, not ``pkg.views.View.post.notification.save``)."""
    return call[len(function) + 1:] if call.startswith(f"{function}.") else call


def _serves_file(graph, f) -> bool:
    """``f`` opens a file or answers with one (``FileResponse(...)``, ``send_file(...)``)."""
    return any(_READ_FILE.match(c) or graph.k.fixed_responses.get(graph.canonical(c)) == "file" for c in f.calls)


def _fixed_reason(fixed) -> str:
    """Why answers fixed in the code (``fixed``: their ResponseData) give nothing away."""
    return _FIXED[fixed[0].ref] if "," not in fixed[0].ref else \
        "returns only pages, files or redirects fixed in the code, with no stored data"


def _call_types(graph, call: str) -> list[str] | None:
    """What a call gives: the class it makes, the types a project function returns, or the
    models whose rows that function loads; None when unknown."""
    q = graph.canonical(call)
    if q in graph.classes or q in graph.models or graph.model_kind(q):
        return [q]
    called = graph.method(q)
    if not called:
        return None
    found = list(graph.returned_types(called)) or [
        lk.model for lk in graph.authz.authz_index()[0].get(called, ()) if lk.model and "." in lk.model]
    return found or None


def _closure(graph, handler: str):
    """[(qualname, FunctionFact)] of the handler and the project functions it calls (a few
    levels deep), or None when the handler is not a project function."""
    found = _reach(graph, handler)
    return None if found is None else [(q, graph.functions[q]) for q in found]


def _reach(graph, handler: str) -> dict[str, bool] | None:
    """The handler and the project functions it calls (a few levels deep), in breadth-first
    order, each mapped to whether a secret it reads stays on the server: it is two calls or
    more away, or reached through a call that makes or checks something with it
    (``generate_state_token`` reading the signing key). Settings getters are not followed.
    None for a library handler."""
    start = graph.method(graph.alias(handler))
    if start is None:
        return None
    # loading the settings (and creating them on first use) is not the route's doing
    found = graph.reachable(start, _DEPTH, lambda call: not SETTING_GETTER.match(call.rpartition(".")[2]))
    made: dict[str, bool] = {}
    for q, _, caller, call in found:
        made[q] = made.get(caller, False) or bool(call and _MAKES.match(call.rpartition(".")[2]))
    return {q: made[q] or depth >= 2 for q, depth, _, _ in found}


def _writes(graph, qname: str, f, reading: bool = False) -> bool:
    """``f`` writes: stored rows, or a call whose name says it changes state. In a read, a
    cache entry set, a raw statement run (a SELECT as often as not) or a flush is not one."""
    if any(dw.function == qname for dw in _data_writes(graph)):
        return True
    return any(_write_call(graph, c, reading) for c in f.calls)


def _write_call(graph, call: str, reading: bool) -> bool:
    """The call's name says it changes state, and it is not a response's cookie, the caller's
    session, a cache, or (in a read) an incidental write."""
    owner, _, name = call.rpartition(".")
    if owner in graph.k.session_names:  # session.update(): the caller's own signed cookie, nobody else's state
        return False
    q = graph.method(graph.canonical(call))
    if q:
        # a project function is judged from its body, not its name, except a message sent: what
        # leaves the process (a chat message, a mail, a queued task) does not show in the body;
        # one that returns a response (``send_result``: ``return jsonify(...)``) sends it to the caller
        rf = graph.returns.get(q)
        answers = rf is not None and any(v.startswith("call:") and graph.canonical(v[5:]) in graph.k.response_wrappers
                                         for v in rf.values)
        return bool(_SENDS.match(name)) and not answers
    fixed = graph.k.fixed_responses
    return bool(_WRITE_CALL.match(name)) and call not in fixed and "." + name not in fixed and not _RESPONSE_CALL.match(name) \
        and not _cached(call) and not (reading and _incidental(graph, call))


def _effect(call: str) -> bool:
    """A call that runs a command, touches a file or a socket, or reads the environment (not one
    that only builds or tests a path)."""
    return bool(_EFFECT_CALL.match(call)) and not _PATH_ONLY.match(call) and not _one_variable(call)


def _one_variable(call: str) -> bool:
    """One environment variable read by name, or a method of its value (``os.getenv("X", "").lower()``)."""
    return call in _ONE_VARIABLE or call.rpartition(".")[0] in _ONE_VARIABLE


def _cached(call: str) -> bool:
    """A call on a cache (``cache.save_result``, ``caches["default"].set``): nothing anyone owns."""
    return any(p in ("cache", "caches", "memo") for p in call.rpartition(".")[0].lower().split("."))


def _incidental(graph, call: str) -> bool:
    """In a read, a write-named call that changes nothing anyone reads back: a cache entry, a
    raw statement (a SELECT as often as not), a library factory (``pyqrcode.create``), or an
    ambiguous verb on a value that is not stored data (``h.update(data)``, ``seen.add(x)``)."""
    owner, _, name = call.rpartition(".")
    parts = owner.lower().split(".")
    if _CACHE_OR_QUERY.match(name) or _cached(call) or graph.canonical(call) in graph.k.flash_calls:
        return True  # ... or a notice flashed to the user's next page (messages.add_message)
    if name == "create" and owner and owner == owner.lower() and len(parts) == 1:
        return True  # module.create(): a library factory
    if _AMBIGUOUS.match(name):
        return not (any(p in _DATA_RECEIVERS for p in parts) or _queried_model(graph, owner))
    return False


def _data_writes(graph):
    return graph.remembered("data writes", "", lambda _: tuple(graph.data_writes))


def _built(graph, function: str, call: str) -> bool:
    """``call`` makes a new object of a stored model in ``function`` or calls a method of one made
    there (``item = MealItem(); item.energy()``): an object built in memory, no row read."""
    made = graph.canonical(call)
    if made not in graph.classes:
        made = graph.canonical(graph.instances.get(call.rpartition(".")[0], "")) if call.startswith(f"{function}.") else ""
    return bool(made) and made in graph.classes and graph.stored_model(made)


def _queried_model(graph, call: str) -> str:
    """The stored model a call queries (``Task.objects.filter``, ``Post.query.order_by``) or a
    reference names (``Invoice``, ``Invoice.amount``), or ''."""
    parts = graph.canonical(call).split(".")
    for i in range(len(parts), 1, -1):
        prefix = ".".join(parts[:i])
        if prefix in graph.classes and graph.stored_model(prefix) or prefix in graph.k.user_models:
            return prefix
    return ""


def _names_users(graph, name: str) -> bool:
    """A dotted name with a part naming users or tenants after the module it is in:
    ``db.users.get_one``, ``repos.groups``; not ``CTFd.utils.user.get_ip`` (a module)."""
    return any(USER_SEGMENT.match(part) or _TENANTS.match(part) for part in _in_module(graph, name).lower().split("."))


def _in_module(graph, name: str) -> str:
    """The part of a qualified name after the longest project module that it starts with."""
    modules = graph.remembered("module names", "", lambda _: frozenset(m.module for m in graph.modules))
    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:i]) in modules:
            return ".".join(parts[i:])
    return name


def _held(graph, qname: str) -> str | None:
    """What makes a project class's rows someone's or sensitive ('' when nothing does), or None
    when it is not a project class."""
    q = graph.canonical(qname)
    if q in graph.k.user_models:
        return "describe people or their accounts"
    if q not in graph.classes and q not in graph.models:
        return None
    name = q.rpartition(".")[2]
    if _USERISH.search(name):
        return "describe people or their accounts"
    names = {*graph.model_fields(q), *(n for c in graph.mro(q) for n in graph.field_facts.get(c, ()))}
    if _ADMIN.search(name) and (graph.stored_model(q) or not names or _ADMIN_HANDLER.search(name)):
        # a response schema named ``RuntimeConfig`` is judged by its fields, a table by its name
        return "hold administration or configuration data"
    if any(_OWNED_BASE.search(b.rpartition(".")[2]) for b in graph.mro(q)[1:]):
        return "belong to a user or a tenant (by their base class)"  # ProjectMixin, OwnedModel...
    owners = graph.authz.owner_fields(q)
    if owners:
        return f"belong to a user ({owners[0][0]})"
    if graph.authz.private_model(q):
        return "are restricted to their owner elsewhere in the project"
    flag = next((n for n in sorted(names) if VISIBILITY_FIELD.match(n)), None)
    if flag and graph.stored_model(q):
        return f"carry a `{flag}` flag that this read does not check"  # some rows are not meant to be seen
    marks = graph.field_marks(q)
    if marks:
        field = sorted(marks)[0]
        return f"hold {marks[field][0]} fields ({field})"
    field = next((n for n in sorted(names) if personal_data(n) or TIED_FIELD.match(n) or _NESTED.match(n)), None)
    return f"hold personal data or belong to someone ({field})" if field else ""
