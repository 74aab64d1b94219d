"""SAM (`Transform: AWS::Serverless-2016-10-31`): serverless functions and state machines and their roles.

With `Role`, a function runs as that role. Without it, SAM creates `<LogicalId>Role`: an ordinary role in
the model (trusting the service, used by the function) whose grants are what SAM attaches: the basic
execution policy, X-Ray and VPC policies, event-source policies, a dead-letter-queue statement, and the
`Policies` property (managed policy names or ARNs, inline statements, and policy templates). Policy
templates and managed policy names come from the data files the `aws-sam-translator` package ships, read
on first use and only those files (the translator itself is never imported).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from nhilint.extract.aws_links import PLATFORM, ROLE, ROLE_OR_PROFILE
from nhilint.extract.cloudformation.base import (
    Handler,
    Stack,
    State,
    add_document,
    add_identity,
    add_trusts,
    attach,
    links,
    service_trust,
    text_of,
)
from nhilint.extract.references import typed
from nhilint.model import ActionPattern, Grant, Location, Unknown, Usage
from nhilint.parse.cloudformation import Resource, Template
from nhilint.values import LDict, Ref

# SAM resource type -> (Globals section, the service its generated role trusts, managed policies always attached)
GENERATED_ROLES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "AWS::Serverless::Function": ("Function", "lambda.amazonaws.com", ("service-role/AWSLambdaBasicExecutionRole",)),
    "AWS::Serverless::StateMachine": ("StateMachine", "states.amazonaws.com", ()),
}
EVENT_POLICIES = {
    "SQS": "service-role/AWSLambdaSQSQueueExecutionRole",
    "Kinesis": "service-role/AWSLambdaKinesisExecutionRole",
    "DynamoDB": "service-role/AWSLambdaDynamoDBExecutionRole",
    "MSK": "service-role/AWSLambdaMSKExecutionRole",
}
DLQ_ACTIONS = {"SQS": "sqs:SendMessage", "SNS": "sns:Publish"}
XRAY_POLICY = "AWSXrayWriteOnlyAccess"
VPC_POLICY = "service-role/AWSLambdaVPCAccessExecutionRole"


@dataclass(frozen=True, slots=True)
class SamData:
    """SAM's policy templates and AWS managed policy names -> ARNs; `problem` says why they are missing."""

    templates: dict[str, Any] | None
    managed: dict[str, str]
    problem: str = ""


def sam_data(state: State) -> SamData:
    if state.sam is None:
        state.sam = load_sam_data()
    data: SamData = state.sam
    return data


