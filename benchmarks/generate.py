"""Generate a large, deterministic, monorepo-shaped Terraform tree for benchmarking nhilint.

    python benchmarks/generate.py OUT_DIR [--files 2000] [--seed 1] [--format terraform]

`--format cloudformation` and `--format kubernetes` write a template or manifest tree instead (see
`generate_cfn.py` and `generate_k8s.py`). What follows describes the Terraform tree.

Layout::

    OUT/modules/<name>/{versions,variables,main,outputs}.tf       local modules (lambda, ecs, roles, ...)
    OUT/envs/<env>/<service>/providers.tf                          terraform{} + provider "aws" default_tags
    OUT/envs/<env>/<service>/{variables,locals,main,outputs}.tf    module calls with tags / names as inputs
    OUT/envs/<env>/<service>/<theme>.tf                            iam, storage, queues, network, compute,
                                                                   monitoring, gcp, azure, kubernetes
    OUT/envs/<env>/<service>/terraform.tfvars

Most resources are ordinary infrastructure; roughly a fifth are identity resources (roles, policies,
attachments, users and keys, service accounts, managed identities, role bindings). The output only depends
on --files and --seed. Never commit the generated tree (benchmarks/out/ is git-ignored).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

IDENTITY_TYPES = frozenset(
    {
        "aws_iam_role",
        "aws_iam_policy",
        "aws_iam_role_policy",
        "aws_iam_role_policy_attachment",
        "aws_iam_user",
        "aws_iam_access_key",
        "aws_iam_user_policy_attachment",
        "aws_iam_instance_profile",
        "google_service_account",
        "google_project_iam_member",
        "google_service_account_key",
        "azurerm_user_assigned_identity",
        "azurerm_role_assignment",
        "kubernetes_service_account",
        "kubernetes_cluster_role_binding",
    }
)

ENVS = ("prod", "staging", "dev", "qa", "perf", "sandbox", "dr", "shared")
DOMAINS = (
    "payments",
    "orders",
    "billing",
    "search",
    "catalog",
    "identity",
    "checkout",
    "inventory",
    "shipping",
    "reporting",
    "analytics",
    "notifications",
    "ledger",
    "pricing",
    "fraud",
    "recommendations",
    "media",
    "support",
    "onboarding",
    "partners",
    "audit",
    "loyalty",
    "messaging",
    "scheduler",
    "geo",
)
COMPONENTS = ("api", "worker", "etl", "ingest", "web", "stream", "batch", "gateway", "sync", "export", "cron")
TEAMS = (
    "team-payments",
    "team-platform",
    "team-data",
    "team-growth",
    "team-core",
    "team-sre",
    "team-security",
    "team-mobile",
    "team-ml",
    "team-search",
)
REGIONS = ("eu-west-1", "us-east-1", "us-west-2", "eu-central-1", "ap-southeast-2")
ACCOUNTS = ("111122223333", "444455556666", "777788889999", "123456789012")
MANAGED_POLICIES = (
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/AdministratorAccess",
)
ACTIONS = (
    ("s3:GetObject", "s3:ListBucket"),
    ("s3:PutObject", "s3:GetObject", "s3:DeleteObject"),
    ("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"),
    ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"),
    ("kms:Decrypt", "kms:GenerateDataKey"),
    ("logs:CreateLogStream", "logs:PutLogEvents"),
    ("secretsmanager:GetSecretValue",),
    ("sns:Publish",),
    ("ssm:GetParameter", "ssm:GetParametersByPath"),
    ("s3:*",),
    ("dynamodb:*",),
    ("ec2:Describe*",),
    ("*",),
)
GCP_ROLES = (
    "roles/storage.objectViewer",
    "roles/pubsub.publisher",
    "roles/pubsub.subscriber",
    "roles/cloudsql.client",
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/secretmanager.secretAccessor",
    "roles/bigquery.dataViewer",
    "roles/editor",
    "roles/owner",
)
AZURE_ROLES = (
    "Reader",
    "Storage Blob Data Reader",
    "Storage Blob Data Contributor",
    "Key Vault Secrets User",
    "Contributor",
    "AcrPull",
    "Owner",
)
K8S_ROLES = ("view", "edit", "admin", "cluster-admin", "system:auth-delegator")
OIDC_PROVIDER = "oidc-provider/token.actions.githubusercontent.com"
NL, COMMA_NL = "\n", ",\n"  # Python 3.11 f-strings may not hold a backslash


def hcl(value: object, indent: int = 2) -> str:
    """A Python value as an HCL literal (maps as multi-line objects)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        width = max(len(_key(k)) for k in value)
        lines = [f"{pad}{_key(k).ljust(width)} = {hcl(v, indent + 2)}" for k, v in value.items()]
        return "{\n" + "\n".join(lines) + "\n" + " " * (indent - 2) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(hcl(v, indent) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value))


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", key) else json.dumps(key)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


@dataclass
class Stats:
    files: int = 0
    resources: int = 0
    identity: int = 0
    data: int = 0
    modules_called: int = 0
    by_type: Counter[str] = field(default_factory=Counter)

    def count(self, text: str) -> None:
        for match in re.finditer(r'^\s*resource\s+"([^"]+)"', text, flags=re.M):
            self.resources += 1
            self.by_type[match.group(1)] += 1
            if match.group(1) in IDENTITY_TYPES:
                self.identity += 1
        self.data += len(re.findall(r'^\s*data\s+"', text, flags=re.M))
        self.modules_called += len(re.findall(r'^\s*module\s+"', text, flags=re.M))


class Writer:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.stats = Stats()

    def write(self, rel: str, text: str) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
        if rel.endswith(".tf"):
            self.stats.files += 1
            self.stats.count(text)


# --- one service directory ----------------------------------------------------------------------------


@dataclass
class Ctx:
    rng: random.Random
    env: str
    service: str
    team: str
    region: str
    account: str
    used: set[str] = field(default_factory=set)
    roles: list[str] = field(default_factory=list)  # resource names of aws_iam_role in this directory
    queues: list[str] = field(default_factory=list)
    buckets: list[str] = field(default_factory=list)

    def name(self, base: str) -> str:
        """A resource name unique in this directory."""
        candidate = slug(base)
        n = 2
        while candidate in self.used:
            candidate = f"{slug(base)}_{n}"
            n += 1
        self.used.add(candidate)
        return candidate

    def word(self) -> str:
        return self.rng.choice(
            (
                "reader",
                "writer",
                "sync",
                "export",
                "import",
                "reports",
                "events",
                "cache",
                "archive",
                "jobs",
                "backfill",
                "metrics",
                "audit",
                "uploads",
                "thumbs",
            )
        )

    def lifecycle_tags(self, owner_probability: float = 0.6) -> dict[str, str]:
        """Owner / expiry / retire-on tags: present on some identities, absent on others."""
        rng = self.rng
        tags: dict[str, str] = {}
        if rng.random() < owner_probability:
            tags["owner"] = rng.choice((self.team, self.team, f"{self.team}@example.com", "unknown"))
        if rng.random() < 0.35:
            key = rng.choice(("expires", "review-by"))
            tags[key] = f"20{rng.randint(25, 28)}-{rng.randint(1, 12):02d}-28"
        if rng.random() < 0.25:
            tags["retire-on"] = rng.choice(
                ("service-decommission", f"jira:PLAT-{rng.randint(100, 9999)}", f"20{rng.randint(26, 29)}-06-30")
            )
        return tags

    def tags_expr(self, extra: dict[str, str]) -> str:
        if not extra:
            return "local.common_tags"
        return f"merge(local.common_tags, {hcl(extra, 4)})"

    def annotation(self) -> str:
        if self.rng.random() < 0.04:
            return f"# nhilint:owner {self.rng.choice(TEAMS)}\n"
        if self.rng.random() < 0.02:
            return f"# nhilint:expires 20{self.rng.randint(25, 28)}-12-31\n"
        return ""


Emitter = Callable[[Ctx], str]


# identity emitters ----------------------------------------------------------------------------------


