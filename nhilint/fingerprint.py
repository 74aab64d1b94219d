"""A stable fingerprint per finding, so a baseline or a base commit can say "this one is not new".

A fingerprint must survive what a pull request does around a finding without changing it: lines moving,
a resource moving to another file of its module, unrelated edits, a reworded message. So it is built only
from what *the finding is about*, never from where it is written. Exactly these go in, in this order:

1. `FINGERPRINT_VERSION` (`nhilint-fp-v1`), so a future change of the recipe never matches old values.
2. The rule id (`NHI-PRIV-001`).
3. The subject: the finding's identity id (`aws:live/aws_iam_role.ci`: platform, root-module directory
   relative to the scan root, module path and address with its `count`/`for_each` key), else its address
   (a secret written in a resource that belongs to no identity), else, for findings about a file rather
   than an identity (parse errors, unresolved modules, broken suppressions), `file:` and the file's path.
   The directory stays in: `envs/prod/aws_iam_role.ci` and `envs/dev/aws_iam_role.ci` are two roles.
4. The evidence (which statement, which principal, which tag), normalised: runs of whitespace become one
   space, `line 12` becomes `line ?` and a `path.tf:12` position loses its `:12`, because some evidence
   quotes where an unevaluated expression sits.

Left out on purpose: the finding's file and lines, its message (wording changes between releases and
embeds the same facts as the evidence), its severity (a policy change is not a new finding) and today's
date. Two findings with the same fingerprint are counted, not merged: a baseline entry matches one finding.
"""

from __future__ import annotations

import hashlib
import re

from nhilint.model import Finding

FINGERPRINT_VERSION = "nhilint-fp-v1"

_LINE_WORD_RE = re.compile(r"\bline\s+\d+\b")
_POSITION_RE = re.compile(r"(\.(?:tf|json|ya?ml|tfvars)):\d+(?::\d+)?\b")
_SPACE_RE = re.compile(r"\s+")


def subject(finding: Finding) -> str:
    """What the finding is about: its identity, else its address, else its file."""
    return finding.identity or finding.address or f"file:{finding.location.path}"


def normalise_evidence(evidence: str) -> str:
    """Evidence without positions and whitespace differences (see the module docstring)."""
    text = _LINE_WORD_RE.sub("line ?", evidence)
    text = _POSITION_RE.sub(r"\1", text)
    return _SPACE_RE.sub(" ", text).strip()


def fingerprint(finding: Finding) -> str:
    """32 hex digits of SHA-256 over version, rule id, subject and normalised evidence."""
    material = "\n".join((FINGERPRINT_VERSION, finding.rule_id, subject(finding), normalise_evidence(finding.evidence)))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]
