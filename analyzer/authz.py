"""Authorization facts of one file: object lookups by client-supplied ids, the checks that
tie an object to the caller or test a role, owner fields of models, and tokens decoded
without verification.

A framework-neutral pass over the parsed file: which names are ORM lookups, callers,
request data, role checks or token decoders comes only from the adapters' tables
(``Knowledge``). Facts go to ``ObjectLookup``, ``AccessCheck``, ``OwnerField`` and
``TokenDecode``.

Per function, names are tracked in source order: parameters the client fills (path and
query parameters, ``**kwargs`` of a URL) and names assigned from request data are
*client* values; names assigned from the caller (``request.user``, an injected current
user, ``get_jwt_identity()``) are the *caller*. A lookup is a query chain over a model
whose arguments use a client value as an id; one whose arguments mention the caller is
scoped to the caller and is not reported.
"""
from __future__ import annotations

import re

import libcst as cst

from .facts import AccessCheck, ObjectLookup, OwnerField, TokenDecode
from .fields import owner_column
from .names import call_arg, and_operands, dotted, if_present, leaves, literal, NOT_LITERAL
from .walk import collect, walk

# Parameters a framework fills from something other than the client's input.
NOT_CLIENT = frozenset({"self", "cls", "request", "req", "db", "session", "sess", "s", "conn", "connection", "cursor",
                        "settings", "config", "response", "background_tasks", "app", "g", "ctx", "context", "info"})
DB_NAMES = frozenset({"db", "session", "sess", "conn", "connection", "cursor", "database", "uow", "repo"})
CALLER_PARAMS = frozenset({"user", "me", "owner", "account", "caller", "principal", "identity", "requester",
                           "auth_user", "active_user", "superuser", "admin", "token_data", "claims", "viewer"})
SCALARS = frozenset({"int", "str", "uuid.UUID", "UUID", "float", "bool", "bytes", "typing.Optional", "Optional"})
ID_KEY = re.compile(r"^(id|pk|uuid|slug|.*_(id|pk|uuid))$|^id_")
# Attributes that name one account as well as its id does (a user found by them is that account).
ACCOUNT_KEY = re.compile(r"^(username|user_name|login|email|email_address|handle)$")
# Project helpers named after what they check (followed through the graph when resolvable).
CHECK_HELPER = re.compile(
    r"^_?(check|ensure|require|assert|verify|authori[sz]e|enforce|validate)_?\w*"
    r"(owner|ownership|access|permission|perm|perms|allowed|authori[sz]ed|member|can_\w+)\w*$"
    r"|^_?(is_owner|owned_by|belongs_to|user_can|can_(view|edit|delete|access|update|read|write|modify|manage)\w*"
    r"|has_access|authori[sz]e)$")
# A method given the caller that says whether it may act on the object (bookwyrm's
# ``group.raise_not_editable(request.user)``, ``status.raise_visible_to_user(request.user)``)
PERMISSION_WORD = re.compile(r"(^|_)(not_)?(editable|deletable|visible|viewable|accessible|permitted|allowed|owned|"
                             r"owner)(_|$)")
# A call that answers what a signed token or value holds once its signature verifies
VERIFIED_VALUE = re.compile(r"^_?(decode|verify|validate|unsign|load)_\w*(token|jwt|signed|signature|invite)\w*$"
                            r"|^(unsign|unserialize)$")
# A method that answers whether a user holds a role or a permission (calibre-web's
# ``current_user.role_admin()``, ``role_edit()``; ``user.has_any_role("admin")``; Mailu's
# ``current_user.global_admin``; mwdb's ``g.auth_user.has_rights(Capabilities.manage_users)``)
ROLE_METHOD = re.compile(r"^(role_[a-z]\w*|has_\w*(roles?|rights?|capabilit(y|ies)|privileges?)|[a-z]\w*_admin)$")
_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
SCOPED = "<scoped>"
# Columns that hold a secret handed to one person (a mailed token, an activation key, a code)
SECRET_COLUMN = re.compile(r"(^|_)(token|secret|key|code)(__exact)?$")
BY_NAME = "<by-name>"
LISTED = "<listed>"
SCALAR_TERMINALS = frozenset({"count", "exists", "first", "last", "latest", "earliest", "aggregate"})  # one value, not the rows
# Built-ins and common methods a client's id is handed to that look up nothing (a library function
# handed one is no helper of the project's either: the linker finds no body for it)
_NOT_HELPERS = frozenset({"int", "str", "float", "bool", "len", "print", "get", "dict", "list",
                          "format", "append", "update", "loads", "dumps", "strip", "lower", "split", "log",
                          "info", "debug", "warning", "error", "exception", "isinstance", "setattr", "getattr"})
CALLER_FUNCTION = re.compile(
    r"^_?(get_|load_|fetch_)?(current|authenticated|logged_in|active|request|requesting)_(active_)?"
    r"(user|identity|account|principal|member)(_id)?(_or_40[13])?$")
SINGLE_POSITIONAL = frozenset({"get", "get_or_404", "get_one", "one_or_404"})
# A member of a roles enumeration or constants class: ``UserRoles.owner``, ``Role.ADMIN``.
# A configured list or holder of the privileged: ``settings.admin_users``, ``SUPER_USER``, ``ADMIN_EMAILS``.
# the configured admins, or the credential only administrators hold (``token != config.ADMIN_TOKEN``)
ADMIN_HOLDER = re.compile(r"(^|_)(admins?|super_?users?|staff|moderators?)"
                          r"(_(users?|ids?|emails?|list|accounts?|tokens?|(api_)?keys?|secrets?|passwords?))?$",
                          re.IGNORECASE)
