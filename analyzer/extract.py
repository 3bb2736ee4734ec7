"""One file -> ModuleFacts: parse once with LibCST, run the common pass and the adapters.

This is a pure function of the file's text, its path and module name, and the
knowledge tables, so that it can run in worker processes and be cached.
"""
from __future__ import annotations

import ast
import re
from functools import cached_property

import libcst as cst

from . import documents, proxies, source
from .facts import (
    ANY_ATTRIBUTE, ClassFact, FactSink, FunctionFact, GuardUse, Location, MethodFact, ModuleFacts, Setting, Suppression,
)
from .names import (NOT_LITERAL, REJECT_NAMES, REJECT_STATUS, ImportTable, assignments, base_exprs, call_arg, dotted, if_present,
                    leaves as _leaves, literal, module_strings, operands, refusing_status, render_path, rule_template,
                    string_bindings, string_list, view_receiver)
from .dataflow import DataPass
from .fields import VISIBILITY_FLAG
from .positions import Positions
from .walk import Index, collect, indexed, walk
from .authz import extract_authz
from .states import Effect

BUILTINS = frozenset(dir(__import__("builtins")))
STATUS_KEYWORDS = ("status", "status_code", "code")
# A redirect status (``307``, ``HTTP_307_TEMPORARY_REDIRECT``) and a target that names the login page
REDIRECT_STATUS = frozenset({302, 303, 307})
REDIRECT_NAME = re.compile(r"^(HTTP_30[237]_\w+|FOUND|SEE_OTHER|TEMPORARY_REDIRECT)$")
LOGIN_PAGE = re.compile(r"log_?in|sign_?in", re.IGNORECASE)
# Errors that answer "not found": raised on a permission test, they hide an object from the caller.
_NOT_FOUND = re.compile(r"(^|\.)(Http404|\w*NotFound\w*|\w*DoesNotExist)$")
# A test naming one of these is against forged requests (``if not check_csrf(request):``)...
FORGERY = re.compile(r"csrf|xsrf|nonce|(^|_)(origins?|referr?er|allowed_hosts?|host_header)($|_)", re.IGNORECASE)
# ... and so is a comparison with a session value that a form or an OAuth round trip must echo
# back: it says nothing about who the caller is
ECHOED = re.compile(rf"{FORGERY.pattern}|(^|_)state$", re.IGNORECASE)
# Names a configuration object goes by (``settings.ALLOW_SIGNUP``, ``app.config["X"]``) and
# getters of one (``get_config(...)``): a branch decided by these alone is a feature flag, not
# a check of the caller's credential.
SETTING_NAMES = frozenset({"settings", "config", "conf", "cfg", "configuration", "app_settings", "SETTINGS", "CONFIG"})
# A configuration mapping by its name (``config``, ``api_config``, ``app_settings``, ``self.conf``)
CONFIG_MAPPING = re.compile(r"(^|_)(config|conf|cfg|configuration|settings|options)$", re.IGNORECASE)
SETTING_OWNERS = frozenset({"self", "cls", "app", "current_app"})
# a module constant that switches a feature: ``if not ENABLE_PASSWORD_AUTH: raise HTTPException(403)``
FLAG_CONSTANT = re.compile(r"^(ENABLE|ENABLED|DISABLE|ALLOW|FEATURE)_[A-Z0-9_]+$")
# A setting that holds a secret: ``settings.API_KEYS``, ``config.SECRET_KEY``
SECRET_SETTING = re.compile(r"secret|password|passwd|token|api_?keys?$|private_key|credential", re.IGNORECASE)
# A connection string: its password comes with it (DATABASE_URL, REDIS_URI, SENTRY_DSN)
CONNECTION_URL = re.compile(r"(^|_)(DATABASE|DB|REDIS|MONGO\w*|BROKER|AMQP|CELERY_BROKER)_(URL|URI)$|(^|_)DSN$",
                            re.IGNORECASE)
SETTING_GETTER = re.compile(r"^_?get_\w*(config|setting|settings|option|flag)s?$|^(is_)?feature_(enabled|flag)$")
# What a login handler does: verify credentials taken from the request (a password check, a
# credential authentication, an OAuth code exchange) and let the caller in (start a session,
# issue a token). Project helpers are recognised by these names too.
VERIFIES = re.compile(
    r"^_?(check_password_hash|check_password|checkpw|verify_password|verify_pass|validate_password|password_matches"
    r"|authenticate|authenticate_user|verify|verify_credentials|check_credentials|verify_user_password"
    r"|authorize_access_token|fetch_token|fetch_access_token|exchange_\w*(code|token)\w*|verify_otp|verify_totp"
    r"|parse_authn_request_response|verify_oauth2_token|verify_id_token|validate_jwt|verify_jwt)$")  # ID tokens
# Starting a sign-in at an identity provider (OAuth, OIDC, SAML): the first half of the way in.
TO_PROVIDER = re.compile(r"^(authorize_redirect|create_authorization_url|get_authorization_url|authorization_url"
                         r"|get_auth_url|get_authorize_url|authorize_url"
                         r"|login_redirect|redirect_to_provider|get_redirect_url|prepare_for_authenticate)$")
ISSUES = re.compile(
    r"^_?(login_user|login|create_access_token|create_refresh_token|create_token|create_jwt|encode_jwt|issue_token"
    r"|generate_token|generate_access_token|make_token|create_session|start_session|set_access_cookies"
    r"|create_login_session|create_access_and_refresh_tokens)$")
# Exceptions whose name says a signed value or token did not verify (a project's or a vendored
# library's ``TokenError``, ``InvalidSignature``), besides the adapters' ``signature_errors``
TOKEN_ERROR = re.compile(r"^(\w*Token(Error|Invalid|Expired)\w*|Invalid\w*Token|BadSignature|\w*Signature(Error|Expired)"
                         r"|Invalid\w*Signature)$")
# Exceptions whose name says a check denied the caller (CKAN's ``NotAuthorized``, Django's
# ``PermissionDenied``): a clause that catches one and ends the request answers the denial
DENIAL_ERROR = re.compile(r"^(NotAuthori[sz]ed|Unauthori[sz]ed|PermissionDenied|Forbidden|AccessDenied|NotAllowed)"
                          r"(Error|Exception)?$")
# what an ``except`` catches a 401/403 rejection by (besides the adapters' ``error_bases``)
CATCH_ALL = frozenset({"Exception", "BaseException"})
# What a middleware or wrapper calls to hand the request on to the view.
PASS_ON = frozenset({"get_response", "call_next", "app", "view", "view_func", "func", "f", "fn", "handler"})
# Manager methods that fetch one row
ROW_LOOKUPS = frozenset({"get", "get_or_404", "first", "first_or_404", "one", "one_or_none", "get_object_or_404"})
# Calls that make a function out of another one
_COPIES_FUNCTION = frozenset({"types.FunctionType", "functools.update_wrapper", "copy.copy", "copy.deepcopy"})
# Classes that make an in-memory value (the language's containers): methods called on one
# change that value only.
VALUE_CLASSES = frozenset({"dict", "list", "set", "frozenset", "bytearray", "collections.OrderedDict",
                           "collections.defaultdict", "collections.Counter", "collections.deque", "copy.copy",
                           "copy.deepcopy"})
# Standard modules whose functions compute a value in memory (a parsed document, a digest, a
# match): what they return is the function's own value, like a literal
COMPUTES = ("json.", "base64.", "binascii.", "hashlib.", "hmac.", "urllib.parse.", "uuid.", "re.", "datetime.",
            "decimal.", "math.")
WRITES = frozenset({"commit", "save", "delete", "add", "create", "insert", "insert_one", "insert_many", "update_one",
                    "bulk_create", "remove", "delete_one", "delete_many"})
# The evidence of a check that turns away whoever does not hold a secret (a signature, a shared
# secret compared, a signed value that must verify): its reasons start so
SIGNATURE_REASON = "rejects unless"
_SECRET_PROOF = re.compile(r"signature|shared secret|signed value")
# The mark of a returned value that is an instance the function makes (``return Cls()``)
MADE = "()"
# A user's flags that say whether they may act: a test of one is an access decision
USER_FLAGS = frozenset({"is_authenticated", "is_staff", "is_superuser", "is_admin"})
# names of values that hold a signature or shared secret to compare a request's against
SECRET_NAME = re.compile(r"secret|signature|hmac|(^|_)sig$", re.IGNORECASE)
CONFIGURED_CREDENTIAL = re.compile(r"password|passwd|(^|_)(api_?)?(key|token)$", re.IGNORECASE)
SUPPRESSION = re.compile(r"#\s*routeguard:\s*ignore\b(?:\[([^\]]*)\])?", re.IGNORECASE)


# Expressions whose source is sliced out of the file rather than generated by LibCST (when
# not parenthesized: LibCST's code includes the parentheses, the position does not).
_SLICED = (cst.Call, cst.Attribute, cst.Subscript)


def proves_secret(reason: str) -> bool:
    """The reason of a check that only the holder of a secret passes (a signature, a shared
    secret compared, a signed value that must verify), not of one that tests a user's flags."""
    return reason.startswith(SIGNATURE_REASON) and bool(_SECRET_PROOF.search(reason))


class FileContext:
    """What an adapter needs to read one file: positions, source text and name resolution."""

    def __init__(self, path: str, module: str, is_package: bool, tree: cst.Module, positions: Positions, knowledge,
                 source: str = ""):
        self.path = path
        self.module = module
        self.tree = tree
        self.source = source  # the file's text (``tree.code`` would generate it again)
        self.positions = positions
        self.knowledge = knowledge
        table = ImportTable(module, is_package)
        walk(tree, table)
        self.imports = table.names
        self.defined = table.defined

    @cached_property
    def bindings(self) -> list:
        """The module's unconditional ``name = value`` bindings with the string each makes
        (names.string_bindings), evaluated once for the common pass and every adapter."""
        return string_bindings(self.tree.body)

    @cached_property
    def strings(self) -> dict[str, str]:
        """The module's string constants (``PREFIX = "/api/v1"``), for paths built from them."""
        return module_strings(self.bindings)

    @cached_property
    def _constants(self) -> dict:
        return {name: value for name, value, _, _ in self.bindings}  # each name's last binding

    def constant(self, expr):
        """What a module constant named by ``expr`` is bound to (its last unconditional binding:
        ``PROXY_METHODS = ["GET", "POST"]``), else ``expr`` itself."""
        return self._constants.get(expr.value, expr) if type(expr) is cst.Name else expr

    def loc(self, node: cst.CSTNode) -> Location:
        return self.positions.loc(node)

    def code(self, node: cst.CSTNode) -> str:
        """The source of ``node`` with its whitespace collapsed."""
        if type(node) in _SLICED and not node.lpar:  # its own text: positions place these exactly
            text = self.positions.text(self.loc(node))
        else:
            text = self.tree.code_for_node(node)
        return " ".join(text.split())

    def resolve(self, expr, local: dict[str, str] | None = None) -> str:
        """Qualified name of a dotted expression (or dotted string); '' if it is not one."""
        d = expr if isinstance(expr, str) else dotted(expr)
        if not d:
            return ""
        head, _, rest = d.partition(".")
        if local and head in local:
            base = local[head]
        elif head in self.imports:
            base = self.imports[head]
        elif head in self.defined or head not in BUILTINS:
            base = f"{self.module}.{head}"
        else:
            base = head
        return f"{base}.{rest}" if rest else base

    def guard_use(self, expr: cst.BaseExpression, kind: str = "decorator", local=None, methods=()) -> GuardUse:
        """A GuardUse for ``login_required`` or ``jwt_required()`` written at ``expr`` (or a Decorator)."""
        at = expr
        if isinstance(expr, cst.Decorator):
            expr = expr.decorator
        target = expr.func if isinstance(expr, cst.Call) else expr
        keywords = tuple(a.keyword.value for a in expr.args if a.keyword is not None
                         and literal(a.value) not in (None, False)) if isinstance(expr, cst.Call) else ()
        return GuardUse(self.resolve(target, local), self.code(expr), self.loc(at), kind, tuple(methods),
                        keywords=keywords)

    def decorators(self, node: cst.FunctionDef | cst.ClassDef, local=None) -> tuple[GuardUse, ...]:
        return tuple(self.guard_use(d, local=local) for d in node.decorators)

    def span_start(self, node: cst.FunctionDef | cst.ClassDef) -> int:
        return self.loc(node.decorators[0]).line if node.decorators else self.loc(node).line


