"""Terraform: `.tf` / `.tf.json` files -> module instances whose resources extractors read, evaluated lazily.

The package's public surface is what this module exports; the modules, bottom up:

- `records`: parsed files and directories (`SourceFile`, `Module`) and the blocks of a module instance
  (`TfRecord`, `TfResource`) with their lazily evaluated attributes;
- `files`: the files `file()` / `templatefile()` read, found where Terraform finds them, inside the scan root;
- `tfvars`: `terraform.tfvars`, `*.auto.tfvars`, `--var-file`;
- `annotations`: `# nhilint:` comments attached to the block they are above or in;
- `parsing`: reading and parsing files, in worker processes for a large scan;
- `policy_documents`: `data "aws_iam_policy_document"` rendered as the AWS provider renders it;
- `instance`: module evaluation, one `ModuleInstance` per root or `module` call, and the names it resolves;
- `modules`: local module sources, root selection, module cycles and the checks made before a call is followed;
- `project`: `TerraformProject`, every directory of one scan, its roots and its resources.
"""

from nhilint.parse.terraform.instance import ModuleInstance
from nhilint.parse.terraform.project import TerraformProject
from nhilint.parse.terraform.records import InstanceScope, Module, SourceFile, TfRecord, TfResource

__all__ = ["InstanceScope", "Module", "ModuleInstance", "SourceFile", "TerraformProject", "TfRecord", "TfResource"]