ROLE_CONSTANT = re.compile(r"(^|\.)(?=[A-Z])\w*(Roles?|RoleTypes?|Permissions?|Groups?)\.\w+$")
# What the authentication layer leaves on the request about the caller: ``request.authenticated_organization``,
# ``request.current_organization`` (a middleware's), ``request.organization_token``
REQUEST_CALLER = re.compile(r"^(authenticated|current)_[a-z]\w*$|^\w+_token$")
# The roles or permissions a route requires, as a guard factory is given them: ``role in required_roles``
# (not a mapping of an identity provider's roles: ``if role in oauth_roles``)
ROLE_SET = re.compile(r"(^|_)(required|allowed|permitted)_(roles|permissions|perms|groups|capabilities)$")
ROLE_KEYS = frozenset({"role", "roles", "is_admin", "is_staff", "is_superuser", "permissions", "groups", "admin"})
# the role every signed-in account holds, and the states of an account not yet (or no longer) let in
ORDINARY_ROLES = frozenset({"user", "users", "member", "members", "regular", "authenticated"})
UNADMITTED_ROLES = frozenset({"pending", "inactive", "disabled", "banned", "suspended", "guest", "anonymous"})


class _Frame:
    def __init__(self, qualname: str):
        self.qualname = qualname
        self.client: dict[str, str] = {}  # name -> where it comes from
        self.caller: set[str] = set()
        self.results: set[str] = set()
        self.conditions: dict[str, list] = {}  # local -> the comparisons of the test it was assigned
        self.pending: list = []  # those comparisons, judged once it is known whether a test that rejects reads them
        self.by_name: list = []  # [lookup, names it is bound to, changed]: users found by username/email
        self.params: set[str] = set()
        self.peeks: list = []  # [(the token's code, TokenDecode)]: decoded unverified here
        self.verified: set[str] = set()  # the code of the tokens decoded here with their signature checked
        # (lookup, names it is bound to): emitted at the end unless the row is only tested for
        # existence to turn the request away (``if SigmaRule.query.filter_by(uuid=u).first(): abort(403)``)
        self.bound_lookups: list = []
        self.existence_tests: list[str] = []  # names tested in ``if name:`` whose branch ends the request
        # locals assigned, in some branch, a comparison of an owner column with the caller (``user =
        # KoboSyncedBooks.user_id == current_user.id``), for a query filter given the name
        self.owner_filters: set[str] = set()


class _ClientFinder(cst.CSTVisitor):
    """The first client value (a request read or a client-derived name) in an expression."""

    def __init__(self, owner, frame):
        self.owner, self.frame, self.found = owner, frame, []

    def visit_Name(self, n: cst.Name) -> None:
        if self.frame and n.value in self.frame.client and not self.found:
            self.found.append(self.frame.client[n.value])

    def visit_Attribute(self, a: cst.Attribute) -> bool:
        d = dotted(a)
        if d and not self.found and self.owner._matches(d, self.owner.k.client_sources):
            self.found.append(d)
            return False
        return True

    def visit_Lambda(self, n) -> bool:
        return False

    def visit_Call(self, c: cst.Call) -> bool:
        # another server's response (``requests.get(url, headers=...).json()``) is its data,
        # not the client's, whatever the request carried; so is what a token's verification
        # answers (``decode_token(token)["id"]``, ``jwt.decode(...)``): what the server signed
        q = self.owner.ctx.resolve(c.func)
        return q not in self.owner.k.server_responses and q not in self.owner.k.token_decoders \
            and not VERIFIED_VALUE.match(q.rpartition(".")[2])


class _CallerFinder(cst.CSTVisitor):
    """Whether an expression mentions the caller (the current user, a token identity)."""

    def __init__(self, owner, frame):
        self.owner, self.frame, self.hit = owner, frame, []

    def visit_Name(self, n: cst.Name) -> None:
        if self.frame and n.value in self.frame.caller:
            self.hit.append(n)
        elif self.owner._matches(n.value, self.owner.k.caller_names) or n.value == "current_user":
            # also a project's own or vendored flask-login (calibre-web's ``from .cw_login import current_user``)
            self.hit.append(n)

    def visit_Attribute(self, a: cst.Attribute) -> bool:
        d = dotted(a)
        if d and (self.owner._matches(d, self.owner.k.caller_names)
                  or REQUEST_CALLER.match(a.attr.value) and d.rpartition(".")[0].endswith("request")):
            self.hit.append(a)
            return False
        return True

    def visit_Call(self, c: cst.Call) -> None:
        if self.owner._caller_call(c):
            self.hit.append(c)


_KEPT = re.compile(r"SET[_ ](NULL|DEFAULT)\b|^(models\.)?SET\(")


def _outlives(field: cst.Call) -> bool:
    """The field's row stays when the row it points to is deleted: an ``on_delete``/``ondelete``
    (of the field or of the ``ForeignKey(...)`` inside it) that sets it to NULL or a default."""
    return any(a.keyword is not None and a.keyword.value in ("on_delete", "ondelete")
               and _KEPT.search(literal(a.value) if isinstance(literal(a.value), str) else dotted(a.value) or "")
               for a in collect(field, cst.Arg))


