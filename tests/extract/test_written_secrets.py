"""Secrets written in tags, annotations, environment variables and user data (nhilint/extract/written_secrets/).

Where each is reported is asserted by the rule cases (tests/rules/cases/NHI-CRED-002.yaml); here: no output
prints one of those values, and a scan whose free-form values hold nothing secret-looking never loads the
detector.
"""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml

from nhilint.cli import main
from tests.helpers import write_tree

CASES = Path(__file__).parents[1] / "rules" / "cases" / "NHI-CRED-002.yaml"
# The fake tokens of the positive cases, and the text of the private key in user data.
VALUES = (
    "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d",
    "sk_live_KLzdocJ2isAjIhKtJ0RlgLKO",
    "AKIAMXG9EDN581U33XTP",
    "xoxb-034236671276-842684656321-ljoQoaF1LlqsajAIxNKu8iS2",
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ",
    "IyEvYmluL2Jhc2gKZXhwb3J0IEdIX1RPS0VO",
    # provider blocks, secret-named variables and parameters, ConfigMap binary data, outputs
    "Tr0ub4dor",
    "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "Xy7pQ2rT9vW4zK8mN3bF6hJ1cL5sD0gA",
    "MIIEpAIBAAKCAQEAzq8Vb1cN4yQd0Xh2kP9t",
    "eyJhbGciOiJSUzI1NiIsImtpZCI6IkRFUExPWSJ9",
    "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0tCk1IY0NBUUVFSUJrcTNadDlH",
    "MHcCAQEEIBkq3Zt9GXtqQm0dWl3Yk8Vx2Hn4Jf6R",
)
RUNS = [
    ["inventory", "-f", "json"],
    ["inventory", "-f", "csv"],
    *(["scan", "-f", fmt] for fmt in ("text", "json", "sarif", "github", "markdown", "junit")),
]


def _tree() -> dict[str, str]:
    """Every case of the rule that expects findings, one directory each."""
    files = {}
    for number, case in enumerate(yaml.safe_load(CASES.read_text(encoding="utf-8"))["cases"]):
        if case["expect"]:
            files.update({f"case{number}/{name}": text for name, text in case["files"].items()})
    return files


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tree = _tree()
    positive = [case for case in yaml.safe_load(CASES.read_text(encoding="utf-8"))["cases"] if case["expect"]]
    assert len({name.split("/")[0] for name in tree}) == len(positive) > 10
    root = write_tree(tmp_path_factory.mktemp("tree"), tree)
    found = {}
    for number, args in enumerate(RUNS):
        target = root.parent / f"out-{number}"
        with redirect_stdout(io.StringIO()) as out, redirect_stderr(io.StringIO()) as err:
            assert main([*args, str(root), "--no-cache", "-o", str(target)]) in (0, 1), args
            assert main([*args, str(root), "--no-cache"]) in (0, 1), args  # the report on stdout
        found[" ".join(args)] = "\n".join((target.read_text(encoding="utf-8"), out.getvalue(), err.getvalue()))
    return found


@pytest.mark.parametrize("args", [" ".join(a) for a in RUNS])
def test_no_output_prints_a_written_secret(outputs: dict[str, str], args: str) -> None:
    text = outputs[args]
    assert [value for value in VALUES if value in text] == []


def test_the_findings_name_where_not_what(outputs: dict[str, str]) -> None:
    text = outputs["scan -f json"]
    for where in (
        "aws_lambda_function.charge.environment.variables.STRIPE_KEY",
        "aws_instance.bastion.user_data",
        "Deployment/shop/payments.containers[api].env[STRIPE_KEY]",
        "template.yaml#ChargeRole.Tags.deploy-key",
        "container_definitions[worker].environment[AWS_ACCESS_KEY_ID]",
        "provider.helm.kubernetes.token",
        "stack.yaml#SmtpPassword.Default",
        "stack.yaml#Outputs.DeployToken.Value",
        "ConfigMap/shop/backup.binaryData.signing.pem",
        "kubernetes_config_map_v1.orders.data.SMTP_PASSWORD",
    ):
        assert f"{where} (value not shown)" in text


ORDINARY = {
    "main.tf": """
        resource "aws_iam_role" "app" {
          name               = "orders-app"
          assume_role_policy = data.aws_iam_policy_document.lambda.json
          tags               = { team = "orders", environment = "production" }
        }

        resource "aws_lambda_function" "app" {
          function_name = "orders"
          role          = aws_iam_role.app.arn
          runtime       = "python3.12"
          handler       = "app.handler"
          filename      = "build/orders.zip"
          environment {
            variables = { LOG_LEVEL = "info", TABLE = aws_dynamodb_table.orders.name }
          }
        }

        resource "aws_instance" "worker" {
          ami           = "ami-0abcdef1234567890"
          instance_type = "t3.micro"
          user_data     = <<-EOT
            #!/bin/bash
            dnf install -y nginx
            systemctl enable --now nginx
          EOT
        }
        """,
    "k8s/app.yaml": """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: orders
          namespace: shop
          annotations: {team: orders}
        spec:
          template:
            spec:
              containers:
                - name: api
                  image: ghcr.io/example/orders:1.2.0
                  env:
                    - {name: LOG_LEVEL, value: info}
        """,
}
PROBE = (
    "import sys\nfrom nhilint.cli import main\ncode = main(['scan', sys.argv[1], '-q', '--no-cache'])\n"
    "print(code, 'detect_secrets' in sys.modules)"
)


def test_ordinary_values_do_not_load_the_detector(tmp_path: Path) -> None:
    write_tree(tmp_path / "plain", ORDINARY)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "plain")], capture_output=True, text=True, check=True
    )
    assert done.stdout.split()[-1] == "False"
    # the probe sees the import when a plugin could flag a value (a GitHub token's shape; a shorter `ghp_` run
    # with digits is only a candidate, answered without the package: nhilint/secret_shapes.py)
    token = "ghp_u8jzPde0IgxLd6GncfBAep4Xq2Lm9Rt7Kv3W"
    write_tree(tmp_path / "short", {"main.tf": ORDINARY["main.tf"].replace('"info"', f'"{token[:26]}"')})
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "short")], capture_output=True, text=True, check=True
    )
    assert done.stdout.split()[-1] == "False"
    write_tree(tmp_path / "token", {"main.tf": ORDINARY["main.tf"].replace('"info"', f'"{token}"')})
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "token")], capture_output=True, text=True, check=True
    )
    assert done.stdout.split()[-1] == "True"
