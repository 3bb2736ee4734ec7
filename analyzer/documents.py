"""Inputs beyond Python: OpenAPI (Swagger) documents, read as data and never executed.

Discovery lists ``.yaml``/``.yml``/``.json`` files beside the Python files and keeps those whose
first bytes declare a top-level ``openapi`` or ``swagger`` key (``looks_like_spec``), so a big
project's other JSON and YAML is never read whole. A kept file is then an input like a module:
its text is cached and invalidated by content, and ``extract_document`` turns it into facts
in the same worker as a Python file.

Reading is bounded, because the tree is attacker-controlled: the file size is capped by
discovery (``max-file-size``), YAML is read with the safe loader only (no Python tags), the
node graph that aliases build is measured before anything walks it (a "billion laughs"
document, whose few nodes expand to billions, is refused, and so is a recursive alias), and
a ``$ref`` is followed only inside the same document (``#/components/...``), with a depth
bound and cycle protection: a remote or file ``$ref`` is never opened.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from . import proxies
from .facts import Location

SPEC_SUFFIXES = (".yaml", ".yml", ".json")
PEEK_BYTES = 8192
# A top-level key, in YAML (at column 0) or JSON (anywhere in the first bytes: JSON is read whole
# only when one is there).
_SPEC_KEY = re.compile(rb'(?m)^(?:openapi|swagger)\s*:|"(?:openapi|swagger)"\s*:')
MAX_NODES = 200_000  # nodes of the document once its aliases are expanded
MAX_DEPTH = 200  # nesting of the document
MAX_REF_DEPTH = 32  # $refs followed one through another
_PLACEHOLDER = re.compile(r"\{\{([^{}\n]{0,200})\}\}")
HTTP_VERBS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class DocumentError(ValueError):
    """A document that is not read (malformed, too big once expanded, nested too deeply)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message, self.line = message, line


def is_document(path: str) -> bool:
    """Whether ``path`` is a non-Python input (by name; its content decides whether it is one):
    an OpenAPI document or a reverse-proxy configuration (analyzer/proxies.py)."""
    return path.lower().endswith(SPEC_SUFFIXES) or proxies.is_proxy_config(path)


def looks_like_spec(head: bytes) -> bool:
    """Whether the first bytes of a file declare an OpenAPI or Swagger document."""
    return _SPEC_KEY.search(head[:PEEK_BYTES]) is not None


def looks_like_input(path: str, head: bytes) -> bool:
    """Whether a document's first bytes make it an input: an OpenAPI document, or an nginx
    configuration (a project's other YAML, JSON and .conf files are never read whole)."""
    if proxies.is_proxy_config(path):
        return proxies.looks_like_proxy_config(head[:PEEK_BYTES])
    return looks_like_spec(head)


@dataclass
class SpecDocument:
    """The typed context that adapters read for an OpenAPI/Swagger document: its data, and the
    line of each operation (``lines[(path, verb)]``)."""

    path: str  # project-relative file
    data: dict
    lines: dict = field(default_factory=dict)
    version: str = ""  # "3.0.3", "2.0"

    def loc(self, line: int = 1) -> Location:
        return Location(self.path, max(line, 1))

    def resolve(self, value, _depth: int = 0, _seen: frozenset = frozenset()):
        """``value`` with a local ``{"$ref": "#/a/b"}`` replaced by what it names (one level: the
        result may hold further $refs); None for a $ref that is remote, missing, cyclic or
        nested deeper than MAX_REF_DEPTH."""
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            ref = value["$ref"]
            if not ref.startswith("#/") or ref in _seen or _depth >= MAX_REF_DEPTH:
                return None
            _seen, _depth = _seen | {ref}, _depth + 1
            node = self.data
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                node = node.get(part) if isinstance(node, dict) else None
                if node is None:
                    return None
            value = node
        return value

    def operations(self):
        """(path, verb, operation object, path item) for every operation under ``paths``."""
        paths = self.resolve(self.data.get("paths"))
        if not isinstance(paths, dict):
            return
        for path, item in paths.items():
            item = self.resolve(item)
            if not isinstance(path, str) or not isinstance(item, dict):
                continue
            for verb in HTTP_VERBS:
                op = self.resolve(item.get(verb))
                if isinstance(op, dict):
                    yield path, verb, op, item

    def prefixes(self) -> tuple[str, ...]:
        """The path prefixes the document's servers (OpenAPI 3) or basePath (Swagger 2) put
        before every path: ``/api/v1``; ("",) when none."""
        found = []
        base = self.data.get("basePath")
        if isinstance(base, str):
            found.append(base.rstrip("/"))
        for server in self.data.get("servers") or () if isinstance(self.data.get("servers"), list) else ():
            url = server.get("url") if isinstance(server, dict) else None
            if isinstance(url, str):
                path = re.sub(r"^[^/]*://[^/]*", "", url) if "://" in url else url  # also {scheme}://{host}
                found.append(path.split("?")[0].rstrip("/"))
        return tuple(dict.fromkeys(found)) or ("",)