class AuthzPass(cst.CSTVisitor):
    def __init__(self, ctx, sink):
        self.ctx = ctx
        self.sink = sink
        k = ctx.knowledge
        self.k = k
        self.managers = set(k.lookup_managers) | set(getattr(k, "managers", ()))
        self.stack: list[str] = []
        self.frames: list[_Frame] = []
        self.chained: set[int] = set()  # ids of calls already examined as part of a longer chain
        self.rejecting: set[int] = set()  # ids of comparisons in the test of an if whose branch ends the request
        self.switched: dict[int, str] = {}  # ids of nodes of a test checked only when a factory is given a parameter
        self.deferred: set[int] = set()  # ids of comparisons assigned to a local (``is_owner = a == b``)
        self.test_depth = 0
        self.seen: set[tuple] = set()
        self._bound: dict[int, tuple] = {}  # id(lookup call) -> the local names its result is bound to
        self._match_memo: dict[tuple[str, int], bool] = {}
        self._table_forms: dict[int, tuple[frozenset, tuple]] = {}

    # -- structure ----------------------------------------------------------------------------
    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        qual = ".".join([self.ctx.module, *self.stack, node.name.value])
        for stmt in node.body.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                target, value = None, None
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target, value = small.targets[0].target, small.value
                elif isinstance(small, cst.AnnAssign):
                    target, value = small.target, small.value
                if not isinstance(target, cst.Name):
                    continue
                name = target.value
                if value is not None and name in self.k.implicit_lookup_attrs and not self.frames:
                    model = self._implicit_model(value)
                    if model:
                        self.sink.lookups.append(ObjectLookup(qual, self.ctx.loc(small), model, self.ctx.code(small),
                                                              "the URL's object id", implicit=True))
                target = self._relation(value, small) if isinstance(value, cst.Call) else None
                if target:
                    parent = self.k.relation_fields.get((dotted(value.func) or "").rpartition(".")[2], ("",))[0] != "many"
                    self.sink.owner_fields.append(OwnerField(qual, name, self.ctx.loc(small), target, parent,
                                                             _outlives(value)))
        self.stack.append(node.name.value)
        return True

    def leave_ClassDef(self, node) -> None:
        self.stack.pop()

    def _relation(self, call: cst.Call, stmt) -> str:
        """The model a field defined by ``call`` relates to (see ``OwnerField.target``), or ''."""
        last = (dotted(call.func) or "").rpartition(".")[2]
        relation = self.k.relation_fields.get(last)  # ForeignKey(...), relationship(...)
        if relation:
            ref = call_arg(call, relation[1] or None, 0)
            target = self._model_ref(ref) if ref is not None else ""
            if not target and isinstance(stmt, cst.AnnAssign):  # owner: Mapped["User"] = relationship()
                names = [n for n in _annotation_names(stmt.annotation.annotation) if n[:1].isupper()
                         and n not in ("Mapped", "Optional", "List", "Set", "Union", "Annotated")]
                target = self._model_ref(names[-1]) if names else ""
            return target
        for keyword in self.k.foreign_key_keywords:  # Field(foreign_key="users.id")
            fk = literal(call_arg(call, keyword))
            if isinstance(fk, str):
                return self._model_ref(fk)
        for a in call.args:  # Column(Integer, ForeignKey("users.id"))
            if isinstance(a.value, cst.Call) and (dotted(a.value.func) or "").rpartition(".")[2] in self.k.foreign_key_calls:
                return self._relation(a.value, stmt)
        return ""

    def _model_ref(self, ref) -> str:
        if isinstance(ref, str) or isinstance(ref, cst.SimpleString):
            text = ref if isinstance(ref, str) else literal(ref)
            if not isinstance(text, str) or text == "self":
                return ""
            head, _, tail = text.rpartition(".")
            if tail[:1].isupper():  # "auth.User", "User"
                return f"name:{tail}"
            return f"table:{head.rpartition('.')[2]}" if head else ""  # "users.id"
        if isinstance(ref, cst.Call):
            ref = ref.func
        if isinstance(ref, cst.Attribute) and not ref.attr.value[:1].isupper() and _classlike(ref.value):
            ref = ref.value  # ForeignKey(User.id)
        q = self.ctx.resolve(ref) if dotted(ref) else ""
        return "user" if q in self.k.user_models else q

    def _implicit_model(self, value) -> str:
        if isinstance(value, cst.Call):
            root, segs = _chain(value)
            if root is not None and segs and segs[0][0] in self.managers and segs[0][1] is None:
                if any(self._is_caller(a.value) for _, c in segs if c is not None for a in c.args):
                    return ""
                return self.ctx.resolve(root) if _classlike(root) else ""
            return ""
        if isinstance(value, cst.Attribute) and value.attr.value in self.managers and _classlike(value.value):
            return self.ctx.resolve(value.value)  # queryset = Recipe.objects: the manager, no .all()
        return self.ctx.resolve(value) if _classlike(value) else ""

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        qual = ".".join([self.ctx.module, *self.stack, node.name.value])
        frame = _Frame(qual)
        outer = self.frames[-1] if self.frames else None
        if outer:  # closures see the enclosing function's names
            frame.client.update(outer.client)
            frame.caller |= outer.caller
        params = node.params
        for p in (*params.posonly_params, *params.params, *params.kwonly_params):
            self._param(frame, p)
            frame.params.add(p.name.value)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param) and star.name.value not in NOT_CLIENT:
                frame.client[star.name.value] = f"URL parameters ({star.name.value})"
        self.frames.append(frame)
        self.stack.append(node.name.value)
        for d in node.decorators:  # ``@user_passes_test(lambda u: u.is_staff)``: the view's own test
            walk(d, self)
        walk(node.body, self)
        for c in frame.pending:
            self._comparison(c, id(c) in self.rejecting)
        for lk, _, changed in frame.by_name:
            if changed:
                self._emit(lk)
        uses = [n.value for n in collect(node.body, cst.Name)] if frame.bound_lookups else []
        for lk, names in frame.bound_lookups:
            # the name's uses: its assignment, and tests that end the request when a row is found
            if not all(uses.count(n) == 1 + frame.existence_tests.count(n) for n in names):
                self._emit(lk)
        for token, decode in frame.peeks:  # a peek at the issuer or key id before the verified decode
            if token not in frame.verified:
                self._emit(decode)
        self.stack.pop()
        self.frames.pop()
        return False

    def _param(self, frame: _Frame, p: cst.Param) -> None:
        name = p.name.value
        if name in NOT_CLIENT:
            return
        injected = False
        if isinstance(p.default, cst.Call) and self.ctx.resolve(p.default.func) in self.k.injected_defaults:
            injected = True
        ann = p.annotation.annotation if p.annotation else None
        ann_name = ""
        if isinstance(ann, cst.Subscript):
            if (dotted(ann.value) or "").rpartition(".")[2] == "Annotated":
                for el in ann.slice[1:]:
                    v = el.slice.value if isinstance(el.slice, cst.Index) else None
                    if isinstance(v, cst.Call) and self.ctx.resolve(v.func) in self.k.injected_defaults:
                        injected = True
                first = ann.slice[0].slice
                ann_name = dotted(first.value) or "" if isinstance(first, cst.Index) else ""
            else:
                ann_name = dotted(ann.value) or ""
        elif ann is not None:
            ann_name = dotted(ann) or ""
        if injected:
            if name not in DB_NAMES:
                frame.caller.add(name)
            return
        if name in DB_NAMES:
            return
        if name.startswith("current_") or (name in CALLER_PARAMS and ann_name and ann_name not in SCALARS):
            frame.caller.add(name)
            return
        if ann_name and ann_name not in SCALARS and ann_name.rpartition(".")[2][:1].isupper() \
                and not ID_KEY.match(name):
            # an object typed by a class and not injected: the request body (FastAPI's
            # ``body: TransferIn``), whose fields (``body.account_id``) the client chose
            frame.client[name] = f"request body ({name})"
            return
        frame.client[name] = f"parameter {name}"

    # -- expressions: client data and the caller ---------------------------------------------------
    def _client(self, expr) -> str:
        """Where the client value in ``expr`` comes from, or ''."""
        finder = _ClientFinder(self, self.frames[-1] if self.frames else None)
        walk(expr, finder)
        return finder.found[0] if finder.found else ""

    def _matches(self, d: str, table) -> bool:
        """``d`` (as written or resolved) is a name of ``table`` or an attribute or item of one."""
        key = (d, id(table))
        hit = self._match_memo.get(key)
        if hit is None:
            forms = self._table_forms.get(id(table))
            if forms is None:
                forms = self._table_forms[id(table)] = (
                    frozenset(table), tuple(t + sep for t in table for sep in ".["))
            names, prefixes = forms
            q = self.ctx.resolve(d)
            hit = self._match_memo[key] = d in names or q in names or d.startswith(prefixes) or q.startswith(prefixes)
        return hit

    def _is_caller(self, expr) -> bool:
        finder = _CallerFinder(self, self.frames[-1] if self.frames else None)
        walk(expr, finder)
        return bool(finder.hit)

    def _caller_call(self, c: cst.Call) -> bool:
        q = self.ctx.resolve(c.func)
        if q in self.k.caller_calls:
            return True
        if isinstance(c.func, cst.Attribute) and "." + c.func.attr.value in self.k.caller_calls:
            return True
        last = q.rpartition(".")[2]
        return CALLER_FUNCTION.match(last) is not None

    # -- statements -----------------------------------------------------------------------------
    def visit_Assign(self, node: cst.Assign) -> None:
        self._assign([t.target for t in node.targets], node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._assign([node.target], node.value)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:  # if (user_id := get_request_user_id(request)):
        self._assign([node.target], node.value)

    def _assign(self, targets, value) -> None:
        if not self.frames:
            return
        frame = self.frames[-1]
        for t in targets:
            if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name):
                self._changed(frame, t.value.value)
        names = [n.value for t in targets for n in _names(t)]
        if not names:
            return
        if len(targets) == 1 and isinstance(targets[0], cst.Name):
            if any((owner := _compares_owner(c)) is not None and self._is_caller(owner)
                   for c in ([value.body, value.orelse] if isinstance(value, cst.IfExp) else [value])):
                frame.owner_filters.add(names[0])
            if isinstance(value, (cst.Comparison, cst.BooleanOperation, cst.UnaryOperation)):
                frame.conditions[names[0]] = collect(value, cst.Comparison)
                self.deferred.update(id(c) for c in frame.conditions[names[0]])
            else:
                frame.conditions.pop(names[0], None)
        lookup = isinstance(value, cst.Call) and self._lookup_of(value) is not None
        if self._is_caller(value) and not lookup:
            frame.caller.update(names)
            for n in names:
                frame.client.pop(n, None)
            return
        if lookup:
            self._bound[id(value)] = tuple(names)
            frame.results.update(names)
            for n in names:
                frame.client.pop(n, None)
            return
        src = self._client(value)
        if src and not isinstance(value, (cst.ListComp, cst.GeneratorExp)):
            for n in names:
                frame.client[n] = src

    # -- calls: lookups, checks, token decoding -----------------------------------------------------
    def visit_Call(self, node: cst.Call) -> None:
        if not self.frames:
            return
        frame = self.frames[-1]
        q = self.ctx.resolve(node.func)
        self._token(node, q)
        self._checks(node, q)
        if id(node) in self.chained:
            return
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "delete":
            for target in (node.func.value, *(a.value for a in node.args[:1])):  # user.delete(), db.delete(user)
                if isinstance(target, cst.Name):
                    self._changed(frame, target.value)
        found = self._lookup_of(node, mark=True)
        if found and found[1].startswith(BY_NAME) and self._secret_column(node):
            found = (found[0], "")  # found by a secret the client presents as well: that is the credential
        if found and found[1].startswith(BY_NAME):
            # a user account found by its username or email: a finding only if the handler
            # then changes it (see authz_graph.owned_lookups), so kept until the function ends
            names = self._bound.get(id(node), ())
            frame.by_name.append([ObjectLookup(frame.qualname, self.ctx.loc(node), found[0], self.ctx.code(node)[:120],
                                               found[1][len(BY_NAME):], by_name=True), names, False])
        elif found and found[1] in (SCOPED, LISTED):
            self._emit(ObjectLookup(frame.qualname, self.ctx.loc(node), found[0], self.ctx.code(node)[:120],
                                    scoped=found[1] == SCOPED, listed=found[1] == LISTED))
        elif found and found[1]:
            model, src = found  # also matched against a secret the client presents: that is the credential
            lookup = ObjectLookup(frame.qualname, self.ctx.loc(node), model, self.ctx.code(node)[:120], src,
                                  secret=self._secret_column(node), parents=self._parents(frame, node),
                                  given=self._given(frame, node, src))
            names = self._bound.get(id(node), ())
            frame.bound_lookups.append((lookup, names)) if names else self._emit(lookup)
        elif found and self._secret_column(node):
            self._emit(ObjectLookup(frame.qualname, self.ctx.loc(node), found[0], self.ctx.code(node)[:120],
                                    secret=self._secret_column(node)))
        elif found is None and q and node.args and q.rpartition(".")[2] not in _NOT_HELPERS:
            # the client's id handed to a helper (``crud.get_note(db, note_id)``): its lookups count here
            if any(self._is_caller(a.value) for a in node.args):
                return
            src = next((s for s in (self._client(a.value) for a in node.args) if s), "")
            head = node.args[0]
            if src and head.keyword is None and _classlike(head.value) and any(
                    a.keyword is not None and ID_KEY.match(a.keyword.value) and self._client(a.value)
                    for a in node.args[1:]):
                # a project's own get_object_or_404(Model, pk=...): a lookup of that class
                self._emit(ObjectLookup(frame.qualname, self.ctx.loc(node), self._model(head.value),
                                        self.ctx.code(node)[:120], src, secret=self._secret_column(node)))
            elif src:
                self._emit(ObjectLookup(frame.qualname, self.ctx.loc(node), "", self.ctx.code(node)[:120], src, via=q))

    def _given(self, frame, node: cst.Call, src: str) -> tuple[str, ...]:
        """The function's parameters, other than the id's (``src``), that the lookup's arguments
        name (``user_id=user.id``): the linker asks whether the route's decorator passes them."""
        return tuple(sorted({n.value for n in collect(node, cst.Name) if frame.client.get(n.value) == f"parameter {n.value}"
                             and f"parameter {n.value}" != src}))

    def _parents(self, frame, node: cst.Call) -> tuple[str, ...]:
        """The functions a lookup's filters call for a parent object, with nothing the client
        sends (``get_object_or_404(WebHook, pk=pk, project=self.get_project())``): ``self.x()`` is
        the method of the enclosing class (the linker looks it up on the route's view)."""
        found = []
        for a in node.args:
            v = a.value
            if a.keyword is None or not isinstance(v, cst.Call) or not dotted(v.func) or any(
                    self._client(x.value) for x in v.args):
                continue
            receiver, _, name = dotted(v.func).rpartition(".")
            found.append(f"{frame.qualname.rpartition('.')[0]}.{name}" if receiver == "self"
                         else self.ctx.resolve(v.func))
        return tuple(found)

    def _changed(self, frame, name: str) -> None:
        for entry in frame.by_name:
            if name in entry[1]:
                entry[2] = True

    def _emit(self, fact) -> None:
        key = (type(fact).__name__, fact.function, fact.location)
        if key not in self.seen:
            self.seen.add(key)
            if isinstance(fact, ObjectLookup):
                self.sink.lookups.append(fact)
            elif isinstance(fact, AccessCheck):
                self.sink.access_checks.append(fact)
            else:
                self.sink.token_decodes.append(fact)

    def _lookup_of(self, call: cst.Call, mark: bool = False):
        """(model, client source) when ``call`` heads a query chain over a model by id; the
        source is '' when the chain is scoped to the caller or uses no client id. None: not
        a lookup."""
        root, segs = _chain(call)
        if mark:
            for _, c in segs[:-1]:
                if c is not None:
                    self.chained.add(id(c))
        model, args, start = "", [], 0
        k = self.k
        if root is None and segs and segs[0][1] is not None:  # a function call heads the chain
            fq = self.ctx.resolve(segs[0][1].func)
            head = segs[0][1]
            if fq in k.lookup_functions or fq in k.lookup_builders:
                idx = k.lookup_functions.get(fq, 0)
                m = call_arg(head, None, idx)
                if m is not None and _classlike(m):
                    model = self._model(m)
                    args = [(a, a.keyword is None and i > idx and fq in k.lookup_functions)
                            for i, a in enumerate(head.args) if a.value is not m]
                    start = 1
        elif root is not None and segs and segs[0][0] in self.managers and segs[0][1] is None and _classlike(root):
            model, start = self._model(root), 1
        elif isinstance(root, cst.Name) and root.value in ("self", "cls") and len(segs) > 1 \
                and segs[0][1] is None and segs[0][0] in k.implicit_lookup_attrs:
            # ``self.queryset.get(pk=pk)``: the view class's own queryset (its model: the linker)
            model, start = segs[0][0], 1
        elif root is not None and len(segs) > 1 and segs[1][0] in self.managers and segs[1][1] is None \
                and segs[0][1] is None and segs[0][0][:1].isupper():
            # a model named through its module: ``models.User.objects.get(...)``
            model, start = self._model(cst.Attribute(value=root, attr=cst.Name(segs[0][0]))), 2
        if not model:
            for i, (name, c) in enumerate(segs):
                if c is None:
                    continue
                m = call_arg(c, None, 0)
                if m is None or not _classlike(m):
                    continue
                if name in k.lookup_builders or (name in k.lookup_sessions and len(c.args) >= 2):
                    model, start = self._model(m), i + 1
                    args = [(a, name in k.lookup_sessions and a.keyword is None) for a in c.args[1:]]
                    break
        if not model:
            return None
        names = [n for n, _ in segs]
        for name, c in segs[start:]:
            if c is not None:
                args.extend((a, name in SINGLE_POSITIONAL and a.keyword is None) for a in c.args)
        if root is not None and self._is_caller(root):
            return model, SCOPED
        src, by_name = "", ""
        for a, positional_id in args:
            owner = a.value if a.keyword is not None and owner_column(a.keyword.value) else _compares_owner(a.value)
            # an owner column filtered on the caller, or on a value of the server's; on a value the
            # client sends (``Note.owner_id == request.args["uid"]``) it is whoever the client names
            if self._is_caller(a.value) or (owner is not None and not self._client(owner)):
                return model, SCOPED
            if src:
                continue
            s = self._client(a.value)
            if not s:
                continue
            if positional_id or (a.keyword is not None and ID_KEY.match(a.keyword.value)) or _compares_id(a.value) \
                    or ID_KEY.match(_last_name(a.value)):
                src = s
            elif not by_name and ((a.keyword is not None and ACCOUNT_KEY.match(a.keyword.value))
                                  or _compares_id(a.value, ACCOUNT_KEY)):
                by_name = s
        if any(n in k.collection_terminals for n in names):
            # every row, to whoever runs it (not a count or an existence test)
            return (model, LISTED) if mark and not any(n in SCALAR_TERMINALS for n in names) else None
        return model, src or (BY_NAME + by_name if by_name else "")

    def _secret_column(self, call: cst.Call) -> str:
        """The column a query matches against a secret the client sends (``token=``,
        ``activation_key=``, ``reset_code=``), or ''."""
        for _, c in _chain(call)[1]:
            for a in c.args if c is not None else ():
                if a.keyword is not None and SECRET_COLUMN.search(a.keyword.value) and self._client(a.value):
                    return a.keyword.value
        return ""

    def _model(self, expr) -> str:
        d = dotted(expr) or ""
        if d.startswith(("self.", "cls.")):
            return d.rpartition(".")[2]
        return self.ctx.resolve(expr)

    def _checks(self, call: cst.Call, q: str) -> None:
        func = call.func
        method = func.attr.value if isinstance(func, cst.Attribute) else (func.value if isinstance(func, cst.Name) else "")
        if q in self.k.role_calls or (method and ("." + method in self.k.role_calls or ROLE_METHOD.match(method))):
            self._evidence("role", call)
        elif q in self.k.object_permission_calls or (method and "." + method in self.k.object_permission_calls):
            self._evidence("owner", call)
        elif method and CHECK_HELPER.match(_CAMEL.sub(r"_\1", method).lower()) and (
                call.args or not isinstance(func, cst.Attribute) or method.lower() not in ("authorize", "authorise")
                or dotted(func.value) in ("self", "cls")):
            # checkAuthorized too; not a client's ``gauth.Authorize()`` (pydrive signing in to Google), which
            # authorizes nothing that is given to it
            self._evidence("owner", call)
        elif method and PERMISSION_WORD.search(method) and any(self._is_caller(a.value) for a in call.args):
            self._evidence("owner", call)
        if method in self.k.query_filters:
            for a in call.args:
                # filter(user=request.user); statement = statement.where(Session.user_id == user_id)
                if self._is_caller(a.value) if a.keyword is not None else (
                        (owner := _compares_owner(a.value)) is not None and self._is_caller(owner)
                        or isinstance(a.value, cst.Name) and self.frames and a.value.value in self.frames[-1].owner_filters):
                    root, segs = _chain(call)
                    queried = root is not None and segs and segs[0][0] in self.managers and _classlike(root)
                    self._evidence("owner", call, model=self.ctx.resolve(root) if queried else "")
                    break

    def _evidence(self, kind: str, node, rejects: bool = False, model: str = "") -> None:
        switch = self.switched.get(id(node), "")
        for f in self.frames:  # a wrapper's checks count for the decorator around it
            self._emit(AccessCheck(f.qualname, self.ctx.loc(node), kind, self.ctx.code(node)[:120], rejects, model,
                                   switch))

    def _switches(self, test) -> None:
        """``role and user.role < role.value`` where ``role`` is a parameter of an enclosing
        function (the decorator factory's): what the other operands check is made only when the
        factory is given a role (AccessCheck.switch)."""
        outer = set().union(*(f.params for f in self.frames[:-1])) - self.frames[-1].params if self.frames else set()
        for op in collect(test, cst.BooleanOperation) if outer else ():
            if not isinstance(op.operator, cst.And):
                continue
            operands = and_operands(op)
            names = [o.value for o in operands if isinstance(o, cst.Name) and o.value in outer]
            for other in (o for o in operands if names and not isinstance(o, cst.Name)):
                for n in collect(other):
                    self.switched.setdefault(id(n), names[0])

    def _token(self, call: cst.Call, q: str) -> None:
        conv = self.k.token_decoders.get(q)
        if not conv:
            return
        flaw = ""
        options = call_arg(call, "options")
        if isinstance(options, cst.Dict):
            for el in options.elements:
                if isinstance(el, cst.DictElement) and literal(el.key) == "verify_signature" and literal(el.value) is False:
                    flaw = 'options={"verify_signature": False} turns signature verification off'
        if not flaw and literal(call_arg(call, "verify")) is False:
            flaw = "verify=False turns signature verification off"
        algorithms = call_arg(call, "algorithms")
        algs = literal(algorithms) if algorithms is not None else NOT_LITERAL
        if not flaw and isinstance(algorithms, (cst.List, cst.Tuple, cst.SimpleString)):
            values = [literal(e.value) for e in algorithms.elements] if not isinstance(algorithms, cst.SimpleString) \
                else [algs]
            if any(isinstance(v, str) and v.lower() == "none" for v in values):
                flaw = 'algorithms accepts "none": an unsigned token passes'
        key = call_arg(call, "key", 1)
        if not flaw and key is None and algorithms is None:
            flaw = "no key and no algorithms: the signature is not checked"
        token = next((t for t in (call_arg(call, a, 0) for a in sorted(self.k.token_arguments)) if t is not None), None)
        token = self.ctx.code(token) if token is not None else ""
        if not flaw:
            if self.frames:
                self.frames[-1].verified.add(token)
            return
        decode = TokenDecode(self.frames[-1].qualname if self.frames else self.ctx.module, self.ctx.loc(call),
                             self.ctx.code(call)[:120], flaw)
        if self.frames:
            self.frames[-1].peeks.append((token, decode))  # judged when the function is read
        else:
            self._emit(decode)

    # -- tests: role and ownership checks ----------------------------------------------------------
    def visit_Comparison(self, node: cst.Comparison) -> None:
        if not self.frames:
            return
        if id(node) in self.deferred:  # ``is_owner = bookmark.owner == request.user``: judged where it is tested
            self.frames[-1].pending.append(node)
            return
        self._comparison(node, id(node) in self.rejecting)

    def _comparison(self, node: cst.Comparison, rejects: bool) -> None:
        sides = [node.left, *(c.comparator for c in node.comparisons)]
        callers = [s for s in sides if self._is_caller(s)]
        if not callers:
            return
        others = [s for s in sides if s not in callers]
        if _admits_ordinary(node, self.ctx) or _has_key(node):
            return
        if any(ROLE_CONSTANT.search(dotted(o) or "") and not ID_KEY.match(_last_name(o)) for o in others):
            # role != UserRoles.owner
            self._evidence("role", node)
        elif any(literal(o) is NOT_LITERAL for o in others):
            self._evidence("owner", node, rejects)
        elif any(self._role_read(c) for c in callers) or any(isinstance(literal(o), str) for o in others):
            self._evidence("role", node)

    def _role_read(self, expr) -> bool:
        found = []
        k = self.k

        class Finder(cst.CSTVisitor):
            def visit_Attribute(s, a: cst.Attribute) -> None:
                if a.attr.value in k.role_attributes:
                    found.append(a)

            def visit_SubscriptElement(s, e: cst.SubscriptElement) -> None:
                if isinstance(e.slice, cst.Index) and literal(e.slice.value) in ROLE_KEYS:
                    found.append(e)

        walk(expr, Finder())
        return bool(found)

    def visit_If(self, node: cst.If) -> None:
        test = node.test
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 \
                and isinstance(test.comparisons[0].operator, cst.IsNot) and literal(test.comparisons[0].comparator) is None:
            test = test.left  # if existing is not None: ...
        if self.frames and isinstance(test, cst.Name) and leaves(node.body):
            # if existing: abort(409): a row found turns the request away, nothing of it is used
            self.frames[-1].existence_tests.append(test.value)
        if _turns_away_privileged(node, self.k):
            return
        rejects = leaves(node.body) or isinstance(node.orelse, cst.Else) and leaves(node.orelse.body)
        # ``if post and post.user_id != current_user.id: abort(403)``: lets every caller through when
        # there is no post (the linker's FunctionFact.if_object decides by the route)
        rejects = rejects and not if_present(node.test)
        if rejects:  # ``if photo.owner != request.user: return Response(..., 400)``: the comparison turns others away
            self.rejecting.update(id(c) for c in collect(node.test, cst.Comparison))
            conditions = self.frames[-1].conditions if self.frames else {}
            self.rejecting.update(id(c) for n in collect(node.test, cst.Name) for c in conditions.get(n.value, ()))
        self._switches(node.test)
        self._test(node.test, rejects)

    def visit_While(self, node: cst.While) -> None:
        self._test(node.test)

    def visit_Assert(self, node: cst.Assert) -> None:
        self._test(node.test)

    def visit_IfExp(self, node: cst.IfExp) -> None:
        self._test(node.test)

    def visit_Return(self, node: cst.Return) -> None:
        value = node.value
        if isinstance(value, cst.Call) and dotted(value.func) == "getattr" and value.args:
            value = value.args[0].value  # getattr(user.role, "code", user.role): the role, read safely
        if value is not None and not isinstance(value, (cst.Dict, cst.List, cst.Call)):
            self._test(value)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._test(node.body)

    def _test(self, test, rejects: bool = False) -> None:
        if not self.frames:
            return
        finder = _RoleTests(self.k, self.ctx)
        walk(test, finder)
        for kind, node in finder.hits[:1]:
            self._evidence(kind, node, rejects)


