"""The detector's prefilter (nhilint/secret_shapes.py) only skips lines detect-secrets would not flag:
`detect_many` answers exactly as running every candidate line through `scan_line` does. It is the exact mirror
of what `_prefilter` below reads from the installed plugins."""

from __future__ import annotations

import base64
import math
import random
import re
import string
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from detect_secrets.core.scan import scan_line
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.high_entropy_strings import HighEntropyStringsPlugin
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.settings import get_plugins, transient_settings

from nhilint import secret_shapes, secrets

# Made up, in the shapes the plugins look for.
FLAGGED = [
    "ghp_k3J9xQ2mT7vR4pL8sW1zY6bN0cF5hD2gA9eU",
    "AKIAQX4LMN7RT2VW8YZK",
    "xoxb-284716390512-2847163905127-Qm7rTz2LwX9kPv4NsB8cJd3F",
    "https://deploy:Pw7xK2mQ9rLt@artifacts.example.com/repo",
    "DefaultEndpointsProtocol=https;AccountName=logs;AccountKey=" + "Qm7rTz2LwX9kPv4NsB8cJd3F" * 3 + "Qm7rTz2LwX9kPv==",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "npm_Qm7rTz2LwX9kPv4NsB8cJd3FhY6gA1eU0iO5",
    base64.b64encode(bytes(range(7, 40))).decode(),
]
# Tokens of every prefixed plugin without a single digit (or with runs cut short by `-`, `_`, `:`): the run gate
# alone misses them, `secret_shapes.TOKEN_SCREENS` lets them through.
DIGIT_FREE = [
    "AKIAQWERTYUIOPASDFGH",
    "ASIAZXCVBNMLKJHGFDSA",
    'aws_secret_key = "wJalrXUtnFEMIKbPxRfiCYzzEXAMPLEKEYabcdef"',
    "DefaultEndpointsProtocol=https;AccountName=logs;AccountKey=" + "QmrTzLwXkPvNsBcJdFhYgAeU" * 3 + "QmrTzLwXkPvNsB==",
    "MTkzNjIyNDgzNDcxOTIyNDgz.GxKpQw.ZnCjmXVWvRzebCqsekKWsAbCdEfGhIj",
    "ghp_kJxQmTvRpLsWzYbNcFhDgAeUaBcDeFgHiJkL",
    "gho_kJxQmTvRpLsWzYbNcFhDgAeUaBcDeFgHiJkL",
    "glpat-kJxQmTvRpLsWzYbNcFhD",
    "glimt-kJxQmTvRpLsWzYbNcFhDgAeUa",
    "eyJhbGciOiJraWQifQ.eyJzdWIiOiJvcHMifQ.SflKxwRJSMeKKFQT",
    "abcdefabcdefabcdefabcdefabcdefab-us12",
    "//registry.npmjs.org/:_authToken=npm_kJxQmTvRpLsWzYbNcFhD",
    "BEGIN OPENSSH PRIVATE KEY",
    "PuTTY-User-Key-File-2: ssh-rsa",
    "SG.kJxQmTvRpLsWzYbNcFhDgA.kJxQmTvRpLsWzYbNcFhDgAeUaBcDeFgHiJkLmNoPqRs",
    "xoxb-123456789-abcdefgh",
    "https://hooks.slack.com/services/TABCDEFGH/BABCDEFGH/kJxQmTvRpLsWzYbNcFhD",
    "sq0csp-kJxQmTvRpLsWzYbNcFhDgAeUaBcDeFgHiJkLmNoPq-s",
    "sk_live_kJxQmTvRpLsWzYbNcFhDgAeU",
    "rk_live_kJxQmTvRpLsWzYbNcFhDgAeU",
    "123456789:AAHkJxQmTvRpLsWzYbNcFhDgAeU-aBcDeFg",
    "AC" + "abcdefghijklmnopqrstuvwxyzabcdef",
    "SK" + "abcdefghijklmnopqrstuvwxyzabcdef",
]
ORDINARY = [
    "arn:aws:iam::123456789012:role/ci-deployer-2024",
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "be0d95b9fe91835f15ebf7656b997f4d",
    "aws:prod/pricing-gateway/sam.yaml#BackfillFunction2Role",
    "role iam.yaml#EventsBatchRole2 has no expiry or review-by date",
    "projects/payments-prod-4821/serviceAccounts/ci@payments-prod-4821.iam.gserviceaccount.com",
]


