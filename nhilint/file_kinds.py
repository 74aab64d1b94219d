"""What a file is, from its name and its first bytes: the classification half of discovery (nhilint.discover).

Terraform is known by its suffix. YAML and JSON files are classified by content, never by name:
CloudFormation (`AWSTemplateFormatVersion`, or `Resources` with `AWS::` types, SAM's `Transform`),
Kubernetes (documents with `apiVersion` and `kind`), Terraform plan JSON (`terraform show -json`), and
`kustomization.yaml` overlays. Anything else is skipped silently.
"""

from __future__ import annotations

import codecs
import re

TERRAFORM_SUFFIXES = (".tf", ".tf.json")
DATA_SUFFIXES = (".yaml", ".yml", ".json", ".template")
KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
SNIFF_BYTES = 1 << 20  # classify on the first MiB; templates and manifests are far smaller

# A resource type (`Type: AWS::IAM::Role`, `"Type": "AWS::S3::Bucket"`). A quote before `Type` changes nothing
# whether it matches; starting at the literal lets the regex engine skip to each `Type`.
_CFN_TYPE_RE = re.compile(r"""Type["']?\s*:\s*["']?AWS::[A-Za-z0-9]+::""")
_K8S_API_RE = re.compile(r"""^\s*["']?apiVersion["']?\s*:""", re.M)
_K8S_KIND_RE = re.compile(r"""^\s*["']?kind["']?\s*:""", re.M)
_PLAN_RE = re.compile(r'"format_version"')
_PLAN_BODY_RE = re.compile(r'"(?:planned_values|resource_changes)"')


def candidate(name: str) -> str | None:
    """What a file name may hold: terraform, kustomize, helm, data (classified by content), or None."""
    if name.endswith(TERRAFORM_SUFFIXES):
        return "terraform"
    if name in KUSTOMIZATION_NAMES:
        return "kustomize"
    if name == "Chart.yaml":
        return "helm"
    return "data" if name.endswith(DATA_SUFFIXES) else None


def classify(name: str, head: str) -> str | None:
    """tfplan, cloudformation, kubernetes or None for a data file, from its first bytes."""
    if name.endswith(".json") and _PLAN_RE.search(head) and _PLAN_BODY_RE.search(head):
        return "tfplan"
    if cloudformation(head):
        return "cloudformation"
    # Each pattern holds its literal: the `in` test (a fast substring search) saves most regex scans.
    if "apiVersion" in head and "kind" in head and _K8S_API_RE.search(head) and _K8S_KIND_RE.search(head):
        return "kubernetes"
    return None


def classify_bytes(name: str, head: bytes) -> str | None:
    """classify() of the bytes decoded as UTF-8 (undecodable bytes replaced), without decoding them when an
    ASCII word settles it. Decoding never creates nor removes an ASCII character, so each literal is in the
    bytes exactly when it is in the text: no `"format_version"` rules out a plan, and a template's
    `AWSTemplateFormatVersion` makes it CloudFormation; no `AWS::` nor `apiVersion` leaves nothing to find."""
    if not (name.endswith(".json") and b'"format_version"' in head):
        if b"AWSTemplateFormatVersion" in head or b"AWS::Serverless" in head:
            return "cloudformation"
        if b"AWS::" not in head and (b"apiVersion" not in head or b"kind" not in head):
            return None
    return classify(name, head.decode("utf-8", errors="replace"))


def cloudformation(head: str) -> bool:
    """`AWSTemplateFormatVersion`, a SAM type, or a resource with an `AWS::` type anywhere in the text.

    Substring tests first: a large manifest that mentions AWS (a CRD documenting SigV4) is ruled out without
    a regex scan, which tried three alternatives at every character of it."""
    if "AWSTemplateFormatVersion" in head or "AWS::Serverless" in head:
        return True
    return "AWS::" in head and _CFN_TYPE_RE.search(head) is not None


class NotText(ValueError):
    """A data file (`.yaml`, `.json`, `.template` …) whose first bytes are not UTF-8 text and that no kind
    matches: it cannot be classified, so it is reported (NHI-PARSE-001) rather than skipped as "not code"."""


def is_text(head: bytes, whole: bool) -> bool:
    """Whether the bytes are UTF-8 text without NUL; a character cut at the end of a partial read counts."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=whole)
    except UnicodeDecodeError:
        return False
    return b"\0" not in head