def load(path: str, text: str) -> SpecDocument:
    """The document in ``text`` (JSON or YAML); raises DocumentError when it is not read.

    Connexion renders a document as a Jinja2 template before reading it (``add_api(...,
    arguments=...)``): a ``{{ NAME }}`` placeholder is read as the text ``NAME``, on the same line."""
    if "{{" in text:
        text = _PLACEHOLDER.sub(lambda m: re.sub(r"[^\w.-]", "_", m.group(1).strip()) or "_", text)
    if path.lower().endswith(".json"):
        data, lines = _load_json(text)
    else:
        data, lines = _load_yaml(text)
    if not isinstance(data, dict):
        raise DocumentError("not an OpenAPI document: its top level is not a mapping")
    version = data.get("openapi") or data.get("swagger")
    if version is None:
        raise DocumentError("not an OpenAPI document: no top-level openapi or swagger key")
    return SpecDocument(path, data, lines, str(version))


def _load_json(text: str):
    try:
        data = json.loads(text)
    except RecursionError:
        raise DocumentError(f"not read: nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as e:
        raise DocumentError(f"not valid JSON: {getattr(e, 'msg', e)}", getattr(e, "lineno", 0)) from None
    _depth_ok(data)
    lines = {}
    paths = data.get("paths") if isinstance(data, dict) else None
    if isinstance(paths, dict):  # the line of each operation: its path key, then its verb key after it
        for p, item in paths.items():
            m = re.search(r'"%s"\s*:' % re.escape(json.dumps(p)[1:-1]), text)
            if not m or not isinstance(item, dict):
                continue
            line = text.count("\n", 0, m.start()) + 1
            for verb in item:
                v = re.compile(r'"%s"\s*:' % re.escape(verb)).search(text, m.end())
                lines[(p, verb)] = text.count("\n", 0, v.start()) + 1 if v else line
    return data, lines


def _depth_ok(data) -> None:
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise DocumentError(f"not read: nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _load_yaml(text: str):
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise DocumentError("not an OpenAPI document: empty")
        _measure(node)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        raise DocumentError(f"not valid YAML: {e.problem or e.context}", mark.line + 1 if mark else 0) from None
    except yaml.YAMLError as e:
        raise DocumentError(f"not valid YAML: {str(e)[:120]}") from None
    except RecursionError:
        raise DocumentError(f"not read: nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()
    lines = {}
    paths = _child(node, "paths")
    if paths is not None:
        for key, item in paths.value:
            ref = _ref_node(node, item)  # a path item kept under components: its operations' lines there
            for verb, _ in (ref or item).value if isinstance(ref or item, yaml.MappingNode) else ():
                lines[(key.value, verb.value)] = verb.start_mark.line + 1
    return data, lines


def _ref_node(root, item):
    """The node a path item's local ``$ref`` names (one step), else None."""
    import yaml

    if not isinstance(item, yaml.MappingNode):
        return None
    ref = next((v.value for k, v in item.value if k.value == "$ref" and isinstance(v, yaml.ScalarNode)), "")
    if not ref.startswith("#/"):
        return None
    node = root
    for part in ref[2:].split("/"):
        node = _child(node, part.replace("~1", "/").replace("~0", "~"))
        if node is None:
            return None
    return node


def _child(node, key: str):
    import yaml

    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.MappingNode):
                return v
    return None


def _measure(root) -> None:
    """Refuse a node graph whose aliases expand it past MAX_NODES nodes (an alias is the same
    node object met again), that refers to itself, or that nests past MAX_DEPTH. Iterative,
    with the expanded size of each node memoized, so the measure itself stays linear."""
    import yaml

    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack = [(root, False, 0)]
    while stack:
        node, done, depth = stack.pop()
        key = id(node)
        children = [] if isinstance(node, yaml.ScalarNode) else \
            [x for pair in node.value for x in pair] if isinstance(node, yaml.MappingNode) else list(node.value)
        if done:
            on_path.discard(key)
            total = 1 + sum(size[id(c)] for c in children)
            if total > MAX_NODES:
                raise DocumentError(f"not read: its aliases expand it to more than {MAX_NODES:,} nodes "
                                    f"(a YAML bomb?)", node.start_mark.line + 1)
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            raise DocumentError("not read: a YAML alias refers to a node that contains it", node.start_mark.line + 1)
        if depth > MAX_DEPTH:
            raise DocumentError(f"not read: nested more than {MAX_DEPTH} levels deep", node.start_mark.line + 1)
        on_path.add(key)
        stack.append((node, True, depth))
        stack.extend((c, False, depth + 1) for c in children if id(c) not in size)


def _requirement(value) -> tuple[tuple[str, ...], ...] | None:
    """A ``security`` value as alternatives of scheme names; None when it is not a list."""
    if not isinstance(value, list):
        return None
    return tuple(tuple(sorted(str(k) for k in alt)) if isinstance(alt, dict) else () for alt in value)


def spec_facts(doc: SpecDocument, sink, knowledge) -> None:
    """The neutral facts of a document: its operations, prefixes, security and schemes. How a
    scheme's credential is verified and which extension binds a controller are the adapters'
    tables (``spec_verifiers``, ``spec_controllers``)."""
    from .facts import SpecInfo, SpecOperation

    data = doc.data
    components = doc.resolve(data.get("components")) if isinstance(data.get("components"), dict) else {}
    declared = doc.resolve((components or {}).get("securitySchemes")) or doc.resolve(data.get("securityDefinitions"))
    schemes = []
    for name, scheme in (declared or {}).items() if isinstance(declared, dict) else ():
        scheme = doc.resolve(scheme)
        if not isinstance(scheme, dict):
            continue
        how = next((f"{key}={scheme[key]}" for key in sorted(knowledge.spec_verifiers)
                    if isinstance(scheme.get(key), str)), "")
        if not how:
            flows = scheme.get("flows") if isinstance(scheme.get("flows"), dict) else {}
            if any(isinstance(f, dict) and f.get("x-tokenInfoUrl") for f in flows.values()) or scheme.get("x-tokenInfoUrl"):
                how = "x-tokenInfoUrl"
        if not how:  # verified by a function named outside the document (an environment variable)
            kind = f"{scheme.get('type')}/{str(scheme.get('scheme', '')).lower()}"
            variable = knowledge.spec_env_verifiers.get(kind) or knowledge.spec_env_verifiers.get(kind.split("/")[0])
            how = f"env:{variable}" if variable else ""
        schemes.append((str(name), str(scheme.get("type", "")), how))
    sink.spec_infos.append(SpecInfo(doc.path, doc.version, doc.loc(1), doc.prefixes(),
                                    _requirement(data.get("security")) or (), tuple(schemes)))
    controllers = sorted(knowledge.spec_controllers)
    for path, verb, op, item in doc.operations():
        controller = next((str(x[key]) for x in (op, item) for key in controllers if isinstance(x.get(key), str)), "")
        op_id = op.get("operationId")
        sink.spec_operations.append(SpecOperation(
            doc.path, path, verb.upper(), op_id if isinstance(op_id, str) else "",
            doc.loc(doc.lines.get((path, verb), 1)), controller, _requirement(op.get("security"))))
