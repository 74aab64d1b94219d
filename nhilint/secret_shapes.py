"""What the chosen detect-secrets plugins can flag, known without importing detect-secrets.

A necessary condition for `scan_line` to flag a line can be read from the plugins themselves: each regex
plugin's `denylist` patterns (the JWT plugin reports a subset of them), and the entropy plugin's charset and
limit (it counts only when the whole line is in its charset and above its limit). Importing the package to
read them costs about 0.2 s (it pulls in `requests`), more than scanning a repository of templates, and the
answer is the same every time. This module holds that condition as data, so `secrets.detect_many` imports
detect-secrets only for a value with a line that passes it (in practice never, unless a value looks like a
token), and sends only those lines to `scan_line`. It must stay the exact mirror of the plugins:
`tests/report/test_secrets_prefilter.py` compares it with what it reads from the installed package (pattern
text and flags, charset and limit), so a detect-secrets release that changes a plugin fails the test rather
than a scan."""

from __future__ import annotations

import math
import re

from nhilint.lazy_re import LazyPattern

_I = re.IGNORECASE
_X = re.VERBOSE

# (pattern, flags) of every denylist pattern of the chosen regex plugins, in plugin order (secrets.PLUGINS).
DENYLIST: tuple[tuple[str, int], ...] = (
    # AWSKeyDetector
    (r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}", 0),
    (r"aws.{0,20}?(?:key|pwd|pw|password|pass|token).{0,20}?[\'\"]([0-9a-zA-Z/+]{40})[\'\"]", _I),
    # ArtifactoryDetector
    (r'(?:\s|=|:|"|^)AKC[a-zA-Z0-9]{10,}(?:\s|"|$)', 0),
    (r'(?:\s|=|:|"|^)AP[\dABCDEF][a-zA-Z0-9]{8,}(?:\s|"|$)', 0),
    # AzureStorageKeyDetector
    (r"AccountKey=[a-zA-Z0-9+\/=]{88}", 0),
    # BasicAuthDetector
    (r"://[^:/\?\#\[\]@!\$\&'\(\)\*\+,;=\s]+:([^:/\?\#\[\]@!\$\&'\(\)\*\+,;=\s]+)@", 0),
    # DiscordBotTokenDetector
    (r"[MNO][a-zA-Z\d_-]{23,25}\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}", 0),
    # GitHubTokenDetector
    (r"(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}", 0),
    # GitLabTokenDetector
    (r"(glpat|gldt|glft|glsoat|glrt)-[A-Za-z0-9_\-]{20,50}(?!\w)", 0),
    (r"GR1348941[A-Za-z0-9_\-]{20,50}(?!\w)", 0),
    (r"glcbt-([0-9a-fA-F]{2}_)?[A-Za-z0-9_\-]{20,50}(?!\w)", 0),
    (r"glimt-[A-Za-z0-9_\-]{25}(?!\w)", 0),
    (r"glptt-[A-Za-z0-9_\-]{40}(?!\w)", 0),
    (r"glagent-[A-Za-z0-9_\-]{50,1024}(?!\w)", 0),
    (r"gloas-[A-Za-z0-9_\-]{64}(?!\w)", 0),
    # JwtTokenDetector
    (r"eyJ[A-Za-z0-9-_=]+\.[A-Za-z0-9-_=]+\.?[A-Za-z0-9-_.+/=]*?", 0),
    # MailchimpDetector
    (r"[0-9a-z]{32}-us[0-9]{1,2}", 0),
    # NpmDetector
    (r"\/\/.+\/:_authToken=\s*((npm_.+)|([A-Fa-f0-9-]{36})).*", 0),
    # OpenAIDetector
    (r"sk-[A-Za-z0-9-_]*[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}", 0),
    # PrivateKeyDetector
    (r"BEGIN DSA PRIVATE KEY", 0),
    (r"BEGIN EC PRIVATE KEY", 0),
    (r"BEGIN OPENSSH PRIVATE KEY", 0),
    (r"BEGIN PGP PRIVATE KEY BLOCK", 0),
    (r"BEGIN PRIVATE KEY", 0),
    (r"BEGIN RSA PRIVATE KEY", 0),
    (r"BEGIN SSH2 ENCRYPTED PRIVATE KEY", 0),
    (r"PuTTY-User-Key-File-2", 0),
    # PypiTokenDetector
    (r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9-_]{70,}", 0),
    (r"pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9-_]{70,}", 0),
    # SendGridDetector
    (r"SG\.[a-zA-Z0-9_-]{22}\.[a-zA-Z0-9_-]{43}", 0),
    # SlackDetector
    (r"xox(?:a|b|p|o|s|r)-(?:\d+-)+[a-z0-9]+", _I),
    (r"https://hooks\.slack\.com/services/T[a-zA-Z0-9_]+/B[a-zA-Z0-9_]+/[a-zA-Z0-9_]+", _I | _X),
    # SquareOAuthDetector
    (r"sq0csp-[0-9A-Za-z\\\-_]{43}", 0),
    # StripeDetector
    (r"(?:r|s)k_live_[0-9a-zA-Z]{24}", 0),
    # TelegramBotTokenDetector
    (r"\d{8,10}:[0-9A-Za-z_-]{35}", 0),
    # TwilioKeyDetector
    (r"AC[a-z0-9]{32}", 0),
    (r"SK[a-z0-9]{32}", 0),
)
# A necessary condition, per regex plugin, for a match that `secrets._candidate`'s run gate (16 base64
# characters holding a digit, or credentials in a URL) does not already imply: a token may lack a digit
# (`AKIAQWERTYUIOPASDFGH`: about 3.6 % of AWS key ids are all-letter base32), or its runs may be cut short by
# `-`, `_`, `.` or `:` (`xoxb-…`, `sq0csp-…`, Telegram's `123456789:…`). A value matching one of these
# reaches `could_flag` (the plugins' own patterns) whatever its digits. Left out, on purpose:
# - OpenAI (`sk-…T3BlbkFJ…`) and AWS's `A3T…` ids: every match holds a 16-run with a digit already;
# - basic auth: the run gate's URL clause is its necessary condition;
# - Artifactory (`AKC…`, `AP[0-9A-F]…`) and the entropy plugin: without a digit they flag CamelCase words
#   (`APACDeployRole`, `AKCRegistryPullRole`); a machine-made token of theirs holds a digit.
TOKEN_SCREENS: tuple[tuple[str, str], ...] = (
    ("AWSKeyDetector", r"A(?:BIA|CCA|KIA|SIA)[0-9A-Z]{16}"),
    ("AWSKeyDetector", r"['\"][A-Za-z/+]{40}"),  # the keyword pattern's quoted secret (the line's end closes it)
    ("AzureStorageKeyDetector", r"AccountKey="),
    ("DiscordBotTokenDetector", r"\.[a-zA-Z0-9_-]{6}\."),
    ("GitHubTokenDetector", r"gh[pousr]_"),
    ("GitLabTokenDetector", r"gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas)-|GR1348941"),
    ("JwtTokenDetector", r"eyJ"),
    ("MailchimpDetector", r"-us[0-9]"),
    ("NpmDetector", r":_authToken="),
    ("PrivateKeyDetector", r"PRIVATE KEY|PuTTY-User-Key-File-2"),
    ("PypiTokenDetector", r"pypi-AgE"),
    ("SendGridDetector", r"SG\."),
    ("SlackDetector", r"[xX][oO][xX][abposrABPOSR]-|[hH][oO][oO][kK][sS]\.[sS][lL][aA][cC][kK]\."),  # any case
    ("SquareOAuthDetector", r"sq0csp-"),
    ("StripeDetector", r"k_live_"),
    ("TelegramBotTokenDetector", r"[0-9]{8,10}:[0-9A-Za-z_-]{35}"),
    ("TwilioKeyDetector", r"(?:AC|SK)[a-z0-9]{32}"),
)
# Base64HighEntropyString: its charset and the limit secrets.PLUGINS sets.
ENTROPY: tuple[tuple[str, float], ...] = (
    ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/\\-_=", 4.5),
)