class _Summary:
    def __init__(self, qualname: str, params: set[str], self_class: str):
        self.qualname = qualname
        self.self_class = self_class  # the class of ``self`` here ('' outside methods)
        self.answer = ""  # the local returned at the function's one exit (``return response``)
        self.returned_calls: set[str] = set()  # calls whose result it returns (``return check(request)``)
        self.answer_tests: set[str] = set()  # calls tested where the branch only answers no
        self.evidence: set[str] = set()
        self.calls: set[str] = set()
        self.super_calls: set[str] = set()
        self.locals = params  # parameters and names assigned so far
        self.instances: dict[str, str] = {}  # local -> what made it, for locals assigned the result of a call
        self.scratch: set[str] = set()  # locals holding a value built here (``h = Headers(request.headers)``, ``d = {}``)
        self.rows: dict[str, str] = {}  # locals holding a row looked up here -> its model (``f = get_object_or_404(Finding, ...)``)
        self.queries: dict[str, str] = {}  # locals holding a model's query -> ``Model.objects`` (``qs = Weakness.objects``)
        self.passed: set[str] = set()  # those of them passed to a call, recorded as instance facts
        self.rebound: set[str] = set()  # locals assigned more than once so far (what they hold depends)
        self.returns: set[str] = set()
        self.settings: set[str] = set()  # locals assigned a setting (``v = get_config(...)``)
        self.subjects: dict[str, str] = {}  # locals assigned the session or the caller (``is_admin = session.get(...)``)
        self.carried: dict[str, str] = {}  # locals assigned a header or cookie the request carries -> its name
        self.defs: set[str] = set()  # the functions defined in its body
        self.passes: set[str] = set()
        self.gated: set[str] = set()
        self.if_object: set[str] = set()
        self.globals: set[str] = set()  # module names it declares ``global``
        self.issues = ""
        self.verifies = False
        self.optional = ""
        self.returns_none = False  # returns None in a branch (an optional dependency's "no caller")
        self.first_check = 0
        self.first_write = 0
        self.compares: set[str] = set()  # why what it returns compares a signature or shared secret
        self.tested: set[str] = set()
        self.params = frozenset(params)
        self.used: set[str] = set()  # parameters passed to a call or compared
        self.visibility: set[str] = set()
        self.conditions: dict[str, cst.BaseExpression] = {}  # locals assigned a test (``is_owner = a == b``)
        self.secrets: set[str] = set()
        self.switches: set[str] = set()
        self.refs: set[str] = set()
        self.flows: set[str] = set()
        self.swallowed: set[str] = set()  # calls made only where a ``try`` swallows their rejection
        self.runs: set[str] = set()  # parameters it calls
        self.answers: set[str] = set()  # credential tests whose branch only returns a value to the caller
        self.hands: set[tuple[str, str, str]] = set()  # (callee, position, function handed to it)
        self.open_calls: set[str] = set()


