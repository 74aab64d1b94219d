"""Variable files (`terraform.tfvars`, `*.auto.tfvars[.json]`, `--var-file`): literal values, read within limits.

tfvars values may not reference anything, so they are evaluated against an empty scope. Every problem (a
syntax error, a limit, a repeated variable) becomes a ParseError naming the token type, limit or key, never
the file's text: tfvars are where secrets live.

An HCL tfvars file goes through the parse cache like any other file (a pre-commit run reads the root's
`terraform.tfvars` every time), under its own key and with a stricter test of what may be written: besides
the cache's own (a secret in the text, a literal under a secret-bearing name), nothing is stored for a file
that sets a variable its module declares sensitive, whatever the variable's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nhilint.limits import Limits
from nhilint.model import Unknown
from nhilint.model_inputs import ParseError
from nhilint.parse import hcl
from nhilint.parse.cache import ParseCache, holds_secret
from nhilint.parse.hcl_eval import Budget, Evaluator, Nesting
from nhilint.parse.tfjson_values import JsonSyntaxError, load_json
from nhilint.values import stamp_path


def read_tfvars(
    path: Path,
    rel: str,
    limits: Limits,
    errors: list[ParseError],
    cache: ParseCache | None = None,
    module: Iterable[hcl.Body] = (),
) -> dict[str, Any]:
    """The variables a tfvars file sets; problems are appended to `errors` (the file then sets nothing).

    `cache`: the scan's parse cache (None: none); `module`: the bodies of the root module's files, whose
    sensitive variables a cached file must not set.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.name.endswith(".json"):
            data = load_json(text, limits)
            return dict(data) if isinstance(data, dict) else {}
        body = _parse(text, limits, cache, module)
    except (hcl.HclSyntaxError, JsonSyntaxError) as exc:
        line = exc.line if isinstance(exc, hcl.HclSyntaxError) else exc.lineno
        errors.append(ParseError(rel, line, exc.reason))
        return {}
    except hcl.HclLimitError as exc:
        errors.append(ParseError(rel, exc.line, exc.reason, "limit"))
        return {}
    except UnicodeDecodeError:
        errors.append(ParseError(rel, 1, "cannot read variables: not UTF-8 text"))
        return {}
    except OSError as exc:
        errors.append(ParseError(rel, 1, f"cannot read variables: {exc.strerror or type(exc).__name__}"))
        return {}
    errors.extend(ParseError(rel, line, reason, kind) for line, kind, reason in body.problems)

    def report(line: int, reason: str) -> None:
        if (error := ParseError(rel, line, reason, "limit")) not in errors:
            errors.append(error)

    evaluator = Evaluator(_EmptyScope(Budget(limits, report, Nesting())))
    return {name: stamp_path(evaluator.eval(attr.expr), rel) for name, attr in body.attributes.items()}


def _parse(text: str, limits: Limits, cache: ParseCache | None, module: Iterable[hcl.Body]) -> hcl.Body:
    """The parsed text, from the cache when it holds it; stored there unless it may hold a secret."""
    if cache is None:
        return hcl.parse_hcl(text, limits=limits)
    sensitive = sensitive_variables(module)

    def refuse(source: str, body: hcl.Body) -> bool:
        return bool(sensitive & body.attributes.keys()) or holds_secret(source, body)

    tfvars_cache = cache.variant("tfvars", refuse)
    body = tfvars_cache.get(text)
    if body is None:
        body = hcl.parse_hcl(text, limits=limits)
        tfvars_cache.put(text, body)
    return body


def sensitive_variables(bodies: Iterable[hcl.Body]) -> set[str]:
    """Variables declared with `sensitive` set to anything but a literal false (unevaluated: fail closed)."""
    names: set[str] = set()
    for body in bodies:
        for block in body.blocks_of("variable"):
            marked = block.body.attributes.get("sensitive") if block.labels else None
            if marked is not None and not (isinstance(marked.expr, hcl.Literal) and marked.expr.value is False):
                names.add(block.labels[0])
    return names


class _EmptyScope:
    """tfvars files may not reference anything."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def resolve(self, name: str, steps: list[Any], line: int) -> Any:
        return Unknown(f"{name} on line {line}: tfvars values must be literals")

    def read_file(self, path: str) -> str | Unknown:
        return Unknown("file() in tfvars")
