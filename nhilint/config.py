"""Policy packs and project config -> one frozen Config.

Order of precedence (later wins): the policy pack (default: `default`, following `extends`), then the
project's `.nhilint.yaml` or `[tool.nhilint]` in `pyproject.toml`, then command-line options. Every file
is validated against `schemas/policy.schema.json` and its `rules:` ids against the rule registry; every
mistake of a file is reported at once (one ConfigError, one `file: key: message` line each).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from nhilint import config_memo, data_memo
from nhilint.cache_dir import default_directory
from nhilint.limits import DEFAULT_LIMITS, Limits
from nhilint.model import Severity

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

PROJECT_FILES = (".nhilint.yaml", ".nhilint.yml")
MAX_EXTENDS = 8


class ConfigError(Exception):
    """A config or policy file is wrong; the message names the file and the key. Exit code 2."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Options rules and extractors read."""

    owner_tags: tuple[str, ...] = ("owner",)
    purpose_tags: tuple[str, ...] = ("purpose",)
    expires_tags: tuple[str, ...] = ("expires",)
    retire_on_tags: tuple[str, ...] = ("retire-on",)
    owner_pattern: str | None = None
    max_expiry_days: int = 365
    known_accounts: tuple[str, ...] = ()
    unknown_severity: Severity = Severity.INFO

    @property
    def lifecycle_keys(self) -> dict[str, tuple[str, ...]]:
        return {
            "owner": self.owner_tags,
            "purpose": self.purpose_tags,
            "expires": self.expires_tags,
            "retire_on": self.retire_on_tags,
        }


@dataclass(frozen=True, slots=True)
class RuleSetting:
    enabled: bool = True
    severity: Severity | None = None


@dataclass(frozen=True, slots=True)
class Config:
    settings: Settings = field(default_factory=Settings)
    rules: MappingProxyType[str, RuleSetting] = field(default_factory=lambda: MappingProxyType({}))
    fail_on: Severity = Severity.LOW
    exclude: tuple[str, ...] = ()
    var_files: tuple[str, ...] = ()
    limits: Limits = DEFAULT_LIMITS
    policy: str = "default"
    today: date = field(default_factory=date.today)
    sources: tuple[str, ...] = ()

    def rule(self, rule_id: str) -> RuleSetting:
        return self.rules.get(rule_id, RuleSetting())

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(config_memo.schema_text())
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate(data: Any, origin: str, *, memo: bool = True) -> dict[str, Any]:
    """Validate one config/policy mapping against the schema and the rule registry.

    Raise one ConfigError listing every problem as `origin: key: message`, in the order of the keys.
    `memo`: trust and write the record of configs that passed before (nhilint/config_memo.py); `--no-cache`
    turns it off, as it does the parse cache.
    """
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: expected a mapping at the top level, got {type(data).__name__}")
    problems = [] if memo and config_memo.known_valid(data) else _schema_problems(data, memo)
    problems.extend(
        (f"rules.{rule_id}", "unknown rule id (`nhilint rules` lists them)")
        for rule_id in unknown_rule_ids(data.get("rules"))
    )
    if problems:
        raise ConfigError("\n".join(f"{origin}: {key}: {message}" for key, message in problems))
    return data


def _schema_problems(data: dict[str, Any], remember: bool) -> list[tuple[str, str]]:
    """jsonschema's verdict, as (key, message); a clean one is remembered (nhilint/config_memo.py)."""
    problems: list[tuple[str, str]] = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message)):
        key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        message = error.message
        if error.validator == "additionalProperties":
            message = message.replace("Additional properties are not allowed", "unknown key")
        problems.append((key, message))
    if not problems and remember:
        config_memo.remember_valid(data)
    return problems


def unknown_rule_ids(rules: Any) -> list[str]:
    """The `NHI-…` ids under `rules:` that no rule has (checkov's `CKV_…` ids are checked by checkov).

    The registry is imported here, not at module import; it names the ids without importing any rule.
    """
    if not isinstance(rules, dict):
        return []
    candidates = [k for k in rules if isinstance(k, str) and _RULE_ID.match(k)]
    if not candidates:
        return []
    from nhilint.rules import RULE_IDS  # the registry's list: no rule module is imported

    return [rule_id for rule_id in candidates if rule_id not in RULE_IDS]


_RULE_ID = re.compile(r"^NHI-[A-Z0-9]+-[0-9]{3}$")


def policy_folder() -> Traversable:
    """The built-in policy packs: `nhilint/policies` in an installed wheel, `policies/` in a checkout.

    Every run reads one, so importlib.resources (about 4 ms to import) is used only when the package is
    neither (a zip import)."""
    import importlib.util

    here = Path(__file__).resolve().parent
    if (here / "policies").is_dir():
        return here / "policies"
    if importlib.util.find_spec("nhilint.policies") is None:  # a checkout or an editable install (setuptools
        return here.parent / "policies"  # maps only top-level packages there)
    from importlib import resources

    return resources.files("nhilint.policies")


def builtin_policies() -> list[str]:
    return sorted(p.name[:-5] for p in policy_folder().iterdir() if p.name.endswith(".yaml"))