def aws_role_group(c: Ctx) -> str:
    """A role with a policy-document trust, a customer policy and one or more attachments."""
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}")
    service = rng.choice(
        (
            "lambda.amazonaws.com",
            "ecs-tasks.amazonaws.com",
            "ec2.amazonaws.com",
            "states.amazonaws.com",
            "glue.amazonaws.com",
            "events.amazonaws.com",
        )
    )
    kind = rng.random()
    if kind < 0.18:
        trust = _github_trust(c, base)
    elif kind < 0.28:
        trust = f'''data "aws_iam_policy_document" "{base}_trust" {{
  statement {{
    sid     = "CrossAccount"
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "AWS"
      identifiers = ["arn:aws:iam::{rng.choice(ACCOUNTS)}:root"]
    }}
    condition {{
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }}
  }}
}}
'''
    else:
        trust = f'''data "aws_iam_policy_document" "{base}_trust" {{
  statement {{
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["{service}"]
    }}
  }}
}}
'''
    c.roles.append(base)
    tags = c.lifecycle_tags()
    out = [
        trust,
        c.annotation()
        + f'''resource "aws_iam_role" "{base}" {{
  name                 = "${{local.name_prefix}}-{base.replace("_", "-")}"
  assume_role_policy   = data.aws_iam_policy_document.{base}_trust.json
  max_session_duration = {rng.choice((3600, 3600, 7200, 43200))}
  tags                 = {c.tags_expr(tags)}
}}
''',
    ]
    style = rng.random()
    if style < 0.4:
        out.append(_policy_jsonencode(c, base))
        out.append(f'''resource "aws_iam_role_policy_attachment" "{base}_custom" {{
  role       = aws_iam_role.{base}.name
  policy_arn = aws_iam_policy.{base}.arn
}}
''')
    elif style < 0.65:
        out.append(_policy_heredoc(c, base))
        out.append(f'''resource "aws_iam_role_policy_attachment" "{base}_custom" {{
  role       = aws_iam_role.{base}.name
  policy_arn = aws_iam_policy.{base}.arn
}}
''')
    elif style < 0.85:
        out.append(_policy_document(c, base))
        out.append(f'''resource "aws_iam_role_policy" "{base}" {{
  name   = "{base.replace("_", "-")}-inline"
  role   = aws_iam_role.{base}.id
  policy = data.aws_iam_policy_document.{base}_access.json
}}
''')
    for n in range(rng.choice((0, 1, 1, 2))):
        arn = rng.choice(MANAGED_POLICIES[:-2]) if rng.random() < 0.93 else rng.choice(MANAGED_POLICIES[-2:])
        out.append(f'''resource "aws_iam_role_policy_attachment" "{base}_managed_{n}" {{
  role       = aws_iam_role.{base}.name
  policy_arn = "{arn}"
}}
''')
    if service == "ec2.amazonaws.com":
        out.append(f'''resource "aws_iam_instance_profile" "{base}" {{
  name = "${{local.name_prefix}}-{base.replace("_", "-")}"
  role = aws_iam_role.{base}.name
}}
''')
    return "\n".join(out)


def _github_trust(c: Ctx, base: str) -> str:
    rng = c.rng
    repo = f"example-org/{c.service}"
    sub = rng.choice(
        (
            f"repo:{repo}:ref:refs/heads/main",
            f"repo:{repo}:environment:{c.env}",
            f"repo:{repo}:*",
            "repo:example-org/*",
            f"repo:{repo}:pull_request",
        )
    )
    test = "StringLike" if "*" in sub else "StringEquals"
    condition = (
        ""
        if rng.random() < 0.07
        else f'''
    condition {{
      test     = "{test}"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["{sub}"]
    }}'''
    )
    return f'''data "aws_iam_policy_document" "{base}_trust" {{
  statement {{
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {{
      type        = "Federated"
      identifiers = ["arn:aws:iam::${{data.aws_caller_identity.current.account_id}}:{OIDC_PROVIDER}"]
    }}
    condition {{
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }}{condition}
  }}
}}
'''


def _resource_arn(c: Ctx, actions: tuple[str, ...]) -> str:
    rng = c.rng
    if rng.random() < 0.12:
        return "*"
    prefix = actions[0].split(":")[0]
    return {
        "s3": f"arn:aws:s3:::${{local.name_prefix}}-{c.word()}/*",
        "sqs": f"arn:aws:sqs:${{var.region}}:${{data.aws_caller_identity.current.account_id}}:{c.service}-*",
        "dynamodb": f"arn:aws:dynamodb:${{var.region}}:{c.account}:table/{c.service}-*",
        "kms": f"arn:aws:kms:${{var.region}}:{c.account}:key/*",
        "logs": f"arn:aws:logs:${{var.region}}:{c.account}:log-group:/aws/{c.service}/*",
        "secretsmanager": f"arn:aws:secretsmanager:${{var.region}}:{c.account}:secret:{c.service}/*",
        "sns": f"arn:aws:sns:${{var.region}}:{c.account}:{c.service}-*",
        "ssm": f"arn:aws:ssm:${{var.region}}:{c.account}:parameter/{c.env}/{c.service}/*",
    }.get(prefix, "*")


def _policy_jsonencode(c: Ctx, base: str) -> str:
    rng = c.rng
    statements = []
    for _ in range(rng.randint(1, 3)):
        actions = rng.choice(ACTIONS)
        statements.append(f'''      {{
        Effect   = "Allow"
        Action   = {hcl(list(actions))}
        Resource = "{_resource_arn(c, actions)}"
      }}''')
    return f'''resource "aws_iam_policy" "{base}" {{
  name        = "${{local.name_prefix}}-{base.replace("_", "-")}"
  description = "Access for {c.service} {base}"
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
{COMMA_NL.join(statements)}
    ]
  }})
  tags = local.common_tags
}}
'''


def _policy_heredoc(c: Ctx, base: str) -> str:
    rng = c.rng
    statements = []
    for _ in range(rng.randint(1, 3)):
        actions = rng.choice(ACTIONS)
        statements.append(f'''    {{
      "Effect": "Allow",
      "Action": {json.dumps(list(actions))},
      "Resource": "{_resource_arn(c, actions)}"
    }}''')
    return f'''resource "aws_iam_policy" "{base}" {{
  name   = "${{local.name_prefix}}-{base.replace("_", "-")}"
  policy = <<EOF
{{
  "Version": "2012-10-17",
  "Statement": [
{COMMA_NL.join(statements)}
  ]
}}
EOF
}}
'''


def _policy_document(c: Ctx, base: str) -> str:
    rng = c.rng
    statements = []
    for _ in range(rng.randint(1, 3)):
        actions = rng.choice(ACTIONS)
        statements.append(f'''  statement {{
    actions   = {hcl(list(actions))}
    resources = ["{_resource_arn(c, actions)}"]
  }}''')
    return f'''data "aws_iam_policy_document" "{base}_access" {{
{NL.join(statements)}
}}
'''


