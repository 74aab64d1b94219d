"""Terraform plan JSON through the same extractor tables as the source (fixture: tfplan_fixture.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nhilint.api import Report, ScanOptions, scan
from nhilint.cli import main
from nhilint.parse.tfplan_document import Shape, resource_instances
from tests.extract.tfplan_fixture import PLAN, SECRET, SOURCE, change
from tests.helpers import config_for, triples, write_tree

RULES = ("NHI-TRUST-003", "NHI-PRIV-004", "NHI-CRED-001")
IDENTITIES = [
    "aws:aws_iam_group.ops",
    "aws:aws_iam_role.deploy",
    "aws:aws_iam_role.generated",
    "aws:aws_iam_user.legacy",
    'aws:module.ci.aws_iam_role.this["build"]',
    'aws:module.ci.aws_iam_role.this["release"]',
]


def _write(tmp_path: Path, plan: dict[str, Any] | str = PLAN, name: str = "plan.json") -> Path:
    write_tree(tmp_path, SOURCE)
    path = tmp_path / name
    path.write_text(plan if isinstance(plan, str) else json.dumps(plan), encoding="utf-8")
    return path


def _scan(tmp_path: Path, plans: list[Path], source: Path | None = None, paths: list[Path] | None = None) -> Report:
    return scan(paths or [], config_for(tmp_path), tmp_path, ScanOptions(plans=tuple(plans), plan_source=source))


def _line(path: Path, needle: str) -> int:
    return next(n for n, text in enumerate(path.read_text().splitlines(), 1) if needle in text)


def _selected(report: Report) -> list[tuple[str, str, int, str | None]]:
    return [t for t in triples(report) if t[0] in RULES]


def test_plan_identities_grants_and_links(tmp_path: Path) -> None:
    inventory = _scan(tmp_path, [_write(tmp_path)]).inventory
    assert sorted(inventory.identities) == IDENTITIES  # aws_iam_user.old is being deleted
    legacy = inventory.identities["aws:aws_iam_user.legacy"]
    assert legacy.name == "legacy-prod"  # from the plan: the source cannot know var.env
    assert str(legacy.location) == "plan.json:1"
    generated = inventory.identities["aws:aws_iam_role.generated"]
    assert str(generated.name) == "<unknown: name_prefix: the name is generated at apply>"
    deploy = inventory.identities["aws:aws_iam_role.deploy"]
    assert deploy.tags == (("purpose", "deploy"),)
    assert deploy.lifecycle.owner is not None
    assert (deploy.lifecycle.owner.value, deploy.lifecycle.owner.source) == ("team-platform", "default_tags:owner")
    group_owner = inventory.identities["aws:aws_iam_group.ops"].lifecycle.owner  # no tags_all: the provider's
    assert group_owner is not None
    assert (group_owner.value, group_owner.source) == ("team-platform", "default_tags:owner")
    assert inventory.identities['aws:module.ci.aws_iam_role.this["build"]'].multiplicity == "for_each = var.names"
    grants = sorted((g.principal or "", g.permissions, g.scope) for g in inventory.grants)
    assert grants == [  # once each: the role's computed managed_policy_arns mirror the attachment
        ("aws:aws_iam_role.deploy", ("arn:aws:iam::aws:policy/AdministratorAccess",), ()),
        ("aws:aws_iam_role.generated", ("logs:*",), ("*",)),
        # the role of this inline policy is known only after apply: linked through the configuration's reference
        ("aws:aws_iam_role.generated", ("s3:GetObject",), ("arn:aws:s3:::data/*",)),
        ('aws:module.ci.aws_iam_role.this["build"]', ("arn:aws:iam::aws:policy/ReadOnlyAccess",), ()),
        ('aws:module.ci.aws_iam_role.this["release"]', ("arn:aws:iam::aws:policy/ReadOnlyAccess",), ()),
    ]
    assert [(c.id, c.of) for c in inventory.credentials] == [
        ("aws:aws_iam_access_key.legacy", "aws:aws_iam_user.legacy")
    ]
    trust = inventory.trusts_of("aws:aws_iam_role.deploy")[0]
    assert [(c.operator, c.key, c.values) for c in trust.conditions] == [
        ("StringLike", "token.actions.githubusercontent.com:sub", ("repo:acme/*",))
    ]


def test_findings_without_source_point_at_the_plan(tmp_path: Path) -> None:
    report = _scan(tmp_path, [_write(tmp_path)])
    assert _selected(report) == [
        ("NHI-CRED-001", "plan.json", 1, "aws:aws_iam_access_key.legacy"),
        ("NHI-PRIV-004", "plan.json", 1, "aws:aws_iam_role.deploy"),
        ("NHI-TRUST-003", "plan.json", 1, "aws:aws_iam_role.deploy"),
    ]
    assert report.inventory.files == ["plan.json"]


def test_findings_with_source_point_at_the_tf_lines(tmp_path: Path) -> None:
    report = _scan(tmp_path, [_write(tmp_path)], tmp_path / "infra")
    main_tf = tmp_path / "infra/main.tf"
    # addresses carry the source root's directory, as a scan of the source names them
    assert _selected(report) == [
        ("NHI-TRUST-003", "infra/main.tf", _line(main_tf, "Statement = [{"), "aws:infra/aws_iam_role.deploy"),
        ("NHI-PRIV-004", "infra/main.tf", _line(main_tf, '"deploy_admin"'), "aws:infra/aws_iam_role.deploy"),
        (
            "NHI-CRED-001",
            "infra/main.tf",
            _line(main_tf, 'aws_iam_access_key" "legacy"'),
            "aws:infra/aws_iam_access_key.legacy",
        ),
    ]
    inventory = report.inventory
    assert sorted(inventory.identities) == [f"aws:infra/{i.removeprefix('aws:')}" for i in IDENTITIES]
    build = inventory.identities['aws:infra/module.ci.aws_iam_role.this["build"]']
    assert str(build.location) == f"infra/modules/ci/main.tf:{_line(tmp_path / 'infra/modules/ci/main.tf', 'this')}"
    owner = inventory.identities["aws:infra/aws_iam_role.deploy"].lifecycle.owner
    assert owner is not None and owner.location is not None
    assert (owner.location.path, owner.location.start_line) == ("infra/main.tf", _line(main_tf, "owner ="))
    assert inventory.identities["aws:infra/aws_iam_user.legacy"].name == "legacy-prod"
    logs = next(g for g in inventory.grants if g.permissions == ("logs:*",))  # a nested block, mapped to its source
    assert (logs.principal, logs.location.start_line) == (
        "aws:infra/aws_iam_role.generated",
        _line(main_tf, 'Action = "logs:*"'),
    )
    # the same findings as scanning the source, where both can see them
    source_only = scan([tmp_path / "infra"], config_for(tmp_path), tmp_path)
    assert _selected(source_only) == _selected(report)


def test_plan_wins_over_scanned_source_without_duplicates(tmp_path: Path) -> None:
    plan = _write(tmp_path, name="infra/plan.json")  # discovered beside its .tf files, and also given
    for report in (
        scan([tmp_path], config_for(tmp_path), tmp_path),
        _scan(tmp_path, [plan], tmp_path / "infra", [tmp_path]),
    ):
        inventory = report.inventory
        assert sorted(inventory.identities) == [f"aws:infra/{i.removeprefix('aws:')}" for i in IDENTITIES]
        assert inventory.identities["aws:infra/aws_iam_user.legacy"].name == "legacy-prod"
        assert (len(inventory.grants), len(inventory.credentials), len(inventory.trusts)) == (5, 1, 4)
        main_tf = tmp_path / "infra/main.tf"
        assert [t[:3] for t in _selected(report)] == [
            ("NHI-TRUST-003", "infra/main.tf", _line(main_tf, "Statement = [{")),
            ("NHI-PRIV-004", "infra/main.tf", _line(main_tf, '"deploy_admin"')),
            ("NHI-CRED-001", "infra/main.tf", _line(main_tf, 'aws_iam_access_key" "legacy"')),
        ]


def test_sensitive_values_are_never_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = _write(tmp_path)
    code = main(["scan", "--plan", str(plan), "--format", "json", "--today", "2026-11-22"])
    out = capsys.readouterr().out
    assert code == 1
    assert SECRET not in out
    code = main(["inventory", str(tmp_path), "--format", "json"])
    assert SECRET not in capsys.readouterr().out


def test_cli_plan_and_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = _write(tmp_path)
    other = tmp_path / "other.json"
    other.write_text(
        json.dumps(
            {
                **PLAN,
                "resource_changes": [
                    change("aws_iam_user.bot", {"name": "bot", "tags": None, "tags_all": {}}, {"arn": True})
                ],
                "planned_values": {"root_module": {}},
                "configuration": {},
            }
        ),
        encoding="utf-8",
    )
    args = [
        "scan",
        "--plan",
        str(plan),
        "--plan",
        str(other),
        "--source",
        str(tmp_path / "infra"),
        "--format",
        "json",
        "--today",
        "2026-11-22",
    ]
    assert main(args) == 1
    document = json.loads(capsys.readouterr().out)
    found = {(f["rule_id"], f["file"], f["identity"]) for f in document["findings"] if f["rule_id"] in RULES}
    assert found == {
        ("NHI-TRUST-003", "infra/main.tf", "aws:infra/aws_iam_role.deploy"),
        ("NHI-PRIV-004", "infra/main.tf", "aws:infra/aws_iam_role.deploy"),
        ("NHI-CRED-001", "infra/main.tf", "aws:infra/aws_iam_access_key.legacy"),
    }
    assert any(f["identity"] == "aws:infra/aws_iam_user.bot" for f in document["findings"])
    assert main(["scan", "--source", str(tmp_path / "infra")]) == 2
    assert "give --plan too" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('{\n  "format_version": "1.2",\n  "planned_values": {\n    "root_module": {\n', 5, "invalid JSON"),
        (
            '{"format_version": "1.2", "resource_changes": {"aws_iam_role.x": {}}}',
            1,
            "not the shape of a Terraform plan at /resource_changes: expected an array, found an object",
        ),
    ],
)
def test_malformed_plan_is_a_parse_finding(tmp_path: Path, text: str, line: int, reason: str) -> None:
    for report in (_scan(tmp_path, [_write(tmp_path, text)]), scan([tmp_path], config_for(tmp_path), tmp_path)):
        parse = [f for f in report.findings if f.rule_id == "NHI-PARSE-001"]
        assert [(f.location.path, f.location.start_line) for f in parse] == [("plan.json", line)]
        assert reason in parse[0].message


def test_values_of_unexpected_shape_do_not_crash(tmp_path: Path) -> None:
    odd = {
        **PLAN,
        "configuration": None,
        "planned_values": {"root_module": {"resources": ["x", {"mode": 1}]}},
        "resource_changes": [
            "not an object",
            {
                "address": "aws_iam_role.odd",
                "mode": "managed",
                "type": "aws_iam_role",
                "name": "odd",
                "change": {
                    "actions": ["create"],
                    "after": {"assume_role_policy": 7, "inline_policy": "x", "tags": ["a"], "name": {"x": 1}},
                    "after_unknown": {"name": []},
                    "after_sensitive": {"tags": "?"},
                },
            },
            {
                "address": "aws_iam_access_key.k",
                "mode": "managed",
                "type": "aws_iam_access_key",
                "name": "k",
                "change": {"actions": ["create"], "after": {"user": ["a", "b"]}},
            },
            {
                "address": "aws_iam_user.u",
                "mode": "managed",
                "type": "aws_iam_user",
                "name": "u",
                "change": {"actions": "create", "after": {"name": "u"}},
            },
        ],
    }
    report = _scan(tmp_path, [_write(tmp_path, odd)])
    inventory = report.inventory
    assert sorted(inventory.identities) == ["aws:aws_iam_role.odd"]
    assert [t.unknown for t in inventory.trusts] == ["the policy is not a JSON object"]
    assert [(c.id, str(c.of)) for c in inventory.credentials] == [
        ("aws:aws_iam_access_key.k", "<unknown: a list where a string is expected>")
    ]
    prefix = "not the shape of a Terraform plan at "
    assert [(e.path, e.line, e.reason.removeprefix(prefix)) for e in inventory.errors] == [
        ("plan.json", 1, f"/{where}; that part is skipped")
        for where in (
            "configuration: expected an object, found null",
            "resource_changes/0: expected an object, found a string",
            "resource_changes/1/change/after_sensitive/tags: expected a boolean, an object or an array, found a string",
            "resource_changes/1/change/after_unknown/name: expected a boolean or an object, found an array",
            "resource_changes/3/change/actions: expected an array of strings, found a string",
            "planned_values/root_module/resources/0: expected an object, found a string",
            "planned_values/root_module/resources/1/mode: expected a string, found a number",
        )
    ]


def test_source_comments_suppress_and_describe_plan_findings(tmp_path: Path) -> None:
    plan = _write(tmp_path)
    main_tf = tmp_path / "infra/main.tf"
    main_tf.write_text(
        main_tf.read_text().replace(
            'resource "aws_iam_access_key" "legacy"',
            "# nhilint:ignore NHI-CRED-001 -- replaced by OIDC in Q1\n# nhilint:owner team-ci\n"
            'resource "aws_iam_access_key" "legacy"',
        ),
        encoding="utf-8",
    )
    report = _scan(tmp_path, [plan], tmp_path / "infra")
    assert [t[0] for t in _selected(report)] == ["NHI-TRUST-003", "NHI-PRIV-004"]
    assert [(s.finding.rule_id, s.reason) for s in report.suppressed] == [("NHI-CRED-001", "replaced by OIDC in Q1")]
    key = next(c for c in report.inventory.credentials if c.id == "aws:infra/aws_iam_access_key.legacy")
    assert key.lifecycle.owner is not None and (key.lifecycle.owner.value, key.lifecycle.owner.source) == (
        "team-ci",
        "comment",
    )


def test_an_extractor_error_is_a_parse_finding_without_the_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nhilint.extract.terraform import aws

    def broken(resource: Any, builder: Any) -> None:
        raise TypeError(f"cannot use {resource.get('secret_string')}")

    monkeypatch.setitem(aws.TABLE.handlers, "aws_secretsmanager_secret_version", broken)
    report = _scan(tmp_path, [_write(tmp_path)])
    parse = [f for f in report.findings if f.rule_id == "NHI-PARSE-001"]
    assert [(f.location.path, f.location.start_line) for f in parse] == [("plan.json", 1)]
    assert "aws_secretsmanager_secret_version.db" in parse[0].message and SECRET not in parse[0].message
    assert sorted(report.inventory.identities) == IDENTITIES  # everything else is still extracted


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (
            '"planned_values":{"root_module":{}},"configuration":{"root_module":{"resources":3}}',
            "/configuration/root_module/resources: expected an array, found a number",
        ),
        ('"planned_values":[]', "/planned_values: expected an object, found an array"),
        (
            '"planned_values":{"root_module":{"child_modules":"nope"}}',
            "/planned_values/root_module/child_modules: expected an array, found a string",
        ),
        (
            '"planned_values":{"root_module":{"resources":[{"address":5,"mode":"managed","type":"aws_iam_user",'
            '"name":"x","values":{"name":"x"}}]}}',
            "/planned_values/root_module/resources/0/address: expected a non-empty string, found a number",
        ),
    ],
)
def test_a_plan_of_the_wrong_shape_is_named_and_the_other_files_still_scanned(
    tmp_path: Path, body: str, where: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write_tree(tmp_path, {"infra/main.tf": 'resource "aws_iam_user" "ci" {\n  name = "ci"\n}\n'})
    (tmp_path / "infra/plan.json").write_text(f'{{"format_version":"1.2",{body}}}', encoding="utf-8")
    expected = [
        ("NHI-PARSE-001", "infra/plan.json", 1, f"not the shape of a Terraform plan at {where}; that part is skipped")
    ]
    discovered = scan([tmp_path], config_for(tmp_path), tmp_path)
    given = _scan(tmp_path, [tmp_path / "infra/plan.json"], paths=[tmp_path / "infra/main.tf"])
    for report in (discovered, given):
        parse = [f for f in report.findings if f.rule_id == "NHI-PARSE-001"]
        assert [
            (f.rule_id, f.location.path, f.location.start_line, f.message.split(": ", 1)[1]) for f in parse
        ] == expected
        assert (
            "aws:infra/aws_iam_user.ci" in report.inventory.identities
            or "aws:aws_iam_user.ci" in report.inventory.identities
        )
    assert main(["scan", str(tmp_path), "--today", "2026-11-22"]) == 1
    assert "NHI-OWN-001" in capsys.readouterr().out


def test_a_shape_problem_points_at_its_line_in_a_plan_laid_out_on_lines(tmp_path: Path) -> None:
    odd = json.loads(json.dumps(PLAN))
    odd["configuration"]["root_module"]["resources"] = 3
    odd["resource_changes"][1]["change"]["after_sensitive"] = "yes"
    plan = _write(tmp_path, json.dumps(odd, indent=2))
    report = _scan(tmp_path, [plan])
    prefix = "not the shape of a Terraform plan at "
    assert [(e.line, e.reason.removeprefix(prefix)) for e in report.inventory.errors] == [
        (
            _line(plan, '"resources": 3'),
            "/configuration/root_module/resources: expected an array, found a number; that part is skipped",
        ),
        (
            _line(plan, '"after_sensitive": "yes"'),
            "/resource_changes/1/change/after_sensitive: expected a boolean, an object or an array, found a string; "
            "that part is skipped",
        ),
    ]
    assert "aws:aws_iam_role.deploy" in report.inventory.identities  # the rest is read


_HIDDEN = "<unknown: sensitive in the plan (the value is not read)>"


@pytest.mark.parametrize(
    ("mark", "path", "unknown", "problem"),
    [
        (
            {"after_sensitive": [True]},
            (),
            _HIDDEN,
            "/resource_changes/0/change/after_sensitive: expected a boolean or an object, found an array",
        ),
        (
            {"after_sensitive": True},
            (),
            _HIDDEN,
            "/resource_changes/0/change/after_sensitive: expected an object of marks over an object `after`, "
            "found a boolean",
        ),
        (
            {"after_unknown": True},
            (),
            _HIDDEN,
            "/resource_changes/0/change/after_unknown: expected an object of marks over an object `after`, "
            "found a boolean",
        ),
        (
            {"after_sensitive": {"secret_string": {"x": True}}},
            ("secret_string",),
            _HIDDEN,
            "/resource_changes/0/change/after_sensitive/secret_string: expected a boolean, found an object",
        ),
        (
            {"after_unknown": {"secret_string": [True]}},
            ("secret_string",),
            "<unknown: known after apply>",
            "/resource_changes/0/change/after_unknown/secret_string: expected a boolean, found an array",
        ),
        (
            {"after_sensitive": {"tags": {"a/b~c": {"x": True}}}},
            ("tags", "a/b~c"),
            _HIDDEN,
            "/resource_changes/0/change/after_sensitive/tags/a~1b~0c: expected a boolean, found an object",
        ),
    ],
)
def test_a_mark_of_the_wrong_shape_hides_the_value_it_covers(
    mark: dict[str, Any], path: tuple[str, ...], unknown: str, problem: str
) -> None:
    change = {
        "address": "aws_secretsmanager_secret_version.db",
        "mode": "managed",
        "type": "aws_secretsmanager_secret_version",
        "name": "db",
        "change": {
            "actions": ["create"],
            "after": {"secret_string": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "tags": {"a/b~c": "orders"}},
            **mark,
        },
    }
    shape = Shape()
    [entry] = resource_instances({"resource_changes": [change]}, shape)
    value: Any = entry.values
    for key in path:
        value = value[key]
    assert str(value) == unknown if path else entry.values == {}
    assert [reason for _, reason in shape.problems] == [problem]