class _RoleTests(cst.CSTVisitor):
    """Role and scope reads in a condition: ``user.is_admin``, ``"write" in token["scopes"]``,
    ``claims["role"]`` (one class for every condition: a class made per call costs more than
    the walk)."""

    def __init__(self, k, ctx):
        self.k, self.ctx = k, ctx
        self.hits: list[tuple[str, cst.CSTNode]] = []

    def visit_Attribute(self, a: cst.Attribute) -> None:
        if a.attr.value in self.k.role_attributes or ROLE_METHOD.match(a.attr.value):
            self.hits.append(("role", a))
        elif a.attr.value in self.k.scope_attributes:
            self.hits.append(("scope", a))

    def visit_Comparison(self, c: cst.Comparison) -> bool:
        if _admits_ordinary(c, self.ctx):
            return False
        # the caller compared with the configured admins: account.id not in settings.admin_users
        if any(ADMIN_HOLDER.search(_last_name(side)) and not _enum_member(side)
               for side in (c.left, *(x.comparator for x in c.comparisons))):
            self.hits.append(("role", c))
        for comp in c.comparisons:
            if isinstance(comp.operator, (cst.In, cst.NotIn)) and isinstance(comp.comparator, cst.Subscript):
                for el in comp.comparator.slice:
                    if isinstance(el.slice, cst.Index) and literal(el.slice.value) in ("scope", "scopes", "scp"):
                        self.hits.append(("scope", c))
            if isinstance(comp.operator, (cst.In, cst.NotIn)) and _last_name(comp.comparator) in ("scope", "scopes"):
                self.hits.append(("scope", c))
            elif isinstance(comp.operator, (cst.In, cst.NotIn)) and ROLE_SET.search(_last_name(comp.comparator)) \
                    and literal(c.left) is NOT_LITERAL:
                self.hits.append(("role", c))  # role in required_roles: the roles a factory was given

    def visit_SubscriptElement(self, e: cst.SubscriptElement) -> None:
        if isinstance(e.slice, cst.Index) and literal(e.slice.value) in ROLE_KEYS:
            self.hits.append(("role", e))

    def visit_Call(self, c: cst.Call) -> None:
        # claims.get("role"), payload.get("is_admin"): a claim read like claims["role"]
        if isinstance(c.func, cst.Attribute) and c.func.attr.value == "get" and c.args \
                and literal(c.args[0].value) in ROLE_KEYS:
            self.hits.append(("role", c))


