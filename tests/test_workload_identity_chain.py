"""ServiceAccount -> cloud identity -> trust, across formats and clouds: the rules and the inventory agree.

The ServiceAccounts are manifests (and one Terraform `kubernetes_service_account_v1`, the only way an Azure
client id can name an identity before apply); the identities are a CloudFormation IRSA role, a Terraform
GCP service account and a Terraform Azure managed identity. The same estate is checked three ways: which
rule reports what (exact rule, file, line, identity, severity), what `nhilint inventory --format json`
shows from each end of every edge (validated against the shipped schema), and the subject matching the
trust checks rely on.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from nhilint.analyse.k8s import Admission, gke_member, glob_match
from nhilint.cli import main
from nhilint.model import Location, Trust, TrustPrincipal, Unknown
from tests.helpers import scan_tree, write_tree

ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
AKS_ISSUER = "https://westeurope.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111-1111-1111-1111-111111111111/"
GKE_POOL = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/acme-data.svc.id.goog"

MANIFESTS = """
# helm template platform charts/platform -n payments  (rendered, then committed)
---
# Source: platform/templates/serviceaccount-api.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: payments
  labels:
    owner: team-payments
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/payments-api
automountServiceAccountToken: false
---
# Source: platform/templates/serviceaccount-settle.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: settle
  namespace: payments
  labels:
    owner: team-payments
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/payments-api
automountServiceAccountToken: false
---
# Source: platform/templates/serviceaccount-loader.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: loader
  namespace: data
  labels:
    owner: team-data
  annotations:
    iam.gke.io/gcp-service-account: etl-loader@acme-data.iam.gserviceaccount.com
automountServiceAccountToken: false
"""

# The role trusts api by name and, since a "temporary" change, every ServiceAccount of its namespace.
CFN_ROLE = f"""
AWSTemplateFormatVersion: "2010-09-09"
Description: IRSA role for the payments API.
Resources:
  PaymentsApiRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: payments-api
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Federated: arn:aws:iam::111122223333:oidc-provider/{ISSUER}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                "{ISSUER}:sub": system:serviceaccount:payments:api
                "{ISSUER}:aud": sts.amazonaws.com
          - Effect: Allow
            Principal:
              Federated: arn:aws:iam::111122223333:oidc-provider/{ISSUER}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringLike:
                "{ISSUER}:sub": system:serviceaccount:payments:*
      Tags:
        - {{Key: owner, Value: team-payments}}
"""

GCP = f"""
resource "google_service_account" "loader" {{
  account_id = "etl-loader"
  project    = "acme-data"
}}

resource "google_service_account_iam_member" "loader_wi" {{
  service_account_id = google_service_account.loader.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:acme-data.svc.id.goog[data/loader]"
}}

resource "google_service_account_iam_member" "loader_ns" {{
  service_account_id = google_service_account.loader.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet:{GKE_POOL}/namespace/data"
}}
"""

AZURE = f"""
resource "azurerm_user_assigned_identity" "orders" {{
  name                = "orders"
  location            = "westeurope"
  resource_group_name = "rg-orders"
}}

resource "azurerm_federated_identity_credential" "orders" {{
  name                = "aks-orders"
  resource_group_name = "rg-orders"
  parent_id           = azurerm_user_assigned_identity.orders.id
  audience            = ["api://AzureADTokenExchange"]
  issuer              = "{AKS_ISSUER}"
  subject             = "system:serviceaccount:orders:api"
}}

