"""A symlink or path that leaves the scan root, which nhilint does not follow.

nhilint never reads outside the directory it scans: a link such as `policy.json -> /etc/passwd` or a module
directory linked from elsewhere on the machine is reported, not read, so the identities behind it are not
in the inventory. The finding says which link and where it points.

Anti-pattern::

    infra/shared -> ../../other-repo/modules/iam

Best practice: vendor the files into the repository, or scan from a root that contains them.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule
from nhilint.rules.input_problem import problems


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    yield from problems(rule, ctx, "outside-root", "not followed:")


RULE = Rule("NHI-PARSE-006", "outside-root", Severity.MEDIUM, "NHI6", "Path leaves the scan root", check)