class CommonPass(cst.CSTVisitor):
    """Framework-neutral facts: function summaries, classes, instances, constants.

    Every function gets a summary; what a nested function does (a decorator's
    wrapper) also counts for the functions around it.
    """

    def __init__(self, ctx: FileContext, sink: FactSink):
        self.ctx = ctx
        self.sink = sink
        self.k = ctx.knowledge
        self.stack: list[str] = []  # enclosing class and function names
        self.kinds: list[str] = []  # "class" or "def", for each name on the stack
        self.summaries: list[_Summary] = []
        self.test_depth = 0
        self.final: set[int] = set()  # the last statement of each function body (id of the node)
        self.comparing = 0  # inside a comparison: what it reads decides a boolean, it is not returned
        # the branches around the current statement in the current function, innermost last:
        # (kind, test) where kind is "setting" (decided by configuration only), "anonymous" /
        # "caller" (taken when the caller has no credential / has one), or "other"
        self.branches: list[tuple] = []  # (kind, test node or (test,) for its else, checks read before it)
        self.checks = 0  # credential tests and rejections read so far (a call-through after one is not bare)
        self.statement = None  # the statement being read: its line is where a first check or write is
        self.after: dict[int, list] = {}  # id of an ``if`` -> the statements after it in its block
        self.answering = False  # reading a test whose branch only returns a value to the caller (_only_answers)

    def _evidence(self, text: str) -> None:
        self.checks += 1
        if any(k == "swallowed" for k, _, _ in self.branches):
            return  # a ``try`` catches the rejection and goes on
        if self.answering:  # ``if user.is_anonymous: return False``: an answer to its caller
            for s in self.summaries:
                s.answers.add(text)
            return
        for s in self.summaries:
            s.evidence.add(text)
        s = self.summaries[-1] if self.summaries else None
        if s is not None and not s.first_check:
            s.first_check = self._line()

    def _rejects(self, text: str) -> None:
        """A 401/403 answer: a rejection of the caller unless the branch it is in is taken
        only for a setting (a feature flag: ``if not settings.ALLOW_SIGNUP: raise ...(403)``)
        or only for a caller who has a credential (``if current_user.is_authenticated:``)."""
        self.checks += 1
        kinds = [k for k, _, _ in self.branches]
        if "caller" in kinds or "forgery" in kinds:  # a CSRF check turns away forged requests, not callers
            return
        if "object" in kinds:  # only when there is an object: the linker asks whether the route has one
            for s in self.summaries:
                s.if_object.add(text)
            return
        if "setting" in kinds and not self._unless_set():  # only when configured so: for the linker, not a guard
            test = self._text(next(t for k, t, _ in self.branches if k == "setting"))
            for s in self.summaries:
                s.gated.add(test)
            return
        self._evidence(text)

    def _unless_set(self) -> bool:
        """Every setting branch around here is the else of ``if config.get("LOGIN_DISABLED"):``, a
        key read with no default: unset, it is None, so the else (the rejection) is what runs
        unless someone switches the check off."""
        tests = [t for k, t, _ in self.branches if k == "setting"]
        return all(type(t) is tuple and type(t[0]) is cst.Call and type(t[0].func) is cst.Attribute
                   and t[0].func.attr.value == "get" and len(t[0].args) == 1 and isinstance(literal(t[0].args[0].value), str)
                   for t in tests)

    def _text(self, test) -> str:
        """The source of a branch's test; ``(test,)`` stands for its else."""
        return f"not ({self.ctx.code(test[0])})" if type(test) is tuple else self.ctx.code(test)

    def visit_SimpleStatementLine(self, node) -> None:
        self.statement = node

    def _line(self) -> int:
        # placed by its first small statement: positions index those, not the line itself (asking
        # for the line made LibCST's PositionProvider run over the whole module)
        stmt = self.statement
        if stmt is None:
            return 0
        return self.ctx.loc(stmt.body[0] if type(stmt) is cst.SimpleStatementLine else stmt).line

    # -- module level -------------------------------------------------------
    def visit_Module(self, node: cst.Module) -> None:
        for name, value, _, text in self.ctx.bindings:
            self._module_assign(name, value, text)

    def _copies(self, call: cst.Call) -> bool:
        """``copy_func(verify_oauth_client)``: a function of this module that makes a copy of the
        function it is given (it builds one with ``types.FunctionType`` or ``functools.update_wrapper``
        and no other argument): the copy does what the original does."""
        if len(call.args) != 1 or type(call.func) is not cst.Name:
            return False
        node = next((n for n in self.ctx.tree.body if type(n) is cst.FunctionDef and n.name.value == call.func.value), None)
        return node is not None and len(node.params.params) == 1 and any(
            self.ctx.resolve(c.func) in _COPIES_FUNCTION for c in collect(node.body, cst.Call))

    def _module_assign(self, name: str, value, text: str | None) -> None:
        qname = f"{self.ctx.module}.{name}"
        self._value(qname, value)
        same = value.args[0].value if isinstance(value, cst.Call) and value.args and value.args[0].keyword is None \
            and (self.ctx.resolve(value.func) == "functools.partial" or self._copies(value)) else value
        if (type(same) is cst.Name or same is not value and dotted(same)) and name not in self.ctx.strings:
            # verify_client_prod = verify_client, check = partial(check_scope, strict=True): another
            # name for the same function, as an import is
            target = self.ctx.resolve(same)
            if "." in target and target != qname:  # not True, None or a builtin
                self.ctx.imports[name] = target
            return
        if isinstance(value, cst.Call):
            func = value.func
            if type(func) is cst.Subscript:  # FastAPIUsersSub[User, uuid.UUID](...): an instance of the generic class
                func = func.value
            if type(func) is cst.Attribute and func.attr.value in self.k.view_constructors:
                func = func.with_changes(value=view_receiver(func.value))  # registry.get(View).as_view()
            cls = self.ctx.resolve(func)
            if cls:
                self.sink.instances.append((qname, cls))
        else:
            values = string_list(value)
            if values is None and isinstance(value, (cst.FormattedString, cst.BinaryOperation)) and text is not None:
                values = (text,)  # CREATE_USER = f"{API}/users/create"
            if values is not None:
                self.sink.constants.append((qname, values))
            elif type(value) in (cst.List, cst.Tuple):
                self._route_rows(qname, value)
                items = [e.value for e in value.elements if not isinstance(e, cst.StarredElement)]
                if items and len(items) == len(value.elements) and all(dotted(e) for e in items) and not self.stack:
                    # ROUTERS = [tools_router, agents_router]: what a loop that mounts each takes
                    self.sink.collections.append((qname, tuple(self.ctx.resolve(e) for e in items)))

    def _route_rows(self, qname: str, value) -> None:
        """``API_ROUTES = [(SketchResource, "/sketches/"), ...]``: a table of (view class, rule)
        rows (either order), for a loop that registers each row (a ``route_tables`` fact)."""
        rows = []
        for element in value.elements:
            row = element.value
            if type(row) is not cst.Tuple or len(row.elements) != 2:
                return
            first, second = (e.value for e in row.elements)
            view, rule = (first, second) if dotted(first) else (second, first)
            path = render_path(rule, self.ctx.strings, None)
            if not dotted(view) or not isinstance(path, str) or not path.startswith("/"):
                return
            rows.append((path, self.ctx.resolve(view)))
        if rows:
            self.sink.route_tables.append((qname, tuple(rows)))

    # -- classes --------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        ctx = self.ctx
        qualname = ".".join([ctx.module, *self.stack, node.name.value])
        methods, guard_attrs, attrs = [], [], []
        for stmt in node.body.body:
            if isinstance(stmt, cst.FunctionDef):
                methods.append(MethodFact(stmt.name.value, ctx.loc(stmt.name), ctx.span_start(stmt), ctx.decorators(stmt)))
        for name, value, _ in assignments(node.body.body):
            self._value(f"{qualname}.{name}", value)
            made = ctx.resolve(value.func) if isinstance(value, cst.Call) else ""
            if made.startswith(f"{ctx.module}.") and made.rpartition(".")[2][:1].isupper():
                # ADMIN = AppPermission(...) in a class body, the class of this module: an instance
                # whose methods are its class's (OctoPrint's ``Permissions.ADMIN.require(403)``)
                self.sink.instances.append((f"{qualname}.{name}", made))
            if name in self.k.class_guard_attrs:
                guard_attrs.append((name, self._guard_list(value, self.k.class_guard_attrs[name])))
            elif type(value) is cst.Name and value.value in ctx.imports:  # events = slack_event_router
                self.sink.collections.append((f"{ANY_ATTRIBUTE}{name}", (ctx.resolve(value),)))
            else:
                values = string_list(value)
                if values is not None:
                    attrs.append((name, ",".join(values)))
        bases = tuple(ctx.resolve(b) for b in base_exprs(node))
        self.sink.classes.append(ClassFact(qualname, ctx.loc(node.name), tuple(b for b in bases if b),
                                           tuple(methods), tuple(guard_attrs), tuple(attrs)))
        self.stack.append(node.name.value)
        self.kinds.append("class")
        return True

    def leave_ClassDef(self, node: cst.ClassDef) -> None:
        self.stack.pop()
        self.kinds.pop()

    def _value(self, qname: str, value) -> None:
        """A module or class level name bound to a value that rejects: a pre-built
        ``HTTPException(status_code=401)``, a 401/403 status constant, an error code that
        carries one (``FORBIDDEN = ("FORBIDDEN", 403)`` in an enum). A function that
        raises it, or passes it as a status, rejects too (linked by name: it may be
        imported from another module)."""
        if type(value) is cst.Call:
            why = _rejects(value)
        else:
            status = literal(value)
            if type(status) is tuple and any(type(x) is str for x in status):  # ("INSUFFICIENT_PERMISSIONS", 403)
                status = next((x for x in status if type(x) is int and x in REJECT_STATUS), None)
                why = f"rejects with {status}" if status else ""
            else:  # 403, HTTP_403_FORBIDDEN
                status = refusing_status(value)
                why = f"rejects with {status}" if status else ""
        if why:
            self.sink.rejecting_values.append((qname, why))

    def _guard_list(self, value, kind) -> tuple[GuardUse, ...]:
        ctx = self.ctx
        if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
            # decorators = BaseResource.decorators + [limiter.limit(...)]: the linker expands the base's
            return self._guard_list(value.left, kind) + self._guard_list(value.right, kind)
        if isinstance(value, (cst.List, cst.Tuple)):
            return tuple(ctx.guard_use(e.value, kind) for e in value.elements if isinstance(e, cst.Element))
        if isinstance(value, cst.Dict):
            uses = []
            for e in value.elements:
                method = literal(e.key) if isinstance(e, cst.DictElement) else None
                if isinstance(method, str) and isinstance(e.value, (cst.List, cst.Tuple)):
                    uses.extend(ctx.guard_use(x.value, kind, methods=(method.upper(),))
                                for x in e.value.elements if isinstance(x, cst.Element))
            return tuple(uses)
        return (ctx.guard_use(value, kind),)

    # -- functions --------------------------------------------------------------
    def _rule_builder(self, node: cst.FunctionDef) -> None:
        template = rule_template(node, self.ctx.strings)
        if template is not None:
            self.sink.rule_builders.append((f"{self.ctx.module}.{node.name.value}", template))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        ctx = self.ctx
        for d in node.decorators:  # a nested function's decorators are calls of the outer ones
            walk(d, self)
            self._call(ctx.resolve(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator))
        params = tuple(p.name.value for p in (*node.params.posonly_params, *node.params.params))
        if not self.stack and len(params) == 1:  # def org_scoped_rule(rule): ... return rule
            self._rule_builder(node)
        if self.kinds and self.kinds[-1] == "class":  # a method: self.x() calls the class's x
            self_class = ".".join([ctx.module, *self.stack])
        else:  # a nested function sees the self of the method around it
            self_class = self.summaries[-1].self_class if self.summaries else ""
        if self.summaries and self.kinds and self.kinds[-1] == "def":  # a function defined in this one
            self.summaries[-1].defs.add(node.name.value)
        self.stack.append(node.name.value)
        self.kinds.append("def")
        qualname = ".".join([ctx.module, *self.stack])
        self.summaries.append(_Summary(qualname, set(params), self_class))
        self.summaries[-1].answer = _answer_local(node)
        if node.body.body:
            self.final.add(id(node.body.body[-1]))
        branches, self.branches = self.branches, []
        walk(node.params, self)
        status = _default_status(node) if node.name.value == "__init__" else ""
        if status:  # class Unauthorized(AppError): def __init__(self, message="...", status_code=401)
            self._rejects(f"rejects with {status}")
        if node.returns is not None:
            walk(node.returns, self)
        walk(node.body, self)
        self.branches = branches
        self.stack.pop()
        self.kinds.pop()
        s = self.summaries.pop()
        self.sink.functions.append(FunctionFact(
            qualname, ctx.loc(node.name), ctx.span_start(node),
            tuple(sorted(s.evidence)), tuple(sorted(s.calls)), ctx.decorators(node), params=params,
            super_calls=tuple(sorted(s.super_calls)), returns=tuple(sorted(s.returns)),
            passes=tuple(sorted(s.passes)), gated=tuple(sorted(s.gated)), if_object=tuple(sorted(s.if_object)), verifies=s.verifies, lets_in=s.issues, switches=tuple(sorted(s.switches)), optional=s.optional, returns_none=s.returns_none,
            first_check=s.first_check, first_write=s.first_write,
            compares=tuple(sorted(s.compares)), tested=tuple(sorted(s.tested)), used=tuple(sorted(s.used)),
            visibility=tuple(sorted(s.visibility)), secrets=tuple(sorted(s.secrets)), refs=tuple(sorted(s.refs)),
            flows=tuple(sorted(s.flows)), swallowed=tuple(sorted(s.swallowed - s.open_calls)),
            runs=tuple(sorted(s.runs)), hands=tuple(sorted(s.hands)), answers=tuple(sorted(s.answers)),
            injects=_injects(node, params), returned_calls=tuple(sorted(s.returned_calls - {""})),
            answer_tests=tuple(sorted(s.answer_tests))))
        return False

    # -- locals: instances, what is passed on and what is returned ------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        if self.summaries and len(node.targets) == 1:
            self._local(node.targets[0].target, node.value)
            target = node.targets[0].target
            if self.summaries[-1].answer and dotted(target) == self.summaries[-1].answer:
                self._answered(node.value)  # response = "Forbidden", 403 ... return response
            if type(target) is cst.Subscript and self._session(target.value):  # session["user_id"] = user.id
                self.summaries[-1].issues = self.summaries[-1].issues or "starts a session"

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.summaries and node.value is not None:
            self._local(node.target, node.value)

    def _local(self, target, value) -> None:
        """``auth = JWTAuthenticator(key)`` in a function: ``pkg.f.auth`` is an instance of
        what the call makes (a class, or whatever a project function returns). Recorded once
        it is passed to a call (``Depends(auth)``, ``include_router(router)``, ``setup(app)``),
        which is where the linker needs it; most locals never are."""
        if type(target) is cst.Attribute and target.attr.value in STATUS_KEYWORDS and literal(value) in REJECT_STATUS:
            # res = make_response("You are not authenticated"); res.status_code = 401; return res (mlflow)
            self._rejects(f"rejects with {literal(value)}")
        if type(target) is not cst.Name:
            return
        s = self.summaries[-1]
        again, before = target.value in s.locals, s.instances.get(target.value)
        s.locals.add(target.value)
        if target.value in STATUS_KEYWORDS and literal(value) in REJECT_STATUS:
            self._rejects(f"rejects with {literal(value)}")  # status = 401; ...; return auth_error_callback(status)
        name = target.value
        _bind(s.conditions, name, value if type(value) in (cst.Comparison, cst.BooleanOperation, cst.UnaryOperation)
              else None)
        if self._setting(value):
            s.settings.add(name)
        _bind(s.subjects, name, self._subject(value) or self._presented(value))
        _bind(s.carried, name, self._carried(value))
        _bind(s.rows, name, self._row_model(value))
        _bind(s.queries, name, self._query_of(value))
        (s.scratch.add if self._builds_value(value) else s.scratch.discard)(name)
        made = self._callee(value.func) if type(value) is cst.Call else ""  # self.build_router() too
        if again and not (made and before == made):
            s.rebound.add(name)  # assigned again, with something else (mgr = get_manager() twice is one)
        if made:
            s.instances[target.value] = made
            if target.value in s.globals:  # global model; model = Model(): the module's name holds one
                self.sink.instances.append((f"{self.ctx.module}.{target.value}", made))

    def _builds_value(self, value) -> bool:
        """``value`` is a container made here: a literal, a comprehension, a copy, or a value
        class (``dict(...)``, ``Headers(request.headers)``). Calls on it change only it."""
        if type(value) in (cst.Dict, cst.List, cst.Set, cst.Tuple, cst.DictComp, cst.ListComp, cst.SetComp):
            return True
        if type(value) is not cst.Call:
            return False
        if type(value.func) is cst.Attribute and value.func.attr.value == "copy":
            return True  # request.headers.copy(), dict(x).copy()
        callee = self._callee(value.func)
        return callee in VALUE_CLASSES or callee in self.k.value_classes or callee.startswith(COMPUTES)

    def visit_Global(self, node: cst.Global) -> None:
        if self.summaries:
            self.summaries[-1].globals.update(n.name.value for n in node.names)

    def _row_model(self, value) -> str:
        """The model of the one row ``value`` looks up (``get_object_or_404(Finding, pk=pk)``,
        ``Finding.objects.get(pk=pk)``, ``Post.query.get_or_404(id)``), else ''."""
        if type(value) is cst.Await:
            value = value.expression
        if type(value) is not cst.Call:
            return ""
        callee = self.ctx.resolve(value.func)
        at = self.k.lookup_functions.get(callee)
        if at is not None:
            arg = call_arg(value, None, at)
            return self.ctx.resolve(arg) if type(arg) in (cst.Name, cst.Attribute) else ""
        if type(value.func) is cst.Attribute and value.func.attr.value in ROW_LOOKUPS:
            return self._manager(value.func.value).rpartition(".")[0]  # Finding.objects.get(...), Post.query.get_or_404(...)
        return ""

    def _manager(self, expr) -> str:
        """``pkg.Model.<manager>`` when ``expr`` is a model's manager (``Weakness.objects``,
        ``Post.query``), else ''."""
        owner, _, manager = (dotted(expr) or "").rpartition(".")
        if manager not in self.k.lookup_managers or not owner.rpartition(".")[2][:1].isupper():
            return ""
        return f"{self.ctx.resolve(owner)}.{manager}"

    def _query_of(self, value) -> str:
        """``Model.<manager>`` when ``value`` is a query of a model: the manager itself or a chain
        of calls on it (``Weakness.objects``, ``Finding.objects.filter(product=p)``), else ''."""
        while type(value) is cst.Call and type(value.func) is cst.Attribute \
                and value.func.attr.value not in ROW_LOOKUPS:
            value = value.func.value
        if type(value) is cst.Name:  # query = query.filter(...): still that model's query
            return self.summaries[-1].queries.get(value.value, "")
        return self._manager(value) if type(value) is cst.Attribute else ""

    def _callee(self, func) -> str:
        """What a call calls; ``self.check()`` in a method is the class's ``check`` (the
        linker looks it up along the class's bases), calling a local instance made here
        calls its class's ``__call__``, and a write on a row looked up here is its model's
        (``finding.delete()`` on ``finding = get_object_or_404(Finding, pk=pk)``)."""
        s = self.summaries[-1]
        if _receiver(func) in ("self", "cls") and s.self_class:
            return f"{s.self_class}.{func.attr.value}"
        if type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value in s.queries:
            return f"{s.queries[func.value.value]}.{func.attr.value}"  # query = Weakness.objects; query.filter(...)
        if type(func) is cst.Attribute and func.attr.value in WRITES:
            if type(func.value) is cst.Name and func.value.value in s.rows:
                return f"{s.rows[func.value.value]}.{func.attr.value}"
            model = self._row_model(func.value)  # get_object_or_404(Finding, pk=pk).delete()
            if model:
                return f"{model}.{func.attr.value}"
        if type(func) is cst.Name and func.value in s.instances:  # check = KeyChecker(...); await check(request)
            return f"{s.instances[func.value]}.__call__"
        if type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value in s.instances \
                and func.value.value not in s.globals and func.value.value not in s.rebound:
            # mgr = get_state_manager(); mgr.validate_state(state): a method of what the call made
            name = func.value.value
            if name not in s.passed:
                s.passed.add(name)
                self.sink.instances.append((f"{s.qualname}.{name}", s.instances[name]))
            return f"{s.qualname}.{name}.{func.attr.value}"
        if type(func) is cst.Attribute and type(func.value) is cst.Call:  # Order.objects.filter(...).delete()
            inner = self._callee(func.value.func)
            return f"{inner}.{func.attr.value}" if inner else ""
        if type(func) is cst.Name and func.value not in s.locals:  # a function defined in an enclosing one
            owner = next((e for e in reversed(self.summaries) if func.value in e.defs), None)
            if owner is not None:
                return f"{owner.qualname}.{func.value}"
        if type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value not in s.locals:
            # login_manager.unauthorized() in a hook defined inside the app factory that made login_manager
            made = next((e.instances[func.value.value] for e in reversed(self.summaries[:-1])
                         if func.value.value in e.instances), None)
            if made:
                return f"{made}.{func.attr.value}"
        return self.ctx.resolve(func)

    def _passed(self, node: cst.Call) -> None:
        """Instances made here, or in a function this one is defined in (a dependency factory's
        ``checker = Authenticator(...)`` handed to ``Depends(checker)`` by the dependency it
        returns), and passed to a call. Passed to a function or to a method of self
        (``init_router(auth)``, ``self.setup(app)``), the callee's parameter stands for the
        instance (``bindings``)."""
        s = self.summaries[-1]
        func = node.func
        receiver = _receiver(func)
        on_self = receiver == "self"
        named = type(func) is cst.Name or receiver in self.ctx.imports  # f(), module.f()
        callee = self._callee(func) if on_self or named else ""
        for i, arg in enumerate(node.args, 1 if on_self else 0):  # self.setup(app): app is parameter 1
            name = arg.value.value if type(arg.value) is cst.Name and not arg.star else None
            maker = s if name in s.instances else None if name is None or name in s.locals else next(
                (e for e in reversed(self.summaries[:-1]) if name in e.instances), None)
            if maker is None:
                continue
            local = f"{maker.qualname}.{name}"
            if name not in maker.passed:
                maker.passed.add(name)
                self.sink.instances.append((local, maker.instances[name]))
            if callee and callee not in BUILTINS:
                self.sink.bindings.append((callee, arg.keyword.value if arg.keyword else str(i), local))

    def _hands(self, node: cst.Call, callee: str, s) -> None:
        """Functions of the module's scope handed to a call by position (``check_hook(
        _check_action, user)``): the linker follows them where the callee calls that parameter."""
        for i, arg in enumerate(node.args):
            v = arg.value
            if arg.keyword is None and not arg.star and type(v) in (cst.Name, cst.Attribute):
                head = v
                while type(head) is cst.Attribute:
                    head = head.value
                name = (dotted(v) or "").rpartition(".")[2]
                if type(head) is cst.Name and head.value not in s.locals and name.lstrip("_")[:1].islower():
                    s.hands.add((callee, str(i), self.ctx.resolve(v)))
                elif type(v) is cst.Name and v.value in s.params:  # its own parameter, passed on
                    s.hands.add((callee, str(i), f"{s.qualname}.{v.value}"))

    def _call(self, qname: str) -> None:
        if not qname or not self.summaries:
            return
        swallowed = any(k == "swallowed" for k, _, _ in self.branches)
        for s in self.summaries:
            (s.swallowed if swallowed else s.open_calls).add(qname)
        if swallowed:  # its rejection never reaches the caller
            for s in self.summaries:
                s.calls.add(qname)
            return
        if qname in self.k.auth_calls or self.k.known_guards.get(qname) == Effect.AUTH or (
                qname.rpartition(".")[2] in self.k.rejecting_methods and "class" in self.kinds):
            # ``HttpResponseForbidden()``, ``verify_jwt_in_request()``: like a 401/403, only where
            # the caller without a credential is turned away, not under a setting alone
            if any(k in ("caller", "setting", "object") for k, _, _ in self.branches):
                self._rejects(f"calls {qname}")
                return
            self._evidence(f"calls {qname}")
        for s in self.summaries:
            s.calls.add(qname)

    def visit_Call(self, node: cst.Call) -> None:
        self._configured_default(node)
        if not self.summaries:
            return
        func = node.func
        s = self.summaries[-1]
        if type(func) is cst.Attribute and type(func.value) is cst.Call and dotted(func.value.func) == "super":
            s.super_calls.add(func.attr.value)
        if type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value in s.scratch:
            return  # headers.remove("Host"), payload.update(...): the local value changes, nothing stored
        callee = self._callee(func)
        if callee in ("os.getenv", "os.environ.get") and node.args and not self.test_depth and not self.comparing:
            key = literal(node.args[0].value)  # os.getenv("STRIPE_SECRET_KEY"): a secret setting, read
            if isinstance(key, str) and (SECRET_SETTING.search(key) or CONNECTION_URL.search(key)):
                s.secrets.add(f"os.environ.{key}")
        if callee in self.k.auth_calls and literal(call_arg(node, "optional")) is True:
            # verify_jwt_in_request(optional=True): the caller may come without a credential
            s.optional = s.optional or f"{callee.rpartition('.')[2]}(optional=True)"
        else:
            self._call(callee)
        name = func.attr.value if type(func) is cst.Attribute else func.value if type(func) is cst.Name else ""
        if type(func) is cst.Name and callee.rpartition(".")[2] not in ("", name):
            name = callee.rpartition(".")[2]  # from django.contrib.auth import login as auth_login
        if name:
            if VERIFIES.match(name):
                s.verifies = True
            elif TO_PROVIDER.match(name):
                s.verifies = True
                s.issues = s.issues or "sends the caller to an identity provider"
            elif ISSUES.match(name) or callee in self.k.token_issuers:
                s.issues = s.issues or f"calls {name}"
            elif name in WRITES and type(func) is cst.Attribute and not s.first_write:
                s.first_write = self._line()
        if s.instances or len(self.summaries) > 1:  # made here, or in a function around this one
            self._passed(node)
        if type(func) is cst.Name and func.value in s.params:
            s.runs.add(func.value)
        elif callee and callee not in BUILTINS:
            self._hands(node, callee, s)
        why = _rejects(node)
        if why:
            self._rejects(why)
        s = self.summaries[-1]
        s.used.update(a.value.value for a in node.args if type(a.value) is cst.Name and a.value.value in s.params)
        for arg in node.args:  # parameters built into an argument: ``FileResponse(MEDIA / user_id / name)``
            if type(arg.value) in (cst.BinaryOperation, cst.FormattedString):
                s.flows.update(n.value for n in collect(arg.value, cst.Name) if n.value in s.params)
        for arg in node.args:  # classes it hands to a call: ``select(User)``, ``query(Invoice.id, Invoice.amount)``
            root = arg.value.value if type(arg.value) is cst.Attribute else arg.value
            if type(root) is cst.Name and root.value[:1].isupper() and root.value not in s.locals:
                s.refs.add(self.ctx.resolve(root))
        for arg in node.args:  # classes handed over to be run: any_permission(permissions=[OwnerPermission, ...])
            if type(arg.value) in (cst.List, cst.Tuple):
                names = [e.value for e in arg.value.elements if type(e) is cst.Element]
                if names and all(type(n) in (cst.Name, cst.Attribute) for n in names):
                    for n in names:
                        if _local_name(n) not in self.summaries[-1].locals:
                            self._call(self.ctx.resolve(n))
        for arg in node.args:  # a status passed by name (``status_code=self.denied_code``): the linker follows it
            if arg.keyword is not None and arg.keyword.value in STATUS_KEYWORDS \
                    and type(arg.value) in (cst.Name, cst.Attribute) and literal(arg.value) is NOT_LITERAL \
                    and _local_name(arg.value) not in self.summaries[-1].locals:
                self._call(self._callee(arg.value))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self.summaries and "authorization_code" in node.value and literal(node) == "authorization_code":
            # {"grant_type": "authorization_code", "code": request.json["code"], ...} posted to the
            # provider's token endpoint: it exchanges the client's OAuth code (RFC 6749 4.1.3)
            self.summaries[-1].verifies = True

    def visit_Return(self, node: cst.Return) -> None:
        if self.summaries and node.value is not None:
            why = self._compares_secret(node.value) or self._tests_user(node.value)
            if why:
                self.summaries[-1].compares.add(why)
            s = self.summaries[-1]
            s.returned_calls.update(self._callee(c.func) for c in collect(node.value, cst.Call))
            # what a call answered, kept in a local that the answer is made of: ``resp = check(request);
            # return resp``, ``membership = get_membership(user); return calculate(role=role_of(membership))``
            s.returned_calls.update(s.instances[n.value] for n in collect(node.value, cst.Name) if n.value in s.instances)
        if self.summaries and type(node.value) is cst.Name:
            s, name = self.summaries[-1], node.value.value
            s.returns.add(f"{s.qualname}.{name}" if name in s.locals and name not in s.globals
                          else self.ctx.resolve(node.value))
        elif self.summaries and type(node.value) is cst.Call and type(node.value.func) is cst.Name \
                and "self" not in self.summaries[-1].params:  # a factory function or classmethod
            # ``return AuthenticationProvider()`` / ``return cls()`` in a factory: an instance of the class
            s, made = self.summaries[-1], node.value.func.value
            made = s.self_class if made == "cls" else self.ctx.resolve(node.value.func) if made[:1].isupper() else ""
            if made:
                s.returns.add(f"{made}{MADE}")
        if self.summaries:
            self._answered(node.value)
        if self.summaries and (node.value is None or (type(node.value) is cst.Name and node.value.value == "None")):
            if self.branches:
                self.summaries[-1].returns_none = True
        if len(self.summaries) > 1 and self.branches and all(k == "setting" for k, _, _ in self.branches) \
                and self.branches[-1][2] == self.checks \
                and type(node.value) is cst.Call and type(node.value.func) is cst.Name \
                and any(node.value.func.value in outer.locals for outer in self.summaries[:-1]):
            # ``if v == Visibility.PUBLIC: return f(*args, **kwargs)``: a decorator's wrapper that
            # calls the view it wraps, with no credential check, when a setting says so
            test = self._text(self.branches[-1][1])
            for s in self.summaries:
                s.passes.add(test)

    def _configured_default(self, node: cst.Call) -> None:
        """``api_config.get("jwt_secret_key", "super-secret")``: a secret read from a configuration
        mapping with a literal default, which signs wherever the configuration leaves the key out
        (a setting of its own, first read per file)."""
        func = node.func
        if type(func) is not cst.Attribute or func.attr.value != "get" or len(node.args) < 2 or self.test_depth \
                or self.comparing:
            return  # if config.get("jwt_secret_key", "super-secret") == "super-secret": warn(...)
        receiver = func.value.value if type(func.value) is cst.Subscript else func.value
        if not CONFIG_MAPPING.search((dotted(receiver) or "").rpartition(".")[2]):
            return
        key, default = literal(node.args[0].value), literal(call_arg(node, "default", 1))
        if not isinstance(key, str) or not SECRET_SETTING.search(key) or not isinstance(default, str) or not default.strip():
            return
        if not any(s.key == key and s.source for s in self.sink.settings):
            self.sink.settings.append(Setting(key, default, self.ctx.loc(node), True, True, "", self.ctx.code(node),
                                              "configuration"))

    def _answered(self, value) -> None:
        """What the function answers: ``return "Forbidden", 403`` rejects."""
        if isinstance(value, cst.Tuple):
            for el in value.elements:
                if literal(el.value) in REJECT_STATUS:
                    self._rejects(f"rejects with {literal(el.value)}")

    def visit_Raise(self, node: cst.Raise) -> None:
        if not self.summaries or node.exc is None:
            return
        exc = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
        qname = self.ctx.resolve(exc)
        if exc is node.exc and type(exc) in (cst.Name, cst.Attribute) and _local_name(exc) not in self.summaries[-1].locals \
                and not any(k in ("caller", "setting") for k, _, _ in self.branches):
            self._call(self._callee(exc))  # a pre-built exception: the linker follows it
        if qname in self.k.auth_exceptions:
            self._rejects(f"raises {qname}")
        elif _NOT_FOUND.search(qname) and self._permission_branch():
            # if not request.user.has_perm("change_project", project): raise NotFound(): the object is
            # hidden from whoever may not act on it, anonymous callers first (WebODM)
            self._rejects(f"raises {qname}")
        if exc is not node.exc:  # raise AppError(ErrorCode.FORBIDDEN): the code may carry its status
            for arg in node.exc.args:
                if arg.keyword is None and type(arg.value) is cst.Attribute and arg.value.attr.value.isupper() \
                        and dotted(arg.value) and _local_name(arg.value.value) not in self.summaries[-1].locals:
                    self._call(self._callee(arg.value))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not self.summaries:
            return
        attr = node.attr.value
        if SECRET_SETTING.search(attr) and not self.test_depth and not self.comparing \
                and any(p in SETTING_NAMES for p in (dotted(node.value) or "").split(".")):
            # read for its value (``config.password_auth is not None`` only tells whether it is set)
            self.summaries[-1].secrets.add(f"{dotted(node.value)}.{attr}")
        if attr in REJECT_NAMES:
            self._rejects(f"rejects with {attr}")
        elif attr in self.k.auth_attributes and self.test_depth:
            self._evidence(f"checks {attr}")

    def visit_Name(self, node: cst.Name) -> None:
        if self.summaries and node.value in REJECT_NAMES:
            self._rejects(f"rejects with {node.value}")

    def visit_If(self, node: cst.If) -> bool:
        if not self.summaries:
            return True
        # A test of the caller's credential counts where the branch taken by a caller WITHOUT
        # one leaves (returns, raises, aborts): ``if user.is_anonymous: payload = {}`` adapts a
        # page, ``if current_user.is_authenticated: return redirect("/")`` turns away the
        # logged-in caller, and neither turns away the anonymous one.
        self.statement = node
        if self._leaves(node.body) or (type(node.orelse) is cst.Else and self._leaves(node.orelse.body)):
            leaving = node.body if self._leaves(node.body) else node.orelse.body
            self._verified(node.test, _answers_no(leaving))
            # ``is_shared = bookmark.shared and ...; if not is_owner and not is_shared: raise Http404``
            # tests what those locals were assigned
            conditions = self.summaries[-1].conditions
            tested = [node.test, *(conditions[n.value] for n in collect(node.test, cst.Name) if n.value in conditions)]
            if any(VISIBILITY_FLAG.match(a.attr.value) for t in tested for a in collect(t, cst.Attribute)):
                for s in self.summaries:
                    s.visibility.add(self.ctx.code(node.test))
        missing = self._missing(node.test)
        s = self.summaries[-1] if self.summaries else None
        if missing and s is not None and not s.evidence and self._passes_on(node.body):
            # if not tokens: await self.app(scope, receive, send); return -- what it checks after
            # this, it checks only of the callers who send the header
            s.optional = s.optional or f"hands on requests that carry no {missing}"
        anonymous = self._anonymous(node.test)
        orelse = node.orelse
        switch = None
        if anonymous is _NO_CREDENTIAL:
            kind = "setting" if self._setting(node.test) else "forgery" if _forgery_check(node.test) else "other"
            body_kind = else_kind = kind
            if kind == "other" and if_present(node.test):
                body_kind = "object"
            if kind == "setting" and self.summaries and self._ends(node.body):
                self.summaries[-1].switches.add(self.ctx.code(node.test))
            walk(node.test, self)
        else:
            # ``if settings.PUBLIC is False and not request.user.is_authenticated:``: the body runs only
            # when a setting says so (a switch for the check, not part of it)
            switch = next((o for o in operands(node.test, cst.BooleanOperation, cst.And) if self._setting(o)), None) \
                if type(node.test) is cst.BooleanOperation else None
            body_kind = ("object" if if_present(node.test) else "other") if anonymous is None \
                else "anonymous" if anonymous else "caller"
            else_kind = "other" if anonymous is None else "caller" if anonymous else "anonymous"
            # a wrapper that hands the caller its test admits on to the view and ends the request
            # for the others after it: ``if is_admin: return f(*args); raise Redirect303(...)``
            rest = self.after.get(id(node)) if orelse is None and body_kind == "caller" and self._leaves(node.body) \
                and not self._ends(node.body) else None
            if switch is not None and self._ends(node.body):
                for s in self.summaries:
                    s.gated.add(self.ctx.code(switch))
                walk(node.test, self)
            elif (leaving := next((block for block in (
                    node.body if body_kind not in ("caller", "object") else None,
                    orelse.body if else_kind != "caller" and type(orelse) is cst.Else else None,
                    cst.IndentedBlock(body=rest) if rest else None) if block is not None and self._ends(block)),
                    None)) is not None:  # the block that ends the request for the caller the test turns away
                self.answering = _only_answers(leaving, self.summaries[-1].params, self.ctx.constant)  # the caller decides
                self._test(node.test)
                self._subject_check(node.test)
                self.answering = False
            else:
                walk(node.test, self)
        if anonymous is not _NO_CREDENTIAL:
            self.checks += 1
        if switch is not None:
            self.branches.append(("setting", switch, self.checks))
        self.branches.append((body_kind, node.test, self.checks))
        walk(node.body, self)
        if switch is not None:
            del self.branches[-2]
        self.branches[-1] = (else_kind, (node.test,), self.checks)  # (test,): the else of the test
        if orelse is not None:
            walk(orelse.body if type(orelse) is cst.Else else orelse, self)
        self.branches.pop()
        return False

    def _verified(self, test, answers_no: bool = False) -> None:
        """A test whose branch ends the request: a signature compared there is checked
        (evidence); the project functions it calls are recorded, for the linker to ask
        whether they compare one (``if not self._validate_signature(request): raise ...``).
        A branch that only returns None or False answers its caller (``if not
        hmac.compare_digest(...): return None`` in a lookup): what it compares is in its
        answer, for a caller that tests it, and turns no one away by itself."""
        s = self.summaries[-1]
        why = self._compares_secret(test)
        if why and any(k == "forgery" for k, _, _ in self.branches):
            pass  # a CSRF token compared inside a test against forgery turns away forged requests, not callers
        elif why and answers_no:
            s.compares.add(why)
        elif why:
            self._evidence(f"{SIGNATURE_REASON} it {why}")
        for call in _calls(test):
            callee = self._callee(call.func)
            if callee and callee not in BUILTINS:
                s.tested.add(callee)
                if answers_no:  # if not should_update(...): return
                    s.answer_tests.add(callee)

    def _tests_user(self, expr) -> str:
        """'tests the user's is_staff' when what is returned is a test of a user's flags
        (``return user.is_staff or user.groups.filter(name="admin").exists()``), else ''."""
        if type(expr) not in (cst.BooleanOperation, cst.Attribute, cst.UnaryOperation):
            return ""
        flags = [a.attr.value for a in collect(expr, cst.Attribute)
                 if a.attr.value in USER_FLAGS and type(a.value) in (cst.Name, cst.Attribute)]
        return f"tests the user's {flags[0]}" if flags else ""

    def _compares_secret(self, expr) -> str:
        """'verifies a signature with hmac.compare_digest' when ``expr`` (under ``not``)
        compares a signature constant-time, or compares for equality a value named as a
        secret (``project_secret == key``), else ''."""
        while type(expr) is cst.UnaryOperation and type(expr.operator) is cst.Not:
            expr = expr.expression
        if type(expr) is cst.BooleanOperation and type(expr.operator) is cst.Or:
            # ``if challenge is None or ... or not hmac.compare_digest(...)``: each turns the caller away
            return next(filter(None, (self._compares_secret(e) for e in operands(expr, cst.BooleanOperation, cst.Or))), "")
        if type(expr) is cst.Call:
            callee = self.ctx.resolve(expr.func)
            if callee in self.k.signature_checks:
                return f"verifies a signature with {callee}"
        if type(expr) is cst.Comparison and len(expr.comparisons) == 1 \
                and type(expr.comparisons[0].operator) in (cst.Equal, cst.NotEqual):
            for side in (expr.left, expr.comparisons[0].comparator):
                if type(side) is cst.Subscript:  # ours[:8] == sig[:8]
                    side = side.value
                refs = [dotted(p.expression) or "" for p in side.parts if type(p) is cst.FormattedStringExpression] \
                    if type(side) is cst.FormattedString else [dotted(side) or ""]  # f"Bearer {self.password}"
                for ref in refs:
                    owner, _, name = ref.rpartition(".")
                    # a secret by its name, or a credential the deployment configures (Letta's
                    # ``self.password``, ``settings.API_KEY``): not a user's own stored password
                    if SECRET_NAME.search(name) or CONFIGURED_CREDENTIAL.search(name) and owner.partition(".")[0] in (
                            "self", "settings", "config", "app", "current_app", "conf"):
                        return f"compares the shared secret {name}"
        return ""

    def leave_Comparison(self, node: cst.Comparison) -> None:
        self.comparing -= 1

    def visit_Comparison(self, node: cst.Comparison) -> None:
        self.comparing += 1
        if self.summaries:
            s = self.summaries[-1]
            for side in (node.left, *(c.comparator for c in node.comparisons)):
                if type(side) is cst.Name and side.value in s.params:
                    s.used.add(side.value)

    def visit_Try(self, node: cst.Try) -> bool:
        """``try: signer.unsign(token) except BadSignature: return ...``: a request whose
        signed value does not verify is turned away; so is one a check denies (``except
        NotAuthorized: abort(404)``: hidden as not found, still turned away)."""
        if not self.summaries:
            return True
        if self._swallows(node):
            self.branches.append(("swallowed", None, self.checks))
            walk(node.body, self)
            self.branches.pop()
            for part in (*node.handlers, node.orelse, node.finalbody):
                if part is not None:
                    walk(part, self)
            return False
        if any(k == "caller" for k, _, _ in self.branches):
            return True  # ``if token: try: verify(token) except Expired: abort(401)``: the anonymous pass
        for handler in node.handlers:
            if handler.type is None or not self._leaves(handler.body):
                continue
            for exc in self._caught(handler):
                if exc in self.k.signature_errors or TOKEN_ERROR.match(exc.rpartition(".")[2]):
                    self._evidence(f"{SIGNATURE_REASON} the signed value verifies ({exc.rpartition('.')[2]} is caught)")
                    return True
                if DENIAL_ERROR.match(exc.rpartition(".")[2]):  # except NotAuthorized: abort(404)
                    self._evidence(f"ends the request when a check denies it ({exc.rpartition('.')[2]} is caught)")
                    return True
        return True

    def _swallows(self, node: cst.Try) -> bool:
        """The ``try`` catches a 401/403 its body raises and goes on: its first handler that
        catches everything (bare, ``Exception``) or an HTTP error neither ends the request nor
        re-raises (``except Exception: user = None``, ``logger.debug(...)``, ``return await
        call_next(request)``). A credential read there decides nothing (open-webui's audit
        middleware reads the user only to log it)."""
        for handler in node.handlers:
            if handler.type is None or any(n.rpartition(".")[2] in CATCH_ALL or n in self.k.auth_exceptions
                                           or n in self.k.error_bases for n in self._caught(handler)):
                # a handler that only logs, around the function's last statement, goes on to nothing:
                # the rejection still ends the work (Langflow's websockets: except Exception: log)
                return not self._ends(handler.body) and not (id(node) in self.final and _only_calls(handler.body))
        return False

    def _caught(self, handler: cst.ExceptHandler) -> list[str]:
        """The exception classes an ``except`` clause names, qualified ([] for a bare one)."""
        if handler.type is None:
            return []
        types = handler.type.elements if type(handler.type) is cst.Tuple else (handler.type,)
        return [self.ctx.resolve(t.value if isinstance(t, cst.Element) else t) for t in types]

    def visit_Assert(self, node: cst.Assert) -> None:
        self._test(node.test)

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        # what follows an ``if`` in its block: where the callers its test lets through do not go
        for i, stmt in enumerate(node.body):
            if type(stmt) is cst.If:
                self.after[id(stmt)] = node.body[i + 1:]

    def _ends(self, block) -> bool:
        """The block ends the request (``_leaves``), other than by handing it on: returning
        the wrapped view's or the next middleware's answer (``return view(**kwargs)``,
        ``return self.get_response(request)``, ``return await call_next(request)``) lets the
        caller through."""
        if not self._leaves(block):
            return any(type(stmt) is cst.If and stmt.orelse is None and _exempts_paths(stmt.test) and self._ends(stmt.body)
                       for stmt in block.body)
        answer = self.summaries[-1].answer if self.summaries else ""
        for stmt in block.body:
            for small in stmt.body if type(stmt) is cst.SimpleStatementLine else (stmt,):
                if type(small) is cst.Assign and answer and dotted(small.targets[0].target) == answer:
                    value = small.value  # response = func(*args, **kwargs): the view's answer, returned later
                elif type(small) is not cst.Return:
                    return True
                else:
                    value = small.value
                value = value.expression if type(value) is cst.Await else value
                if type(value) is not cst.Call or not self._hands_on(value.func):
                    return True
        return False

    def _leaves(self, block) -> bool:
        return _leaves(block, self.summaries[-1].answer if self.summaries else "")

    def _hands_on(self, func) -> bool:
        if type(func) is cst.Name:
            return func.value in PASS_ON or any(func.value in s.locals for s in self.summaries[:-1])
        return type(func) is cst.Attribute and _receiver(func) == "self" and func.attr.value in PASS_ON

    def _test(self, test) -> None:
        if self.summaries:
            self.test_depth += 1
            walk(test, self)
            self.test_depth -= 1

    # -- what a test reads: the caller's credential, a setting ------------------------------
    def _subject(self, expr) -> str:
        """'session' / 'g.user'... when ``expr`` is the session or the caller itself (a
        ``session[...]`` / ``session.get(...)`` read, ``g.user``, ``current_user``), else ''."""
        key = self._session_key(expr)
        if key is not _NOT_READ:
            return "session" if _identity_key(key) else ""
        d = dotted(expr)
        if d and self.ctx.resolve(d) in self.k.caller_names:
            return d
        if type(expr) is cst.Name and self.summaries:  # a local holding one
            return self.summaries[-1].subjects.get(expr.value, "")
        return ""

    def _presented(self, expr) -> str:
        """A local holding the credential the request presents (``token =
        request.headers.get("Authorization")``): ``if token:`` runs only for a caller who sent one."""
        if type(expr) is cst.Call and type(expr.func) is cst.Attribute and expr.func.attr.value == "get" \
                and expr.args and str(literal(expr.args[0].value)).lower() == "authorization" \
                and self.k.client_inputs.get(self.ctx.resolve(dotted(expr.func.value) or "")) == "header":
            return "the Authorization header"
        return ""

    def _carried(self, expr) -> str:
        """The header or cookie a read takes from the request (``request.headers.get("X-Key")``,
        ``Headers(scope=scope).getlist("x-internal")``, ``request.cookies.get("sid")``): "the
        X-Key header"; else ''."""
        if type(expr) is not cst.Call or type(expr.func) is not cst.Attribute or not expr.args \
                or expr.func.attr.value not in ("get", "getlist", "get_all") or not isinstance(
                    name := literal(expr.args[0].value), str):
            return ""
        source = expr.func.value
        kind = self.k.client_inputs.get(dotted(source) or "") or self.k.client_inputs.get(
            self.ctx.resolve(dotted(source) or ""), "")
        if type(source) is cst.Call and (dotted(source.func) or "").rpartition(".")[2] == "Headers":
            kind = "header"
        return f"{name} {kind.partition(':')[0]}" if kind.startswith(("header", "cookie")) else ""

    def _missing(self, test) -> str:
        """What a test finds missing from the request (``not token``, ``token is None`` of a
        local holding a header read, or of the read itself): that header or cookie; else ''."""
        if type(test) is cst.UnaryOperation and type(test.operator) is cst.Not:
            value = test.expression
        elif type(test) is cst.Comparison and len(test.comparisons) == 1 and literal(test.comparisons[0].comparator) \
                is None and type(test.comparisons[0].operator) in (cst.Is, cst.Equal):
            value = test.left
        else:
            return ""
        if type(value) is cst.Name and self.summaries:
            return self.summaries[-1].carried.get(value.value, "")
        return self._carried(value)

    def _passes_on(self, block) -> bool:
        """The block ends by handing the request on (``await self.app(scope, receive, send);
        return``, ``return await call_next(request)``, a wrapper's ``return view(...)``)."""
        return self._leaves(block) and any(self._hands_on(c.func) for c in collect(block, cst.Call))

    def _session_key(self, expr):
        """The key of a read of the session (``session["user_id"]``, ``session.get("nonce")``;
        None when it is not a plain subscript or argument), else _NOT_READ."""
        if type(expr) is cst.Subscript and self._session(expr.value):
            return expr.slice[0].slice.value if type(expr.slice[0].slice) is cst.Index else None
        if type(expr) is cst.Call and type(expr.func) is cst.Attribute and expr.func.attr.value == "get" \
                and self._session(expr.func.value):
            return expr.args[0].value if expr.args else None
        return _NOT_READ

    def _session(self, expr) -> bool:
        d = dotted(expr)  # flask's imported ``session``; Starlette's ``request.session`` on the handler's request
        return bool(d) and (self.ctx.resolve(d) in self.k.session_names or d in self.k.session_names)

    def _permission_branch(self) -> bool:
        """The innermost branch around here is decided by a permission of the caller
        (``request.user.has_perm(...)``)."""
        kind, test, _ = self.branches[-1] if self.branches else ("", None, 0)
        if kind in ("setting", "swallowed") or not isinstance(test, cst.BaseExpression):
            return False
        return any(isinstance(c.func, cst.Attribute) and "." + c.func.attr.value in self.k.role_calls
                   and (dotted(c.func.value) in self.k.caller_names or self._mentions_subject(c.func.value))
                   for c in collect(test, cst.Call))

    def _anonymous(self, test):
        """Whether ``test`` is true for a caller without a credential (True), for one with a
        credential (False), either (None), or reads no credential at all (_NO_CREDENTIAL)."""
        kind = type(test)
        if kind is cst.UnaryOperation and type(test.operator) is cst.Not:
            inner = self._anonymous(test.expression)
            return inner if inner is None or inner is _NO_CREDENTIAL else not inner
        if kind is cst.BooleanOperation:
            sides = [x for x in (self._anonymous(test.left), self._anonymous(test.right)) if x is not _NO_CREDENTIAL]
            return _NO_CREDENTIAL if not sides else True if True in sides else False if False in sides else None
        if kind is cst.Comparison and len(test.comparisons) == 1:
            op, right = type(test.comparisons[0].operator), test.comparisons[0].comparator
            if op in (cst.Is, cst.Equal, cst.IsNot, cst.NotEqual) and (
                    (literal(right) is None and self._subject(test.left))
                    or (literal(test.left) is None and self._subject(right))):
                return op in (cst.Is, cst.Equal)
            if op in (cst.In, cst.NotIn) and self._session(right):
                return op is cst.NotIn if _identity_key(test.left) else _NO_CREDENTIAL
        if kind is cst.Call and type(test.func) is cst.Attribute and test.func.attr.value in self.k.auth_attributes:
            test = test.func  # user.is_authenticated() (Flask-Login before 0.3)
        if type(test) is cst.Attribute and test.attr.value in self.k.auth_attributes:
            return "anonymous" in test.attr.value
        if self._subject(test):
            return False
        return None if _reads(test, self.k.auth_attributes) or self._mentions_subject(test) else _NO_CREDENTIAL

    def _subjects(self, test) -> list[str]:
        """The credentials a test reads: 'session', 'g.user', 'current_user'..."""
        finder = _SubjectFinder(self)
        walk(test, finder)
        return [x for x in finder.found if x]

    def _mentions_subject(self, test) -> bool:
        return bool(self._subjects(test))

    def _subject_check(self, test) -> None:
        """Evidence for a leaving branch decided by the session or the caller (``if "user_id"
        not in session: return redirect(url_for("login"))``, ``if g.user is None:``)."""
        for subject in dict.fromkeys(self._subjects(test)):
            self._evidence(f"checks {subject}")

    def _setting(self, expr) -> bool:
        """``expr`` reads configuration (``settings.X``, ``app.config[...]``, ``get_config(...)``,
        a local assigned one) and calls nothing else."""
        finder = _SettingFinder(self.summaries[-1] if self.summaries else None)
        walk(expr, finder)
        return finder.setting and not finder.other


