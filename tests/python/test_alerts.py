"""`warehouse alerts publish` against moto: a build summary becomes CloudWatch metrics, a failed build one
SNS message (read back through an SQS subscription), and a summary that is not one is refused by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tiny_warehouse import said
from warehouse import cli
from warehouse.commands.alerts import DEFAULT_NAMESPACE, failure_message, metrics_of

REGION = "us-east-1"


def _summary(success: bool) -> dict[str, Any]:
    failing = (
        []
        if success
        else [{"name": "records_reconcile_stg_orders", "status": "fail", "failures": 3, "tested": "bronze.stg_orders"}]
    )
    return {
        "target": "redshift",
        "success": success,
        "rows_counted": True,
        "total_seconds": 123.4,
        "models": {
            "int_orders_deduplicated": {"layer": "silver", "rows": 90, "seconds": 1.0, "status": "success"},
            "int_customers_deduplicated": {"layer": "silver", "rows": 10, "seconds": 1.0, "status": "success"},
            "fct_sales": {"layer": "gold", "rows": 500, "seconds": 2.0, "status": "success" if success else "skipped"},
        },
        "quarantine": {"orders": {"malformed_json": 2, "missing_quantity": 1}, "crm": {}},
        "tests": {"passed": 40, "failed": 0 if success else 1, "warned": 1, "errored": 0, "failing": failing},
        "errors": [],
    }


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    for key in ("AWS_ENDPOINT_URL", "WAREHOUSE_METRICS_NAMESPACE", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield


def _topic_with_queue() -> tuple[str, Any, str]:
    sns, sqs = boto3.client("sns", region_name=REGION), boto3.client("sqs", region_name=REGION)
    topic = sns.create_topic(Name="globalretail-alerts")["TopicArn"]
    queue = sqs.create_queue(QueueName="alerts-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return topic, sqs, queue


def _published(namespace: str = DEFAULT_NAMESPACE) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    cloudwatch = boto3.client("cloudwatch", region_name=REGION)
    found = {}
    for metric in cloudwatch.list_metrics(Namespace=namespace)["Metrics"]:
        dimensions = tuple(sorted((d["Name"], d["Value"]) for d in metric["Dimensions"]))
        stats = cloudwatch.get_metric_statistics(
            Namespace=namespace,
            MetricName=metric["MetricName"],
            Dimensions=metric["Dimensions"],
            StartTime="2000-01-01T00:00:00Z",
            EndTime="2100-01-01T00:00:00Z",
            Period=86400 * 365,
            Statistics=["Sum"],
        )
        found[(metric["MetricName"], dimensions)] = sum(point["Sum"] for point in stats["Datapoints"])
    return found


def test_the_metrics_of_a_summary() -> None:
    metrics = {(m.name, m.dimensions): m.value for m in metrics_of(_summary(success=False))}
    target = (("Target", "redshift"),)
    assert metrics[("BuildSucceeded", target)] == 0
    assert metrics[("TestsFailed", target)] == 1 and metrics[("TestsWarned", target)] == 1
    assert metrics[("RowsBuilt", (*target, ("Layer", "silver")))] == 100
    assert ("RowsBuilt", (*target, ("Layer", "gold"))) not in metrics, "a skipped model built no rows"
    assert metrics[("QuarantinedRows", (*target, ("Source", "orders")))] == 3
    assert metrics[("QuarantinedRowsTotal", target)] == 3
    uncounted = {**_summary(success=True), "rows_counted": False}
    assert {m.name for m in metrics_of(uncounted)} == {
        "BuildSucceeded",
        "BuildDurationSeconds",
        "TestsFailed",
        "TestsWarned",
        "NodesErrored",
    }


def test_a_failed_build_publishes_its_metrics_and_one_message(
    aws: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic, sqs, queue = _topic_with_queue()
    monkeypatch.setenv("WAREHOUSE_ALERTS_TOPIC_ARN", topic)
    path = tmp_path / "build_summary.json"
    path.write_text(json.dumps(_summary(success=False)))
    assert cli.main(["alerts", "publish", "--summary", str(path)]) == 0

    published = _published()
    assert published[("BuildSucceeded", (("Target", "redshift"),))] == 0
    assert published[("TestsFailed", (("Target", "redshift"),))] == 1
    assert published[("QuarantinedRows", (("Source", "orders"), ("Target", "redshift")))] == 3
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    subject, message = failure_message(_summary(success=False))
    assert body["Subject"] == subject and body["Message"] == message
    assert "records_reconcile_stg_orders" in message and "3 rows" in message


def test_a_successful_build_publishes_metrics_and_no_message(
    aws: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    topic, sqs, queue = _topic_with_queue()
    monkeypatch.setenv("WAREHOUSE_ALERTS_TOPIC_ARN", topic)
    monkeypatch.setenv("WAREHOUSE_METRICS_NAMESPACE", "Test/Ns")
    path = tmp_path / "build_summary.json"
    path.write_text(json.dumps(_summary(success=True)))
    assert cli.main(["alerts", "publish", "--summary", str(path)]) == 0
    assert _published("Test/Ns")[("BuildSucceeded", (("Target", "redshift"),))] == 1
    assert _published() == {}, "nothing in the default namespace"
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)


def test_a_failed_build_without_a_topic_or_a_bad_summary_is_an_error(
    aws: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("WAREHOUSE_ALERTS_TOPIC_ARN", raising=False)
    path = tmp_path / "build_summary.json"
    path.write_text(json.dumps(_summary(success=False)))
    assert cli.main(["alerts", "publish", "--summary", str(path)]) == 1
    assert "WAREHOUSE_ALERTS_TOPIC_ARN is not set" in said(capsys)
    assert _published() == {}, "nothing half-published"
    path.write_text(json.dumps({"target": "local"}))
    assert cli.main(["alerts", "publish", "--summary", str(path)]) == 1
    printed = said(capsys).replace(" ", "")  # the console wraps the long path anywhere
    assert f"{path}:notabuildsummary(missingsuccess,total_seconds,tests,errors)" in printed
    assert cli.main(["alerts", "publish", "--summary", str(tmp_path / "none.json")]) == 1
    assert "no build summary" in said(capsys)


def _crumbs(**states: str) -> list[dict[str, Any]]:
    """Airflow's breadcrumbs of a Redshift DAG run: its finished tasks (cosmos names dbt's per model)."""
    return [
        {"task_id": task_id.replace("__", "."), "state": state, "duration": 2.0} for task_id, state in states.items()
    ]


def test_a_redshift_dag_run_becomes_a_summary_whose_failure_is_published(
    aws: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The DAG's publish_alerts task: the run's task states as the metrics the alarms watch, and one message
    naming the failed test and the failed task; what never ran because of them is listed."""
    from warehouse.orchestration import run_summary, steps

    failed_run = _crumbs(
        spectrum_partitions="success",
        bronze__stg_orders__run="success",
        bronze__stg_orders__test="failed",
        silver__int_orders_deduplicated__run="upstream_failed",
        unload_daily_revenue="upstream_failed",
        first_run_of_month="upstream_failed",
        maintain="failed",
        docs="success",
        publish_alerts="running",
    )
    summary = run_summary.summary_of(failed_run, "redshift", 600.0, own_task="publish_alerts")
    assert summary["success"] is False
    assert summary["tests"]["passed"] == 0 and summary["tests"]["failed"] == 1
    assert summary["tests"]["failing"][0]["tested"] == "bronze.stg_orders"
    assert [error["name"] for error in summary["errors"]] == ["maintain"]
    assert summary["not_run"] == ["first_run_of_month", "silver.int_orders_deduplicated.run", "unload_daily_revenue"]

    topic, sqs, queue = _topic_with_queue()
    monkeypatch.setenv("WAREHOUSE_ALERTS_TOPIC_ARN", topic)
    commands: list[list[str]] = []
    monkeypatch.setattr(steps, "run", lambda command, env, step: commands.append(list(command)) or [])
    path = steps.publish_alerts({"DBT_TARGET_PATH": str(tmp_path)}, summary)
    assert commands == [steps.warehouse("alerts", "publish", "--summary", str(path))]
    assert cli.main(commands[0][3:]) == 0  # what the child process runs, here against moto
    target = (("Target", "redshift"),)
    published = _published()
    assert (published[("BuildSucceeded", target)], published[("TestsFailed", target)]) == (0, 1)
    assert published[("NodesErrored", target)] == 1
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    message = json.loads(messages[0]["Body"])["Message"]
    assert "bronze.stg_orders.test" in message and "maintain" in message

    fine_run = _crumbs(bronze__stg_orders__run="success", bronze__stg_orders__test="success", tier_inventory="skipped")
    fine = run_summary.summary_of(fine_run, "redshift", 60.0, own_task="publish_alerts")
    assert fine["success"] is True and fine["tests"]["passed"] == 1 and fine["errors"] == []