def _admits_ordinary(c: cst.Comparison, ctx) -> bool:
    """A role test that every ordinary signed-in account passes authenticates, it does not
    authorize: ``user.role not in {"user", "admin"}`` (open-webui's ``get_verified_user``,
    the set often a module constant), ``user.role in ("admin", "user")``, ``user.role ==
    "pending"`` only tell an account that is let in from one that is not yet."""
    if len(c.comparisons) != 1:
        return False
    op, right = c.comparisons[0].operator, c.comparisons[0].comparator
    if not any(isinstance(a, cst.Attribute) and a.attr.value in ("role", "roles")
               for a in (c.left, *collect(c.left, cst.Attribute))):
        return False
    right = ctx.constant(right)  # a module constant: VERIFIED_USER_ROLES = {"user", "admin"}
    values = literal(right)
    names = {values} if isinstance(values, str) else set(values) if isinstance(values, tuple) else \
        {(dotted(e.value) or "").rpartition(".")[2] for e in right.elements if isinstance(e, cst.Element)} \
        if isinstance(right, (cst.List, cst.Tuple, cst.Set)) else set()
    names = {n.lower() for n in names if isinstance(n, str) and n}
    if not names:
        return False
    if names <= UNADMITTED_ROLES:  # == "pending", in ("pending", "banned"): one not let in yet
        return True
    ordinary = bool(names & ORDINARY_ROLES)
    if isinstance(op, cst.NotIn):
        return ordinary  # not in {"user", "admin"}: every ordinary account is admitted
    return isinstance(op, cst.In) and ordinary and len(names - UNADMITTED_ROLES) > 1


