"""A symlink or path that leaves the scan root, which nhilint does not follow.

nhilint never reads outside the directory it scans: a link such as `policy.json -> /etc/passwd`, a module
directory linked from elsewhere on the machine, a local module `source`, kustomize entry, Helm chart file or
nested-stack `TemplateURL` that climbs out of the root is reported, not read, so the identities behind it
are not in the inventory. So is a git index outside the root (a worktree's or submodule's git directory,
the repository above a scanned subdirectory): the files a `.gitignore` excludes may then be tracked, and
the finding lists them. The finding says which path and where it points.

Anti-pattern::

    infra/shared -> ../../other-repo/modules/iam
    module "iam" { source = "../../../platform/modules/iam" }

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