def load_sam_data() -> SamData:
    """Read the two JSON files from the installed aws-sam-translator, without importing it."""
    spec = find_spec("samtranslator")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        return SamData(None, {}, "SAM policy templates need the aws-sam-translator package, which is not installed")
    base = Path(locations[0])
    try:
        text = (base / "policy_templates_data" / "policy_templates.json").read_text(encoding="utf-8")
        templates = json.loads(text)["Templates"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        return SamData(None, {}, f"the SAM policy templates of aws-sam-translator could not be read ({error})")
    try:
        managed = json.loads((base / "internal" / "data" / "aws_managed_policies.json").read_text("utf-8"))["aws"]
    except (OSError, ValueError, KeyError, TypeError):
        managed = {}  # names then map to arn:aws:iam::aws:policy/<name>
    return SamData(templates if isinstance(templates, dict) else None, managed if isinstance(managed, dict) else {})


def managed_arn(name: str) -> str:
    return f"arn:aws:iam::aws:policy/{name}"


def serverless(stack: Stack, resource: Resource) -> None:
    section, service, base_policies = GENERATED_ROLES[resource.type]
    evaluated = stack.ev.value(with_globals(stack.template, resource, section))
    props = evaluated if isinstance(evaluated, LDict) else LDict(line=resource.location.start_line)
    address = stack.address(resource.logical_id)
    usage = Usage("", address, resource.type, resource.location)
    if "Role" in props:
        for target in links(props["Role"]):
            if not isinstance(target, Unknown):
                stack.builder.add_usage(usage, target, ROLE_OR_PROFILE, PLATFORM)
        return
    boundary = props.get("PermissionsBoundary")
    attributes = (("permissions_boundary", typed(text_of(boundary))),) if boundary is not None else ()
    identity = add_identity(
        stack,
        resource,
        "role",
        None,
        props.get("Tags"),
        attributes,
        address=f"{address}Role",
        tags_at=stack.at(props, "Tags"),
    )
    me = Ref(identity.address)
    via = f"role SAM generates for {address}"
    if "AssumeRolePolicyDocument" in props:
        add_trusts(
            stack,
            props["AssumeRolePolicyDocument"],
            stack.at(props, "AssumeRolePolicyDocument"),
            me,
            "AssumeRolePolicyDocument",
            resource.location,
        )
    else:
        service_trust(stack, service, me, via, resource.location)
    stack.builder.add_usage(usage, me, ROLE, PLATFORM)
    implied = [managed_arn(name) for name in base_policies]
    tracing = props.get("Tracing")
    if tracing is not None and tracing != "Disabled":
        implied.append(managed_arn(XRAY_POLICY))
    if props.get("VpcConfig") is not None:
        implied.append(managed_arn(VPC_POLICY))
    events = props.get("Events")
    for event in events.values() if isinstance(events, dict) else []:
        kind = event.get("Type") if isinstance(event, dict) else None
        if isinstance(kind, str) and kind in EVENT_POLICIES:
            implied.append(managed_arn(EVENT_POLICIES[kind]))
    implied = list(dict.fromkeys(implied))
    attach(stack, implied, me, ROLE, resource.location, via)
    _dead_letter_queue(stack, resource, props, me)
    _policies(stack, resource, props, me, set(implied))


def with_globals(template: Template, resource: Resource, section: str) -> LDict:
    """The resource's properties over the `Globals` section: maps merge, lists append, values override."""
    defaults = template.globals.get(section)
    props = resource.properties
    if not isinstance(defaults, LDict):
        return props
    merged = LDict(line=props.line, end_line=props.end_line, path=props.path)
    merged.key_lines = {}
    for source in (defaults, props):
        for key, value in source.items():
            prior = merged.get(key)
            if isinstance(prior, LDict) and isinstance(value, LDict) and _plain_map(prior) and _plain_map(value):
                combined = LDict({**prior, **value}.items(), line=value.line, end_line=value.end_line)
                combined.key_lines = {**(prior.key_lines or {}), **(value.key_lines or {})}
                value = combined
            elif isinstance(prior, list) and isinstance(value, list):
                value = prior + value
            merged[key] = value
            merged.key_lines[key] = source.line_of(key)
    return merged


def _plain_map(value: Any) -> bool:
    return isinstance(value, LDict) and not any(k == "Ref" or k.startswith("Fn::") for k in value)


def _dead_letter_queue(stack: Stack, resource: Resource, props: LDict, me: Ref) -> None:
    queue = props.get("DeadLetterQueue")
    if not isinstance(queue, dict) or queue.get("Type") not in DLQ_ACTIONS:
        return
    where = stack.at(props, "DeadLetterQueue")
    target = queue.get("TargetArn")
    scope = (text_of(target),) if target is not None and not isinstance(target, Unknown) else ()
    unknown = target.reason if isinstance(target, Unknown) else None
    grant = Grant(
        None,
        (ActionPattern(DLQ_ACTIONS[queue["Type"]]),),
        scope,
        "DeadLetterQueue",
        stack.address(resource.logical_id),
        where,
        resource.location,
        unknown=unknown,
    )
    stack.builder.add_grant(grant, me, ROLE)


def _policies(stack: Stack, resource: Resource, props: LDict, me: Ref, attached: set[str]) -> None:
    """Each `Policies` entry: a managed policy, an inline document, or a policy template.

    A managed policy SAM attaches anyway (the basic execution role) is attached once, as SAM does.
    """
    value = props.get("Policies")
    entries = value if isinstance(value, list) else [value] if value is not None else []
    where = stack.at(props, "Policies")
    address = stack.address(resource.logical_id)
    via = f"Policies of {address}"
    for entry in entries:
        if isinstance(entry, str):
            data = sam_data(stack.state) if not entry.startswith("arn:") and "${" not in entry else None
            arn = entry if data is None else data.managed.get(entry, managed_arn(entry))
            if arn not in attached:
                attach(stack, arn, me, ROLE, where, via)
        elif isinstance(entry, Ref):
            attach(stack, entry, me, ROLE, where, via)
        elif isinstance(entry, dict) and "Statement" in entry:
            add_document(
                stack, entry, stack.span(entry, where), me, ROLE, f"inline policy in {via}", address, resource.location
            )
        elif isinstance(entry, dict) and len(entry) == 1:
            name, parameters = next(iter(entry.items()))
            _template(stack, resource, str(name), parameters, stack.span(entry, where), me)
        else:
            reason = entry.reason if isinstance(entry, Unknown) else "a Policies entry nhilint does not understand"
            grant = Grant(
                None, (), (), via, address, where, resource.location, permission_type="managed_policy", unknown=reason
            )
            stack.builder.add_grant(grant, me, ROLE)


def _template(stack: Stack, resource: Resource, name: str, parameters: Any, where: Location, me: Ref) -> None:
    """A SAM policy template, expanded with its parameters into the statements SAM would write."""
    data = sam_data(stack.state)
    address = stack.address(resource.logical_id)
    via = f"SAM policy template {name}"
    spec = data.templates.get(name) if data.templates is not None else None
    if not isinstance(spec, dict) or "Definition" not in spec:
        reason = data.problem or f"{name} is not a SAM policy template"
        grant = Grant(
            None, (), (), via, address, where, resource.location, permission_type="managed_policy", unknown=reason
        )
        stack.builder.add_grant(grant, me, ROLE)
        return
    if isinstance(parameters, Unknown):
        given: dict[str, Any] = {key: parameters for key in spec.get("Parameters", {})}
    else:
        given = dict(parameters) if isinstance(parameters, dict) else {}
    definition = stack.ev.with_overrides(given).value(spec["Definition"])
    add_document(stack, definition, where, me, ROLE, via, address, resource.location)


HANDLERS: dict[str, Handler] = {resource_type: serverless for resource_type in GENERATED_ROLES}
