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
    assert set(buckets) == {"RawBucket", "ProcessedBucket", "ArchiveBucket"}
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
    from warehouse.alerts import DEFAULT_NAMESPACE, metrics_of

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