def _forgery_check(test) -> bool:
    """``if not check_csrf(request):``: a test against cross-site request forgery, which any
    caller passes from the application's own pages; what it rejects is not an unknown caller."""
    return any(FORGERY.search(n.value) for n in (*collect(test, cst.Name), *collect(test, cst.SimpleString)))


def _bind(table: dict, name: str, value) -> None:
    """What a local now holds: ``table[name] = value``, or nothing when ``value`` is empty."""
    if value:
        table[name] = value
    else:
        table.pop(name, None)


def _answers_no(block) -> bool:
    """The block leaves only by returning nothing, None or False: no raise, no abort."""
    return _returns_only(block, lambda v: v is None or literal(v) in (None, False))


# Values built in place that answer a caller (a tuple or a dict is also how a Flask view answers the client)
_CONTAINERS = (cst.List, cst.Set, cst.ListComp, cst.SetComp)


def _only_answers(block, params, constant) -> bool:
    """The block leaves only by returning a value for its caller to use: nothing, a constant
    (also one named at module level: ``return SESSION_EXPIRY_SCOPE_2FA``), a container
    (``return set()``, ``return []``) or one of the function's own parameters (``if
    user.is_anonymous: return queryset``). The caller decides what it means; no raise, no abort,
    no response made."""
    return _returns_only(block, lambda v: v is None or literal(v) is not NOT_LITERAL or type(v) in _CONTAINERS
                         or type(v) is cst.Name and (v.value in params or literal(constant(v)) is not NOT_LITERAL)
                         or type(v) is cst.Call and not v.args and dotted(v.func) in VALUE_CLASSES)


