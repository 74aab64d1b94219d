"""Render a model as Terraform (root + local modules), CloudFormation (YAML or JSON) and Kubernetes manifests.

Each renderer turns the model into blocks (a Terraform block, a CloudFormation resource, a Kubernetes
document), lets the Layout order them and deal them into files, and writes each file in the Layout's Style.
"""

from __future__ import annotations

import json
from typing import Any

from tests.fuzz.layout import Layout, Raw, Style, hcl_block, join_blocks, listish, yaml_document
from tests.fuzz.model import AwsIdentity, CloudModel, K8sModel, Module, Policy, Principal, Statement

TF_NAMES = ("main.tf", "iam.tf", "roles.tf", "policies.tf", "identities.tf")
CFN_NAMES = ("template", "iam", "stack", "identities.template")
K8S_NAMES = ("manifests.yaml", "rbac.yaml", "serviceaccounts.yml", "deploy.yaml")


def policy_document(statements: tuple[Statement, ...], style: Style) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": s.effect, "Action": listish(s.actions, style), "Resource": listish(s.resources, style)}
            for s in statements
        ],
    }


def trust_document(principals: tuple[Principal, ...], style: Style) -> dict[str, Any]:
    body: list[dict[str, Any]] = []
    for principal in principals:
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": {principal.type: principal.value},
            "Action": "sts:AssumeRole",
        }
        if principal.external_id:
            statement["Condition"] = {"StringEquals": {"sts:ExternalId": principal.external_id}}
        body.append(statement)
    return {"Version": "2012-10-17", "Statement": body}


# --- Terraform -------------------------------------------------------------------------------------------


def _tf_identity(identity: AwsIdentity, style: Style, owner: Raw | None = None) -> list[str]:
    kind = f"aws_iam_{identity.kind}"
    attributes: dict[str, Any] = {"name": identity.name}
    if identity.kind == "role":
        attributes["assume_role_policy"] = Raw(
            "jsonencode(" + _inline(trust_document(identity.trust, style), style) + ")"
        )
    tags: dict[str, Any] = {"owner": owner} if owner else {}
    tags.update(identity.tags)
    if tags:
        attributes["tags"] = tags
    blocks = [hcl_block(f'resource "{kind}" "{identity.label}"', attributes, style)]
    for policy in identity.policies:
        key = "role" if identity.kind == "role" else "user"
        reference = Raw(f"{kind}.{identity.label}.{'id' if key == 'role' else 'name'}")
        body = {
            "name": policy.name,
            key: reference,
            "policy": Raw("jsonencode(" + _inline(policy_document(policy.statements, style), style) + ")"),
        }
        blocks.append(hcl_block(f'resource "{kind}_policy" "{identity.label}_{policy.name}"', body, style))
    return blocks


def _inline(document: dict[str, Any], style: Style) -> str:
    """An HCL object expression for jsonencode(), indented one level (it sits in a resource body)."""
    from tests.fuzz.layout import hcl_value

    return hcl_value(document, 1, style)


def terraform_blocks(model: CloudModel, style: Style) -> dict[str, list[str]]:
    """Blocks per directory: the root and one directory per local module."""
    root: list[str] = []
    for identity in model.identities:
        root += _tf_identity(identity, style)
    for account in model.gcp:
        root.append(
            hcl_block(
                f'resource "google_service_account" "{account.label}"',
                {"account_id": account.account_id, "display_name": account.label.replace("_", " ")},
                style,
            )
        )
        for role in account.roles:
            member = Raw(f'"serviceAccount:${{google_service_account.{account.label}.email}}"')
            root.append(
                hcl_block(
                    f'resource "google_project_iam_member" "{account.label}_{role.split("/")[1].replace(".", "_")}"',
                    {"project": account.project, "role": role, "member": member},
                    style,
                )
            )
    directories = {"": root}
    for module in model.modules:
        root.append(
            hcl_block(f'module "{module.name}"', {"source": f"./modules/{module.name}", "owner": module.owner}, style)
        )
        directories[f"modules/{module.name}/"] = _tf_module(module, style)
    return directories


def _tf_module(module: Module, style: Style) -> list[str]:
    blocks = [
        hcl_block('variable "owner"', {"type": Raw("string"), "description": "Team that owns these identities"}, style)
    ]
    for identity in module.identities:
        blocks += _tf_identity(identity, style, owner=Raw("var.owner"))
    return blocks


def terraform(model: CloudModel, layout: Layout) -> dict[str, str]:
    files: dict[str, str] = {}
    for directory, blocks in terraform_blocks(model, layout.style).items():
        for name, chosen in layout.place(blocks, TF_NAMES):
            files[directory + name] = join_blocks(chosen, layout.style)
    return files


# --- CloudFormation --------------------------------------------------------------------------------------


