"""One lifecycle precedence for every format: comment > own tags/labels/Metadata > module input > default_tags >
parent identity."""

from __future__ import annotations

from pathlib import Path

from nhilint.extract.lifecycle import PRECEDENCE, FactSource, Origin, resolve
from nhilint.model import Fact, Lifecycle, Location, Unknown
from tests.helpers import scan_tree


def _facts(lifecycle: Lifecycle) -> dict[str, tuple[str | Unknown, str] | None]:
    return {
        name: (fact.value, fact.source) if (fact := lifecycle.get(name)) is not None else None
        for name in ("owner", "purpose", "expires", "retire_on")
    }


def test_the_precedence_is_written_once_most_specific_first() -> None:
    assert PRECEDENCE == (Origin.COMMENT, Origin.OWN, Origin.MODULE_INPUT, Origin.DEFAULT_TAGS, Origin.PARENT)
    at = Location("main.tf", 1, 1)
    sources = [  # given in the wrong order on purpose: the resolver ranks them
        FactSource(Origin.PARENT, {"owner": Fact("team-parent", "parent:x", at), "expires": Fact("2030", "p", at)}),
        FactSource(Origin.DEFAULT_TAGS, {"owner": Fact("team-default", "default_tags:owner", at)}),
        FactSource(Origin.OWN, {"owner": Fact("team-tag", "tag:owner", at), "purpose": Fact("ci", "tag:purpose", at)}),
        FactSource(Origin.OWN, {"purpose": Fact("later", "metadata:purpose", at)}),
        FactSource(Origin.COMMENT, {"retire_on": Fact("app:ci", "comment", at)}),
    ]
    assert _facts(resolve(sources)) == {
        "owner": ("team-tag", "tag:owner"),
        "purpose": ("ci", "tag:purpose"),  # one origin keeps the order the format gives
        "expires": ("2030", "p"),
        "retire_on": ("app:ci", "comment"),
    }


def test_terraform_comment_then_own_tags_then_default_tags_then_parent(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "main.tf": """
            provider "aws" {
              default_tags {
                tags = { owner = "team-default", purpose = "platform", expires = "2027-12-31" }
              }
            }

            # nhilint:owner team-comment
            resource "aws_iam_user" "ci" {
              name = "ci"
              tags = { owner = "team-tag", purpose = "deploys" }
            }

            resource "aws_iam_access_key" "ci" {
              user = aws_iam_user.ci.name
            }

            resource "aws_iam_role" "plain" {
              name               = "plain"
              assume_role_policy = "{}"
              tags               = { owner = var.owner }
            }

            # nhilint:owner team-comment
            resource "aws_iam_role" "unevaluated" {
              name               = "unevaluated"
              assume_role_policy = "{}"
              tags               = { owner = var.owner }
            }

            variable "owner" {}
            """,
        },
    )
    identities = report.inventory.identities
    assert _facts(identities["aws:aws_iam_user.ci"].lifecycle) == {
        "owner": ("team-comment", "comment"),
        "purpose": ("deploys", "tag:purpose"),
        "expires": ("2027-12-31", "default_tags:expires"),
        "retire_on": None,
    }
    key = next(c for c in report.inventory.credentials if c.address == "aws_iam_access_key.ci")
    assert _facts(key.lifecycle) == {  # a key inherits its user's facts, but not its expiry
        "owner": ("team-comment", "parent:aws:aws_iam_user.ci"),
        "purpose": ("deploys", "parent:aws:aws_iam_user.ci"),
        "expires": None,
        "retire_on": None,
    }
    plain = identities["aws:aws_iam_role.plain"].lifecycle.owner
    assert plain is not None and isinstance(plain.value, Unknown) and plain.source == "tag:owner"
    commented = identities["aws:aws_iam_role.unevaluated"].lifecycle.owner  # a comment beats tags it cannot read
    assert commented is not None and (commented.value, commented.source) == ("team-comment", "comment")


