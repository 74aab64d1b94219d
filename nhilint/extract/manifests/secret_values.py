"""Which values of a Kubernetes Secret's `data`/`stringData` are secrets written in the code.

A Secret is also where configuration that merely *may* hold credentials is kept (a `grafana.ini`, an
`alertmanager.yaml`, a datasources file), so a value is not a leak because of where it is written: it is
judged like the values of other places (`nhilint.secrets`), one key at a time.

- A key of a Secret type that names its credential (`password` of `kubernetes.io/basic-auth`, `tls.key`,
  `ssh-privatekey`, `.dockerconfigjson`, a bootstrap token's `token-secret`…) holds one when written.
- A one-line value under a key named like a secret (`password`, `api-token`, `tls.key`, `azurestorageaccountkey`)
  is one unless it is a placeholder: in a Secret the value is the secret itself, never a name that points to
  one, so even a short or lowercase word counts (`toor`).
- Any value the detector recognises (a private key, a token, a high-entropy string…) is one.
- A value that is a whole file (several lines, or a JSON document) is judged line by line: each
  `name = value`, `name: value` or `"name": "value"` inside it by `named_secret`, and JSON by its keys.

`data` is base64: it is decoded before judging (up to `MAX_VALUE` characters). What cannot be judged (not
base64, not UTF-8 text — a keystore, a DER key —, or too large) counts as a secret: fail closed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from nhilint.extract.written_secrets.notes import decoded_text
from nhilint.secrets import detect_many, fill_in, named_secret, secret_name

MAX_VALUE = 1 << 20  # characters of one value judged; a larger one is reported unread
# Secret types whose named keys are credentials by definition.
TYPED_KEYS: dict[str, frozenset[str]] = {
    "kubernetes.io/basic-auth": frozenset({"password"}),
    "kubernetes.io/ssh-auth": frozenset({"ssh-privatekey"}),
    "kubernetes.io/tls": frozenset({"tls.key"}),
    "kubernetes.io/dockerconfigjson": frozenset({".dockerconfigjson"}),
    "kubernetes.io/dockercfg": frozenset({".dockercfg"}),
    "kubernetes.io/service-account-token": frozenset({"token"}),
    "bootstrap.kubernetes.io/token": frozenset({"token-secret"}),
}
# A top-level key that says "key" (`key`, `tls.key`, `azurestorageaccountkey`), but not a public one.
_KEY_NAME = re.compile(r"key$", re.I)
_PUBLIC = re.compile(r"pub(lic)?[._-]?key$|\.pub$", re.I)
# One-line values that stand for a secret instead of being one: templating, envsubst, SOPS, vault plugins,
# and a whole `<name>`. Only a whole one-line value is a placeholder: a file that starts with `<match …>` or
# `{{` is still judged line by line.
_PLACEHOLDER_PREFIXES = ("ENC[", "${", "$(", "<path:", "((", "{{", "vault:", "ref+")
_ANGLE_PLACEHOLDER = re.compile(r"<[^<>\n]*>")
# `name = value` (ini, properties, env files), `name: value` (YAML), `"name": "value"` (JSON lines).
_CONFIG_LINE = re.compile(r"""^\s*(?:export\s+)?(["']?)([A-Za-z_][\w.-]*)\1\s*[=:]\s*(["']?)(.*?)\3\s*,?\s*$""")


def literal(value: Any) -> bool:
    """A value written in the file, not a placeholder for one (SOPS, envsubst, vault plugin…)."""
    if value is None or isinstance(value, dict | list):
        return False
    text = str(value).strip()
    return bool(text) and not placeholder(text)


def placeholder(text: str) -> bool:
    """A whole one-line value that stands for a secret (`${TOKEN}`, `ENC[…]`, `<path:…>`, `<your-token>`)."""
    text = text.strip()
    if "\n" in text:
        return False
    return text.startswith(_PLACEHOLDER_PREFIXES) or _ANGLE_PLACEHOLDER.fullmatch(text) is not None


def secret_keys(values: dict[str, Any], encoded: bool, secret_type: Any) -> list[str]:
    """The keys of `values` (a Secret's `data` when `encoded`, else `stringData`) that hold a secret, in order."""
    typed = TYPED_KEYS.get(secret_type, frozenset()) if isinstance(secret_type, str) else frozenset()
    texts: dict[str, str] = {}
    found: set[str] = set()
    for key, value in values.items():
        if not literal(value):
            continue
        text = str(value)
        if len(text) > MAX_VALUE or key in typed:
            found.add(key)
            continue
        plain = decoded_text(text) if encoded else text
        if plain is None or not literal(plain):
            if plain is None:
                found.add(key)  # not base64 text: a binary key or keystore, or unreadable — fail closed
            continue
        if _named(key, plain) or _in_file(plain):
            found.add(key)
        else:
            texts[key] = plain
    detected = detect_many(texts.values())
    return [key for key in values if key in found or texts.get(key, "\0") in detected]


def _named(key: str, text: str) -> bool:
    """A one-line value under a secret-named key that is not a fill-in."""
    if "\n" in text.strip() or _PUBLIC.search(key):
        return False
    if not (secret_name(key) or _KEY_NAME.search(key)):
        return False
    value = text.strip().strip("\"'")
    return bool(value) and not placeholder(value) and not fill_in(value)


def _in_file(text: str) -> bool:
    """A value that is a whole file holding a secret-named setting with a literal value."""
    return any(named_secret(name, value) for name, value in _settings(text))


def _settings(text: str) -> Iterator[tuple[str, str]]:
    """(name, value) of each setting of a config file: JSON by its keys, other text line by line."""
    stripped = text.strip()
    if stripped[:1] in "{[":
        try:
            yield from _json_settings(json.loads(stripped), "")
            return
        except (ValueError, RecursionError):
            pass
    for line in text.splitlines():
        match = _CONFIG_LINE.match(line)
        if match:
            yield match.group(2), match.group(4)


def _json_settings(node: Any, name: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _json_settings(value, str(key))
    elif isinstance(node, list):
        for item in node:
            yield from _json_settings(item, name)
    elif isinstance(node, str) and name:
        yield name, node