def _plugin_shapes(plugins: list[Any]) -> tuple[list[re.Pattern[str]], list[Any]] | None:
    """The regex plugins' denylist patterns and the entropy plugins, or None when a plugin has another shape
    (then any line may be flagged)."""
    patterns: list[re.Pattern[str]] = []
    entropy: list[Any] = []
    for plugin in plugins:
        kind = type(plugin)
        if isinstance(plugin, HighEntropyStringsPlugin) and kind.analyze_line is HighEntropyStringsPlugin.analyze_line:
            entropy.append(plugin)
        elif (
            isinstance(plugin, RegexBasedDetector)
            and kind.analyze_line is RegexBasedDetector.analyze_line
            and (kind.analyze_string in (RegexBasedDetector.analyze_string, JwtTokenDetector.analyze_string))
        ):
            patterns.extend(plugin.denylist)
        else:
            return None
    return patterns, entropy


def _prefilter(plugins: list[Any]) -> Callable[[str], bool]:
    """A necessary condition for `scan_line` to flag a line, read from the plugins themselves: a regex
    plugin reports only matches of its `denylist` patterns (the JWT plugin a subset of them), and the entropy
    plugin counts only when the whole line is in its charset and above its limit."""
    shapes = _plugin_shapes(plugins)
    if shapes is None:
        return lambda line: True
    patterns, entropy_plugins = shapes
    entropy = [(re.compile(f"[{re.escape(plugin.charset)}]+"), plugin) for plugin in entropy_plugins]

    def could_flag(line: str) -> bool:
        quoted = f'"{line}"'  # as `secrets._scan` passes it
        if any(pattern.search(quoted) for pattern in patterns):
            return True
        return any(
            charset.fullmatch(line)
            and math.log2(len(set(line))) >= plugin.entropy_limit - 1e-6  # Shannon entropy <= log2(symbols)
            and plugin.calculate_shannon_entropy(line) > plugin.entropy_limit
            for charset, plugin in entropy
        )

    return could_flag


def _reference(values: list[str], gate: bool = True) -> dict[str, str]:
    """What `detect_many` answered before the prefilter: every candidate line (every line, without `gate`)
    through `scan_line`."""
    found: dict[str, str] = {}
    with transient_settings({"plugins_used": list(secrets.PLUGINS)}):
        for value in values:
            if secrets._PEM.search(value):
                found[value] = secrets.PRIVATE_KEY
                continue
            if gate and not secrets._candidate(value):
                continue
            for line in value.splitlines() or [value]:
                line = line.strip()
                if len(line) < 8:
                    continue
                hits = [h for h in scan_line(f'"{line}"') if h.type != secrets._ENTROPY or h.secret_value == line]
                if hits:
                    found[value] = str(hits[0].type)
                    break
    return found


def test_known_values() -> None:
    found = secrets.detect_many(FLAGGED + ORDINARY)
    assert set(found) == set(FLAGGED)
    assert found == _reference(FLAGGED + ORDINARY)