def _returns_only(block, answer) -> bool:
    """The block leaves, and only by returning values that ``answer`` accepts."""
    returns = [small for stmt in block.body if type(stmt) is cst.SimpleStatementLine for small in stmt.body
               if type(small) is cst.Return]
    rest = [stmt for stmt in block.body if not (type(stmt) is cst.SimpleStatementLine
                                                and any(type(small) is cst.Return for small in stmt.body))]
    return bool(returns) and all(answer(r.value) for r in returns) and not _leaves(cst.IndentedBlock(body=rest))


# What names the address the request is for: an exemption list is tested against it
_PATH_WORDS = frozenset({"path", "path_info", "full_path", "get_full_path", "endpoint", "url_rule", "url", "route"})


def _exempts_paths(test) -> bool:
    """``not any(m.match(path) for m in EXEMPT_URLS)``, ``request.path not in PUBLIC_PATHS``: a
    test taken unless the request's address is on an allow-list; the block under it ends the
    request for every other address."""
    negated = type(test) is cst.UnaryOperation and type(test.operator) is cst.Not or \
        type(test) is cst.Comparison and any(type(c.operator) is cst.NotIn for c in test.comparisons)
    return negated and (any(n.value in _PATH_WORDS for n in collect(test, cst.Name))
                        or any(a.attr.value in _PATH_WORDS for a in collect(test, cst.Attribute)))


