"""Messages name an unresolved value as its reference, said unknown once, never as `${…}` text."""

from __future__ import annotations

from pathlib import Path

from nhilint.values import readable_references
from tests.helpers import scan_tree


def test_markers_become_references_said_unknown_once() -> None:
    text = "roles/iam.roleAdmin on project ${module.project.project_id}: the roles of ${module.project.project_id}"
    assert readable_references(text) == (
        "roles/iam.roleAdmin on project module.project.project_id (not known before apply): "
        "the roles of module.project.project_id"
    )
    assert readable_references("project ${envs/prod/var.project}") == "project var.project (not evaluated)"
    assert readable_references("${data.aws_region.current.name}") == (
        "data.aws_region.current.name (read from the cloud at plan time)"
    )


def test_iam_policy_variables_and_plain_text_stay() -> None:
    assert readable_references("arn:aws:s3:::home/${aws:username}/*") == "arn:aws:s3:::home/${aws:username}/*"
    assert readable_references("no marker") == "no marker"


def test_finding_messages_carry_no_marker_text(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "main.tf": """
                module "project" {
                  source = "terraform-google-modules/project-factory/google"
                }
                resource "google_service_account" "deployer" {
                  account_id = "deployer"
                  project    = module.project.project_id
                }
                resource "google_project_iam_member" "deployer" {
                  project = module.project.project_id
                  role    = "roles/iam.serviceAccountTokenCreator"
                  member  = "serviceAccount:${google_service_account.deployer.email}"
                }
            """
        },
    )
    messages = [f.message for f in report.findings]
    assert messages and not [m for m in messages if "${" in m]
    assert any("module.project.project_id (not known before apply)" in m for m in messages), messages


def test_current_account_and_region_read_as_such_never_as_a_number() -> None:
    text = "arn:aws:logs:${current_region}:${current_account}:log-group:/nodes"
    assert readable_references(text) == "arn:aws:logs:<this region>:<this account>:log-group:/nodes"