def test_terraform_module_input_ranks_below_a_comment_and_above_default_tags(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "main.tf": """
            provider "aws" {
              default_tags {
                tags = { owner = "team-default", purpose = "platform" }
              }
            }

            module "ci" {
              source = "./modules/role"
              tags   = { owner = "team-caller" }
            }
            """,
            "modules/role/main.tf": """
            variable "tags" {}

            # nhilint:purpose deploys the caller's stack
            resource "aws_iam_role" "this" {
              name               = "ci"
              assume_role_policy = "{}"
              tags               = var.tags
            }
            """,
        },
    )
    role = report.inventory.identities["aws:module.ci.aws_iam_role.this"]
    assert _facts(role.lifecycle) == {
        "owner": ("team-caller", "module input module.ci:owner"),
        "purpose": ("deploys the caller's stack", "comment"),
        "expires": None,
        "retire_on": None,
    }


def test_cloudformation_comment_then_tags_then_metadata(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "iam.yaml": """
            AWSTemplateFormatVersion: "2010-09-09"
            Resources:
              # nhilint:owner team-comment
              Deployer:
                Type: AWS::IAM::User
                Metadata:
                  nhilint: {owner: team-metadata, purpose: metadata purpose, retire-on: app:deployer}
                Properties:
                  Tags:
                    - {Key: owner, Value: team-tag}
                    - {Key: purpose, Value: deploys}
            """,
        },
    )
    user = report.inventory.identities["aws:iam.yaml#Deployer"]
    assert _facts(user.lifecycle) == {
        "owner": ("team-comment", "comment"),
        "purpose": ("deploys", "tag:purpose"),
        "expires": None,
        "retire_on": ("app:deployer", "metadata:retire-on"),
    }
    assert user.lifecycle.purpose is not None and user.lifecycle.purpose.location == Location("iam.yaml", 11, 11)


def test_terraform_kubernetes_comment_then_annotations_then_labels(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "k8s.tf": """
            # nhilint:retire-on app:api
            resource "kubernetes_service_account" "api" {
              metadata {
                name      = "api"
                namespace = "payments"
                labels = {
                  owner   = "team-label"
                  purpose = "serves the api"
                  "nhilint.io/retire-on" = "app:label"
                }
                annotations = {
                  owner = "team-annotation"
                }
              }
            }
            """,
        },
    )
    account = report.inventory.identities["kubernetes:kubernetes_service_account.api"]
    assert _facts(account.lifecycle) == {
        "owner": ("team-annotation", "annotation:owner"),
        "purpose": ("serves the api", "label:purpose"),
        "expires": None,
        "retire_on": ("app:api", "comment"),
    }


def test_manifest_annotations_then_labels(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "sa.yaml": """
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: api
              namespace: payments
              labels:
                owner: team-label
                purpose: serves-the-api
              annotations:
                owner: team-annotation
                nhilint.io/retire-on: app:api
            """,
        },
    )
    account = report.inventory.identities["kubernetes:ServiceAccount/payments/api"]
    assert _facts(account.lifecycle) == {
        "owner": ("team-annotation", "annotation:owner"),
        "purpose": ("serves-the-api", "label:purpose"),
        "expires": None,
        "retire_on": ("app:api", "annotation:nhilint.io/retire-on"),
    }


def test_entra_tags_then_owners_then_the_application(tmp_path: Path) -> None:
    report = scan_tree(
        tmp_path,
        {
            "entra.tf": """
            resource "azuread_application" "api" {
              display_name = "api"
              owners       = ["00000000-0000-0000-0000-000000000001"]
              tags         = ["purpose:serves the api", "retire-on=app:api"]
            }

            # nhilint:purpose the api's service principal
            resource "azuread_service_principal" "api" {
              client_id = azuread_application.api.client_id
            }
            """,
        },
    )
    identities = report.inventory.identities
    assert _facts(identities["azure:azuread_application.api"].lifecycle) == {
        "owner": ("00000000-0000-0000-0000-000000000001", "owners"),
        "purpose": ("serves the api", "tag:purpose"),
        "expires": None,
        "retire_on": ("app:api", "tag:retire-on"),
    }
    assert _facts(identities["azure:azuread_service_principal.api"].lifecycle) == {
        "owner": ("00000000-0000-0000-0000-000000000001", "parent:azure:azuread_application.api"),
        "purpose": ("the api's service principal", "comment"),
        "expires": None,
        "retire_on": ("app:api", "parent:azure:azuread_application.api"),
    }