_FLAG_LETTERS = ((re.IGNORECASE, "i"), (re.VERBOSE, "x"))


def _scoped(pattern: str, flags: int) -> str:
    letters = "".join(letter for flag, letter in _FLAG_LETTERS if flags & flag)
    return f"(?{letters}:{pattern})"


# Every DENYLIST pattern as one alternation, each under its own flags (`(?i:…)`): one search in C per line
# instead of one Python call per pattern (a dashboard ConfigMap has thousands of lines). Compiled on first use,
# as the charsets are: most scans never get here.
_DENYLIST_ANY = LazyPattern("|".join(_scoped(pattern, flags) for pattern, flags in DENYLIST))
_CHARSETS = [(LazyPattern(f"[{re.escape(charset)}]+"), charset, limit) for charset, limit in ENTROPY]


def shannon_entropy(data: str, charset: str) -> float:
    """The entropy detect-secrets' `HighEntropyStringsPlugin.calculate_shannon_entropy` computes."""
    if not data:
        return 0
    entropy = 0.0
    for x in charset:
        p_x = float(data.count(x)) / len(data)
        if p_x > 0:
            entropy += -p_x * math.log(p_x, 2)
    return entropy


def could_flag(line: str) -> bool:
    """False only when `scan_line`, with the chosen plugins, cannot flag `line`."""
    if _DENYLIST_ANY.search(f'"{line}"'):  # quoted as `secrets._scan` passes it
        return True
    return any(
        charset.fullmatch(line)
        and math.log2(len(set(line))) >= limit - 1e-6  # Shannon entropy <= log2(symbols)
        and shannon_entropy(line, symbols) > limit
        for charset, symbols, limit in _CHARSETS
    )
