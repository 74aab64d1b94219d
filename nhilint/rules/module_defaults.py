"""A reusable module scanned on its own is evaluated with its variables' defaults: said once per module.

A directory that no scanned directory calls, with no provider block and no tfvars, is a reusable module
(`modules/iam-role`), not a deployment. nhilint evaluates it with its variables' defaults and types; its
required variables (no default) stay unknown, and so does every value written with them. This note says so
once per module and names those variables. A variable that leaves several values unknown has them folded
into this note rather than into an NHI-PARSE-008 finding of its own (a single unknown value stays its own
finding, as NHI-PARSE-008 does), so the same variable is never summarised twice.

Anti-pattern: none; this is a note. Scan the module through a caller (an `examples/` root that calls it with
a local source) or pass values (`--var-file`, `-var`) to evaluate it as it is deployed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule
from nhilint.rules.input_problem import problems


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    return problems(rule, ctx, "module-defaults", "reusable module in")


def module_of(path: str) -> str:
    return PurePosixPath(path).parent.as_posix()


def absorb(
    findings: list[Finding], groups: dict[tuple[str, int, str], list[Finding]], severity: Severity
) -> list[Finding]:
    """`findings` with the note of each reusable module that `groups` (unknowns by variable declaration) has
    members for, rebuilt to count them; the groups it absorbs are removed from `groups`."""
    notes = {module_of(f.location.path): f for f in findings if f.rule_id == RULE.id}
    absorbed: dict[str, list[tuple[str, list[Finding]]]] = {}
    for key in [k for k in sorted(groups) if module_of(k[0]) in notes and len(groups[k]) > 1]:  # as NHI-PARSE-008
        absorbed.setdefault(module_of(key[0]), []).append((key[2], groups.pop(key)))
    if not absorbed:
        return findings
    rebuilt = {id(notes[d]): _with_unknowns(notes[d], members, severity) for d, members in absorbed.items()}
    return [rebuilt.get(id(f), f) for f in findings]


def _with_unknowns(note: Finding, members: list[tuple[str, list[Finding]]], severity: Severity) -> Finding:
    values = sum(len(group) for _, group in members)
    names = ", ".join(f"var.{name}" for name, _ in members)
    message = f"{note.message}; {values} value{'s' if values != 1 else ''} could not be evaluated because of {names}"
    places = {f"{f.rule_id} {f.location.path}:{f.location.start_line}" for _, group in members for f in group}
    evidence = "; ".join(sorted(places))
    return RULE.finding(message, note.location, None, f"{note.evidence}; {evidence}", unknown=True, severity=severity)


RULE = Rule(
    "NHI-PARSE-009",
    "module-defaults",
    Severity.INFO,
    "NHI6",
    "Reusable module evaluated with its variables' defaults",
    check,
)
