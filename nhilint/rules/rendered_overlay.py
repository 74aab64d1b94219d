"""A kustomize overlay that nhilint read through `kubectl kustomize`: its findings depend on that tool.

A kustomization that only lists local files (with a namespace, name prefix or suffix, common labels or
annotations) is applied by nhilint itself. Any other overlay is rendered by the `kubectl` on the PATH, offline
and sandboxed (nhilint.parse.kustomize), and its objects are read from the output, each mapped back to the file
it was written in. This finding says that it happened, once per overlay: a reviewer then knows the scan ran
kubectl, that another kubectl version may render differently, and which findings come from rendered
objects. An overlay that could not be rendered (no kubectl, a remote base, a refusal, a failure) is reported
by NHI-PARSE-002 with the reason, so each overlay gets one of the two.
"""

from __future__ import annotations

from collections.abc import Iterator

from nhilint.model import Finding, Severity
from nhilint.rules.base import Context, Rule


def check(rule: Rule, ctx: Context) -> Iterator[Finding]:
    for item in ctx.inventory.rendered:
        message = f"{item.what} was rendered by {item.tool} (sandboxed, offline) and its output scanned"
        yield rule.finding(message, item.location, None, item.tool)


RULE = Rule("NHI-PARSE-010", "rendered-by-kubectl", Severity.INFO, "NHI6", "Overlay rendered by kubectl", check)
