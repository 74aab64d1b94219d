"""Variable files (`terraform.tfvars`, `*.auto.tfvars[.json]`, `--var-file`): literal values, read within limits.

tfvars values may not reference anything, so they are evaluated against an empty scope. Every problem (a
syntax error, a limit, a repeated variable) becomes a ParseError naming the token type, limit or key, never
the file's text: tfvars are where secrets live.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nhilint.limits import Limits
from nhilint.model import ParseError, Unknown
from nhilint.parse import hcl
from nhilint.parse.hcl_eval import Budget, Evaluator, Nesting
from nhilint.parse.tfjson import JsonSyntaxError, load_json
from nhilint.values import stamp_path


def read_tfvars(path: Path, rel: str, limits: Limits, errors: list[ParseError]) -> dict[str, Any]:
    """The variables a tfvars file sets; problems are appended to `errors` (the file then sets nothing)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.name.endswith(".json"):
            data = load_json(text, limits)
            return dict(data) if isinstance(data, dict) else {}
        body = hcl.parse_hcl(text, limits=limits)
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


class _EmptyScope:
    """tfvars files may not reference anything."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def resolve(self, name: str, steps: list[Any], line: int) -> Any:
        return Unknown(f"{name} on line {line}: tfvars values must be literals")

    def read_file(self, path: str) -> str | Unknown:
        return Unknown("file() in tfvars")
