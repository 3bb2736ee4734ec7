"""What the AppGraph answers about authorization (``graph.authz``, an AuthzQueries).

Authentication says *who* the caller is; these queries say whether a route also checks
*what* the caller may do: a role, permission or scope check ("role"), or a check that ties
the object it touches to the caller ("owner"). They read the neutral facts of
``analyzer/authz.py`` and the adapters' tables through ``Knowledge``, never CST.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .authz import CALLER_FUNCTION
from .extract import proves_secret
from .proxies import PROXY_REASON
from .facts import AccessCheck, Location
from .fields import ROLE_FIELD
from .states import AuthState, Effect

# A relation to a table or class outside the project that is the user model by its name (or by
# a name the adapters say stands for it: ``user_model_refs``).
USER_REF = re.compile(r"^(table:(auth_)?users?|name:User)$", re.IGNORECASE)
# Relations that say a row belongs to a user (rather than who wrote or changed it).
POSSESSION = re.compile(
    r"^(owner|owners|user|users|account|tenant|customer|patient|buyer|assignee|assignees|assigned_to|member|members|"
    r"participants?|recipient|profile|holder|client)(_id|_pk)?$|^owner_|^owned_by")
# Relations that record who last touched a row: no tie of ownership, read or written.
PROVENANCE = re.compile(r"^(updated|modified|changed|edited|reviewed|approved|deleted|closed|resolved|last_\w+)_by(_id)?$"
                        r"|^last_(editor|modifier|updater)(_id)?$")
PASSWORD = re.compile(r"^(password|password_hash|hashed_password|passwd|pwd_hash|password_digest)$")
ADMIN_SEGMENT = re.compile(r"^(admin[\w-]*|administration|superusers?|sudo|back-?office)$")
ACCOUNT_KEY_FIELD = re.compile(r"^(user|account)(_id|_pk)?$")
USER_SEGMENT = re.compile(r"^(users?|accounts?|members?|profiles?|employees?|customers?)$")
# A credential class meant for administrators (an API key or session of the admin console): a
# caller who presents one is an administrator, whatever the route checks besides
ADMIN_CREDENTIAL = re.compile(r"(?i)^(admin|staff|superuser|operator)\w*(key|token|session|credential)s?$")
ROLE_SEGMENT = re.compile(r"^(roles?|permissions?|privileges?|groups?|grants?|acls?)$")
PRIVILEGED_ACTION = re.compile(
    r"(^|_)(role|roles|promote|demote|grant|revoke|ban|unban|impersonate|make_admin|set_admin|suspend|"
    r"deactivate|activate|disable|enable|permissions?|privileges?)(_|$)")
WRITE = frozenset({"POST", "PUT", "PATCH", "DELETE", "ANY"})


@dataclass(frozen=True)
class Authorization:
    """One sign that a route checks what the caller may do."""

    kind: str  # role | owner | scope (a token scope the route requires: no admin restriction)
    location: Location | None
    reason: str
    model: str = ""  # an owner check in a function the route calls that restricts a query over this model


def loads_caller(function: str) -> bool:
    """``get_current_user`` and the like: the comparisons it makes to find the caller's own
    records (their memberships, their settings) tie nothing to the object a route touches."""
    return CALLER_FUNCTION.match(function.rpartition(".")[2]) is not None


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# ``owner=request.user``, ``user_id=current_user.id``, ``obj.owned_by_id != request.user.id``,
# ``request.user == note.author``: the field compared with the caller (group 1 or 2)
_CALLER = r"[\w.()]*\b(?:user|current_user|caller|principal|identity|account)\b[\w.()]*"
_CALLER_COMPARISON = re.compile(
    rf"(?:\.|\b)(\w+?)(?:__\w+)?\)?\s*(?:==|!=|=|\bin\b)\s*(?:str\()?{_CALLER}"
    rf"|{_CALLER}\s*(?:==|!=)\s*(?:str\()?\w+\.(\w+)")


def is_param(segment: str) -> bool:
    return segment.startswith(("<", "{", "(", ":")) or "(?P" in segment


class AuthzQueries:
    """Authorization queries over the linked graph (``graph.authz``; ``g`` is the AppGraph)."""

    def __init__(self, graph):
        self.g = graph

    # -- indexes ---------------------------------------------------------------------------------
    def authz_index(self):
        """(lookups, access checks, by function; owner fields by model; token decodes): the
        facts these queries read, which the auth judge and exposure.py read too."""
        idx = getattr(self, "_authz_idx", None)
        if idx is not None:
            return idx
        idx = (self.g.lookups_by_function, self.g.access_checks_by_function, self.g.owner_fields_by_model, self.g.token_decodes)
        self._authz_idx = idx
        self._access_memo = {}
        return idx

    # -- models ----------------------------------------------------------------------------------
    def owner_fields(self, model: str, possession: bool = False, _depth: int = 0) -> list[tuple[str, Location | None]]:
        """Relations of ``model`` (its bases' too) that tie a row to a user: (name, location).
        A relation to the user model ties it directly; one to a model that is tied to a user
        ties it through that parent (``project.members``). ``possession``: only relations
        that say the rows belong to the user (``owner``, ``user``, ``members``), not ones that
        record who wrote them (``author``, ``created_by``)."""
        owners = self.authz_index()[2]
        model = self.g.canonical(model)
        direct: dict[str, Location | None] = {}
        parents: list = []
        for q in self.g.mro(model):
            # user_id = mapped_column(ForeignKey("users.id", ondelete="SET NULL")); user = relationship("User")
            kept = {o.name for o in owners.get(q, ()) if o.kept}
            for o in owners.get(q, ()):
                related = self.related_model(o.target, q)
                if self._to_user(o, related):
                    if (o.kept or f"{o.name}_id" in kept) and not self.private_model(model):
                        continue  # the row outlives its user: the relation says who made it, not whose it is
                    if (not possession or POSSESSION.match(o.name)) and not PROVENANCE.match(o.name):
                        direct.setdefault(o.name, o.location)
                elif related and related != model and o.parent:  # a parent row, not a collection
                    parents.append((o, related))
        if direct or _depth >= 2:
            return list(direct.items())
        for o, related in parents:
            through = self.owner_fields(related, possession, _depth + 1)
            if through:
                direct.setdefault(f"{o.name}.{through[0][0]}", o.location)
        return list(direct.items())

    def user_relations(self, model: str) -> set[str]:
        """The names of ``model``'s relations to the user model (its bases' too), whatever they
        record: an owner, a member, an author, who created the row."""
        owners = self.authz_index()[2]
        return {o.name for q in self.g.mro(self.g.canonical(model)) for o in owners.get(q, ())
                if self._to_user(o, self.related_model(o.target, q))}

    def _to_user(self, o, related: str) -> bool:
        """The relation ``o`` (to ``related``, when resolved) points at the user model."""
        return o.target == "user" or o.target in self.g.k.user_models or \
            (self.user_model(related) if related else self._user_ref(o.target))

    def caller_fields(self) -> frozenset[str]:
        """The field names the project compares with the caller somewhere: in an owner check
        (``cycle.owned_by_id != request.user.id``) or a query restricted to the caller
        (``filter(member=request.user)``), without their ``_id``: the relations its
        authorization reads."""
        if "caller fields" not in self.g.memo:
            texts = [a.display for checks in self.authz_index()[1].values() for a in checks if a.kind == "owner"]
            texts += [lk.display for lks in self.authz_index()[0].values() for lk in lks if lk.scoped]
            found = {m.group(1) or m.group(2) for t in texts for m in _CALLER_COMPARISON.finditer(t)}
            self.g.memo["caller fields"] = frozenset(f.removesuffix("_id").removesuffix("_pk") for f in found if f)
        return self.g.memo["caller fields"]

    def _user_ref(self, target: str) -> bool:
        """A relation's target outside the project that names the user model (``OwnerField.target``)."""
        return bool(USER_REF.match(target)) or target.startswith("name:") and target[5:] in self.g.k.user_model_refs

    def user_model(self, qname: str) -> bool:
        """``qname`` is the application's user model: a framework's user class or a subclass
        of one, a stored model named User, or (in a project that has neither) one that
        stores a password."""
        q = self.g.canonical(qname)
        named = getattr(self, "_named_users", None)
        if named is None:
            named = self._named_users = {c for c in self.g.classes if self._named_user(c)}
        if q in named or q in self.g.k.user_models:
            return True
        if named:
            return False
        fields = {*self.g.model_fields(q), *(f for c in self.g.mro(q) for f in self.g.field_facts.get(c, {}))}
        return any(PASSWORD.match(f) for f in fields)

    def _named_user(self, q: str) -> bool:
        if any(c in self.g.k.user_models for c in self.g.mro(q)):
            return True
        kind = self.g.model_kind(q)
        stored = kind == "orm" or (kind != "schema" and any(self.g.field_facts.get(c) for c in self.g.mro(q)))
        return stored and q.rpartition(".")[2] in ("User", "Users")

    def related_model(self, target: str, near: str) -> str:
        """The class an ``OwnerField.target`` names: a qualified name, ``name:<Class>`` or
        ``table:<name>`` (resolved over the project's classes, nearest package first)."""
        if not target or target == "user":
            return ""
        kind, _, name = target.partition(":")
        if not name:
            return self.g.canonical(target)
        index = getattr(self, "_model_names", None)
        if index is None:
            index = self._model_names = {}
            for c in self.g.classes.values():
                last = c.qualname.rpartition(".")[2]
                index.setdefault(("name", last), []).append(c.qualname)
                table = dict(c.attrs).get("__tablename__") or dict(c.attrs).get("db_table")
                keys = {table.lower()} if table else {last.lower(), last.lower() + "s", _snake(last), _snake(last) + "s"}
                for t in keys:
                    index.setdefault(("table", t), []).append(c.qualname)
        found = index.get((kind, name if kind == "name" else name.lower()), [])
        if not found:
            return ""
        top = near.split(".")[0]
        return sorted(found, key=lambda q: (q.split(".")[0] != top, q))[0]

    # -- functions: transitive checks --------------------------------------------------------------
    def _callee(self, caller: str, call: str, view: str = "") -> str:
        """The project function ``call`` (as resolved in ``caller``) names: methods on ``self``
        are looked up along the class hierarchy of ``view`` (the class a route serves, when the
        caller is one of its methods: zou's ``UserResource`` overriding the base's
        ``check_delete_permissions``), else of the caller's class."""
        parts = call.split(".")
        if "self" in parts or "cls" in parts:
            i = parts.index("self") if "self" in parts else parts.index("cls")
            cls = caller.rpartition(".")[0]
            rest = parts[i + 1:]
            if cls in self.g.classes and len(rest) == 1:
                if view and cls in self.g.mro(view):
                    cls = view
                return self.g.method(f"{cls}.{rest[0]}") or ""
            return ""
        owner, _, name = call.rpartition(".")
        if view and owner == caller.rpartition(".")[0] and owner in self.g.mro(view):
            found = self.g.method(f"{view}.{name}")  # self.check() as extraction resolved it: Base.check
            if found:
                return found
        return self.g.method(self.g.canonical(call)) or ""

    def access(self, qname: str, _stack: frozenset = frozenset(), view: str = ""):
        """{kind: AccessCheck} that the function ``qname`` makes, itself or through the project
        functions it calls and the dependencies it declares; ``view``: the class whose route runs
        it, on which its calls on ``self`` are looked up."""
        _, checks, _, _ = self.authz_index()
        memo = self._access_memo
        view, cls = self.g.canonical(view) if view else "", qname.rpartition(".")[0]
        if view and (cls == view or cls not in self.g.classes or cls not in self.g.mro(view)):
            view = ""  # not a method of a base of the view: its own class decides
        key = (qname, view) if view else qname
        if key in memo:
            return memo[key]
        if qname in _stack or len(_stack) > 12:
            return {}
        found = {}
        for c in checks.get(qname, ()):
            if c.kind not in found or found[c.kind].switch and not c.switch:  # one made whatever the factory is given first
                found[c.kind] = c
        f = self.g.functions.get(qname)
        for call in (f.calls if f else ()):
            callee = self._callee(qname, call, view)
            made = self.g.canonical(call) if not callee else ""
            # a project class it makes (or hands over to be made) runs its constructor and checks
            callees = [callee] if callee else self._targets(made)[1:] if made in self.g.classes else []
            for callee in callees:
                if callee == qname:
                    continue
                for kind, c in self.access(callee, _stack | {qname}, view).items():
                    if kind == "owner" and c.model:  # a query a called function restricts to the caller:
                        kind = f"owner {c.model}"  # it ties that model's rows (``Tag.objects.get(owner=user)``)
                    if not kind.startswith("owner") or not loads_caller(callee):
                        found.setdefault(kind, c)
        for dep in self.g.dependencies.get(qname, ()):
            for t in self._targets(dep.target):
                for kind, c in self.access(t, _stack | {qname}).items():
                    if not kind.startswith("owner") or not loads_caller(t):
                        found.setdefault(kind, c)
            held = next((t for t in self.g.returned_types(self.g.canonical(dep.target))
                         if ADMIN_CREDENTIAL.search(t.rpartition(".")[2])), None)
            if held:  # fief's is_authenticated_admin_api takes an AdminAPIKey: no user holds one
                found.setdefault("role", AccessCheck(qname, dep.location, "role",
                                                     f"takes an {held.rpartition('.')[2]}, a credential that only "
                                                     "administrators hold", rejects=True))
        if not _stack:
            memo[key] = found
        return found

    def _targets(self, target: str) -> list[str]:
        """Functions that run when ``target`` (a function, an instance, a class) is used as a guard."""
        q = self.g.canonical(target)
        out = [q]
        inst = self.g.instances.get(q)
        if inst:
            q = self.g.alias(inst)
        if q in self.g.classes:
            mro = self.g.mro(q)
            for c in mro:
                out.append(f"{c}.__call__")
                out.extend(f"{c}.{name}" for name in self.g.k.guard_methods)
            # what its constructor and __call__ run on self, as the instance's own class defines
            # it (a base's __init__ calling self.has_required_permissions() runs the subclass's)
            for entry in ("__init__", "__call__"):
                f = self.g.functions.get(self.g.method(f"{q}.{entry}") or "")
                for call in f.calls if f else ():
                    cls, _, name = call.rpartition(".")
                    if cls in mro:
                        out.append(self.g.method(f"{q}.{name}") or call)
            init = self.g.method(f"{q}.__init__")
            if init:
                out.append(init)
        return out

    # -- routes -----------------------------------------------------------------------------------
    def scopes_required(self, route) -> tuple[str, ...]:
        locs = {g.location for g in route.guards}
        found: list[str] = []
        for s in self.g.scope_facts:
            if s.kind == "required" and s.scopes and (self.g.alias(s.owner) == route.handler or s.location in locs):
                found.extend(x for x in s.scopes if x not in found)
        return tuple(found)

    def guard_authorization(self, g, route=None) -> Authorization | None:
        """How the guard ``g`` (a GuardInfo) authorizes, beyond authenticating; None if it does not."""
        if g.effect not in (Effect.AUTH, Effect.NONE) or not g.target:
            return None
        targets = g.target.split("|")
        verdicts = [self._target_authz(t, route, g.keywords) for t in targets]
        if all(verdicts):  # role, owner, or scope (a token scope: authorization, but no admin restriction)
            kinds = {v[0] for v in verdicts}
            kind = kinds.pop() if len(kinds) == 1 else "role"
            return Authorization(kind, g.location, f"{g.name}: {verdicts[0][1]}")
        for t in g.given:  # the permission classes it was made with all run
            verdict = self._target_authz(t, route)
            if verdict:
                return Authorization(verdict[0], g.location, f"{g.name}: {verdict[1]}")
        return None

    def guard_kind(self, g) -> str:
        """The adapters' authorization class of a guard: role | owner | readonly | test | ''."""
        for t in (g.target.split("|") if g.target else ()):
            q = self.g.canonical(t)
            q = self.g.auth_judge.inherited_guard(q) or q
            for c in self.g.mro(q) if q in self.g.classes else [q]:
                kind = self.g.k.authz_guards.get(c)
                if kind:
                    return kind
        return ""

    def _target_authz(self, target: str, route, keywords: tuple[str, ...] = ()):
        q = self.g.canonical(target)
        q = self.g.auth_judge.inherited_guard(q) or q
        kind = self.g.k.authz_guards.get(q)
        if kind in ("role", "owner"):
            return kind, q
        # on an item route the class's object check counts only where it runs (get_object)
        fetched = route is None or not route.item or self.g.auth_judge.runs_object_check(route, route.handler)
        inst = self.g.instances.get(q)
        cls = self.g.alias(inst) if inst else q
        if cls in self.g.classes:
            for c in self.g.mro(cls):
                kind = self.g.k.authz_guards.get(c)
                if kind in ("role", "owner"):
                    return kind, f"subclass of {c}"
                klass = self.g.classes.get(c)
                if klass and any(self.g.k.guard_methods.get(mf.name) == "item" for mf in klass.methods) and fetched:
                    return "owner", f"{c.rpartition('.')[2]} checks each object"
        for t in self._targets(q):
            if not fetched and self.g.k.guard_methods.get(t.rpartition(".")[2]) == "item":
                continue  # a custom action that never fetches through get_object: the object check never runs
            for kind, c in self.access(t).items():
                if c.switch and c.switch not in keywords:
                    continue  # ``if role and ...`` in a factory this use was not given a role
                kind = kind.partition(" ")[0]
                if kind == "owner" and loads_caller(t):
                    continue
                if kind in ("role", "owner") or (kind == "scope" and route is not None and self.scopes_required(route)):
                    return kind, c.display
        return None

    def route_authorization(self, route) -> tuple[Authorization, ...]:
        """Every sign that ``route`` checks what the caller may do (role or ownership)."""
        memo = getattr(self, "_route_authz_memo", None)  # id -> (route, answer): several checks ask
        if memo is None:
            memo = self._route_authz_memo = {}
        hit = memo.get(id(route))
        if hit is None or hit[0] is not route:
            hit = memo[id(route)] = (route, tuple(self._route_authorization(route)))
        return hit[1]

    def _route_authorization(self, route) -> list[Authorization]:
        found: list[Authorization] = []
        auth = [g for g in route.guards if g.effect == Effect.AUTH]
        if auth and all(proves_secret(g.reason) for g in auth):
            # the caller holds the deployment's shared secret (hmac.compare_digest(header, API_TOKEN)):
            # the operator or a trusted service, no account among others
            found.append(Authorization("role", auth[0].location, f"{auth[0].name}: only the secret's holder passes"))
        proxied = next((g for g in auth if g.reason == PROXY_REASON), None)
        if proxied:  # the deployment's own services call it, through the proxy, for no account in particular
            found.append(Authorization("role", proxied.location, f"{proxied.name}: only the deployment's own "
                                       "services reach it"))
        for g in (*route.guards, *route.applied):
            a = self.guard_authorization(g, route)
            if a:
                found.append(a)
        requires_scopes = bool(self.scopes_required(route))
        sources = [route.handler]
        if route.view_class:
            for c in self.g.mro(route.view_class):
                klass = self.g.classes.get(c)
                if klass and klass.scoped:
                    found.append(Authorization("owner", klass.location, "its queryset is filtered by the requester"))
                sources.extend(f"{c}.{m}" for m in sorted(self.g.k.object_methods))
            backend = self.filtered_by_caller(self.g.mro(route.view_class))
            if backend is not None:
                found.append(Authorization("owner", backend.location,
                                           f"its filter backend {backend.qualname.rpartition('.')[2]} filters by the requester"))
        for src in sources:
            for kind, c in self.access(src, view=route.view_class).items():
                kind, _, model = kind.partition(" ")
                if kind in ("role", "owner") or (kind == "scope" and requires_scopes):
                    found.append(Authorization(kind, c.location, c.display, model))
        return found

    def route_lookups(self, route) -> list:
        """Object lookups by a client-supplied id that ``route`` makes (in its handler, the
        helpers the handler passes the id to, or the view class's implicit fetch)."""
        lookups = self.authz_index()[0]
        out, seen = [], set()
        injected = self._injected_caller(route)

        def collect(q, depth):
            if q in seen or depth > 3:
                return
            seen.add(q)
            f = self.g.functions.get(q)
            if f is not None and any(map(proves_secret, f.evidence)):
                return  # it turns away whoever does not hold the secret the id came with (a signed invite)
            for lk in lookups.get(q, ()):
                if lk.secret or q == route.handler and ({*lk.given, lk.source.removeprefix("parameter ")} & injected):
                    continue  # filtered on the caller its authenticating decorator passes in
                if lk.model and not lk.implicit and not lk.scoped and not lk.listed:
                    out.append(self._class_model(lk, lookups))
                elif lk.via:
                    callee = self._callee(q, lk.via)
                    if callee:
                        collect(callee, depth + 1)

        collect(route.handler, 0)
        segs = [s for s in route.path.strip("/").split("/") if s]
        item = route.item if route.item is not None else bool(segs) and is_param(segs[-1])
        if route.view_class and item:
            # the fetch its class makes, unless through a query scoped to the caller (a get_queryset
            # returning ``Organization.objects.for_user(self.request.user)``)
            implicit = self.scoped_fetch(route.view_class) is None
            for c in self.g.mro(route.view_class):
                for lk in lookups.get(c, ()):
                    if lk.implicit and implicit:
                        out.append(lk)
                for m in sorted(self.g.k.object_methods):
                    collect(f"{c}.{m}", 0)
        return out

    def _injected_caller(self, route) -> set[str]:
        """The handler's parameters that an authenticating decorator of the route fills in
        (``@token_required`` calling ``f(current_user, *args, **kwargs)``: the first): the caller
        it verified."""
        f = self.g.functions.get(route.handler)
        found = set()
        for g in route.guards if f is not None else ():
            made = self.g.functions.get(self.g.canonical(g.target)) if g.effect == Effect.AUTH and g.target else None
            for slot in made.injects if made is not None else ():
                if not slot.isdigit():
                    found.add(slot)
                elif int(slot) < len(f.params):
                    found.add(f.params[int(slot)])
        return found

    def filtered_by_caller(self, mro: list[str]):
        """The filter backend of a view class (its nearest ``filter_backends``) that filters what it
        serves by the caller (``request.user.filter_readable(queryset)``), or None."""
        backends = next((v for c in map(self.g.classes.get, mro) if c for a, v in c.attrs if a == "filter_backends"), "")
        return next((self.g.classes[q] for b in backends.split(",") if b
                     and (q := self.g.canonical(b)) in self.g.classes and self.g.classes[q].scoped), None)

    def scoped_fetch(self, view_class: str):
        """The lookup scoped to the caller that a view class's object methods (``get_queryset``,
        ``get_object``, and what they call) fetch through, or None."""
        key = ("scoped fetch", view_class)
        if key not in self.g.memo:
            self.g.memo[key] = next((lk for m in sorted(self.g.k.object_methods)
                                      if (q := self.g.method_function(view_class, m)) in self.g.functions
                                      and (lk := self._scoped_within(q))), None)
        return self.g.memo[key]

    def _scoped_within(self, q: str):
        """The first query scoped to the caller that ``q`` or a project function it calls (two
        calls deep) makes, or None."""
        lookups = self.authz_index()[0]
        return next((lk for r, *_ in self.g.reachable(q, 2) for lk in lookups.get(r, ()) if lk.scoped), None)

    def _class_model(self, lk, lookups):
        """A lookup through the view class's own ``queryset``/``model`` attribute
        (``self.queryset.get(pk=pk)``) is a lookup of the model that attribute names."""
        if "." in lk.model or lk.model not in self.g.k.implicit_lookup_attrs:
            return lk
        for c in self.g.mro(lk.function.rpartition(".")[0]):
            model = next((i.model for i in lookups.get(c, ()) if i.implicit), "")
            if model:
                return replace(lk, model=model)
        return lk

    def secret_lookups(self, route) -> list:
        """Lookups that ``route``'s handler makes of a row by a secret the client presents
        (a recovery or confirmation token): whoever holds the secret is the one it was sent to."""
        return [lk for lk in self.authz_index()[0].get(route.handler, ()) if lk.secret]

    def private_model(self, model: str) -> bool:
        """The project itself restricts some query over ``model`` to the caller's rows (a
        listing filtered by the current user, a scoped ``get_queryset``)."""
        lookups = self.authz_index()[0]
        cache = getattr(self, "_private_models", None)
        if cache is None:
            cache = self._private_models = {self.g.canonical(lk.model) for lks in lookups.values() for lk in lks
                                            if lk.scoped and lk.model}
            # self.queryset.filter(user=request.user) in a base view: the models its subclasses' querysets name
            bases = {lk.function.rpartition(".")[0] for lks in lookups.values() for lk in lks
                     if lk.scoped and lk.model in self.g.k.implicit_lookup_attrs}
            for c in self.g.classes if bases else ():
                if bases & set(self.g.mro(c)):
                    cache.update(self.g.canonical(lk.model) for lk in lookups.get(c, ()) if lk.implicit)
            for c in self.g.classes.values():  # a view class whose queryset is scoped to the requester
                if c.scoped:
                    cache.update(self.g.canonical(lk.model) for lk in lookups.get(c.qualname, ()) if lk.implicit)
        return self.g.canonical(model) in cache

    def listed_to(self, model: str, route) -> bool:
        """The collection route of ``route``'s resource (its path a prefix of ``route``'s), as
        open as ``route`` and checking no role or permission, returns every row of ``model``
        unscoped: the project shows these rows to the same callers (a broadcast's nullable
        ``user_id`` is no owner), so loading one of them by id hides nothing."""
        listings = getattr(self, "_listings", None)
        if listings is None:
            listings = self._listings = {}
            for lks in self.authz_index()[0].values():
                for lk in lks:
                    if lk.listed and lk.model:
                        listings.setdefault(lk.function, set()).add(self.g.canonical(lk.model))
        model = self.g.canonical(model)
        rank = {AuthState.PUBLIC: 0, AuthState.UNPROTECTED: 0, AuthState.PROTECTED: 1}
        for r in self.g.routes:
            if r.method not in ("GET", "ANY") or model not in listings.get(r.handler, ()):
                continue
            if not route.path.startswith(r.path.rstrip("/") + "/") or route.path.rstrip("/") == r.path.rstrip("/"):
                continue  # not the collection of this item (one GraphQL endpoint serves both fields)
            if rank.get(r.auth, 1) <= rank.get(route.auth, 1) and not self.privileged(r) \
                    and not self.route_authorization(r):
                return True
        return False

    def unscoped_listings(self, route) -> list:
        """(lookup, owner fields) for the queries in ``route``'s handler that return every row
        of a model whose rows belong to users (``Order.query.all()``), where the project
        restricts another query over that model to the caller's rows: it treats the rows as
        private, and this route hands out all of them."""
        found = []
        for lk in self.authz_index()[0].get(route.handler, ()):
            if not lk.listed or "." not in lk.model or not self.private_model(lk.model):
                continue
            fields = self.owner_fields(lk.model, possession=True)
            if fields:
                found.append((lk, fields))
        return found

    def owned_lookups(self, route) -> list:
        """(lookup, owner fields) for the route's lookups of models whose rows belong to a user.
        On reads, only models that the project treats as private elsewhere count: a blog post
        has an author but is meant to be read by everyone."""
        found = []
        for lk in self.route_lookups(route):
            model = lk.model
            if "." not in model:  # self.model in a generic helper: unknown
                continue
            read = route.method in ("GET", "HEAD", "OPTIONS", "ANY")
            if read and self.listed_to(model, route):
                continue  # the project lists every row to the same callers: one of them hides nothing
            if lk.by_name:
                # an account found by the username or email the client sends and then changed, by
                # a signed-in caller (signing in, signing up and resetting a password find the
                # account by name too, on routes that do not authenticate the caller)
                if self.user_model(model) and not read and route.auth == AuthState.PROTECTED:
                    found.append((lk, [("the caller's own id", None)]))
                continue
            if self.user_model(model):
                # A user's account belongs to that user: a handler that loads one by the client's
                # id and changes it, or returns it whole. (Not a view class's implicit fetch: a
                # user directory's item route, whose writes are usually for staff.)
                if not lk.implicit and (not read or self.g.canonical(model) in
                                        {self.g.canonical(t) for t in self.g.returned_types(route.handler)}):
                    found.append((lk, [("the caller's own id", None)]))
                continue
            if any(self._tied_parent(p, route) for p in lk.parents):
                continue  # filtered by a parent the caller owns (project=self.get_project())
            fields = self.owner_fields(model, possession=read)
            if fields:
                found.append((lk, fields))
        return found

    def _tied_parent(self, function: str, route) -> bool:
        """The project function ``function`` (a method looked up on the route's view class)
        ties what it returns to the caller: it makes an ownership check, or a query scoped to
        the caller (``Project.objects.for_admin_user(self.request.user)``)."""
        cls, _, name = function.rpartition(".")
        q = (self.g.method_function(route.view_class, name) if route.view_class and cls in self.g.mro(route.view_class)
             else None) or self.g.method(self.g.canonical(function))
        if not q:
            return False
        return "owner" in {k.partition(" ")[0] for k in self.access(q, view=route.view_class)} \
            or self._scoped_within(q) is not None

    def _account_row(self, model: str) -> bool:
        """Rows of ``model`` are accounts or memberships of accounts: the user model, or a row
        that names a user or carries a role (``OrganizationMember.role``), not a name in a
        shared budget (ihatemoney's ``Person``)."""
        return self.user_model(model) or any(ROLE_FIELD.match(f) or ACCOUNT_KEY_FIELD.match(f)
                                             for f in self.g.model_fields(self.g.canonical(model)))

    def privileged(self, route) -> str:
        """Why ``route`` is a privileged operation ('' if it is not)."""
        segs = [s for s in route.path.strip("/").split("/") if s]
        words = [s.lower() for s in segs if not is_param(s)]
        if any(ADMIN_SEGMENT.match(w) for w in words):
            return "an admin route"
        write = route.method in WRITE
        if not write:
            return ""
        handler = route.handler.rpartition(".")[2].lower()
        # What the route changes is its last word (/users/{id}/roles), or a user's membership of
        # a group (/groups/{id}/members); "groups" alone is as often a tenant (/api/groups/labels).
        users = any(USER_SEGMENT.match(w) for w in words)
        if (words and ROLE_SEGMENT.match(words[-1]) and not words[-1].startswith("group")) or (
                users and any(w.startswith("group") for w in words)) or (
                PRIVILEGED_ACTION.search(handler) and (users or any(ROLE_SEGMENT.match(w) for w in words))):
            return "changes roles, permissions or account status"
        for i, s in enumerate(segs):
            if USER_SEGMENT.match(s.lower()) and any(is_param(x) for x in segs[i + 1:]):
                models = {lk.model for lk in self.route_lookups(route) if lk.model}
                if s.lower().startswith("member") and models and not any(map(self._account_row, models)):
                    return ""  # a project's members that are rows of their own (ihatemoney's Person), not accounts
                tail = [x.lower() for x in segs[i + 1:] if not is_param(x)]
                if route.method == "DELETE":
                    return "deletes another user's account or data" if tail else "deletes a user account"
                if not tail or tail[-1] in ("password", "email", "status", "profile", "settings", "role", "roles"):
                    return "changes another user's account"
                return ""
        return ""

    def read_only_guarded(self, route):
        """The guard when ``route`` changes one object (PUT, PATCH, DELETE) and is guarded only
        by a permission that authenticates writes and lets reads through, with no role or
        ownership check anywhere: any signed-in user may change anyone's object."""
        if route.method not in ("PUT", "PATCH", "DELETE") or route.auth != AuthState.PROTECTED:
            return None
        auth = [g for g in route.guards if g.effect == Effect.AUTH]
        if not auth or not all(self.guard_kind(g) == "readonly" for g in auth):
            return None
        if self.route_authorization(route):
            return None
        return auth[0]
