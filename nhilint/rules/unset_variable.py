"""A root variable with no default and no value makes values unknown: it is reported once, where it is declared.

A Terraform root module scanned without its tfvars leaves each variable that has no default unknown, and
every owner tag, trust policy or grant written with it "could not be evaluated". Reported one by one, one
missing `-var` becomes dozens of lines; so when a variable leaves more than one value unknown, its "could not
evaluate" findings are folded into one finding at the `variable` block, which counts and names what it left
unknown (a single one stays as it is: it already names the variable and where it is declared). Nothing is
assumed: the values stay unknown until a value is given. In a reusable module scanned on its own, the
module's NHI-PARSE-009 note names its required variables, and their unknown values fold into that note.

Anti-pattern::

    variable "owner" { type = string }          # no default, and no terraform.tfvars beside it

Best practice: pass the values the deployment uses: `nhilint scan --var-file prod.tfvars` or
`nhilint scan -var owner=team-payments`, or add `var_files:` to `.nhilint.yaml`. Disable this rule to see
each unknown value as its own finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nhilint.config import Config
from nhilint.model import Finding, Location, Severity
from nhilint.rules import module_defaults
from nhilint.rules.base import Context, Rule

# The reason nhilint.parse.terraform.instance gives a root variable without a value.
_UNSET_RE = re.compile(
    r"var\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*) has no default and no value in the scanned tfvars"
    r" \(declared at (?P<path>[^()]+):(?P<line>\d+)\)"
)
_WHAT_RE = re.compile(r"could not evaluate (?P<what>.+?): ")
_NAMED = 3  # how many of the values left unknown the message names


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    """Nothing of its own: its findings are the groups `fold` makes of the other rules' findings."""
    return iter(())


def fold(findings: list[Finding], config: Config) -> list[Finding]:
    """Every "could not evaluate" finding caused by one unset root variable, replaced by one finding for it."""
    if not config.rule(RULE.id).enabled:
        return findings
    kept: list[Finding] = []
    groups: dict[tuple[str, int, str], list[Finding]] = {}
    for finding in findings:
        match = _UNSET_RE.search(finding.message) if finding.unknown else None
        if match is None:
            kept.append(finding)
        else:
            groups.setdefault((match["path"], int(match["line"]), match["name"]), []).append(finding)
    severity = config.settings.unknown_severity
    kept = module_defaults.absorb(kept, groups, severity)  # a reusable module's own note names its variables
    for (path, line, name), members in sorted(groups.items()):
        kept.extend(members if len(members) == 1 else [_grouped(path, line, name, members, severity)])
    return kept


def _grouped(path: str, line: int, name: str, members: list[Finding], severity: Severity) -> Finding:
    whats = list(dict.fromkeys(_what(f) for f in members))
    named = ", ".join(whats[:_NAMED]) + (f" and {len(whats) - _NAMED} more" if len(whats) > _NAMED else "")
    count = f"{len(whats)} value{'s' if len(whats) != 1 else ''}"
    message = (
        f"var.{name} has no default and no value in the scanned tfvars: {count} could not be evaluated ({named}); "
        f"pass --var-file or -var {name}=…"
    )
    evidence = "; ".join(sorted({f"{f.rule_id} {f.location.path}:{f.location.start_line}" for f in members}))
    return RULE.finding(message, Location(path, line, line), None, evidence, unknown=True, severity=severity)


def _what(finding: Finding) -> str:
    match = _WHAT_RE.match(finding.message)
    return match["what"] if match else f"{finding.rule_id} at {finding.location.path}:{finding.location.start_line}"


RULE = Rule(
    "NHI-PARSE-008",
    "unset-variable",
    Severity.INFO,
    "NHI6",
    "Root variable without a value leaves values unknown",
    check,
)
