"""Recognise secret values (tokens, keys, private keys) in text read from infrastructure code.

The detector is the maintained `detect-secrets` package, run with a chosen plugin list (`PLUGINS`) through its
ad-hoc API (`detect_secrets.core.scan.scan_line` inside `transient_settings`, so the package's global settings
are restored afterwards). The choice, measured on fixtures/ and the tests' sources (no ordinary value flagged):

- every prefix-anchored token plugin (AWS access keys, GitHub, GitLab, Slack, Stripe, JWT, npm, PyPI, OpenAI,
  SendGrid, Twilio, Discord, Telegram, Mailchimp, Square, Artifactory, Azure storage keys, URL basic auth) and
  `PrivateKeyDetector`: their patterns do not match ARNs, account ids, role names or digests;
- `Base64HighEntropyString` at 4.5 bits: it only judges a whole value in the base64 alphabet (an ARN, an image
  reference or a name with `-`, `:` or `.` never qualifies), and a hex digest (sha256, image digests) stays
  below 4 bits per character;
- left out: `HexHighEntropyString` (flags every sha256 digest and commit hash), `KeywordDetector` (judges
  `password = ...` assignments in source lines, not values; secret-bearing *names* are judged by
  `secret_name`), `IPPublicDetector` (IP ranges in IAM conditions are not secrets), and the keyword-driven
  IBM/Cloudant/Softlayer plugins.

PEM private keys are always recognised, before any plugin: detect-secrets' list misses armours such as
`ENCRYPTED PRIVATE KEY`, and a private key is the one value that must never be missed.

Importing detect-secrets costs about 0.2 s (it pulls in `requests`), more than nhilint's own start-up, so it is
imported only when a value could be a secret at all (`_candidate`): a run of 16 or more base64 characters with
a digit, a URL with credentials, or the start of a prefixed token (`AKIA…`, `ghp_`, `xoxb-`, `glpat-`…;
`secret_shapes.TOKEN_SCREENS`), digits or not. That gate is a necessary condition of the chosen plugins, not a
detector, but for two that judge digit-free words too (the entropy plugin and Artifactory's `AP…`/`AKC…`): a
digit-free CamelCase name (`AssumeRolePolicyDocument`, `APACDeployRole`) is a name, not one of their tokens.
Nor is a value made of lowercase hex digits alone (`_HEX`: digests, fingerprints): no chosen plugin can flag
one. A candidate is then held to the plugins' own necessary condition (their patterns and entropy limit,
copied as data in `secret_shapes`), so the package is imported only for a value that looks like a token: scans
of fixtures/example (Azure subscription paths), of aws-cloudformation-templates (logical ids with digits,
user data) and of the generated trees import none.

Where a value is passed as a variable whose name says secret (`DB_PASSWORD`), `named_secret` judges it
without the detector: a literal that is not a placeholder, a reference, a path, a flag, a number or a name.

The patterns below are compiled when first used (nhilint.lazy_re): a scan with no value to judge, and every
pre-commit run's start-up, does not pay for them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from typing import Any

from nhilint import secret_shapes
from nhilint.lazy_re import LazyPattern

PLUGINS: tuple[dict[str, Any], ...] = (
    *(
        {"name": name}
        for name in (
            "AWSKeyDetector",
            "ArtifactoryDetector",
            "AzureStorageKeyDetector",
            "BasicAuthDetector",
            "DiscordBotTokenDetector",
            "GitHubTokenDetector",
            "GitLabTokenDetector",
            "JwtTokenDetector",
            "MailchimpDetector",
            "NpmDetector",
            "OpenAIDetector",
            "PrivateKeyDetector",
            "PypiTokenDetector",
            "SendGridDetector",
            "SlackDetector",
            "SquareOAuthDetector",
            "StripeDetector",
            "TelegramBotTokenDetector",
            "TwilioKeyDetector",
        )
    ),
    {"name": "Base64HighEntropyString", "limit": 4.5},
)

PRIVATE_KEY = "Private Key"
_ENTROPY = "Base64 High Entropy String"
_PEM = LazyPattern(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----")
# Every chosen plugin needs a run of 16 token characters or more, or credentials in a URL (basic auth). The run
# must hold a digit: machine-made tokens do (a 20-character random token lacks one in under 1% of cases),
# CamelCase words (`AssumeRolePolicyDocument`, `CloudWatchReadOnlyAccess`) do not.
# A value of lowercase hex digits alone (a digest, a commit, a finding's fingerprint) is not one: 16 symbols
# stay below the entropy limit (log2 16 = 4 bits), and every token plugin's pattern needs a character that is
# not lowercase hex (`ghp_`, `AKIA`, `xox`, `-us`, `:`, `=`...).
_HEX = LazyPattern(r"[0-9a-f]+")
# Written as: a maximal run of 16 such characters or more (it starts where the character before is not one)
# holding a digit; tried only where a run starts, so a long text of words costs one pass.
_CANDIDATE = LazyPattern(r"(?<![A-Za-z0-9+/=])(?=[A-Za-z0-9+/=]{16})[A-Za-z+/=]*[0-9]|://[^\s/@]+:[^\s/@]+@")
# The prefixed tokens' screens (secret_shapes.TOKEN_SCREENS), one alternation: a token needs no digit to be seen.
_TOKEN = LazyPattern("|".join(f"(?:{screen})" for _, screen in secret_shapes.TOKEN_SCREENS))
# Names of variables, parameters and keys whose values are secrets (the same words detect-secrets' keyword
# plugin looks for, matched on a name, not on an assignment).
_SECRET_NAME = LazyPattern(
    r"pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|client[_-]?key|"
    r"credential|auth[_-]?key|signing[_-]?key|encryption[_-]?key|master[_-]?key|certificate[_-]?key|"
    r"connection[_-]?string",
    re.I,
)
# ... unless the name says it holds a reference to the secret, or a fact about it, not the secret itself.
_SECRET_REFERENCE = LazyPattern(r"[_-](arns?|names?|ids?|ttl|length|path|version|type|rotation\w*|days|policy)$", re.I)


def detect(value: str) -> str | None:
    """The kind of secret `value` holds or contains (`Private Key`, `GitHub Token`…), None when none is seen."""
    return detect_many([value]).get(value)


def detect_many(values: Iterable[str]) -> dict[str, str]:
    """value -> kind of secret, for the values that hold one; one detect-secrets session for all of them."""
    found: dict[str, str] = {}
    pending: list[str] = []
    for value in dict.fromkeys(values):  # a scan notes the same text many times (a tag value in every template)
        if _PEM.search(value):
            found[value] = PRIVATE_KEY
        elif _candidate(value):
            pending.append(value)
    # Only a value with a line the plugins could flag (secret_shapes, their patterns as data) needs the package,
    # and only those lines are scanned: `scan_line` costs about 0.4 ms a line, the check a few microseconds.
    could_flag = secret_shapes.could_flag
    flaggable = {value: [line for line in _lines(value) if could_flag(line)] for value in pending}
    flaggable = {value: lines for value, lines in flaggable.items() if lines}
    if flaggable:
        kinds = _scan(list(flaggable.values()))
        found.update({value: kind for value, kind in zip(flaggable, kinds, strict=True) if kind})
    return found


def _candidate(value: str) -> bool:
    if _HEX.fullmatch(value) is not None:
        return False
    return (len(value) >= 16 and _CANDIDATE.search(value) is not None) or _TOKEN.search(value) is not None


@functools.lru_cache(maxsize=4096)
def secret_name(name: str) -> bool:
    """A variable, parameter or key whose name says it holds a secret (`db_password`, `api_token`).

    Remembered: a scan asks about the same few hundred names thousands of times, and the name list, a
    case-insensitive alternation, is tried at every character of each."""
    return _SECRET_NAME.search(name) is not None and _SECRET_REFERENCE.search(name) is None


# What a secret-named key may hold that is not the secret itself: a template, variable or reference
# (`${...}`, `$(VAR)`, `{{resolve:...}}`, `<your-token>`, an App Service Key Vault reference), a URL without
# credentials, an ARN or resource path, a file path.
_NOT_A_VALUE = LazyPattern(
    r"\$\{|\$\(|\{\{|%\(|<[^>]*>|^@Microsoft\.KeyVault\(|^(arn|projects|secretsmanager|ssm|vault|file):|"
    r"^[a-z][a-z0-9+.-]*://[^@\s]*$|^(~|\.{1,2})?/",
    re.I,
)
# Fill-ins: the key is to be filled in, nothing is leaked. `changeme` counts as one: a password everyone
# knows is a weak default (another problem), not a secret written in the code.
_FILL_IN = (
    r"(change|replace|update|fill|set)[-_ ]?(me|it|this)|(your|my|insert|enter|put)[-_ ].*|todo|tbd|fixme|"
    r"x{3,}|\*+|\.{3}|placeholder|redacted|none|null|nil|undefined"
)
_FILL_IN_PATTERN = LazyPattern(_FILL_IN, re.I)
# Placeholders of a value judged by its name: fill-ins, example words, and flags, numbers and durations
# (`true`, `3600`, `15m`): settings about a secret, not one.
_PLACEHOLDER = LazyPattern(
    rf"({_FILL_IN}|dummy|example|"
    r"true|false|yes|no|on|off|enabled?|disabled?|required|optional|[-+]?\d+(\.\d+)?[a-z]{0,2})",
    re.I,
)
_VARIABLE_NAME = LazyPattern(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)+")  # `GITHUB_TOKEN`: the name of another variable
_SEGMENT = LazyPattern(r"[-_./:]")
_CAMEL = LazyPattern(r"(?<=[a-z0-9])(?=[A-Z])")


def fill_in(value: str) -> bool:
    """A whole value that asks to be filled in (`CHANGE_ME`, `your-token`, `xxxx`, `***`, `TODO`): no secret.
    Narrower than what `named_secret` declines: where the value is the secret itself (a Kubernetes Secret),
    `example`, `true` or `1234` may be one."""
    return _FILL_IN_PATTERN.fullmatch(value) is not None


def named_secret(name: str, value: str) -> bool:
    """A literal `value` written under a secret-bearing `name` (`DB_PASSWORD: "Winter2024!prod"`), judged by
    its name where no detector plugin recognises the value: not a placeholder, a reference, a path, a flag,
    a number, prose (spaces) or a name (lowercase words, each alphabetic or shorter than 8 characters:
    `payments-db`, `prod/db/password`, a host). A CamelCase name is read as words (`DbSecretArn` names
    the secret, it does not hold it)."""
    text = value.strip()
    if not secret_name(_CAMEL.sub("_", name)) or len(text) < 6 or any(c.isspace() for c in text):
        return False
    if _NOT_A_VALUE.search(text) or _PLACEHOLDER.fullmatch(text) or _VARIABLE_NAME.fullmatch(text):
        return False
    words = _SEGMENT.split(text)
    return not all(w.islower() or w.isdigit() or not w for w in words) or any(
        len(w) >= 8 and not w.isalpha() and not w.isdigit() for w in words
    )


def _scan(values: list[list[str]]) -> list[str | None]:
    """Each value's kind from its lines through detect-secrets; a line is quoted so the entropy plugin judges
    it whole."""
    from detect_secrets.core.scan import scan_line
    from detect_secrets.settings import transient_settings

    out: list[str | None] = []
    with transient_settings({"plugins_used": list(PLUGINS)}):
        for lines in values:
            kind: str | None = None
            for line in lines:
                # The entropy plugin searches eagerly inside a line (an ARN's account id and path would
                # qualify); it counts only when the whole value is the high-entropy string.
                hits = [h for h in scan_line(f'"{line}"') if h.type != _ENTROPY or h.secret_value == line]
                if hits:
                    kind = str(hits[0].type)
                    break
            out.append(kind)
    return out


def _lines(value: str) -> Iterator[str]:
    """The lines of a value detect-secrets judges: stripped, 8 characters or more."""
    for line in value.splitlines() or [value]:
        line = line.strip()
        if len(line) >= 8:
            yield line


def register(sensitive: dict[str, str], value: Any, source: str) -> None:
    """Note every text inside `value` (a string, or lists and maps of them) as coming from `source`."""
    if isinstance(value, str):
        if value.strip():
            sensitive.setdefault(value, source)
    elif isinstance(value, dict):
        for item in value.values():
            register(sensitive, item, source)
    elif isinstance(value, list | tuple):
        for item in value:
            register(sensitive, item, source)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        sensitive.setdefault(str(value), source)


def variable_source(name: str, declared_sensitive: bool) -> str | None:
    """Why a Terraform variable's or CloudFormation parameter's value is sensitive, or None when it is not."""
    if declared_sensitive:
        return f"sensitive {name}"
    if secret_name(name.rpartition(".")[2]):
        return f"secret-named {name}"
    return None
