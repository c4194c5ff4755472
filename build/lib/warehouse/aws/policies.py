"""Least privilege in the CloudFormation template: no wildcard where a narrower grant works.

`wildcard_findings(template)` reads every policy document of the template (IAM roles' inline policies,
managed and inline IAM policies, bucket, topic and key policies) and reports each Allow statement that
grants every action of a service (`*`, `s3:*`) or acts on every resource (`Resource: "*"`), except where
AWS leaves no narrower choice:

- a KMS key policy's `Resource: "*"` means the key the policy is attached to (key-policies.html), and its
  statement giving the account's root `kms:*` is the default that lets IAM policies govern the key
  (key-policy-default.html);
- a few actions accept no resource ARN at all (the Service Authorization Reference lists no resource type
  for them): ACTIONS_WITHOUT_RESOURCES;
- the Data API's statement actions are scoped to the caller's own statements by a condition key instead
  of a resource (redshift-data:statement-owner-iam-userid), so `*` with that condition is the narrow form.

Deny statements are not findings: a wide Deny narrows.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

ACTIONS_WITHOUT_RESOURCES = frozenset(
    {
        "kinesis:ListStreams",
        "cloudwatch:PutMetricData",
        "logs:DescribeLogGroups",
        "s3:GetAccountPublicAccessBlock",
    }
)
OWNER_SCOPED = {
    "redshift-data:statement-owner-iam-userid": frozenset(
        {"redshift-data:DescribeStatement", "redshift-data:GetStatementResult", "redshift-data:CancelStatement"}
    )
}


def _flat(value: Any) -> list[Any]:
    """A policy element as a flat list (an !If read as a list contributes both branches)."""
    if isinstance(value, list):
        return [item for element in value for item in _flat(element)]
    return [value]


def _documents(template: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(resource name, resource type, policy document) of every policy in the template."""
    for name, resource in (template.get("Resources") or {}).items():
        kind = str(resource.get("Type"))
        properties = resource.get("Properties") or {}
        if kind == "AWS::IAM::Role":
            for policy in properties.get("Policies") or []:
                yield f"{name}.{policy.get('PolicyName')}", kind, policy.get("PolicyDocument") or {}
        elif kind in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy", "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy"):
            yield name, kind, properties.get("PolicyDocument") or {}
        elif kind == "AWS::KMS::Key":
            yield name, kind, properties.get("KeyPolicy") or {}


def _is_account_root(statement: dict[str, Any]) -> bool:
    principal = statement.get("Principal") or {}
    aws = _flat(principal.get("AWS")) if isinstance(principal, dict) else []
    return bool(aws) and all(":root" in str(item) for item in aws)


def _owner_scoped(statement: dict[str, Any], actions: list[str]) -> bool:
    conditions = statement.get("Condition") or {}
    for operator in conditions.values():
        for key in operator or {}:
            if key in OWNER_SCOPED and set(actions) <= OWNER_SCOPED[key]:
                return True
    return False


def wildcard_findings(template: dict[str, Any]) -> list[str]:
    """One message per Allow statement that is wider than it needs to be; empty when none is."""
    findings = []
    for where, kind, document in _documents(template):
        for index, statement in enumerate(_flat(document.get("Statement"))):
            if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
                continue
            label = f"{where} ({kind}) statement {statement.get('Sid') or index}"
            actions = [str(action) for action in _flat(statement.get("Action"))]
            wide = [action for action in actions if action == "*" or action.endswith(":*")]
            key_default = kind == "AWS::KMS::Key" and _is_account_root(statement) and wide == ["kms:*"]
            if wide and not key_default:
                findings.append(f"{label}: every action of {', '.join(wide)}")
            if "*" in _flat(statement.get("Resource")) and kind != "AWS::KMS::Key":
                narrow = set(actions) <= ACTIONS_WITHOUT_RESOURCES or _owner_scoped(statement, actions)
                if not narrow:
                    findings.append(f"{label}: {', '.join(actions)} on every resource")
            if statement.get("NotAction") or statement.get("NotResource"):
                findings.append(f"{label}: NotAction/NotResource with Allow grants everything else")
    return findings