def _cfn_policies(policies: tuple[Policy, ...], style: Style) -> list[dict[str, Any]]:
    return [{"PolicyName": p.name, "PolicyDocument": policy_document(p.statements, style)} for p in policies]


def cloudformation_resources(model: CloudModel, style: Style) -> list[tuple[str, dict[str, Any]]]:
    """Every AWS identity as one resource with inline policies; module identities carry the owner tag."""
    resources: list[tuple[str, dict[str, Any]]] = []
    for _, identity in model.aws():
        owner = model.owner_of(identity)
        tags = dict(identity.tags)
        if owner:
            tags = {"owner": owner, **tags}
        properties: dict[str, Any] = {("RoleName" if identity.kind == "role" else "UserName"): identity.name}
        if identity.kind == "role":
            properties["AssumeRolePolicyDocument"] = trust_document(identity.trust, style)
        if identity.policies:
            properties["Policies"] = _cfn_policies(identity.policies, style)
        if tags:
            properties["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        kind = "Role" if identity.kind == "role" else "User"
        resources.append((identity.logical_id, {"Type": f"AWS::IAM::{kind}", "Properties": properties}))
    return resources


def cloudformation(
    model: CloudModel, layout: Layout, as_json: bool = False, directory: str = "cfn/"
) -> tuple[dict[str, str], dict[str, str]]:
    """The template files, and the file each logical id went to (CloudFormation ids include the file)."""
    files: dict[str, str] = {}
    template_of: dict[str, str] = {}
    for name, chosen in layout.place(cloudformation_resources(model, layout.style), CFN_NAMES):
        template = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": "Identities of the data platform",
            "Resources": dict(chosen),
        }
        if as_json:
            path = f"{directory}{name}.json"
            files[path] = json.dumps(template, indent=layout.style.json_indent) + "\n"
        else:
            path = f"{directory}{name}{'.yml' if layout.style.quote_all else '.yaml'}"
            files[path] = _spaced(yaml_document(template, layout.style), layout.style)
        template_of.update((logical_id, path) for logical_id, _ in chosen)
    return files, template_of


def _spaced(text: str, style: Style) -> str:
    """Blank lines between top-level resources, as people write templates."""
    marker = " " * style.indent
    lines = text.splitlines()
    out: list[str] = []
    for index, line in enumerate(lines):
        starts = line.startswith(marker) and not line.startswith(marker + " ") and line.endswith(":")
        if starts and index > 0 and lines[index - 1] != "Resources:":
            out += [""] * (style.blank - 1)
        out.append(line)
    return "\n".join(out) + "\n"


# --- Kubernetes ------------------------------------------------------------------------------------------


def kubernetes_documents(model: K8sModel) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for account in model.accounts:
        metadata: dict[str, Any] = {"name": account.name, "namespace": account.namespace}
        if account.annotations:
            metadata["annotations"] = dict(account.annotations)
        documents.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": metadata})
    rbac = "rbac.authorization.k8s.io/v1"
    for role in model.roles:
        metadata = {"name": role.name} | ({"namespace": role.namespace} if role.namespace else {})
        rules = [
            {"apiGroups": [r.api_group], "resources": list(r.resources), "verbs": list(r.verbs)} for r in role.rules
        ]
        documents.append({"apiVersion": rbac, "kind": role.kind, "metadata": metadata, "rules": rules})
    for binding in model.bindings:
        metadata = {"name": binding.name} | ({"namespace": binding.namespace} if binding.namespace else {})
        documents.append(
            {
                "apiVersion": rbac,
                "kind": "RoleBinding" if binding.namespace else "ClusterRoleBinding",
                "metadata": metadata,
                "subjects": [
                    {"kind": "ServiceAccount", "name": s.name, "namespace": s.namespace} for s in binding.subjects
                ],
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": binding.role_kind,
                    "name": binding.role_name,
                },
            }
        )
    for deployment in model.deployments:
        labels = {"app": deployment.name}
        documents.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": deployment.name, "namespace": deployment.namespace, "labels": labels},
                "spec": {
                    "replicas": deployment.replicas,
                    "selector": {"matchLabels": labels},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {
                            "serviceAccountName": deployment.account,
                            "containers": [
                                {
                                    "name": deployment.name,
                                    "image": f"registry.example.com/acme/{deployment.name}:1.4.2",
                                    "ports": [{"containerPort": 8080}],
                                }
                            ],
                        },
                    },
                },
            }
        )
    return documents


def kubernetes(model: K8sModel, layout: Layout, directory: str = "k8s/") -> dict[str, str]:
    files: dict[str, str] = {}
    separator = "\n" * (layout.style.blank - 1) + "---\n"
    for name, chosen in layout.place(kubernetes_documents(model), K8S_NAMES):
        files[directory + name] = separator.join(yaml_document(d, layout.style) for d in chosen)
    return files
