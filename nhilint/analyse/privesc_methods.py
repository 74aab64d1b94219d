"""The AWS privilege-escalation methods nhilint knows, as data: the one place to add or change a method.

Each method is a full combination of actions: every need must be met, and a need lists alternatives
(`lambda:InvokeFunction` or `lambda:CreateEventSourceMapping`). Sources: the methods catalogued by Rhino
Security Labs and Bishop Fox's iam-vulnerable, limited to those a static reading of the code can decide.
`passes_to` names the service principals a passed role must trust for the method to work; `follow` says
which role-valued action the analysis follows into the roles of the scanned code (nhilint.analyse.privesc).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Method:
    name: str
    summary: str
    needs: tuple[tuple[str, ...], ...]  # every need must be met; a need lists alternative actions
    passes_to: tuple[str, ...] = ()  # service principals the passed role must trust (iam:PassRole methods)
    follow: str | None = None  # "pass": follow iam:PassRole into roles; "assume": follow sts:AssumeRole chains


_PASS = ("iam:PassRole",)
METHODS: tuple[Method, ...] = (
    Method("CreatePolicyVersion", "writing a new default version of a managed policy", (("iam:CreatePolicyVersion",),)),
    Method(
        "SetDefaultPolicyVersion", "switching a managed policy to another version", (("iam:SetDefaultPolicyVersion",),)
    ),
    Method("CreateAccessKey", "creating an access key for another user", (("iam:CreateAccessKey",),)),
    Method("CreateLoginProfile", "giving another user a console password", (("iam:CreateLoginProfile",),)),
    Method("UpdateLoginProfile", "changing another user's console password", (("iam:UpdateLoginProfile",),)),
    Method(
        "AttachPolicy",
        "attaching any managed policy to a user, group or role",
        (("iam:AttachUserPolicy", "iam:AttachGroupPolicy", "iam:AttachRolePolicy"),),
    ),
    Method(
        "PutPolicy",
        "writing an inline policy on a user, group or role",
        (("iam:PutUserPolicy", "iam:PutGroupPolicy", "iam:PutRolePolicy"),),
    ),
    Method("AddUserToGroup", "adding a user to a more privileged group", (("iam:AddUserToGroup",),)),
    Method(
        "UpdateAssumeRolePolicy",
        "rewriting a role's trust policy and assuming the role",
        (("iam:UpdateAssumeRolePolicy",), ("sts:AssumeRole",)),
    ),
    Method(
        "PassRole:EC2",
        "passing a role to a new EC2 instance",
        (_PASS, ("ec2:RunInstances",)),
        ("ec2.amazonaws.com",),
        "pass",
    ),
    Method(
        "PassRole:Lambda",
        "passing a role to a new Lambda function and invoking it",
        (_PASS, ("lambda:CreateFunction",), ("lambda:InvokeFunction", "lambda:CreateEventSourceMapping")),
        ("lambda.amazonaws.com",),
        "pass",
    ),
    Method(
        "PassRole:GlueDevEndpoint",
        "passing a role to a new Glue development endpoint",
        (_PASS, ("glue:CreateDevEndpoint",)),
        ("glue.amazonaws.com",),
        "pass",
    ),
    Method(
        "PassRole:GlueJob",
        "passing a role to a new Glue job and running it",
        (_PASS, ("glue:CreateJob",), ("glue:StartJobRun", "glue:CreateTrigger")),
        ("glue.amazonaws.com",),
        "pass",
    ),
    Method(
        "PassRole:CloudFormation",
        "passing a role to a new CloudFormation stack",
        (_PASS, ("cloudformation:CreateStack",)),
        ("cloudformation.amazonaws.com",),
        "pass",
    ),
    Method(
        "PassRole:DataPipeline",
        "passing a role to a new Data Pipeline",
        (
            _PASS,
            ("datapipeline:CreatePipeline",),
            ("datapipeline:PutPipelineDefinition",),
            ("datapipeline:ActivatePipeline",),
        ),
        ("datapipeline.amazonaws.com", "elasticmapreduce.amazonaws.com", "ec2.amazonaws.com"),
        "pass",
    ),
    Method(
        "PassRole:CodeBuild",
        "passing a role to a new CodeBuild project and starting a build",
        (_PASS, ("codebuild:CreateProject",), ("codebuild:StartBuild", "codebuild:StartBuildBatch")),
        ("codebuild.amazonaws.com",),
        "pass",
    ),
    Method(
        "PassRole:SageMaker",
        "passing a role to a new SageMaker notebook, training or processing job",
        (_PASS, ("sagemaker:CreateNotebookInstance", "sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob")),
        ("sagemaker.amazonaws.com",),
        "pass",
    ),
    Method(
        "PassRole:ECS",
        "passing a role to a new ECS task definition and running it",
        (_PASS, ("ecs:RegisterTaskDefinition",), ("ecs:RunTask", "ecs:StartTask", "ecs:CreateService")),
        ("ecs-tasks.amazonaws.com",),
        "pass",
    ),
    Method(
        "PassRole:AutoScaling",
        "passing a role to instances of a new Auto Scaling group",
        (
            _PASS,
            ("autoscaling:CreateLaunchConfiguration", "ec2:CreateLaunchTemplate"),
            ("autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup"),
        ),
        ("ec2.amazonaws.com",),
        "pass",
    ),
    Method(
        "UpdateFunctionCode",
        "replacing the code of a Lambda function that runs as another role",
        (("lambda:UpdateFunctionCode",),),
    ),
    Method("UpdateDevEndpoint", "adding an SSH key to a Glue development endpoint", (("glue:UpdateDevEndpoint",),)),
    Method("SSM", "running commands on instances through Systems Manager", (("ssm:SendCommand", "ssm:StartSession"),)),
    Method("EC2InstanceConnect", "pushing an SSH key to an instance", (("ec2-instance-connect:SendSSHPublicKey",),)),
    Method(
        "EC2UserData",
        "rewriting an instance's user data and restarting it",
        (("ec2:ModifyInstanceAttribute",), ("ec2:StopInstances",), ("ec2:StartInstances",)),
    ),
    Method("AssumeRole", "assuming a more privileged role", (("sts:AssumeRole",),), (), "assume"),
)

# The resource type an action must reach: a statement whose resources are all of another type does not count.
TARGETS: dict[str, str] = {
    "iam:createpolicyversion": "policy",
    "iam:setdefaultpolicyversion": "policy",
    "iam:createaccesskey": "user",
    "iam:createloginprofile": "user",
    "iam:updateloginprofile": "user",
    "iam:attachuserpolicy": "user",
    "iam:putuserpolicy": "user",
    "iam:attachgrouppolicy": "group",
    "iam:putgrouppolicy": "group",
    "iam:addusertogroup": "group",
    "iam:attachrolepolicy": "role",
    "iam:putrolepolicy": "role",
    "iam:updateassumerolepolicy": "role",
    "iam:passrole": "role",
    "sts:assumerole": "role",
    "lambda:updatefunctioncode": "function",
}
# Resource type -> (ARN service, resource prefix): how an ARN of that type is written. A reference names its
# kind itself (`TargetRef.kind`, from the table in nhilint.extract.references).
TARGET_TYPES: dict[str, tuple[str, str]] = {
    "role": ("iam", "role/"),
    "user": ("iam", "user/"),
    "group": ("iam", "group/"),
    "policy": ("iam", "policy/"),
    "function": ("lambda", "function:"),
}
# Actions that gain nothing when limited to the identity itself (its own key or password).
ASSUME = next(m for m in METHODS if m.follow == "assume")
SELF_HARMLESS = frozenset({"iam:createaccesskey", "iam:createloginprofile", "iam:updateloginprofile"})
METHOD_SERVICES = frozenset(a.split(":")[0].lower() for m in METHODS for need in m.needs for a in need)