class _SubjectFinder(cst.CSTVisitor):
    def __init__(self, owner: CommonPass):
        self.owner = owner
        self.found: list[str] = []

    def _add(self, n) -> str:
        o = self.owner
        self.found.append(o._subject(n) or ("session" if o._session(n) else ""))
        return self.found[-1]

    def _echoed(self, n) -> bool:
        """``session.csrf_token``, ``session["oauth_state"]``, ``session.get("nonce")``."""
        if type(n) is cst.Attribute:
            return self.owner._session(n.value) and bool(ECHOED.search(n.attr.value))
        key = self.owner._session_key(n)
        return key is not _NOT_READ and key is not None and bool(ECHOED.search(str(literal(key))))

    def _page_state(self, n) -> bool:
        """``session["gridData"]``, ``session.get("wizard_step")``: what the session keeps of the
        page, not who the caller is."""
        key = self.owner._session_key(n)
        return key is not _NOT_READ and not _identity_key(key)

    def visit_Subscript(self, n) -> bool:
        return not self._echoed(n) and not self._page_state(n) and not self._add(n)

    def visit_Call(self, n) -> bool:
        return not self._echoed(n) and not self._page_state(n) and not self._add(n)

    def visit_Attribute(self, n) -> bool:
        return not self._echoed(n) and not self._add(n)

    def visit_Name(self, n) -> None:
        self._add(n)


