"""infra/cloudformation/globalretail.yaml: cfn-lint clean, and the security properties the seeds ask for."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from warehouse.config import PROJECT_DIR

TEMPLATE = PROJECT_DIR / "infra" / "cloudformation" / "globalretail.yaml"


class _CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation's short-form tags (!Ref, !Sub, ...) as plain values."""


def _tag(loader: yaml.SafeLoader, _suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_CfnLoader.add_multi_constructor("!", _tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    return dict(yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader))


@pytest.mark.slow
def test_cfn_lint_passes() -> None:
    """Errors and warnings both fail (cfn-lint exits 2 on errors, 4 on warnings). A dev dependency: no skip."""
    cfn_lint = shutil.which("cfn-lint", path=str(Path(sys.executable).parent)) or shutil.which("cfn-lint")
    assert cfn_lint, "cfn-lint is not installed: pip install -e '.[dev]'"
    result = subprocess.run([cfn_lint, str(TEMPLATE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_buckets_are_encrypted_versioned_and_private() -> None:
    resources = load_template()["Resources"]
    buckets = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::S3::Bucket"}
    assert set(buckets) == {"RawBucket", "ProcessedBucket", "ArchiveBucket", "DagsBucket"}
    for properties in buckets.values():
        rule = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
        assert properties["VersioningConfiguration"]["Status"] == "Enabled"
        assert set(properties["PublicAccessBlockConfiguration"].values()) == {True}


def test_both_deployment_types_and_least_privilege_roles() -> None:
    template = load_template()
    resources = template["Resources"]
    assert resources["Namespace"]["Condition"] == "IsServerless"
    assert resources["Workgroup"]["Condition"] == "IsServerless"
    assert resources["Cluster"]["Condition"] == "IsProvisioned"
    assert {resources[s]["Properties"]["Name"] for s in ("WebEventsStream", "InventoryCdcStream")} == {
        "web_events",
        "inventory_cdc",
    }
    for role in ("SpectrumRole", "CopyUnloadRole", "StreamingRole", "FederatedRole"):
        statements = [
            statement
            for policy in resources[role]["Properties"]["Policies"]
            for statement in policy["PolicyDocument"]["Statement"]
        ]
        for statement in statements:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all(not action.endswith(":*") for action in actions), (role, actions)
            if statement["Resource"] == "*":
                assert actions == ["kinesis:ListStreams"], (role, actions)
    federated = resources["FederatedRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert federated["Resource"] == "CatalogDatabaseSecret"


def test_the_alarms_watch_the_metrics_the_build_publishes_and_tell_the_topic() -> None:
    """The alarms' namespace, metric names and Target dimension are the ones `warehouse alerts publish`
    writes (a renamed metric would leave an alarm that never fires), every alarm notifies the encrypted
    alerts topic, and the publisher may put metrics only in that namespace."""
    from warehouse.commands.alerts import DEFAULT_NAMESPACE, metrics_of

    resources = load_template()["Resources"]
    summary = {
        "target": "redshift",
        "success": False,
        "total_seconds": 1.0,
        "tests": {"failed": 1},
        "errors": [],
        "rows_counted": False,
    }
    published = {(metric.name, metric.dimensions) for metric in metrics_of(summary)}
    alarms = {name: r["Properties"] for name, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert set(alarms) == {"BuildFailedAlarm", "TestsFailedAlarm", "BuildDurationAlarm"}
    for name, alarm in alarms.items():
        dimensions = tuple((d["Name"], d["Value"]) for d in alarm["Dimensions"])
        assert alarm["Namespace"] == DEFAULT_NAMESPACE, name
        assert (alarm["MetricName"], dimensions) in published, f"{name} watches a metric nobody publishes"
        assert alarm["AlarmActions"] == ["AlertsTopic"], name
    assert alarms["BuildFailedAlarm"]["TreatMissingData"] == "breaching", "no build in a day is an alarm too"
    assert resources["AlertsTopic"]["Properties"]["KmsMasterKeyId"] == "DataKey"
    statements = resources["AlertsPublisherPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    metrics = next(s for s in statements if s["Action"] == "cloudwatch:PutMetricData")
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": DEFAULT_NAMESPACE}}
    assert {s["Resource"] for s in statements if s["Action"] == "sns:Publish"} == {"AlertsTopic"}


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for policy in role["Properties"]["Policies"] for s in policy["PolicyDocument"]["Statement"]]


def _as_list(value: Any, conditions: Any = ()) -> list[Any]:
    """A policy element as a flat list; both branches of an !If (its condition's name dropped)."""
    if not isinstance(value, list):
        return [value]
    flat: list[Any] = []
    for item in value:
        if isinstance(item, list):
            flat.extend(_as_list(item, conditions))
        elif item not in conditions:
            flat.append(item)
    return flat


# What the Airflow role may do on every resource ("*"): only actions that have no resource-level
# permissions, each narrowed by a condition where one exists.
AIRFLOW_ANY_RESOURCE = {
    "logs:DescribeLogGroups": None,
    "s3:GetAccountPublicAccessBlock": None,
    "cloudwatch:PutMetricData": "cloudwatch:namespace",
    "redshift-data:DescribeStatement": "redshift-data:statement-owner-iam-userid",
    "redshift-data:GetStatementResult": "redshift-data:statement-owner-iam-userid",
    "redshift-data:CancelStatement": "redshift-data:statement-owner-iam-userid",
}


def airflow_role_findings(template: dict[str, Any]) -> list[str]:
    """Where the Airflow execution role grants more than the daily chain and MWAA need."""
    resources = template["Resources"]
    role = resources["AirflowExecutionRole"]
    findings = []
    principals = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]
    if sorted(principals) != ["airflow-env.amazonaws.com", "airflow.amazonaws.com"]:
        findings.append(f"assumed by {principals}")
    for statement in _statements(role):
        if statement["Effect"] != "Allow":
            continue
        actions = _as_list(statement["Action"], template["Conditions"])
        resource = statement["Resource"]
        for action in actions:
            if action == "*" or action.endswith(":*"):
                findings.append(f"{statement['Sid']}: every action of {action}")
        if resource == "*":
            condition_keys = {key for test in statement.get("Condition", {}).values() for key in test}
            for action in actions:
                if action not in AIRFLOW_ANY_RESOURCE:
                    findings.append(f"{statement['Sid']}: {action} on every resource")
                elif AIRFLOW_ANY_RESOURCE[action] and AIRFLOW_ANY_RESOURCE[action] not in condition_keys:
                    findings.append(f"{statement['Sid']}: {action} without {AIRFLOW_ANY_RESOURCE[action]}")
        for arn in _as_list(resource, template["Conditions"]):
            text = str(arn)
            if any(action.startswith("s3:") for action in actions) and text != "*":
                if not any(bucket in text for bucket in ("DagsBucket", "RawBucket", "ProcessedBucket")):
                    findings.append(f"{statement['Sid']}: S3 outside the warehouse's buckets ({text})")
                if "RawBucket" in text and set(actions) - {"s3:ListBucket"}:
                    findings.append(f"{statement['Sid']}: more than listing the raw lake ({actions})")
                if "s3:ListBucket" in actions and "s3:prefix" not in str(statement.get("Condition")):
                    findings.append(f"{statement['Sid']}: lists a whole bucket ({text})")
            if any(action.startswith("secretsmanager:") for action in actions) and ":secret:airflow/" not in text:
                findings.append(f"{statement['Sid']}: a secret that is not Airflow's ({text})")
    return findings


def test_the_airflow_role_grants_the_chain_and_mwaa_only() -> None:
    """The MWAA execution role: MWAA's own needs and the DAG's commands, scoped to this stack's resources;
    publishing alerts through the one alerts policy. Proven able to fail on a widened copy."""
    template = load_template()
    assert airflow_role_findings(template) == []
    role = template["Resources"]["AirflowExecutionRole"]["Properties"]
    assert role["ManagedPolicyArns"] == ["AlertsPublisherPolicy"]
    statements = {
        statement["Sid"]: statement for statement in _statements(template["Resources"]["AirflowExecutionRole"])
    }
    assert statements["NoBucketListing"]["Effect"] == "Deny"
    assert "Workgroup.Workgroup.WorkgroupArn" in str(statements["RunStatements"]["Resource"])

    import copy

    widened = copy.deepcopy(template)
    extra = [
        {"Sid": "Wide", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {
            "Sid": "AnySecret",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "x:secret:prod/*",
        },
        {"Sid": "Stmts", "Effect": "Allow", "Action": "redshift-data:DescribeStatement", "Resource": "*"},
        {"Sid": "WriteLake", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "RawBucket.Arn/lake/*"},
        {"Sid": "ListAll", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "ProcessedBucket.Arn"},
        {"Sid": "AllStmts", "Effect": "Allow", "Action": "redshift-data:ListStatements", "Resource": "*"},
    ]
    widened["Resources"]["AirflowExecutionRole"]["Properties"]["Policies"][1]["PolicyDocument"]["Statement"] += extra
    findings = airflow_role_findings(widened)
    for sid in (
        "Wide: every action of s3:*",
        "Wide: s3:* on every resource",
        "AnySecret: a secret",
        "Stmts: redshift-data:DescribeStatement without",
        "WriteLake: more than listing",
        "ListAll: lists a whole bucket",
        "AllStmts: redshift-data:ListStatements on every resource",
    ):
        assert any(finding.startswith(sid) for finding in findings), (sid, findings)


def test_the_dags_bucket_is_what_mwaa_requires() -> None:
    """Amazon MWAA needs its source bucket versioned with all public access blocked; the logs of an
    environment named after the project may use the data key."""
    resources = load_template()["Resources"]
    bucket = resources["DagsBucket"]["Properties"]
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    key_statements = {s["Sid"]: s for s in resources["DataKey"]["Properties"]["KeyPolicy"]["Statement"]}
    logs = key_statements["CloudWatchLogsEncryptTheAirflowLogs"]
    assert "log-group:airflow-${ProjectName}-*" in str(logs["Condition"])


def _glue_calls(module: Path) -> set[str]:
    """The Glue API actions a module calls (`glue.<operation>(` and paginators), as IAM action names."""
    import re

    text = module.read_text(encoding="utf-8")
    operations = set(re.findall(r"\bglue\.([a-z_]+)\(", text)) - {"get_paginator"}
    operations |= set(re.findall(r'glue\.get_paginator\("([a-z_]+)"\)', text))
    return {"glue:" + "".join(part.capitalize() for part in operation.split("_")) for operation in operations}


def test_the_airflow_role_grants_every_glue_call_the_chain_makes() -> None:
    """`warehouse spectrum setup` and `warehouse unload` keep the catalog through glue_catalog.py: every
    operation it calls is granted (a missing one would fail the first daily run), nothing else."""
    from warehouse.aws import glue_catalog

    called = _glue_calls(Path(glue_catalog.__file__))
    assert {"glue:GetDatabase", "glue:BatchCreatePartition", "glue:BatchUpdatePartition"} <= called
    template = load_template()

    def granted(template: dict[str, Any]) -> set[str]:
        return {
            str(action)
            for statement in _statements(template["Resources"]["AirflowExecutionRole"])
            for action in _as_list(statement["Action"], template["Conditions"])
            if str(action).startswith("glue:")
        }

    # UpdateDatabase is never needed: the template creates both databases with the description the code
    # writes, and ensure_database updates a database only when its description differs.
    assert granted(template) == called - {"glue:UpdateDatabase"}

    import copy

    narrowed = copy.deepcopy(template)
    for statement in _statements(narrowed["Resources"]["AirflowExecutionRole"]):
        if statement["Sid"] == "MaintainCatalog":
            statement["Action"].remove("glue:BatchUpdatePartition")
    assert called - {"glue:UpdateDatabase"} - granted(narrowed) == {"glue:BatchUpdatePartition"}


def test_the_template_creates_the_glue_databases_as_the_code_would() -> None:
    from warehouse.aws import spectrum, unload

    resources = load_template()["Resources"]
    descriptions = {
        name: resources[name]["Properties"]["DatabaseInput"]["Description"]
        for name in ("RawGlueDatabase", "ExportsGlueDatabase")
    }
    assert descriptions == {
        "RawGlueDatabase": spectrum.DATABASE_DESCRIPTION,
        "ExportsGlueDatabase": unload.EXPORT_DATABASE_DESCRIPTION,
    }


def test_the_copy_unload_role_may_write_the_cold_inventory_tier() -> None:
    """`warehouse inventory tier` UNLOADs into the cold tier's Spectrum location with the COPY/UNLOAD role."""
    sources = yaml.safe_load((PROJECT_DIR / "models/bronze/inventory/_inventory__sources.yml").read_text())
    tables = {table["name"]: table for source in sources["sources"] for table in source["tables"]}
    location = tables["cold_movements"]["external"]["location"]
    statements = _statements(load_template()["Resources"]["CopyUnloadRole"])
    writes = [str(s["Resource"]) for s in statements if "s3:PutObject" in _as_list(s["Action"])]
    assert f"${{RawBucket.Arn}}/${{LakePrefix}}/{location}/*" in writes
    assert not [w for w in writes if "RawBucket" in w and location not in w], writes


def test_no_policy_of_the_template_grants_a_wildcard_it_does_not_need() -> None:
    """Every policy document (roles, managed policies, bucket, topic and key policies) passes the wildcard
    check, and the check catches each kind of widening in a copy of the template."""
    import copy

    from warehouse.aws.policies import wildcard_findings

    template = load_template()
    assert wildcard_findings(template) == []
    widened = copy.deepcopy(template)
    resources = widened["Resources"]
    role = resources["SpectrumRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    role.append({"Sid": "AllOfGlue", "Effect": "Allow", "Action": "glue:*", "Resource": "GlueArn"})
    role.append({"Sid": "AnyTable", "Effect": "Allow", "Action": ["glue:GetTable"], "Resource": "*"})
    role.append({"Sid": "Inverted", "Effect": "Allow", "NotAction": "iam:*", "Resource": "GlueArn"})
    resources["RawBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"].append(
        {"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "RawBucket.Arn"}
    )
    key = resources["DataKey"]["Properties"]["KeyPolicy"]["Statement"]
    key.append({"Sid": "AnyoneAllOfKms", "Effect": "Allow", "Principal": {"Service": "x"}, "Action": "kms:*"})
    statements = resources["AlertsPublisherPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    statements.append(
        {"Sid": "Unscoped", "Effect": "Allow", "Action": "redshift-data:GetStatementResult", "Resource": "*"}
    )
    findings = wildcard_findings(widened)
    for expected in (
        "statement AllOfGlue: every action of glue:*",
        "statement AnyTable: glue:GetTable on every resource",
        "statement Inverted: NotAction/NotResource",
        "statement Everyone: every action of *",
        "statement AnyoneAllOfKms: every action of kms:*",
        "statement Unscoped: redshift-data:GetStatementResult on every resource",
    ):
        assert any(expected in finding for finding in findings), (expected, findings)
    assert len(findings) == 6, findings


def test_the_provisioned_cluster_logs_audit_events_and_requires_ssl() -> None:
    """Connection, user and user activity logs on both deployment types; the provisioned cluster's user
    activity log also needs enable_user_activity_logging in its parameter group (db-auditing.html)."""
    resources = load_template()["Resources"]
    logs = {"connectionlog", "userlog", "useractivitylog"}
    assert set(resources["Namespace"]["Properties"]["LogExports"]) == logs
    cluster = resources["Cluster"]["Properties"]
    assert set(cluster["LoggingProperties"]["LogExports"]) == logs
    assert cluster["LoggingProperties"]["LogDestinationType"] == "cloudwatch"
    assert cluster["ClusterParameterGroupName"] == "ClusterParameterGroup"
    parameters = {
        p["ParameterName"]: p["ParameterValue"] for p in resources["ClusterParameterGroup"]["Properties"]["Parameters"]
    }
    assert parameters == {"enable_user_activity_logging": "true", "require_ssl": "true"}
    assert cluster["Encrypted"] is True and cluster["KmsKeyId"] == "DataKey"
    assert cluster["ManageMasterPassword"] is True and "MasterUserPassword" not in cluster