def _has_key(c: cst.Comparison) -> bool:
    """``"id" in data``, ``"sub" not in claims``: whether a decoded token carries the account's
    key, which names the caller and tests no role."""
    return len(c.comparisons) == 1 and isinstance(c.comparisons[0].operator, (cst.In, cst.NotIn)) \
        and isinstance(literal(c.left), str) and bool(ID_KEY.match(literal(c.left)) or literal(c.left) == "sub")


def _annotation_names(expr) -> list[str]:
    """Class names in an annotation, strings included: ``Mapped[list["User"]]`` -> [Mapped, list, User]."""
    out, stack = [], [expr]
    while stack:
        e = stack.pop(0)
        if isinstance(e, cst.Subscript):
            stack.append(e.value)
            stack.extend(el.slice.value for el in e.slice if isinstance(el.slice, cst.Index))
        elif isinstance(e, cst.BinaryOperation):
            stack.extend((e.left, e.right))
        elif isinstance(e, cst.SimpleString) and isinstance(literal(e), str):
            out.append(literal(e).strip().rpartition(".")[2])
        elif dotted(e):
            out.append(dotted(e).rpartition(".")[2])
    return out


def _chain(call: cst.Call):
    """(root expression or None, [(name, Call or None)]) for ``a.b(x).c.d(y)``: the root ``a``
    and the segments in order; a chain headed by a function call has root None and its first
    segment ("", call)."""
    segs = []
    node = call
    while True:
        if isinstance(node, cst.Call):
            f = node.func
            if isinstance(f, cst.Attribute):
                segs.append((f.attr.value, node))
                node = f.value
            else:
                segs.append(("", node))
                segs.reverse()
                return None, segs
        elif isinstance(node, cst.Attribute):
            segs.append((node.attr.value, None))
            node = node.value
        else:
            segs.reverse()
            return node, segs