class _SettingFinder(cst.CSTVisitor):
    """Whether a test reads configuration and nothing the request brings: a parameter or a
    local other than a setting (``key != settings.METRICS_KEY`` compares the client's key)."""

    def __init__(self, summary):
        self.settings = summary.settings if summary else ()  # locals assigned a setting
        self.locals = summary.locals if summary else ()
        self.setting = False
        self.other = False

    def _name(self, name: str) -> None:
        if name in SETTING_NAMES or name in self.settings or FLAG_CONSTANT.match(name) and name not in self.locals:
            self.setting = True
        elif name in self.locals:
            self.other = True

    def visit_Name(self, n) -> None:
        self._name(n.value)

    def visit_Attribute(self, n) -> bool:
        if type(n.value) is not cst.Name:
            return True
        root = n.value.value  # settings.X, self.settings.X, app.config["X"]; not user.settings.X
        if n.attr.value in SETTING_NAMES and root in SETTING_OWNERS:
            self.setting = True
        else:
            self._name(root)
        return False

    def visit_Call(self, n) -> None:
        f = n.func
        name = f.attr.value if type(f) is cst.Attribute else f.value if type(f) is cst.Name else ""
        if SETTING_GETTER.match(name):
            self.setting = True
        elif not (name == "get" and type(f) is cst.Attribute and
                  any(p in SETTING_NAMES for p in (dotted(f.value) or "").split("."))):
            self.other = True

    def visit_Lambda(self, n) -> bool:
        return False


def _only_calls(block) -> bool:
    """The block only makes calls (``logger.error(...)``, ``await logger.aerror(...)``) or passes."""
    for stmt in block.body:
        if type(stmt) is not cst.SimpleStatementLine:
            return False
        for small in stmt.body:
            value = small.value.expression if type(small) is cst.Expr and type(small.value) is cst.Await else \
                small.value if type(small) is cst.Expr else None
            if type(small) is not cst.Pass and type(value) is not cst.Call:
                return False
    return True


def _answer_local(node: cst.FunctionDef) -> str:
    """The local a function returns at its one exit, its last statement (``return response``,
    with no other ``return`` in its own body), or ''."""
    body = node.body.body
    last = body[-1] if body else None
    if type(last) is not cst.SimpleStatementLine or type(last.body[-1]) is not cst.Return \
            or type(last.body[-1].value) is not cst.Name:
        return ""
    returns = collect(node.body, cst.Return)
    if len(returns) > 1:  # those of functions defined inside do not count
        nested = {id(r) for d in collect(node.body, cst.FunctionDef) for r in collect(d, cst.Return)}
        returns = [r for r in returns if id(r) not in nested]
    return last.body[-1].value.value if len(returns) == 1 else ""


def _default_status(node: cst.FunctionDef) -> str:
    """The 401/403 a constructor answers with unless told otherwise: a status parameter whose
    default turns the caller away and that it hands on (``def __init__(self, message="Unauthorized",
    status_code=401): super().__init__(message, status_code)``), else ''."""
    p = node.params
    for param in (*p.posonly_params, *p.params, *p.kwonly_params):
        if param.name.value not in STATUS_KEYWORDS or param.default is None:
            continue
        status = refusing_status(param.default)
        if status and any(type(a.value) is cst.Name and a.value.value == param.name.value
                          for a in collect(node.body, cst.Arg)):
            return status
    return ""


# A session key that holds who the caller is (``"user_id" in session``), not some state of the
# page they are on (pgAdmin's ``if "gridData" not in session: return``).
_IDENTITY_KEY = re.compile(r"user|account|login|logged|auth|token|member|uid|principal|identity|e_?mail|username|"
                           r"profile|customer|admin|staff|person|owner|sid|session_?id|_id$|^id$", re.IGNORECASE)


_NOT_READ = object()  # what CommonPass._session_key answers for an expression that reads no session


def _identity_key(expr) -> bool:
    """A session key that identifies the caller, or one not written as a literal (unknown)."""
    key = literal(expr) if expr is not None else None
    return not isinstance(key, str) or bool(_IDENTITY_KEY.search(key))


def _rejects(call: cst.Call) -> str:
    """'rejects with 401' when a call is given a 401/403 status, literally or as a named
    status constant (``status_code=HTTP_401_UNAUTHORIZED``), or a redirect status with a
    ``Location`` header to the login page (fief's ``HTTPException(status_code=307,
    headers={"Location": url_for(..., "auth:login")})``), else ''."""
    redirect = False
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value in STATUS_KEYWORDS:
            status = literal(arg.value)
            if status in REJECT_STATUS:
                return f"rejects with {status}"
            name = (dotted(arg.value) or "").rpartition(".")[2]
            if arg.keyword is not None and name in REJECT_NAMES:
                return f"rejects with {name}"
            redirect = redirect or status in REDIRECT_STATUS or bool(REDIRECT_NAME.match(name))
    headers = call_arg(call, "headers")
    if redirect and isinstance(headers, cst.Dict) and any(
            literal(e.key) == "Location" and _names_login_page(e.value)
            for e in headers.elements if isinstance(e, cst.DictElement)):
        return "redirects to the login page"
    return ""