resource "kubernetes_service_account_v1" "orders" {{
  metadata {{
    name      = "api"
    namespace = "orders"
    annotations = {{
      "azure.workload.identity/client-id" = azurerm_user_assigned_identity.orders.client_id
    }}
  }}
}}
"""

FILES = {"k8s/rendered.yaml": MANIFESTS, "cfn/payments-irsa.yaml": CFN_ROLE, "gcp/wi.tf": GCP, "azure/wi.tf": AZURE}
API = "kubernetes:ServiceAccount/payments/api"
SETTLE = "kubernetes:ServiceAccount/payments/settle"
LOADER = "kubernetes:ServiceAccount/data/loader"
ROLE = "aws:cfn/payments-irsa.yaml#PaymentsApiRole"


def test_rules_report_the_wildcards_on_the_service_accounts(tmp_path: Path) -> None:
    """settle is admitted only by the namespace wildcard; api by name too, but the role is still shared."""
    report = scan_tree(tmp_path, FILES)
    found = [
        (f.rule_id, f.location.path, f.location.start_line, f.identity, str(f.severity))
        for f in report.findings
        if f.rule_id in ("NHI-K8S-006", "NHI-K8S-007", "NHI-TRUST-003")
    ]
    assert found == [
        ("NHI-TRUST-003", "cfn/payments-irsa.yaml", 19, ROLE, "high"),
        ("NHI-K8S-007", "k8s/rendered.yaml", 4, API, "medium"),
        ("NHI-K8S-007", "k8s/rendered.yaml", 16, SETTLE, "medium"),
        ("NHI-K8S-007", "k8s/rendered.yaml", 28, LOADER, "medium"),
    ]
    messages = {f.identity: f.message for f in report.findings if f.rule_id == "NHI-K8S-007"}
    assert messages[SETTLE] == (
        "ServiceAccount payments/settle is annotated eks.amazonaws.com/role-arn for role "
        "payments-irsa.yaml#PaymentsApiRole, whose trust admits every ServiceAccount in namespace payments "
        "(sub 'system:serviceaccount:payments:*' at cfn/payments-irsa.yaml:19): each of them can act as it too"
    )
    assert messages[LOADER].startswith(
        "ServiceAccount data/loader is annotated iam.gke.io/gcp-service-account for service account "
        f"google_service_account.loader, whose trust admits every ServiceAccount in namespace data (member "
        f"'principalSet:{GKE_POOL}/namespace/data' at gcp/wi.tf:15)"
    )


def test_a_wildcard_reaching_every_namespace_is_high(tmp_path: Path) -> None:
    wide = CFN_ROLE.replace("system:serviceaccount:payments:*", "system:serviceaccount:*:*")
    report = scan_tree(tmp_path, {**FILES, "cfn/payments-irsa.yaml": wide})
    found = [
        (f.location.start_line, f.identity, str(f.severity))
        for f in report.findings
        if f.rule_id == "NHI-K8S-007" and f.identity in (API, SETTLE)
    ]
    assert found == [(4, API, "high"), (16, SETTLE, "high")]
    assert all(
        "every ServiceAccount in every namespace" in f.message
        for f in report.findings
        if f.rule_id == "NHI-K8S-007" and f.identity in (API, SETTLE)
    )


def test_pinning_every_trust_clears_both_rules(tmp_path: Path) -> None:
    """One exact subject per ServiceAccount: nothing to report on any cloud."""
    pinned_role = CFN_ROLE.replace("StringLike", "StringEquals").replace(
        "system:serviceaccount:payments:*", "system:serviceaccount:payments:settle"
    )
    pinned_gcp = GCP.replace(
        f"principalSet:{GKE_POOL}/namespace/data", f"principal:{GKE_POOL}/subject/ns/data/sa/loader"
    )
    report = scan_tree(tmp_path, {**FILES, "cfn/payments-irsa.yaml": pinned_role, "gcp/wi.tf": pinned_gcp})
    assert [f for f in report.findings if f.rule_id in ("NHI-K8S-006", "NHI-K8S-007", "NHI-TRUST-003")] == []


def _schema() -> Draft202012Validator:
    text = resources.files("nhilint.schemas").joinpath("inventory.schema.json").read_text()
    return Draft202012Validator(json.loads(text))


def test_inventory_json_shows_the_chain_from_both_ends(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_tree(tmp_path, FILES)
    assert main(["inventory", str(tmp_path), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    _schema().validate(document)
    by_id = {i["id"]: i for i in document["identities"]}

    # the ServiceAccount end: which identity, and which trust statements admit it
    assert by_id[API]["acts_as"] == [
        {
            "identity": ROLE,
            "annotation": "eks.amazonaws.com/role-arn",
            "file": "k8s/rendered.yaml",
            "line": 4,
            "admitted": True,
            "unknown": None,
            "admitted_by": [
                {
                    "subject": "system:serviceaccount:payments:api",
                    "pattern": "system:serviceaccount:payments:api",
                    "wildcard": False,
                    "via": "AssumeRolePolicyDocument",
                    "file": "cfn/payments-irsa.yaml",
                    "line": 11,
                },
                {
                    "subject": "system:serviceaccount:payments:*",
                    "pattern": "system:serviceaccount:payments:*",
                    "wildcard": True,
                    "via": "AssumeRolePolicyDocument",
                    "file": "cfn/payments-irsa.yaml",
                    "line": 19,
                },
            ],
        }
    ]
    assert [a["file"] for a in by_id[SETTLE]["acts_as"][0]["admitted_by"]] == ["cfn/payments-irsa.yaml"]
    assert by_id[LOADER]["acts_as"] == [
        {
            "identity": "gcp:gcp/google_service_account.loader",
            "annotation": "iam.gke.io/gcp-service-account",
            "file": "k8s/rendered.yaml",
            "line": 28,
            "admitted": True,
            "unknown": None,
            "admitted_by": [
                {
                    "subject": "serviceAccount:acme-data.svc.id.goog[data/loader]",
                    "pattern": "system:serviceaccount:data:loader",
                    "wildcard": False,
                    "via": "google_service_account_iam_member gcp/google_service_account_iam_member.loader_wi",
                    "file": "gcp/wi.tf",
                    "line": 9,
                },
                {
                    "subject": f"principalSet:{GKE_POOL}/namespace/data",
                    "pattern": "system:serviceaccount:data:*",
                    "wildcard": True,
                    "via": "google_service_account_iam_member gcp/google_service_account_iam_member.loader_ns",
                    "file": "gcp/wi.tf",
                    "line": 15,
                },
            ],
        }
    ]
    orders = "kubernetes:azure/kubernetes_service_account_v1.orders"
    assert by_id[orders]["acts_as"] == [
        {
            "identity": "azure:azure/azurerm_user_assigned_identity.orders",
            "annotation": "azure.workload.identity/client-id",
            "file": "azure/wi.tf",
            "line": 16,
            "admitted": True,
            "unknown": None,
            "admitted_by": [
                {
                    "subject": "system:serviceaccount:orders:api",
                    "pattern": "system:serviceaccount:orders:api",
                    "wildcard": False,
                    "via": "federated identity credential azure/azurerm_federated_identity_credential.orders",
                    "file": "azure/wi.tf",
                    "line": 13,
                },
            ],
        }
    ]

    # the cloud identity end: its users are the ServiceAccounts, by id
    assert by_id[ROLE]["used_by"] == [
        {
            "workload": "ServiceAccount/payments/api",
            "identity": API,
            "kind": "ServiceAccount (eks.amazonaws.com/role-arn)",
            "file": "k8s/rendered.yaml",
            "line": 4,
        },
        {
            "workload": "ServiceAccount/payments/settle",
            "identity": SETTLE,
            "kind": "ServiceAccount (eks.amazonaws.com/role-arn)",
            "file": "k8s/rendered.yaml",
            "line": 16,
        },
    ]
    managed = by_id["azure:azure/azurerm_user_assigned_identity.orders"]
    assert [(u["identity"], u["kind"]) for u in managed["used_by"]] == [
        (orders, "kubernetes_service_account_v1 (azure.workload.identity/client-id)")
    ]
    assert [len(t["conditions"]) for t in by_id[ROLE]["trusts"]] == [2, 1]
    assert by_id[ROLE]["acts_as"] == []


def test_an_account_whose_trust_is_not_in_the_scan_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A GCP service account with no workload-identity binding in the scan: admitted is null, not false."""
    account_only = GCP.split('resource "google_service_account_iam')[0]
    write_tree(tmp_path, {"k8s/rendered.yaml": MANIFESTS, "gcp/sa.tf": account_only})
    assert main(["inventory", str(tmp_path), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    _schema().validate(document)
    [loader] = [i for i in document["identities"] if i["id"] == LOADER]
    assert [(a["identity"], a["admitted"], a["admitted_by"]) for a in loader["acts_as"]] == [
        ("gcp:gcp/google_service_account.loader", None, [])
    ]


TRUST = Trust("x", (), (), (), "test", Location("t", 1, 1), Location("t", 1, 1), platform="aws")


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("system:serviceaccount:payments:*", "system:serviceaccount:payments:api", True),
        ("system:serviceaccount:payments:*", "system:serviceaccount:payments-staging:api", False),
        ("system:serviceaccount:pay*", "system:serviceaccount:payments-staging:api", True),  # `*` spans the colon
        ("system:serviceaccount:payments:api-v?", "system:serviceaccount:payments:api-v2", True),
        ("system:serviceaccount:payments:[ab]pi", "system:serviceaccount:payments:api", False),  # `[` is literal
        ("system:serviceaccount:payments:API", "system:serviceaccount:payments:api", False),  # case-sensitive
    ],
)
def test_string_like_matching(pattern: str, text: str, expected: bool) -> None:
    assert glob_match(pattern, text) is expected