def aws_user_group(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{rng.choice(('ci', 'deploy', 'legacy', 'partner', 'backup', 'vendor'))}")
    tags = c.lifecycle_tags(0.5)
    out = [
        c.annotation()
        + f'''resource "aws_iam_user" "{base}" {{
  name          = "svc-${{var.env}}-{base.replace("_", "-")}"
  path          = "/system/"
  force_destroy = true
  tags          = {c.tags_expr(tags)}
}}
'''
    ]
    if rng.random() < 0.7:
        pgp = '\n  pgp_key = "keybase:example_ops"' if rng.random() < 0.3 else ""
        out.append(f'''resource "aws_iam_access_key" "{base}" {{
  user   = aws_iam_user.{base}.name
  status = "Active"{pgp}
}}
''')
    arn = rng.choice(MANAGED_POLICIES[:-1])
    out.append(f'''resource "aws_iam_user_policy_attachment" "{base}" {{
  user       = aws_iam_user.{base}.name
  policy_arn = "{arn}"
}}
''')
    return "\n".join(out)


def gcp_sa_group(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}")
    account_id = f"{c.service}-{c.word()}"[:28].rstrip("-")
    out = [
        c.annotation()
        + f'''resource "google_service_account" "{base}" {{
  account_id   = "{account_id}"
  display_name = "{c.service} {c.env} {base}"
  description  = "owner={rng.choice(TEAMS)}"
  project      = var.gcp_project
}}
'''
    ]
    for n in range(rng.randint(1, 3)):
        role = rng.choice(GCP_ROLES[:-2]) if rng.random() < 0.92 else rng.choice(GCP_ROLES[-2:])
        out.append(f'''resource "google_project_iam_member" "{base}_{n}" {{
  project = var.gcp_project
  role    = "{role}"
  member  = "serviceAccount:${{google_service_account.{base}.email}}"
}}
''')
    if rng.random() < 0.3:
        out.append(f'''resource "google_service_account_key" "{base}" {{
  service_account_id = google_service_account.{base}.name
  public_key_type    = "TYPE_X509_PEM_FILE"
}}
''')
    return "\n".join(out)


def azure_identity_group(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}")
    out = [
        c.annotation()
        + f'''resource "azurerm_user_assigned_identity" "{base}" {{
  name                = "id-${{local.name_prefix}}-{base.replace("_", "-")}"
  resource_group_name = azurerm_resource_group.main.name
  location            = azurerm_resource_group.main.location
  tags                = {c.tags_expr(c.lifecycle_tags())}
}}
'''
    ]
    for n in range(rng.randint(1, 2)):
        out.append(f'''resource "azurerm_role_assignment" "{base}_{n}" {{
  scope                = {
            rng.choice(
                (
                    "azurerm_resource_group.main.id",
                    "azurerm_storage_account.main.id",
                    '"/subscriptions/${var.subscription_id}"',
                )
            )
        }
  role_definition_name = "{rng.choice(AZURE_ROLES)}"
  principal_id         = azurerm_user_assigned_identity.{base}.principal_id
}}
''')
    return "\n".join(out)


def k8s_sa_group(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}")
    out = [
        c.annotation()
        + f'''resource "kubernetes_service_account" "{base}" {{
  metadata {{
    name      = "{base.replace("_", "-")}"
    namespace = kubernetes_namespace.main.metadata[0].name
    labels = {{
      "app.kubernetes.io/name"       = "{c.service}"
      "app.kubernetes.io/managed-by" = "terraform"
    }}
    annotations = {{
      "eks.amazonaws.com/role-arn" = "arn:aws:iam::{c.account}:role/{c.env}-{c.service}"
      "owner"                      = "{rng.choice(TEAMS)}"
    }}
  }}
  automount_service_account_token = {hcl(rng.random() < 0.5)}
}}
'''
    ]
    if rng.random() < 0.7:
        out.append(f'''resource "kubernetes_cluster_role_binding" "{base}" {{
  metadata {{
    name = "{c.env}-{base.replace("_", "-")}"
  }}
  role_ref {{
    api_group = "rbac.authorization.k8s.io"
    kind      = "ClusterRole"
    name      = "{rng.choice(K8S_ROLES)}"
  }}
  subject {{
    kind      = "ServiceAccount"
    name      = kubernetes_service_account.{base}.metadata[0].name
    namespace = kubernetes_namespace.main.metadata[0].name
  }}
}}
''')
    return "\n".join(out)


# non-identity emitters ------------------------------------------------------------------------------


def s3_group(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}")
    c.buckets.append(base)
    out = [
        f'''resource "aws_s3_bucket" "{base}" {{
  bucket = "${{local.name_prefix}}-{base.replace("_", "-")}-${{data.aws_caller_identity.current.account_id}}"
  tags   = {c.tags_expr({"data-class": rng.choice(("public", "internal", "confidential"))})}
}}
''',
        f'''resource "aws_s3_bucket_versioning" "{base}" {{
  bucket = aws_s3_bucket.{base}.id
  versioning_configuration {{
    status = "{rng.choice(("Enabled", "Suspended"))}"
  }}
}}
''',
    ]
    if rng.random() < 0.7:
        out.append(f'''resource "aws_s3_bucket_server_side_encryption_configuration" "{base}" {{
  bucket = aws_s3_bucket.{base}.id
  rule {{
    apply_server_side_encryption_by_default {{
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }}
  }}
}}
''')
    if rng.random() < 0.6:
        out.append(f'''resource "aws_s3_bucket_public_access_block" "{base}" {{
  bucket                  = aws_s3_bucket.{base}.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}
''')
    if rng.random() < 0.3:
        out.append(f'''resource "aws_s3_bucket_lifecycle_configuration" "{base}" {{
  bucket = aws_s3_bucket.{base}.id
  rule {{
    id     = "expire-old"
    status = "Enabled"
    filter {{
      prefix = "tmp/"
    }}
    expiration {{
      days = {rng.choice((7, 30, 90, 365))}
    }}
  }}
}}
''')
    return "\n".join(out)


def sqs_group(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}")
    c.queues.append(base)
    return f'''resource "aws_sqs_queue" "{base}_dlq" {{
  name                      = "${{local.name_prefix}}-{base.replace("_", "-")}-dlq"
  message_retention_seconds = 1209600
  tags                      = local.common_tags
}}

resource "aws_sqs_queue" "{base}" {{
  name                       = "${{local.name_prefix}}-{base.replace("_", "-")}"
  visibility_timeout_seconds = {rng.choice((30, 60, 300, 900))}
  delay_seconds              = 0
  kms_master_key_id          = "alias/aws/sqs"
  redrive_policy = jsonencode({{
    deadLetterTargetArn = aws_sqs_queue.{base}_dlq.arn
    maxReceiveCount     = {rng.randint(3, 10)}
  }})
  tags = local.common_tags
}}
'''


def sns_topic(c: Ctx) -> str:
    base = c.name(f"{c.service}_{c.word()}_topic")
    sub = ""
    if c.queues:
        queue = c.rng.choice(c.queues)
        sub = f'''
resource "aws_sns_topic_subscription" "{base}" {{
  topic_arn = aws_sns_topic.{base}.arn
  protocol  = "sqs"
  endpoint  = aws_sqs_queue.{queue}.arn
}}
'''
    return f'''resource "aws_sns_topic" "{base}" {{
  name              = "${{local.name_prefix}}-{base.replace("_", "-")}"
  kms_master_key_id = "alias/aws/sns"
  tags              = local.common_tags
}}
{sub}'''


def security_group(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{rng.choice(('app', 'db', 'cache', 'lb', 'bastion', 'internal'))}")
    ingress = []
    for _ in range(rng.randint(1, 4)):
        port = rng.choice((22, 80, 443, 5432, 6379, 8080, 9090, 3306))
        cidr = rng.choice(('["10.0.0.0/8"]', "var.allowed_cidrs", '["0.0.0.0/0"]', '["172.16.0.0/12"]'))
        ingress.append(f"""  ingress {{
    description = "port {port}"
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = {cidr}
  }}""")
    dynamic = ""
    if rng.random() < 0.25:
        dynamic = """
  dynamic "ingress" {
    for_each = var.extra_ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = var.allowed_cidrs
    }
  }"""
    return f'''resource "aws_security_group" "{base}" {{
  name        = "${{local.name_prefix}}-{base.replace("_", "-")}"
  description = "{base} security group"
  vpc_id      = var.vpc_id

{NL.join(ingress)}{dynamic}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  tags = merge(local.common_tags, {{ Name = "${{local.name_prefix}}-{base.replace("_", "-")}" }})
}}
'''


def log_group(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}_logs")
    alarm = ""
    if rng.random() < 0.5:
        alarm = f'''
resource "aws_cloudwatch_metric_alarm" "{base}_errors" {{
  alarm_name          = "${{local.name_prefix}}-{base.replace("_", "-")}-errors"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = {rng.randint(1, 5)}
  metric_name         = "Errors"
  namespace           = "AWS/Lambda"
  period              = 300
  statistic           = "Sum"
  threshold           = {rng.choice((1, 5, 10, 50))}
  alarm_actions       = var.alarm_topic_arn == null ? [] : [var.alarm_topic_arn]
  tags                = local.common_tags
}}
'''
    return f'''resource "aws_cloudwatch_log_group" "{base}" {{
  name              = "/aws/{c.env}/{c.service}/{base}"
  retention_in_days = {rng.choice((7, 14, 30, 90, 365))}
  tags              = local.common_tags
}}
{alarm}'''


def dynamodb_table(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}_table")
    range_key = '\n  range_key    = "sk"' if rng.random() < 0.6 else ""
    range_attr = (
        """
  attribute {
    name = "sk"
    type = "S"
  }"""
        if range_key
        else ""
    )
    gsi = ""
    if rng.random() < 0.4:
        gsi = """
  attribute {
    name = "gsi1pk"
    type = "S"
  }

  global_secondary_index {
    name            = "gsi1"
    hash_key        = "gsi1pk"
    projection_type = "ALL"
  }"""
    return f'''resource "aws_dynamodb_table" "{base}" {{
  name         = "${{local.name_prefix}}-{base.replace("_", "-")}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"{range_key}

  attribute {{
    name = "pk"
    type = "S"
  }}{range_attr}{gsi}

  point_in_time_recovery {{
    enabled = {hcl(rng.random() < 0.8)}
  }}

  server_side_encryption {{
    enabled = true
  }}

  tags = local.common_tags
}}
'''


def lambda_function(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}_fn")
    role = f"aws_iam_role.{rng.choice(c.roles)}.arn" if c.roles else "var.default_lambda_role_arn"
    env_vars = {"ENV": "${var.env}", "SERVICE": c.service, "LOG_LEVEL": rng.choice(("info", "debug"))}
    if c.queues:
        env_vars["QUEUE_URL"] = f"${{aws_sqs_queue.{rng.choice(c.queues)}.url}}"
    return f'''resource "aws_lambda_function" "{base}" {{
  function_name = "${{local.name_prefix}}-{base.replace("_", "-")}"
  role          = {role}
  handler       = "{rng.choice(("index.handler", "main.handler", "app.lambda_handler"))}"
  runtime       = "{rng.choice(("python3.12", "nodejs20.x", "python3.11", "provided.al2023"))}"
  memory_size   = {rng.choice((128, 256, 512, 1024))}
  timeout       = {rng.choice((3, 30, 60, 300, 900))}
  s3_bucket     = var.artifact_bucket
  s3_key        = "{c.service}/{base}/${{var.artifact_version}}.zip"

  environment {{
    variables = {hcl(env_vars, 6)}
  }}

  tracing_config {{
    mode = "Active"
  }}

  tags = local.common_tags
}}
'''


def ecs_task(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}_task")
    role = f"aws_iam_role.{rng.choice(c.roles)}.arn" if c.roles else "var.task_role_arn"
    return f'''resource "aws_ecs_task_definition" "{base}" {{
  family                   = "${{local.name_prefix}}-{base.replace("_", "-")}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = {rng.choice((256, 512, 1024))}
  memory                   = {rng.choice((512, 1024, 2048))}
  task_role_arn            = {role}
  execution_role_arn       = var.execution_role_arn

  container_definitions = jsonencode([
    {{
      name      = "{c.service}"
      image     = "${{var.ecr_repository}}:${{var.image_tag}}"
      essential = true
      portMappings = [{{ containerPort = {rng.choice((8080, 3000, 9000))}, protocol = "tcp" }}]
      environment = [
        {{ name = "ENV", value = var.env }},
        {{ name = "SERVICE", value = "{c.service}" }},
      ]
      logConfiguration = {{
        logDriver = "awslogs"
        options = {{
          awslogs-group         = "/ecs/${{local.name_prefix}}"
          awslogs-region        = var.region
          awslogs-stream-prefix = "{base}"
        }}
      }}
    }}
  ])

  tags = local.common_tags
}}
'''


def ec2_instance(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{rng.choice(('bastion', 'runner', 'worker', 'proxy'))}")
    count = f"\n  count         = {rng.randint(1, 3)}" if rng.random() < 0.3 else ""
    name = f'"${{local.name_prefix}}-{base.replace("_", "-")}' + ('-${count.index}"' if count else '"')
    return f'''resource "aws_instance" "{base}" {{{count}
  ami                    = var.ami_id
  instance_type          = "{rng.choice(("t3.micro", "t3.small", "m6i.large", "c6g.xlarge"))}"
  subnet_id              = element(var.private_subnet_ids, 0)
  iam_instance_profile   = var.instance_profile
  vpc_security_group_ids = var.security_group_ids
  monitoring             = true

  metadata_options {{
    http_tokens   = "required"
    http_endpoint = "enabled"
  }}

  root_block_device {{
    volume_size = {rng.choice((8, 20, 50, 100))}
    encrypted   = true
  }}

  tags = merge(local.common_tags, {{ Name = {name} }})
}}
'''


def kms_and_params(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}")
    return f'''resource "aws_kms_key" "{base}" {{
  description             = "{c.service} {base}"
  deletion_window_in_days = 30
  enable_key_rotation     = {hcl(rng.random() < 0.85)}
  tags                    = local.common_tags
}}

resource "aws_kms_alias" "{base}" {{
  name          = "alias/${{local.name_prefix}}-{base.replace("_", "-")}"
  target_key_id = aws_kms_key.{base}.key_id
}}

resource "aws_ssm_parameter" "{base}_endpoint" {{
  name  = "/${{var.env}}/{c.service}/{base}/endpoint"
  type  = "String"
  value = "https://{c.service}.{c.env}.internal.example.com"
  tags  = local.common_tags
}}
'''


def gcs_bucket(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}")
    topic = ""
    if rng.random() < 0.5:
        topic = f'''
resource "google_pubsub_topic" "{base}" {{
  name    = "{c.env}-{base.replace("_", "-")}"
  project = var.gcp_project
  labels  = {{ env = var.env, service = "{c.service}" }}
}}

resource "google_pubsub_subscription" "{base}" {{
  name                 = "{c.env}-{base.replace("_", "-")}-sub"
  topic                = google_pubsub_topic.{base}.id
  ack_deadline_seconds = {rng.choice((10, 20, 60))}
}}
'''
    return f'''resource "google_storage_bucket" "{base}" {{
  name                        = "{c.env}-{base.replace("_", "-")}-{rng.randint(1000, 9999)}"
  project                     = var.gcp_project
  location                    = "{rng.choice(("EU", "US", "europe-west1"))}"
  uniform_bucket_level_access = true
  force_destroy               = false

  versioning {{
    enabled = {hcl(rng.random() < 0.7)}
  }}

  lifecycle_rule {{
    condition {{
      age = {rng.choice((30, 90, 365))}
    }}
    action {{
      type = "Delete"
    }}
  }}

  labels = {{
    env     = var.env
    service = "{c.service}"
  }}
}}
{topic}'''


def azure_storage(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}")
    name = re.sub(r"[^a-z0-9]", "", f"st{c.env}{base}")[:20] + str(rng.randint(100, 999))
    return f'''resource "azurerm_storage_account" "{base}" {{
  name                     = "{name}"
  resource_group_name      = azurerm_resource_group.main.name
  location                 = azurerm_resource_group.main.location
  account_tier             = "Standard"
  account_replication_type = "{rng.choice(("LRS", "GRS", "ZRS"))}"
  min_tls_version          = "TLS1_2"
  tags                     = local.common_tags
}}

resource "azurerm_storage_container" "{base}" {{
  name                  = "{base.replace("_", "-")}"
  storage_account_name  = azurerm_storage_account.{base}.name
  container_access_type = "private"
}}
'''


def k8s_deployment(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_{c.word()}")
    cpu, memory = rng.choice(("250m", "500m", "1")), rng.choice(("256Mi", "512Mi"))
    return f'''resource "kubernetes_deployment" "{base}" {{
  metadata {{
    name      = "{base.replace("_", "-")}"
    namespace = kubernetes_namespace.main.metadata[0].name
    labels    = {{ app = "{base.replace("_", "-")}" }}
  }}

  spec {{
    replicas = {rng.choice((1, 2, 3, 6))}

    selector {{
      match_labels = {{ app = "{base.replace("_", "-")}" }}
    }}

    template {{
      metadata {{
        labels = {{ app = "{base.replace("_", "-")}" }}
      }}

      spec {{
        container {{
          name  = "{c.service}"
          image = "${{var.image_registry}}/{c.service}:${{var.image_tag}}"

          port {{
            container_port = {rng.choice((8080, 3000, 9000))}
          }}

          resources {{
            limits   = {{ cpu = "{cpu}", memory = "{memory}" }}
            requests = {{ cpu = "100m", memory = "128Mi" }}
          }}

          env {{
            name  = "ENV"
            value = var.env
          }}
        }}
      }}
    }}
  }}
}}

resource "kubernetes_config_map" "{base}" {{
  metadata {{
    name      = "{base.replace("_", "-")}-config"
    namespace = kubernetes_namespace.main.metadata[0].name
  }}
  data = {{
    "LOG_LEVEL" = "{rng.choice(("info", "warn"))}"
    "FEATURES"  = join(",", [for f in var.features : upper(f)])
  }}
}}
'''


def dns_records(c: Ctx) -> str:
    rng = c.rng
    out = []
    for _ in range(rng.randint(2, 5)):
        base = c.name(f"{c.service}_{c.word()}_dns")
        kind = rng.choice(("CNAME", "A", "TXT"))
        records = {
            "CNAME": f'["{c.service}.{c.env}.lb.example.com"]',
            "A": f'["10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"]',
            "TXT": '["v=spf1 include:_spf.example.com ~all"]',
        }[kind]
        out.append(f'''resource "aws_route53_record" "{base}" {{
  zone_id = var.zone_id
  name    = "{base.replace("_", "-")}.${{var.env}}.example.com"
  type    = "{kind}"
  ttl     = {rng.choice((60, 300, 3600))}
  records = {records}
}}
''')
    if rng.random() < 0.5:
        base = c.name(f"{c.service}_rule")
        out.append(f'''resource "aws_security_group_rule" "{base}" {{
  type              = "ingress"
  from_port         = {rng.choice((443, 8443))}
  to_port           = {rng.choice((443, 8443))}
  protocol          = "tcp"
  cidr_blocks       = var.allowed_cidrs
  security_group_id = var.security_group_ids[0]
}}
''')
    return "\n".join(out)


def dashboards(c: Ctx) -> str:
    rng = c.rng
    base = c.name(f"{c.service}_dashboard")
    widgets = ",\n".join(
        f'''      {{
        type   = "metric"
        width  = 12
        height = 6
        properties = {{
          title   = "{metric}"
          region  = var.region
          metrics = [["AWS/{ns}", "{metric}", "FunctionName", "${{local.name_prefix}}-{i}"]]
        }}
      }}'''
        for i, (ns, metric) in enumerate(
            rng.sample(
                [
                    ("Lambda", "Errors"),
                    ("Lambda", "Duration"),
                    ("SQS", "NumberOfMessagesSent"),
                    ("DynamoDB", "ConsumedReadCapacityUnits"),
                    ("ECS", "CPUUtilization"),
                ],
                rng.randint(2, 4),
            )
        )
    )
    return f'''resource "aws_cloudwatch_dashboard" "{base}" {{
  dashboard_name = "${{local.name_prefix}}-{base.replace("_", "-")}"
  dashboard_body = jsonencode({{
    widgets = [
{widgets}
    ]
  }})
}}

resource "aws_cloudwatch_event_rule" "{base}" {{
  name                = "${{local.name_prefix}}-{base.replace("_", "-")}-nightly"
  schedule_expression = "cron({rng.randint(0, 59)} {rng.randint(0, 23)} * * ? *)"
  tags                = local.common_tags
}}
'''


# Themed files: (file name, [(emitter, weight)], number of emitter calls (min, max)).
THEMES: dict[str, tuple[list[tuple[Emitter, int]], tuple[int, int]]] = {
    "iam.tf": ([(aws_role_group, 8), (aws_user_group, 1)], (4, 8)),
    "storage.tf": ([(s3_group, 5), (dynamodb_table, 3), (kms_and_params, 2)], (7, 14)),
    "queues.tf": ([(sqs_group, 5), (sns_topic, 3)], (8, 15)),
    "network.tf": ([(security_group, 3), (dns_records, 2)], (8, 16)),
    "compute.tf": ([(lambda_function, 4), (ecs_task, 3), (ec2_instance, 2), (aws_role_group, 1)], (7, 14)),
    "monitoring.tf": ([(log_group, 3), (dashboards, 1)], (10, 18)),
    "gcp.tf": ([(gcs_bucket, 4), (gcp_sa_group, 1)], (5, 10)),
    "azure.tf": ([(azure_storage, 4), (azure_identity_group, 1)], (5, 10)),
    "kubernetes.tf": ([(k8s_deployment, 4), (k8s_sa_group, 1)], (5, 10)),
}
THEME_WEIGHTS = {
    "iam.tf": 10,
    "storage.tf": 8,
    "queues.tf": 7,
    "network.tf": 7,
    "compute.tf": 8,
    "monitoring.tf": 6,
    "gcp.tf": 3,
    "azure.tf": 3,
    "kubernetes.tf": 4,
}


# --- local modules ------------------------------------------------------------------------------------

MODULE_VARIABLES = """variable "name" {
  description = "Name prefix for every resource of this module."
  type        = string
}

variable "tags" {
  description = "Tags merged into every resource."
  type        = map(string)
  default     = {}
}
"""


def module_lambda(rng: random.Random) -> tuple[str, str, dict[str, str]]:
    policy = rng.choice(ACTIONS[:9])
    main = f"""locals {{
  tags = merge(var.tags, {{ module = "lambda-function" }})
}}

data "aws_iam_policy_document" "assume" {{
  statement {{
    actions = ["sts:AssumeRole"]
    principals {{
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }}
  }}
}}

resource "aws_iam_role" "this" {{
  name               = "${{var.name}}-lambda"
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = local.tags
}}

resource "aws_iam_role_policy_attachment" "basic" {{
  role       = aws_iam_role.this.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
}}

resource "aws_iam_role_policy" "access" {{
  name = "${{var.name}}-access"
  role = aws_iam_role.this.id
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect   = "Allow"
      Action   = {hcl(list(policy))}
      Resource = var.resource_arns
    }}]
  }})
}}

resource "aws_cloudwatch_log_group" "this" {{
  name              = "/aws/lambda/${{var.name}}"
  retention_in_days = var.log_retention_days
  tags              = local.tags
}}

resource "aws_lambda_function" "this" {{
  function_name = var.name
  role          = aws_iam_role.this.arn
  handler       = var.handler
  runtime       = var.runtime
  memory_size   = var.memory_size
  timeout       = var.timeout
  s3_bucket     = var.artifact_bucket
  s3_key        = var.artifact_key

  environment {{
    variables = var.environment
  }}

  tags = local.tags
}}
"""
    variables = (
        MODULE_VARIABLES
        + """
variable "handler" {
  type    = string
  default = "index.handler"
}

variable "runtime" {
  type    = string
  default = "python3.12"
}

variable "memory_size" {
  type    = number
  default = 256
}

variable "timeout" {
  type    = number
  default = 30
}

variable "artifact_bucket" {
  type    = string
  default = "example-artifacts"
}

variable "artifact_key" {
  type    = string
  default = "lambda.zip"
}

variable "environment" {
  type    = map(string)
  default = {}
}

variable "resource_arns" {
  type    = list(string)
  default = ["*"]
}

variable "log_retention_days" {
  type    = number
  default = 30
}
"""
    )
    outputs = {"role_arn": "aws_iam_role.this.arn", "function_arn": "aws_lambda_function.this.arn"}
    return main, variables, outputs


def module_ecs(rng: random.Random) -> tuple[str, str, dict[str, str]]:
    main = """locals {
  tags = merge(var.tags, { module = "ecs-service" })
}

data "aws_iam_policy_document" "tasks" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  assume_role_policy = data.aws_iam_policy_document.tasks.json
  tags               = merge(local.tags, var.role_tags)
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-exec"
  assume_role_policy = data.aws_iam_policy_document.tasks.json
  tags               = local.tags
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

resource "aws_iam_role_policy_attachment" "task" {
  for_each   = toset(var.task_policy_arns)
  role       = aws_iam_role.task.name
  policy_arn = each.value
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/ecs/${var.name}"
  retention_in_days = 30
  tags              = local.tags
}

resource "aws_security_group" "this" {
  name   = "${var.name}-svc"
  vpc_id = var.vpc_id

  ingress {
    from_port   = var.port
    to_port     = var.port
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = local.tags
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  task_role_arn            = aws_iam_role.task.arn
  execution_role_arn       = aws_iam_role.execution.arn
  container_definitions = jsonencode([{
    name         = var.name
    image        = var.image
    essential    = true
    portMappings = [{ containerPort = var.port }]
  }])
  tags = local.tags
}

resource "aws_ecs_service" "this" {
  name            = var.name
  cluster         = var.cluster_arn
  task_definition = aws_ecs_task_definition.this.arn
  desired_count   = var.desired_count
  launch_type     = "FARGATE"

  network_configuration {
    subnets         = var.subnet_ids
    security_groups = [aws_security_group.this.id]
  }

  tags = local.tags
}
"""
    variables = (
        MODULE_VARIABLES
        + f"""
variable "role_tags" {{
  type    = map(string)
  default = {{}}
}}

variable "task_policy_arns" {{
  type    = list(string)
  default = []
}}

variable "vpc_id" {{
  type    = string
  default = "vpc-0123456789abcdef0"
}}

variable "subnet_ids" {{
  type    = list(string)
  default = []
}}

variable "cluster_arn" {{
  type    = string
  default = "arn:aws:ecs:eu-west-1:111122223333:cluster/main"
}}

variable "image" {{
  type = string
}}

variable "port" {{
  type    = number
  default = {rng.choice((8080, 3000))}
}}

variable "cpu" {{
  type    = number
  default = 512
}}

variable "memory" {{
  type    = number
  default = 1024
}}

variable "desired_count" {{
  type    = number
  default = 2
}}
"""
    )
    outputs = {"task_role_arn": "aws_iam_role.task.arn", "service_name": "aws_ecs_service.this.name"}
    return main, variables, outputs


def module_github_role(rng: random.Random) -> tuple[str, str, dict[str, str]]:
    main = """data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "github" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:OIDC_PROVIDER"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [for ref in var.allowed_refs : "repo:${var.repository}:${ref}"]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = "${var.name}-github"
  assume_role_policy   = data.aws_iam_policy_document.github.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy_attachment" "this" {
  count      = length(var.policy_arns)
  role       = aws_iam_role.this.name
  policy_arn = var.policy_arns[count.index]
}
"""
    variables = (
        MODULE_VARIABLES
        + f"""
variable "repository" {{
  description = "owner/repo allowed to assume the role."
  type        = string
}}

variable "allowed_refs" {{
  type    = list(string)
  default = [{json.dumps(rng.choice(("ref:refs/heads/main", "environment:prod", "*")))}]
}}

variable "policy_arns" {{
  type    = list(string)
  default = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
}}
"""
    )
    main = main.replace("OIDC_PROVIDER", OIDC_PROVIDER)
    return main, variables, {"role_arn": "aws_iam_role.this.arn"}


def module_bucket(rng: random.Random) -> tuple[str, str, dict[str, str]]:
    main = """resource "aws_s3_bucket" "this" {
  bucket = var.name
  tags   = var.tags
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = var.versioning ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "this" {
  count  = length(var.reader_arns) > 0 ? 1 : 0
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = var.reader_arns }
      Action    = ["s3:GetObject"]
      Resource  = "${aws_s3_bucket.this.arn}/*"
    }]
  })
}
"""
    variables = (
        MODULE_VARIABLES
        + """
variable "versioning" {
  type    = bool
  default = true
}

variable "reader_arns" {
  type    = list(string)
  default = []
}
"""
    )
    return main, variables, {"bucket_arn": "aws_s3_bucket.this.arn", "bucket": "aws_s3_bucket.this.id"}


def module_queue(rng: random.Random) -> tuple[str, str, dict[str, str]]:
    main = """resource "aws_sqs_queue" "dlq" {
  name = "${var.name}-dlq"
  tags = var.tags
}

resource "aws_sqs_queue" "this" {
  name                       = var.name
  visibility_timeout_seconds = var.visibility_timeout
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dlq.arn
    maxReceiveCount     = 5
  })
  tags = var.tags
}

resource "aws_cloudwatch_metric_alarm" "depth" {
  alarm_name          = "${var.name}-depth"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 3
  metric_name         = "ApproximateNumberOfMessagesVisible"
  namespace           = "AWS/SQS"
  period              = 300
  statistic           = "Maximum"
  threshold           = var.max_depth
  dimensions          = { QueueName = aws_sqs_queue.this.name }
}
"""
    variables = (
        MODULE_VARIABLES
        + """
variable "visibility_timeout" {
  type    = number
  default = 60
}

variable "max_depth" {
  type    = number
  default = 1000
}
"""
    )
    return main, variables, {"queue_arn": "aws_sqs_queue.this.arn", "queue_url": "aws_sqs_queue.this.url"}


def module_workload_identity(rng: random.Random) -> tuple[str, str, dict[str, str]]:
    main = """resource "google_service_account" "this" {
  account_id   = substr(var.name, 0, 28)
  display_name = "Workload identity for ${var.name}"
  project      = var.project
}

resource "google_project_iam_member" "this" {
  for_each = toset(var.roles)
  project  = var.project
  role     = each.value
  member   = "serviceAccount:${google_service_account.this.email}"
}

resource "google_service_account_iam_member" "workload_identity" {
  service_account_id = google_service_account.this.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project}.svc.id.goog[${var.namespace}/${var.name}]"
}

resource "kubernetes_service_account" "this" {
  metadata {
    name      = var.name
    namespace = var.namespace
    annotations = {
      "iam.gke.io/gcp-service-account" = google_service_account.this.email
    }
    labels = var.tags
  }
}
"""
    variables = (
        MODULE_VARIABLES
        + """
variable "project" {
  type    = string
  default = "example-shared"
}

variable "namespace" {
  type    = string
  default = "default"
}

variable "roles" {
  type    = list(string)
  default = ["roles/logging.logWriter"]
}
"""
    )
    return main, variables, {"email": "google_service_account.this.email"}


def module_service_roles(rng: random.Random) -> tuple[str, str, dict[str, str]]:
    """Three roles per service (app, ci, read-only) with a shared trust document."""
    roles = []
    for role, arn in (
        ("app", "var.app_policy_arn"),
        ("ci", '"arn:aws:iam::aws:policy/PowerUserAccess"'),
        ("readonly", '"arn:aws:iam::aws:policy/ReadOnlyAccess"'),
    ):
        roles.append(f'''resource "aws_iam_role" "{role}" {{
  name               = "${{var.name}}-{role}"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  tags               = merge(var.tags, {{ role = "{role}" }})
}}

resource "aws_iam_role_policy_attachment" "{role}" {{
  role       = aws_iam_role.{role}.name
  policy_arn = {arn}
}}
''')
    main = """data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = var.trusted_principals
    }
  }
}

""" + "\n".join(roles)
    variables = (
        MODULE_VARIABLES
        + f"""
variable "trusted_principals" {{
  type    = list(string)
  default = ["arn:aws:iam::{rng.choice(ACCOUNTS)}:root"]
}}

variable "app_policy_arn" {{
  type    = string
  default = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
}}
"""
    )
    return main, variables, {"app_role_arn": "aws_iam_role.app.arn", "ci_role_arn": "aws_iam_role.ci.arn"}


MODULE_KINDS: dict[str, Callable[[random.Random], tuple[str, str, dict[str, str]]]] = {
    "lambda-function": module_lambda,
    "ecs-service": module_ecs,
    "github-oidc-role": module_github_role,
    "iam-service-roles": module_service_roles,
    "s3-bucket": module_bucket,
    "sqs-queue": module_queue,
    "gke-workload-identity": module_workload_identity,
}


def module_call(c: Ctx, kind: str, module: str) -> str:
    rng = c.rng
    label = c.name(f"{c.word()}_{kind.split('-')[0]}")
    name = f'"${{local.name_prefix}}-{label.replace("_", "-")}"'
    tags = "local.common_tags"
    if rng.random() < 0.5:
        tags = f"merge(local.common_tags, {hcl(c.lifecycle_tags(), 4)})"
    extra = ""
    if kind == "lambda-function":
        extra = f'''
  runtime       = "{rng.choice(("python3.12", "nodejs20.x"))}"
  resource_arns = ["arn:aws:s3:::${{local.name_prefix}}-*"]
  environment = {{
    ENV     = var.env
    SERVICE = "{c.service}"
  }}'''
    elif kind == "ecs-service":
        extra = f'''
  image            = "${{var.ecr_repository}}:${{var.image_tag}}"
  subnet_ids       = var.private_subnet_ids
  task_policy_arns = ["{rng.choice(MANAGED_POLICIES[:7])}"]
  role_tags        = {hcl(c.lifecycle_tags(), 4)}'''
    elif kind == "github-oidc-role":
        extra = f'''
  repository  = "example-org/{c.service}"
  policy_arns = ["{rng.choice(MANAGED_POLICIES)}"]'''
    elif kind == "gke-workload-identity":
        extra = f'''
  project   = var.gcp_project
  namespace = "{c.service}"
  roles     = {hcl(rng.sample(GCP_ROLES[:8], rng.randint(1, 3)))}'''
    elif kind == "iam-service-roles" and rng.random() < 0.5:
        extra = f'\n  trusted_principals = ["arn:aws:iam::{rng.choice(ACCOUNTS)}:role/ci-runner"]'
    elif kind == "s3-bucket" and c.roles:
        extra = f"\n  reader_arns = [aws_iam_role.{rng.choice(c.roles)}.arn]"
    return f'''module "{label}" {{
  source = "../../../modules/{module}"

  name = {name}
  tags = {tags}{extra}
}}
'''


# --- the tree -----------------------------------------------------------------------------------------


def service_files(c: Ctx, modules: dict[str, list[str]]) -> dict[str, str]:
    rng = c.rng
    files: dict[str, str] = {}
    uses_gcp = uses_azure = uses_k8s = False
    themes = ["iam.tf"] if rng.random() < 0.85 else []
    pool = [t for t in THEME_WEIGHTS if t not in themes]
    wanted = rng.randint(4, 7)
    while len(themes) < wanted:
        choice = rng.choices(pool, weights=[THEME_WEIGHTS[t] for t in pool])[0]
        pool.remove(choice)
        themes.append(choice)
    # iam first, so later files can reference roles
    themes.sort(key=lambda t: (t != "iam.tf", t))
    for theme in themes:
        emitters, (low, high) = THEMES[theme]
        parts: list[str] = []
        if theme == "azure.tf":
            uses_azure = True
            parts.append("""resource "azurerm_resource_group" "main" {
  name     = "rg-${local.name_prefix}"
  location = var.azure_location
  tags     = local.common_tags
}

resource "azurerm_storage_account" "main" {
  name                     = substr(replace("st${local.name_prefix}", "-", ""), 0, 24)
  resource_group_name      = azurerm_resource_group.main.name
  location                 = azurerm_resource_group.main.location
  account_tier             = "Standard"
  account_replication_type = "LRS"
}
""")
        elif theme == "kubernetes.tf":
            uses_k8s = True
            parts.append(f'''resource "kubernetes_namespace" "main" {{
  metadata {{
    name   = "{c.service}"
    labels = {{ env = var.env, team = var.owner }}
  }}
}}
''')
        elif theme == "gcp.tf":
            uses_gcp = True
        for _ in range(rng.randint(low, high)):
            emitter = rng.choices([e for e, _ in emitters], weights=[w for _, w in emitters])[0]
            parts.append(emitter(c))
        header = f"# {theme[:-3]} for {c.service} ({c.env})\n\n"
        files[theme] = header + "\n".join(p.rstrip("\n") + "\n" for p in parts)

    calls = []
    kinds = list(MODULE_KINDS)
    for _ in range(rng.randint(4, 10)):
        kind = rng.choices(kinds, weights=(5, 3, 2, 3, 3, 3, 2))[0]
        if kind == "gke-workload-identity":
            uses_gcp = uses_k8s = True
        calls.append(module_call(c, kind, rng.choice(modules[kind])))
    files["main.tf"] = "\n".join(calls)

    owner_tag = "\n      owner      = var.owner" if rng.random() < 0.5 else ""
    providers = [
        f'''terraform {{
  required_version = ">= 1.6"
  required_providers {{
    aws = {{
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }}
  }}

  backend "s3" {{
    bucket         = "example-terraform-state"
    key            = "{c.env}/{c.service}/terraform.tfstate"
    region         = "eu-west-1"
    dynamodb_table = "terraform-locks"
    encrypt        = true
  }}
}}

provider "aws" {{
  region = var.region

  default_tags {{
    tags = {{
      env        = var.env
      service    = "{c.service}"
      managed-by = "terraform"{owner_tag}
    }}
  }}
}}

provider "aws" {{
  alias  = "us_east_1"
  region = "us-east-1"
}}

data "aws_caller_identity" "current" {{}}
'''
    ]
    if uses_gcp:
        providers.append("""provider "google" {
  project = var.gcp_project
  region  = "europe-west1"
}
""")
    if uses_azure:
        providers.append("""provider "azurerm" {
  features {}
  subscription_id = var.subscription_id
}
""")
    if uses_k8s:
        providers.append("""provider "kubernetes" {
  config_path    = "~/.kube/config"
  config_context = var.kube_context
}
""")
    files["providers.tf"] = "\n".join(providers)
    files["variables.tf"] = _variables(c)
    files["locals.tf"] = f'''locals {{
  name_prefix = "${{var.env}}-{c.service}"
  common_tags = merge(var.tags, {{
    env        = var.env
    service    = "{c.service}"
    cost-center = "{rng.randint(1000, 9999)}"
  }})
  is_production = var.env == "prod"
  replicas      = local.is_production ? 3 : 1
}}
'''
    outputs = [
        """output "name_prefix" {
  value = local.name_prefix
}
"""
    ]
    for role in c.roles[:3]:
        outputs.append(f'''output "{role}_role_arn" {{
  value = aws_iam_role.{role}.arn
}}
''')
    files["outputs.tf"] = "\n".join(outputs)
    return files


def _variables(c: Ctx) -> str:
    rng = c.rng
    variables: list[tuple[str, str, str | None]] = [
        ("env", "string", json.dumps(c.env)),
        ("region", "string", json.dumps(c.region)),
        ("owner", "string", json.dumps(c.team) if rng.random() < 0.5 else None),
        ("tags", "map(string)", hcl({"team": c.team}, 4) if rng.random() < 0.6 else "{}"),
        ("vpc_id", "string", '"vpc-0123456789abcdef0"'),
        ("allowed_cidrs", "list(string)", '["10.0.0.0/8"]'),
        ("extra_ports", "list(number)", "[]"),
        ("private_subnet_ids", "list(string)", '["subnet-aaa", "subnet-bbb"]'),
        ("security_group_ids", "list(string)", "[]"),
        ("kms_key_arn", "string", "null"),
        ("zone_id", "string", '"Z0123456789ABCDEFGHIJ"'),
        ("alarm_topic_arn", "string", "null"),
        ("artifact_bucket", "string", '"example-artifacts"'),
        ("artifact_version", "string", '"latest"'),
        ("ecr_repository", "string", f'"{c.account}.dkr.ecr.{c.region}.amazonaws.com/{c.service}"'),
        ("image_tag", "string", '"latest"'),
        ("image_registry", "string", '"ghcr.io/example-org"'),
        ("ami_id", "string", '"ami-0123456789abcdef0"'),
        ("instance_profile", "string", "null"),
        ("execution_role_arn", "string", "null"),
        ("default_lambda_role_arn", "string", "null"),
        ("task_role_arn", "string", "null"),
        ("external_id", "string", None),
        ("gcp_project", "string", f'"example-{c.env}"'),
        ("subscription_id", "string", '"00000000-0000-0000-0000-000000000000"'),
        ("azure_location", "string", '"westeurope"'),
        ("kube_context", "string", f'"{c.env}"'),
        ("features", "list(string)", '["search", "export"]'),
    ]
    out = []
    for name, type_, default in variables:
        default_line = f"\n  default     = {default}" if default is not None else ""
        out.append(f'''variable "{name}" {{
  description = "{name.replace("_", " ")}"
  type        = {type_}{default_line}
}}
''')
    return "\n".join(out)


def _tfvars(c: Ctx) -> str:
    rng = c.rng
    lines = [f'env    = "{c.env}"', f'region = "{c.region}"']
    if rng.random() < 0.7:
        lines.append(f'owner  = "{c.team}"')
    lines.append('external_id = "ext-' + str(rng.randint(10000, 99999)) + '"')
    if rng.random() < 0.5:
        lines.append("tags = " + hcl({"team": c.team, "owner": c.team, "repo": "example-org/infra"}))
    return "\n".join(lines) + "\n"


def generate(out: Path, files: int, seed: int) -> Stats:
    rng = random.Random(seed)
    writer = Writer(out)
    module_count = max(len(MODULE_KINDS), files // 70)
    modules: dict[str, list[str]] = {kind: [] for kind in MODULE_KINDS}
    kinds = list(MODULE_KINDS)
    for index in range(module_count):
        kind = kinds[index % len(kinds)]
        name = kind if not modules[kind] else f"{kind}-v{len(modules[kind]) + 1}"
        modules[kind].append(name)
        main, variables, outputs = MODULE_KINDS[kind](rng)
        writer.write(f"modules/{name}/main.tf", main)
        writer.write(f"modules/{name}/variables.tf", variables)
        writer.write(
            f"modules/{name}/outputs.tf", "\n".join(f'output "{k}" {{\n  value = {v}\n}}\n' for k, v in outputs.items())
        )
        writer.write(
            f"modules/{name}/versions.tf",
            """terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
""",
        )
    services = [f"{d}-{c}" for d in DOMAINS for c in COMPONENTS]
    env_index = 0
    per_env: dict[str, list[str]] = {env: rng.sample(services, len(services)) for env in ENVS}
    while writer.stats.files < files:
        env = ENVS[env_index % len(ENVS)]
        env_index += 1
        if not per_env[env]:
            continue
        service = per_env[env].pop()
        ctx = Ctx(rng, env, service, rng.choice(TEAMS), rng.choice(REGIONS), rng.choice(ACCOUNTS))
        for name, text in service_files(ctx, modules).items():
            writer.write(f"envs/{env}/{service}/{name}", text)
        writer.write(f"envs/{env}/{service}/terraform.tfvars", _tfvars(ctx))
    return writer.stats


PRINCIPAL_TYPES = (
    "aws_iam_role",
    "aws_iam_user",
    "google_service_account",
    "azurerm_user_assigned_identity",
    "kubernetes_service_account",
)


def expected_identities(tree: Path) -> int:
    """Principals the tree declares, counted once per root module and once per module instance.

    Every `envs/<env>/<service>` directory is its own root, so the same address in two of them is two
    identities; a module called from N places creates its principals N times, an uncalled one once.
    """
    alternatives = "|".join(PRINCIPAL_TYPES)
    resource = re.compile(rf'^resource\s+"(?:{alternatives})"\s+"', re.M)
    call = re.compile(r'^module\s+"[^"]+"\s*\{\s*source\s*=\s*"\.\./\.\./\.\./modules/([^"]+)"', re.M)

    def count(directory: Path) -> int:
        return sum(len(resource.findall(p.read_text(encoding="utf-8"))) for p in directory.glob("*.tf"))

    modules = {p.name: count(p) for p in (tree / "modules").iterdir() if p.is_dir()}
    called: set[str] = set()
    total = 0
    for root in (p for p in (tree / "envs").glob("*/*") if p.is_dir()):
        total += count(root)
        for path in root.glob("*.tf"):
            for name in call.findall(path.read_text(encoding="utf-8")):
                called.add(name)
                total += modules.get(name, 0)
    # A module directory nobody calls is a root of its own (nhilint scans it with its defaults).
    return total + sum(n for name, n in modules.items() if name not in called)


FORMATS = ("terraform", "cloudformation", "kubernetes")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", type=Path, help="output directory (replaced if it exists)")
    parser.add_argument(
        "--files",
        type=int,
        default=2000,
        help="minimum number of .tf files, templates or manifest files (default 2000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="terraform",
        help="terraform (default), cloudformation (generate_cfn.py) or kubernetes (generate_k8s.py)",
    )
    parser.add_argument(
        "--platform",
        action="store_true",
        help="kubernetes: add large CRDs, dashboards in ConfigMaps and kustomizations (generate_platform.py)",
    )
    args = parser.parse_args(argv)
    if args.out.exists():
        shutil.rmtree(args.out)
    if args.format == "cloudformation":
        return _main_cloudformation(args.out, args.files, args.seed)
    if args.format == "kubernetes":
        return _main_kubernetes(args.out, args.files, args.seed, args.platform)
    stats = generate(args.out, args.files, args.seed)
    share = stats.identity / stats.resources if stats.resources else 0.0
    print(
        f"wrote {stats.files} .tf files, {stats.resources} resources "
        f"({stats.identity} identity resources, {share:.1%}), {stats.data} data sources, "
        f"{stats.modules_called} module calls to {args.out}"
    )
    print(
        f"principals (roles, users, service accounts, managed identities) per root / module instance: "
        f"{expected_identities(args.out)}"
    )
    top = ", ".join(f"{t} {n}" for t, n in stats.by_type.most_common(12))
    print(f"top resource types: {top}")
    return 0


def _main_cloudformation(out: Path, files: int, seed: int) -> int:
    import generate_cfn

    stats = generate_cfn.generate(out, files, seed)
    share = stats.identity / stats.resources if stats.resources else 0.0
    print(
        f"wrote {stats.templates} templates ({stats.yaml} YAML, {stats.json} JSON) and {stats.other_files} other "
        f"files, {stats.bytes / 2**20:.1f} MiB, {stats.resources} resources ({stats.identity} IAM resources, "
        f"{share:.1%}) to {out}"
    )
    print(
        f"principals (roles, users, groups, SAM generated roles) created with the defaults: "
        f"{generate_cfn.declared_principals(out)}"
    )
    print("top resource types: " + ", ".join(f"{t} {n}" for t, n in stats.by_type.most_common(12)))
    return 0


def _main_kubernetes(out: Path, files: int, seed: int, platform: bool = False) -> int:
    import generate_k8s

    stats = generate_k8s.generate(out, files, seed)
    if platform:
        import generate_platform

        added = generate_platform.add_platform(out, seed, envs=("staging", "prod"))
        print(f"platform layer: {added} files (CRDs, dashboards, operator, kustomizations) under {out}/platform")
    share = stats.identity / stats.objects if stats.objects else 0.0
    distinct, written = generate_k8s.declared_service_accounts(out)
    print(
        f"wrote {stats.files} manifest files ({stats.yaml} YAML, {stats.json} JSON) and {stats.other_files} "
        f"other files, {stats.bytes / 2**20:.1f} MiB, {stats.objects} objects ({stats.identity} ServiceAccounts "
        f"and RBAC objects, {share:.1%}) to {out}"
    )
    print(f"ServiceAccounts: {distinct} distinct namespace/name ({written} objects)")
    print("top kinds: " + ", ".join(f"{k} {n}" for k, n in stats.by_kind.most_common(12)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