def test_random_values_answer_as_scan_line() -> None:
    rng = random.Random(11)
    alphabet = string.ascii_letters + string.digits + "+/="
    values = list(FLAGGED + ORDINARY)
    for length in range(16, 64, 3):
        for _ in range(6):
            values.append("".join(rng.choice(alphabet[: rng.randint(10, 65)]) for _ in range(length)))
            values.append(base64.b64encode(rng.randbytes(length)).decode())
            values.append(f"token {base64.b64encode(rng.randbytes(length)).decode()} here")
            values.append(rng.randbytes(length // 2).hex())
    assert secrets.detect_many(values) == _reference(values)


def test_lowercase_hex_values_are_never_flagged() -> None:
    """`_candidate` skips values of lowercase hex alone (digests, fingerprints) without importing the detector:
    no chosen plugin flags one, whatever its length."""
    rng = random.Random(5)
    values = [rng.randbytes(n).hex() for n in (8, 10, 16, 20, 32, 40, 64, 128) for _ in range(20)]
    values += ["0123456789abcdef" * k for k in (1, 2, 5)]
    assert not any(secrets._candidate(v) for v in values)
    with transient_settings({"plugins_used": list(secrets.PLUGINS)}):
        for value in values:
            assert not list(scan_line(f'"{value}"')), value
    assert secrets._candidate("Mailchimp " + "0123456789abcdef" * 2 + "-us12")


def test_shapes_mirror_the_installed_plugins() -> None:
    """secret_shapes holds the plugins' patterns (text and flags) and entropy settings exactly: a detect-secrets
    release that changes a plugin fails here, not silently in a scan."""
    with transient_settings({"plugins_used": list(secrets.PLUGINS)}):
        shapes = _plugin_shapes(get_plugins())
    assert shapes is not None
    patterns, entropy = shapes
    assert [(p.pattern, p.flags) for p in patterns] == [
        (text, re.compile(text, flags).flags) for text, flags in secret_shapes.DENYLIST
    ]
    assert [(plugin.charset, plugin.entropy_limit) for plugin in entropy] == list(secret_shapes.ENTROPY)


def test_shapes_answer_as_the_plugins_prefilter() -> None:
    rng = random.Random(17)
    alphabet = string.ascii_letters + string.digits + "+/=-_.:@ "
    lines = [line for value in FLAGGED + DIGIT_FREE + ORDINARY for line in value.splitlines()]
    lines += [f'  "token": "{line}", "note": "x"' for line in list(lines)]  # inside a line, as in a ConfigMap
    for length in range(8, 90, 4):
        for _ in range(8):
            lines.append("".join(rng.choice(alphabet[: rng.randint(10, len(alphabet))]) for _ in range(length)))
            lines.append(base64.b64encode(rng.randbytes(length)).decode())
            lines.append(base64.urlsafe_b64encode(rng.randbytes(length)).decode().rstrip("="))
    with transient_settings({"plugins_used": list(secrets.PLUGINS)}):
        plugins = get_plugins()
        could_flag = _prefilter(plugins)
        entropy = _plugin_shapes(plugins)[1]  # type: ignore[index]
        for line in lines:
            assert secret_shapes.could_flag(line) == could_flag(line), line
            for plugin in entropy:
                assert secret_shapes.shannon_entropy(line, plugin.charset) == plugin.calculate_shannon_entropy(line)
    assert sum(map(secret_shapes.could_flag, lines)) > 100  # the random lines reach both answers


def test_values_no_plugin_can_flag_do_not_import_detect_secrets() -> None:
    """Candidates by shape (a long run with a digit) that no plugin could flag are answered without the package:
    a scan of ordinary templates pays nothing for it."""
    code = (
        "import sys; from nhilint import secrets; "
        "assert secrets.detect_many(['DMSAuroraToS3FullLoadAndOngoingReplication', "
        "'aws:prod/pricing-gateway/sam.yaml#BackfillFunction2Role', 'ami-0d85a662720db9789']) == {}; "
        "assert 'detect_secrets' not in sys.modules; "
        "assert secrets.detect_many(['ghp_k3J9xQ2mT7vR4pL8sW1zY6bN0cF5hD2gA9eU']); "
        "assert 'detect_secrets' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_candidate_gate_is_a_run_of_sixteen_with_a_digit() -> None:
    """`_candidate`'s regex (tried only where a run starts) answers as the plain statement of the gate: a run of
    16 or more base64 characters holding a digit, or credentials in a URL."""
    plain = re.compile(r"(?=[A-Za-z+/=]*[0-9])[A-Za-z0-9+/=]{16,}|://[^\s/@]+:[^\s/@]+@")
    rng = random.Random(23)
    values = ["https://u:p@h", "x" * 15 + "1", "x" * 15 + " 1", "+" * 16 + "9", "a1" + "-" * 3 + "b" * 15 + "2"]
    for _ in range(30000):
        alphabet = rng.choice(["ab1", "aZ0+/=", "ab1 -.:@", "xyz/=+9\n", "Ab1://@:"])
        values.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 48))))
    for value in values:
        assert (secrets._CANDIDATE.search(value) is None) == (plain.search(value) is None), value