def _read_policy(name_or_path: str, bases: list[Path], memo: bool) -> tuple[dict[str, Any], str, Path | None]:
    """A pack by path (relative: to each of `bases` in turn) or by built-in name; with the pack's folder."""
    given = Path(name_or_path)
    candidates = [given] if given.is_absolute() else [base / given for base in bases]
    candidate = next((c for c in candidates if c.is_file()), candidates[0])
    if name_or_path.endswith((".yaml", ".yml")) or candidate.is_file():
        if not candidate.is_file():
            looked = " or ".join(str(c) for c in candidates)
            raise ConfigError(f"policy file {name_or_path} does not exist (looked for {looked})")
        return _load_yaml(candidate, memo), str(candidate), candidate.parent
    resource = policy_folder().joinpath(f"{name_or_path}.yaml")
    if not resource.is_file():
        known = ", ".join(builtin_policies())
        raise ConfigError(f"unknown policy {name_or_path!r} (built-in policies: {known})")
    origin = f"policies/{name_or_path}.yaml"
    # Built-in packs are validated by the test suite; skipping jsonschema here keeps pre-commit runs fast.
    return data_memo.yaml(resource.read_text(), _memo_directory(memo), data_memo.safe_yaml) or {}, origin, None


def _load_yaml(path: Path, memo: bool) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None

    def parse(text: str) -> Any:
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path}: cannot read: {exc}") from None

    return validate(data_memo.yaml(text, _memo_directory(memo), parse), str(path), memo=memo)


def _memo_directory(memo: bool) -> Path | None:
    """Where YAML already read is kept as JSON (nhilint/data_memo.py): `--no-cache` turns it off, as the rest."""
    return default_directory() if memo else None


def _policy_chain(name: str, base: Path, named_in: str | None, memo: bool) -> list[tuple[dict[str, Any], str]]:
    """The pack `name` and the packs it extends, base first. `named_in`: the `file: key` that named it."""
    chain: list[tuple[dict[str, Any], str]] = []
    bases = [base]  # a pack's own `extends` is read from its folder first, as tsconfig and ESLint do
    current: str | None = name
    referrer = named_in
    while current:
        if len(chain) >= MAX_EXTENDS:
            raise ConfigError(f"{referrer}: `extends` is nested more than {MAX_EXTENDS} deep")
        try:
            data, origin, folder = _read_policy(current, bases, memo)
        except ConfigError as exc:
            raise ConfigError(f"{referrer}: {exc}" if referrer else str(exc)) from None
        chain.append((data, origin))
        if folder is not None:
            bases = [folder, base]
        current = data.get("extends")
        referrer = f"{origin}: extends"
    return list(reversed(chain))


def find_project_config(root: Path) -> Path | None:
    for name in PROJECT_FILES:
        if (root / name).is_file():
            return root / name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        import tomllib  # only with a pyproject.toml: ~2 ms a run otherwise

        try:
            if "nhilint" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}):
                return pyproject
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{pyproject}: cannot read: {exc}") from None
    return None


def _read_project(path: Path, memo: bool) -> dict[str, Any]:
    if path.name == "pyproject.toml":
        import tomllib

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("nhilint", {})
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read: {exc}") from None
        return validate(data, f"{path} [tool.nhilint]", memo=memo)
    return _load_yaml(path, memo)


def load_config(root: Path, config_path: Path | None = None, policy: str | None = None, *, memo: bool = True) -> Config:
    """Build the Config for a scan rooted at `root` (`memo`: see `validate`)."""
    project_path = config_path or find_project_config(root)
    if config_path is not None and not config_path.is_file():
        raise ConfigError(f"config file {config_path} does not exist")
    project = _read_project(project_path, memo) if project_path else {}
    base = project_path.parent if project_path else root
    policy_name = policy or project.get("policy") or "default"
    named_in = f"{project_path}: policy" if not policy and project.get("policy") and project_path else None
    layers = [*_policy_chain(policy_name, base, named_in, memo)]
    if project_path:
        layers.append((project, str(project_path)))
    return _merge(layers, policy_name, root)


def _existing_var_files(names: list[str], root: Path, origin: str) -> list[str]:
    """`var_files` (relative to the scan root), each an existing file, as `--var-file` requires: a missing one
    is a config error naming the file and key, never a silently unset variable."""
    for name in names:
        path = root / name
        if not path.is_file():
            problem = "is not a file" if path.exists() else "does not exist"
            raise ConfigError(f"{origin}: var_files: {name} {problem} (var files are relative to the scan root)")
    return names


def _merge(layers: list[tuple[dict[str, Any], str]], policy_name: str, root: Path) -> Config:
    settings: dict[str, Any] = {}
    rules: dict[str, RuleSetting] = {}
    fail_on = Severity.LOW
    exclude: list[str] = []
    var_files: list[str] = []
    limits: dict[str, Any] = {}
    for data, origin in layers:
        settings.update(data.get("settings", {}))
        for rule_id, value in data.get("rules", {}).items():
            current = rules.get(rule_id, RuleSetting())
            if isinstance(value, bool):
                rules[rule_id] = replace(current, enabled=value)
            else:
                severity = value.get("severity")
                rules[rule_id] = RuleSetting(
                    value.get("enabled", current.enabled),
                    Severity.parse(severity) if severity else current.severity,
                )
        if "fail_on" in data:
            fail_on = Severity.parse(data["fail_on"])
        exclude.extend(data.get("exclude", []))
        var_files.extend(_existing_var_files(data.get("var_files", []), root, origin))
        limits.update(data.get("limits", {}))
    converted: dict[str, Any] = {}
    for key, value in settings.items():
        if key == "unknown_severity":
            converted[key] = Severity.parse(value)
        elif isinstance(value, list):
            converted[key] = tuple(value)
        else:
            converted[key] = value
    return Config(
        settings=Settings(**converted),
        rules=MappingProxyType(rules),
        fail_on=fail_on,
        exclude=tuple(exclude),
        var_files=tuple(var_files),
        limits=Limits.from_mapping(limits) if limits else DEFAULT_LIMITS,
        policy=policy_name,
        sources=tuple(origin for _, origin in layers),
    )