def _injects(node: cst.FunctionDef, params: tuple[str, ...]) -> tuple[str, ...]:
    """What a decorator's wrapper adds to its call of the wrapped function (the decorator's one
    parameter): the positions before ``*args`` and the keywords besides ``**kwargs``
    (``return f(current_user, *args, **kwargs)`` -> ("0",))."""
    if len(params) != 1 or not isinstance(node.body, cst.IndentedBlock):
        return ()
    inner = [s for s in node.body.body if isinstance(s, cst.FunctionDef)]
    call = next((c for f in inner for c in collect(f.body, cst.Call)
                 if isinstance(c.func, cst.Name) and c.func.value == params[0]), None)
    if call is None or not any(a.star for a in call.args):  # a wrapper that passes on what it is given
        return ()
    found = []
    for i, a in enumerate(call.args):
        if a.star:
            continue
        if a.keyword is not None:
            found.append(a.keyword.value)
        elif not any(b.star for b in call.args[:i]):
            found.append(str(i))
    return tuple(found)


def _names_login_page(expr) -> bool:
    """A redirect target that names the login page: a string in it (``url_for(request,
    "auth:login")``, ``f"/login?next={path}"``) or the name it ends in (``settings.LOGIN_URL``,
    ``get_login_url()``), not an object it is read from (fief's
    ``login_session.regenerate_authorization_url(request)``)."""
    texts = [literal(n) for n in collect(expr, cst.SimpleString)]
    texts += [n.value for n in collect(expr, cst.FormattedStringText)]
    while isinstance(expr, cst.Call):
        expr = expr.func
    texts.append(expr.attr.value if isinstance(expr, cst.Attribute) else expr.value if isinstance(expr, cst.Name) else "")
    return any(isinstance(t, str) and LOGIN_PAGE.search(t) for t in texts)


def _local_name(expr) -> str | None:
    """The name of a plain ``Name`` expression (the function's locals shadow module names)."""
    return expr.value if type(expr) is cst.Name else None


def _receiver(func) -> str | None:
    """``x`` for a call of ``x.method``, where ``x`` is a plain name; else None."""
    if type(func) is cst.Attribute and type(func.value) is cst.Name:
        return func.value.value
    return None


_NO_CREDENTIAL = object()


def _calls(expr) -> list[cst.Call]:
    """The calls in an expression."""
    found = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, n) -> None:
            found.append(n)

    walk(expr, Finder())
    return found


def _reads(test, attributes) -> bool:
    found = []

    class Finder(cst.CSTVisitor):
        def visit_Attribute(self, n) -> None:
            if n.attr.value in attributes:
                found.append(n)

    walk(test, Finder())
    return bool(found)




def suppressions(text: str) -> tuple[Suppression, ...]:
    found = []
    for lineno, line in enumerate(source.lines(text), 1):
        if "routeguard" not in line:
            continue
        m = SUPPRESSION.search(line)
        if m:
            ids = tuple(sorted(i.strip().upper() for i in (m.group(1) or "").split(",") if i.strip()))
            found.append(Suppression(lineno, ids))
    return tuple(found)


TOO_DEEP = "too complex to parse: an expression is too long or too deeply nested"


def _python_ast(text: str) -> tuple[ast.Module | None, SyntaxError | str | None]:
    """CPython's own parser, as a cheap guard and for its error messages: LibCST's native
    parser crashes on brackets nested thousands deep and takes minutes on expressions
    thousands of terms long, both of which CPython refuses quickly. Other syntax errors are
    left to LibCST, which knows newer grammar than the running interpreter may; when both
    refuse a file, CPython's message and position are the ones reported (LibCST's are
    those of the token where its parser gave up, often lines later)."""
    try:
        return ast.parse(text), None
    except SyntaxError as e:
        return None, e
    except (RecursionError, MemoryError):
        return None, TOO_DEEP
    except ValueError as e:  # NUL bytes in source
        return None, f"cannot parse file: {e}"


# LibCST nests ``a and b and c`` one operator deep per operand, natively: about 8,000
# operands in one chain overflow its stack and kill the process (CPython keeps the chain
# flat and parses it). Chains are counted only in files with that many "and"/"or" at all.
MAX_BOOL_CHAIN = 3000


def _long_bool_chain(text: str, tree: ast.Module) -> ast.BoolOp | None:
    """The first chain of boolean operators longer than MAX_BOOL_CHAIN, if any."""
    if text.count("and") + text.count("or") < MAX_BOOL_CHAIN:
        return None

    def length(node: ast.BoolOp) -> int:
        return len(node.values) - 1 + sum(length(v) for v in node.values if isinstance(v, ast.BoolOp))

    seen: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and id(node) not in seen:
            seen.update(id(v) for v in ast.walk(node) if isinstance(v, ast.BoolOp))
            if length(node) > MAX_BOOL_CHAIN:
                return node
    return None


_LIBCST_POSITION = re.compile(r"^(parser error: )?error at \d+:\d+: ")


def _syntax_error(path, module, lines, cpython: SyntaxError | None, libcst: cst.ParserSyntaxError) -> ModuleFacts:
    """A file that does not parse: one message, one position (1-based line and column)."""
    if cpython is not None and cpython.lineno:
        return ModuleFacts(path, module, lines, error=f"syntax error: {cpython.msg}",
                           error_line=cpython.lineno, error_col=max(cpython.offset or 1, 1))
    message = _LIBCST_POSITION.sub("", libcst.message.strip()).strip()
    return ModuleFacts(path, module, lines, error=f"syntax error: {message}",
                       error_line=libcst.raw_line, error_col=libcst.raw_column + 1)


_VALIDATE = cst.CSTNode.__post_init__


def _no_validation(node) -> None:
    pass


def parse(text: str) -> cst.Module:
    """LibCST's parse, without re-validating each node as it is built.

    Every node the native parser builds runs ``_validate`` (about 13% of the parse),
    which checks invariants that only hand-built trees can break. The check is switched
    off for the parse alone and always restored, so that code using LibCST in the same
    process keeps it (a tree built by hand on another thread during one of our parses
    would go unchecked).
    """
    cst.CSTNode.__post_init__ = _no_validation
    try:
        return cst.parse_module(text)
    finally:
        cst.CSTNode.__post_init__ = _VALIDATE


def extract_source(path: str, text: str, module: str, is_package: bool, knowledge) -> ModuleFacts:
    """Parse ``text`` and return its facts; a file that cannot be read returns ``error``."""
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if documents.is_document(path):
        return extract_document(path, text, lines, knowledge)
    python_ast, refused = _python_ast(text)
    if isinstance(refused, str):
        return ModuleFacts(path, module, lines, error=refused)
    chain = _long_bool_chain(text, python_ast) if python_ast is not None else None
    if chain is not None:
        return ModuleFacts(path, module, lines, error=f"{TOO_DEEP} (a chain of more than {MAX_BOOL_CHAIN:,} "
                           f"'and'/'or')", error_line=chain.lineno, error_col=chain.col_offset + 1)
    if refused is not None and "too many nested" in str(refused.msg):  # LibCST would crash on it
        return ModuleFacts(path, module, lines, error=f"not parsed: {refused.msg}",
                           error_line=refused.lineno or 0, error_col=max(refused.offset or 1, 1))
    try:
        tree = parse(text)
    except cst.ParserSyntaxError as e:
        return _syntax_error(path, module, lines, refused, e)
    except RecursionError:
        return ModuleFacts(path, module, lines, error=TOO_DEEP)
    sink = FactSink()
    try:
        index = Index(tree)
        with indexed(index):  # every walk below reads this one listing of the file's nodes
            ctx = FileContext(path, module, is_package, tree, Positions(path, tree, text, python_ast, index.owner),
                              knowledge, text)
            walk(tree, CommonPass(ctx, sink))
            extract_authz(ctx, sink)
            for run, adapter, markers in knowledge.extractors:
                if knowledge.runs(markers, text):
                    run(adapter, ctx, sink)
            walk(tree, DataPass(ctx, sink))
            refused = refused_defaults(tree)
            if refused:
                sink.settings[:] = [s for s in sink.settings if (s.key, s.value) not in refused]
    except RecursionError:
        return ModuleFacts(path, module, lines, error=TOO_DEEP)
    return ModuleFacts(path, module, lines, None, imports=tuple(sorted(ctx.imports.items())),
                       suppressions=suppressions(text), **sink.frozen())


def refused_defaults(tree: cst.Module) -> set[tuple[str, object]]:
    """(setting, value) pairs a settings module refuses to start with (zou: ``SECRET_KEY =
    os.getenv("SECRET_KEY", "mysecretkey")`` then, at module level, ``if SECRET_KEY ==
    "mysecretkey" and not DEBUG: raise RuntimeError(...)``): the value is never what a server runs
    with. The setting is named as a variable or as an item (``app.config["SECRET_KEY"]``)."""
    out = set()
    for stmt in tree.body:
        if not isinstance(stmt, cst.If) or not any(
                isinstance(small, cst.Raise) or isinstance(small, cst.Expr) and isinstance(small.value, cst.Call)
                and dotted(small.value.func) in ("sys.exit", "exit", "os._exit")
                for line in stmt.body.body if isinstance(line, cst.SimpleStatementLine) for small in line.body):
            continue
        for c in collect(stmt.test, cst.Comparison):
            if len(c.comparisons) != 1 or not isinstance(c.comparisons[0].operator, (cst.Equal, cst.In)):
                continue
            for side, other in ((c.left, c.comparisons[0].comparator), (c.comparisons[0].comparator, c.left)):
                key = side.value if isinstance(side, cst.Name) else literal(side.slice[0].slice.value) \
                    if isinstance(side, cst.Subscript) and isinstance(side.slice[0].slice, cst.Index) else None
                value = literal(other)
                if isinstance(key, str):
                    out.update((key, v) for v in (value if isinstance(value, tuple) else (value,)) if isinstance(v, str))
    return out


def extract_document(path: str, text: str, lines: int, knowledge) -> ModuleFacts:
    """The facts of an OpenAPI document (analyzer/documents.py) or of an nginx configuration
    (analyzer/proxies.py); a document that is not read returns ``error``."""
    if proxies.is_proxy_config(path):
        return ModuleFacts(path, "", lines, proxy_rules=tuple(proxies.proxy_rules(path, text)))
    try:
        doc = documents.load(path, text)
    except documents.DocumentError as e:
        return ModuleFacts(path, "", lines, error=e.message, error_line=e.line, error_col=1 if e.line else 0)
    sink = FactSink()
    documents.spec_facts(doc, sink, knowledge)
    for adapter in knowledge.adapters:
        adapter.extract_document(doc, sink)
    return ModuleFacts(path, "", lines, **sink.frozen())