# What the candidate gate leaves to a digit: digit-free words these plugins flag are names, not their tokens.
WORD_PLUGINS = {"Artifactory Credentials", secrets._ENTROPY}


def test_digit_free_tokens_of_every_prefixed_plugin_are_seen() -> None:
    found = secrets.detect_many(DIGIT_FREE)
    assert [v for v in DIGIT_FREE if v not in found] == []
    assert found == _reference(DIGIT_FREE, gate=False)
    assert secrets.detect("AKIAQWERTYUIOPASDFGH") == "AWS Access Key"


def test_digit_free_words_stay_names() -> None:
    """The CamelCase exclusion holds for the plugins that judge words: these are names, though detect-secrets'
    entropy or Artifactory pattern would flag them on their own."""
    words = ["APACDeployRole", "AKCRegistryPullRole", "QwertyUiopAsdfGhjkLzxcvBnmMnbvcXz"]
    assert secrets.detect_many(words) == {}
    assert set(_reference(words, gate=False)) == set(words)


def test_prefixed_tokens_answer_as_scan_line_on_every_line() -> None:
    """With or without digits, around every plugin's prefix: `detect_many` answers as `scan_line` run on every
    line, but for digit-free words only the entropy or Artifactory plugin would flag."""
    rng = random.Random(29)
    prefixes = [
        *("AKIA", "ASIA", "ABIA", "ACCA", "A3TX", "ghp_", "ghs_", "glpat-", "glrt-", "GR1348941", "glcbt-ab_"),
        *("glptt-", "glagent-", "gloas-", "eyJ", "SG.", "xoxb-", "xoxp-123-", "sq0csp-", "sk_live_", "rk_live_"),
        *("AC", "SK", "pypi-AgEIcHlwaS5vcmc", "AccountKey=", "https://hooks.slack.com/services/T", "AKC", "APA"),
        *("123456789:", "//registry.npmjs.org/:_authToken=", "sk-", "MTk", "aws token '", "BEGIN RSA ", "ab"),
    ]
    alphabets = [string.ascii_uppercase, string.ascii_letters, string.ascii_lowercase, string.ascii_letters + "-_."]
    alphabets += [a + string.digits for a in alphabets] + [string.ascii_letters + "-_.:/+= "]
    values = list(DIGIT_FREE)
    for prefix in prefixes:
        for _ in range(40):
            alphabet = rng.choice(alphabets)
            body = "".join(rng.choice(alphabet) for _ in range(rng.choice([6, 16, 20, 24, 32, 36, 40, 43, 64, 90])))
            tail = rng.choice(["", "", ".", "-us1", " PRIVATE KEY", "'", "." + body[:27]])
            values.append(prefix + body + tail)
    found = secrets.detect_many(values)
    everything = _reference(values, gate=False)
    assert found == {v: kind for v, kind in everything.items() if kind not in WORD_PLUGINS or secrets._candidate(v)}
    assert len(found) > 300  # the generated values reach the plugins
