"""Tags and labels as sorted (key, text) pairs: shared by every format's extractor.

Kept apart from nhilint.extract.common, which reads HCL expressions: a Kubernetes or CloudFormation scan needs
the tags without loading the HCL parser.
"""

from __future__ import annotations

from typing import Any

from nhilint.values import to_text


def plain_tags(tags: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(tags, dict):
        return ()
    out = []
    for key, value in tags.items():
        text = to_text(value)
        out.append((str(key), text if isinstance(text, str) else str(text)))
    return tuple(sorted(out))
