"""Findings come out in one order in every run, even when two share file, line, rule and identity."""

from __future__ import annotations

import itertools

from nhilint.model import Finding, Location, Severity


def _finding(evidence: str, message: str = "could not evaluate what is attached to an identity") -> Finding:
    return Finding("NHI-PRIV-004", Severity.MEDIUM, message, Location("main.tf", 545, 550), None, evidence=evidence)


def test_ties_on_line_rule_and_identity_are_broken_by_message_and_evidence() -> None:
    # One module called from two examples: the same line, rule and message, told apart only by the evidence.
    findings = [
        _finding("policy attached by tests/x.this"),
        _finding("policy attached by examples/y.this"),
        _finding(""),
    ]
    orders = {tuple(sorted(set(p), key=lambda f: f.sort_key)) for p in itertools.permutations(findings)}
    assert len(orders) == 1
    assert [f.evidence for f in next(iter(orders))] == [
        "",
        "policy attached by examples/y.this",
        "policy attached by tests/x.this",
    ]