@pytest.mark.parametrize(
    ("pattern", "glob", "wildcard", "any_namespace", "described"),
    [
        ("system:serviceaccount:payments:*", True, True, False, "every ServiceAccount in namespace payments"),
        ("system:serviceaccount:*:*", True, True, True, "every ServiceAccount in every namespace"),
        (
            "system:serviceaccount:*:external-dns",
            True,
            True,
            True,
            "every ServiceAccount matching system:serviceaccount:*:external-dns",
        ),
        ("system:serviceaccount:payments:api", True, False, False, "system:serviceaccount:payments:api"),
        ("system:serviceaccount:payments:*", False, False, False, "system:serviceaccount:payments:*"),  # StringEquals
        ("*", True, True, True, "every subject"),
    ],
)
def test_admission_reach(pattern: str, glob: bool, wildcard: bool, any_namespace: bool, described: str) -> None:
    admission = Admission(TRUST, pattern, pattern, glob, "sub")
    assert (admission.wildcard, admission.any_namespace, admission.describe()) == (wildcard, any_namespace, described)


GKE = "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/acme-data.svc.id.goog"


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        (
            TrustPrincipal("serviceAccount", "acme-data.svc.id.goog[data/loader]"),
            ("system:serviceaccount:data:loader", False, "system:serviceaccount:data:loader"),
        ),
        (
            TrustPrincipal("serviceAccount", "acme-data.svc.id.goog[data/*]"),  # not a wildcard to IAM
            ("system:serviceaccount:data:*", False, "system:serviceaccount:data:*"),
        ),
        (
            TrustPrincipal("principal", f"{GKE}/subject/ns/data/sa/loader"),
            ("system:serviceaccount:data:loader", False, "system:serviceaccount:data:loader"),
        ),
        (
            TrustPrincipal("principalSet", f"{GKE}/namespace/data"),
            ("system:serviceaccount:data:*", True, "every ServiceAccount in namespace data"),
        ),
        (
            TrustPrincipal(
                "principalSet",
                f"{GKE}/kubernetes.cluster/https://container.googleapis.com/v1/projects/"
                "acme-data/locations/europe-west1/clusters/prod",
            ),
            ("system:serviceaccount:*", True, "every ServiceAccount of cluster prod"),
        ),
        (
            TrustPrincipal("principalSet", f"{GKE}/*"),
            (
                "system:serviceaccount:*",
                True,
                "every ServiceAccount of every cluster in the workload identity pool acme-data.svc.id.goog",
            ),
        ),
    ],
)
def test_gke_members_read_as_subjects(principal: TrustPrincipal, expected: tuple[str, bool, str]) -> None:
    member = gke_member(TRUST, principal)
    assert isinstance(member, Admission)
    assert (member.pattern, member.wildcard, member.describe()) == expected


def test_gke_members_that_are_not_read() -> None:
    """A GKE principalSet nhilint does not translate is Unknown (NHI-K8S-006 says it could not evaluate);
    members that are not GKE workload identities (a user, another pool) are not ServiceAccounts at all."""
    attribute = TrustPrincipal("principalSet", f"{GKE}/kubernetes.serviceaccount.uid/4c1f-uid")
    assert gke_member(TRUST, attribute) == Unknown(
        f"the workload identity member principalSet:{GKE}/kubernetes.serviceaccount.uid/4c1f-uid is not evaluated"
    )
    github_pool = (
        "//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/"
        "attribute.repository/acme/app"
    )
    assert gke_member(TRUST, TrustPrincipal("principalSet", github_pool)) is None
    assert gke_member(TRUST, TrustPrincipal("user", "alice@acme.example")) is None