def _turns_away_privileged(node: cst.If, k) -> bool:
    """``if account and account.is_admin: raise HTTPException(403)``: a branch that turns
    away the holders of a privilege flag restricts them; it lets no one in by a role."""
    ops = and_operands(node.test)
    if not any(isinstance(o, cst.Attribute) and o.attr.value in k.role_attributes
               and o.attr.value.startswith(("is_", "admin")) for o in ops):
        return False
    if any(not isinstance(o, (cst.Attribute, cst.Name)) for o in ops):
        return False  # a negation, a comparison: a role test
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    return any(isinstance(st, cst.SimpleStatementLine) and any(isinstance(x, cst.Raise) for x in st.body)
               for st in body)


def _classlike(expr) -> bool:
    d = dotted(expr) or ""
    if not d:
        return False
    last = d.rpartition(".")[2]
    return last[:1].isupper() or d in ("self.model", "cls.model", "model")


def _names(target):
    if isinstance(target, cst.Name):
        return [target]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _names(e.value)]
    return []


def _enum_member(expr) -> bool:
    """``KeyType.admin``: a member of a class (an enum), not a holder of configured users."""
    head = (dotted(expr) or "").rpartition(".")[0]
    return head.rpartition(".")[2][:1].isupper()


def _last_name(expr) -> str:
    d = dotted(expr) or ""
    return d.rpartition(".")[2]


def _compares_owner(expr):
    """``Model.owner_id == x``: a filter on the column that ties rows to a user -> x, else None."""
    if isinstance(expr, cst.Comparison) and owner_column(_last_name(expr.left)) and all(
            isinstance(c.operator, (cst.Equal, cst.In)) for c in expr.comparisons):
        return expr.comparisons[0].comparator
    return None


def _compares_id(expr, key=ID_KEY) -> bool:
    if isinstance(expr, cst.Comparison):
        left = _last_name(expr.left)
        return bool(key.match(left)) or any(key.match(_last_name(c.comparator)) for c in expr.comparisons)
    return False


def extract_authz(ctx, sink) -> None:
    walk(ctx.tree, AuthzPass(ctx, sink))
