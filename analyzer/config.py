"""``[tool.routeguard]`` in pyproject.toml, merged with CLI overrides into a frozen Config."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

LEVELS = ("note", "warning", "error")
DEFAULT_EXCLUDE = (
    ".git", ".hg", ".venv", "venv", ".env", "env", ".tox", ".nox", "node_modules", "__pycache__",
    "build", "dist", "site-packages", ".routeguard_cache", ".mypy_cache", ".pytest_cache",
)
# Code that is not deployed: skipped unless default-excludes = false.
DEFAULT_EXCLUDE_GLOBS = ("tests", "test", "testing", "testproject", "test_project", "migrations", "test_*.py", "*_test.py",
                         "conftest.py")


class ConfigError(Exception):
    """A bad configuration key or value; the message names the key."""


@dataclass(frozen=True)
class Config:
    select: tuple[str, ...] = ("RG",)
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    auth_decorators: tuple[str, ...] = ()
    public_routes: tuple[str, ...] = ()
    default_public_routes: bool = True
    default_excludes: bool = True
    fail_on: str = "warning"
    # Field names (or globs) that are also sensitive (never sent to clients) / privileged
    # (never set by clients) / personal data (reported at a lower severity), on top of the
    # built-in vocabulary (routeguard.fields).
    sensitive_fields: tuple[str, ...] = ()
    privileged_fields: tuple[str, ...] = ()
    # Files larger than this (bytes) are not read; each is reported as RG000.
    max_file_size: int = 1_000_000
    personal_fields: tuple[str, ...] = ()
    # RG101 also reports unauthenticated reads of data that no user owns and that holds
    # nothing sensitive ("public read" in the route inventory).
    report_public_reads: bool = False
    # The web address of the scanned tree's files (``https://git.example.com/team/app/blob/main``): the
    # HTML route map links each file:line to <link-base>/<file>#L<line> as well.
    link_base: str = ""
    # A baseline file (routeguard baseline create): scan reports only findings not in it.
    # Relative to the pyproject.toml that sets it.
    baseline: str = ""
    # semgrep rule files or directories (scan --semgrep-rules), relative to the pyproject.toml
    semgrep_rules: tuple[str, ...] = ()
    semgrep_only_unprotected: bool = False

    @property
    def excludes(self) -> tuple[str, ...]:
        return self.exclude + (DEFAULT_EXCLUDE_GLOBS if self.default_excludes else ())

    def enabled(self, rule_id: str) -> bool:
        def matches(prefixes):
            return max((len(p) for p in prefixes if rule_id.startswith(p)), default=-1)
        return matches(self.select) > matches(self.ignore)


PATH_KEYS = ("baseline",)
_KEYS = {f.name.replace("_", "-"): f for f in fields(Config)}


def check_value(key: str, value, label: str | None = None):
    """The validated value of one setting; errors name ``label`` (the config key, or a CLI flag)."""
    name = key.replace("-", "_")
    label = label or f"[tool.routeguard] {key}"
    if name in ("default_public_routes", "default_excludes", "report_public_reads", "semgrep_only_unprotected"):
        if not isinstance(value, bool):
            raise ConfigError(f"{label}: expected true or false, got {value!r}")
        return value
    if name == "max_file_size":
        if type(value) is not int or value < 1:
            raise ConfigError(f"{label}: expected a number of bytes, got {value!r}")
        return value
    if name == "link_base":
        if not isinstance(value, str) or not value.startswith(("https://", "http://")) or any(
                c.isspace() or c in "\"'<>" for c in value):
            raise ConfigError(f"{label}: expected an http(s) address, got {value!r}")
        return value
    if name == "fail_on":
        if value not in LEVELS:
            raise ConfigError(f"{label}: expected one of {', '.join(LEVELS)}, got {value!r}")
        return value
    if name in PATH_KEYS:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{label}: expected a file path, got {value!r}")
        return value
    if isinstance(value, str):
        value = [value] if value.strip() or name != "select" else []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{label}: expected a list of strings, got {value!r}")
    if name in ("select", "ignore"):
        value = [v.strip().upper() for v in value]
        known = known_ids()
        bad = [v for v in value if not any(k.startswith(v) for k in known) or not v.startswith("RG")]
        if bad:
            raise ConfigError(f"{label}: {bad[0]!r} is not a check id or prefix (such as RG1 or RG101); "
                              f"`routeguard rules` lists them")
        if name == "select" and not value:
            raise ConfigError(f"{label}: selects no check (leave it out to run every check)")
    return tuple(value)


def known_ids() -> tuple[str, ...]:
    """The ids of every check (the checks are a plugin package, loaded on first use)."""
    from routeguard.checks.base import all_checks

    return tuple(c.id for c in all_checks())


def from_mapping(table: dict, base: Config | None = None) -> Config:
    """Validate a ``[tool.routeguard]`` table (kebab-case keys)."""
    values = {}
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"[tool.routeguard] unknown key {key!r} (known keys: {known})")
        values[key.replace("-", "_")] = check_value(key, value)
    return replace(base or Config(), **values)


def find_pyproject(start: Path, root: Path) -> Path | None:
    """The nearest pyproject.toml with a [tool.routeguard] table, from ``start`` up to ``root``."""
    start = start.resolve()
    root = root.resolve()
    for d in [start, *start.parents]:
        candidate = d / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
                raise ConfigError(f"{candidate}: cannot read: {e}") from e
            tool = data.get("tool", {})
            if not isinstance(tool, dict):
                raise ConfigError(f"{candidate}: [tool] must be a table, not {type(tool).__name__}")
            if "routeguard" in tool:
                return candidate
        if d == root or root not in d.parents:
            break
    return None


def load(pyproject: Path | None) -> Config:
    if pyproject is None:
        return Config()
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{pyproject}: cannot read: {e}") from e
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{pyproject}: [tool] must be a table, not {type(tool).__name__}")
    table = tool.get("routeguard", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{pyproject}: [tool.routeguard] must be a table")
    cfg = from_mapping(table)
    paths = {k: str(pyproject.parent / getattr(cfg, k)) for k in PATH_KEYS if getattr(cfg, k)}
    if cfg.semgrep_rules:
        paths["semgrep_rules"] = tuple(str(pyproject.parent / p) for p in cfg.semgrep_rules)
    return replace(cfg, **paths)
