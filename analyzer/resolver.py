"""What a qualified name refers to across the project, for the linker (AppGraph) and its queries.

``alias`` follows re-exports and bound parameters, ``canonical`` replaces an instance by its
class, ``mro`` lists a class and its bases in order, ``method`` finds the project function a
method name reaches along them. Answers are remembered in one memo (``remembered``), which
the graph's own queries share, once the name tables are complete (``complete()``): while the
graph is still binding parameters and call results, every answer is computed afresh.
"""
from __future__ import annotations


class NameResolver:
    def __init__(self, imports, module_alias, classes, functions, instances, constants, param_alias, results,
                 provided_methods):
        # the tables are the graph's own (param_alias and results are filled while the graph is built)
        self.imports = imports
        self.module_alias = module_alias
        self.classes = classes
        self.functions = functions
        self.instances = instances
        self.constants = constants
        self.param_alias = param_alias
        self.results = results
        self.provided_methods = provided_methods
        self.memo: dict[tuple, object] | None = None

    def complete(self) -> dict[tuple, object]:
        """The name tables are complete: remember answers from now on. Returns the memo."""
        self.memo = {}
        return self.memo

    def remembered(self, kind: str, key: str, answer):
        """``answer(key)``, computed once per (kind, key) once the tables are complete."""
        memo = self.memo
        if memo is None:
            return answer(key)
        found = memo.get((kind, key))
        if found is None:
            found = memo[(kind, key)] = answer(key)
        return found

    # -- names ----------------------------------------------------------------------
    def alias(self, qname: str, depth: int = 0) -> str:
        """Follow re-exports: ``pkg.bp`` where pkg/__init__ did ``from .views import bp``."""
        if depth:
            return self._alias(qname, depth)
        return self.remembered("alias", qname, self._alias)

    def _alias(self, qname: str, depth: int = 0) -> str:
        parts = qname.split(".")
        for i in range(len(parts), 0, -1):  # a module named as a whole (``include("examples.urls")``) too
            canonical = self.module_alias.get(".".join(parts[:i]))
            if canonical:
                parts = [*canonical.split("."), *parts[i:]]
                qname = ".".join(parts)
                break
        for i in range(len(parts), 1, -1):
            head = ".".join(parts[:i])
            bound = self.param_alias.get(head) or self.results.get(head)
            if bound and depth < 20:
                return self.alias(".".join([bound, *parts[i:]]), depth + 1)
        for i in range(len(parts) - 1, 0, -1):
            table = self.imports.get(".".join(parts[:i]))
            if table is not None:
                name = ".".join(parts[:i + 1])
                if name in self.classes or name in self.functions:
                    break  # defined in the module, after the import of the same name (class ListView(ListView))
                target = table.get(parts[i]) or self._star_import(table, name, depth)
                if target and depth < 20:
                    resolved = ".".join([target, *parts[i + 1:]])
                    if resolved != qname:
                        return self.alias(resolved, depth + 1)
                break
        return qname

    def _star_import(self, table: dict, qname: str, depth: int) -> str:
        """``pkg.name`` where pkg did ``from .mod import *`` and does not define ``name``
        itself: ``pkg.mod.name``, from the first such module that has it."""
        known = (self.classes, self.functions, self.instances, self.constants)
        if depth >= 20 or any(qname in k for k in known):
            return ""
        name = qname.rpartition(".")[2]
        for key, module in table.items():
            if key[0] == "*":
                q = self.alias(f"{module}.{name}", depth + 1)
                if any(q in k for k in known):
                    return q
        return ""

    def canonical(self, qname: str) -> str:
        """Alias, then replace an instance by its class: ``auth.login_required`` on ``auth = HTTPBasicAuth()``."""
        return self.remembered("canonical", qname, self._canonical)

    def _canonical(self, qname: str) -> str:
        qname = self.alias(qname)
        parts = qname.split(".")
        for i in range(len(parts) - 1, 0, -1):
            cls = self.instances.get(".".join(parts[:i]))
            if cls:
                return ".".join([self.alias(cls), *parts[i:]])
        return qname

    def mro(self, qname: str) -> list[str]:
        return list(self.remembered("mro", qname, self._mro))

    def _mro(self, qname: str) -> list[str]:
        order, stack, seen = [], [self.alias(qname)], set()
        while stack:
            q = stack.pop(0)
            if q in seen:
                continue
            seen.add(q)
            order.append(q)
            cls = self.classes.get(q)
            if cls:
                stack[0:0] = [self.alias(b) for b in cls.bases]
        return order

    # -- methods --------------------------------------------------------------------
    def method(self, qname: str) -> str | None:
        """The project function ``qname`` names: itself, or for ``pkg.View.check`` (a
        ``self.check()`` call) the first definition of ``check`` along the class's bases."""
        if qname in self.functions:
            return qname
        cls, _, name = qname.rpartition(".")
        if cls in self.classes:
            return next((f"{c}.{name}" for c in self.mro(cls) if f"{c}.{name}" in self.functions), None)
        return None

    def super_chain(self, method: str, mro: list[str]) -> list:
        """(class, MethodFact) for each project definition that ``super().name(...)`` calls reach
        from ``method`` (``pkg.Child.dispatch``), along ``mro``, nearest first."""
        found, name = [], method.rpartition(".")[2]
        while (f := self.functions.get(method)) is not None and name in f.super_calls:
            cls = method.rpartition(".")[0]
            later = mro[mro.index(cls) + 1:] if cls in mro else []
            nxt = next(((c, mf) for c in later for mf in (self.classes[c].methods if c in self.classes else ())
                        if mf.name == name), None)
            if nxt is None:
                break
            found.append(nxt)
            method = f"{nxt[0]}.{name}"
        return found

    def find_method(self, mro: list[str], name: str):
        """(class, MethodFact) defining ``name`` first in the MRO; (class, None) when an external
        base provides it; (None, None) when nothing does."""
        for q in mro:
            cls = self.classes.get(q)
            if cls:
                for mf in cls.methods:
                    if mf.name == name:
                        return q, mf
            elif name in self.provided_methods.get(q, ()):
                return q, None
        return None, None
