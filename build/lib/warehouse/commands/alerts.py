"""`warehouse alerts publish`: a build's summary as CloudWatch metrics, and an SNS message when it failed.

The build writes `target/build_summary.json` (`warehouse build`, any target). This command reads it and
publishes, in the namespace WAREHOUSE_METRICS_NAMESPACE (default GlobalRetail/Warehouse) with the dimension
`Target`: BuildSucceeded (1 or 0), BuildDurationSeconds, TestsFailed (failed and errored tests), TestsWarned,
NodesErrored, and, when the build counted rows (DuckDB), RowsBuilt per layer (dimension `Layer`) and
QuarantinedRows per source (dimension `Source`) plus their total. When the build failed it publishes one
message to the SNS topic WAREHOUSE_ALERTS_TOPIC_ARN naming the failed tests and errored nodes. The alarms on
these metrics are in infra/cloudformation/globalretail.yaml (docs/operations/alerts.md). Credentials come
from boto3's default chain; AWS_ENDPOINT_URL points it at another endpoint (moto in the tests).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warehouse import log
from warehouse.aws.clients import client
from warehouse.aws.settings import AwsSettings
from warehouse.build.summary import SUMMARY_FILE
from warehouse.commands import Subparsers
from warehouse.config import PROJECT_DIR
from warehouse.doctor import registry

logger = log.get("alerts")

DEFAULT_NAMESPACE = "GlobalRetail/Warehouse"
# PutMetricData takes a bounded number of metrics per request; batches this small stay within every
# documented limit (the CloudWatch API reference has allowed 20, now 1,000).
METRICS_PER_REQUEST = 20
# SNS: a subject is at most 100 characters; messages stay far below the 256 KB limit.
SUBJECT_MAX = 100
LISTED_MAX = 25


class AlertsError(Exception):
    """The summary cannot be read, or a setting the command needs is missing."""


@dataclass(frozen=True)
class Metric:
    name: str
    value: float
    unit: str
    dimensions: tuple[tuple[str, str], ...]

    def datum(self) -> dict[str, Any]:
        return {
            "MetricName": self.name,
            "Value": self.value,
            "Unit": self.unit,
            "Dimensions": [{"Name": key, "Value": value} for key, value in self.dimensions],
        }


def read_summary(path: Path) -> dict[str, Any]:
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AlertsError(f"{path}: no build summary (run `warehouse build` first, or pass --summary)") from None
    except json.JSONDecodeError as exc:
        raise AlertsError(f"{path}: not a build summary ({exc})") from None
    missing = [key for key in ("target", "success", "total_seconds", "tests", "errors") if key not in summary]
    if missing:
        raise AlertsError(f"{path}: not a build summary (missing {', '.join(missing)})")
    return summary


def metrics_of(summary: Mapping[str, Any]) -> list[Metric]:
    """The metrics of one build summary (the shape warehouse.build.render.write_json writes)."""
    target = (("Target", str(summary["target"])),)
    tests = summary["tests"]
    metrics = [
        Metric("BuildSucceeded", 1.0 if summary["success"] else 0.0, "Count", target),
        Metric("BuildDurationSeconds", float(summary["total_seconds"]), "Seconds", target),
        Metric("TestsFailed", float(tests.get("failed", 0) + tests.get("errored", 0)), "Count", target),
        Metric("TestsWarned", float(tests.get("warned", 0)), "Count", target),
        Metric("NodesErrored", float(len(summary["errors"])), "Count", target),
    ]
    if summary.get("rows_counted"):
        per_layer: dict[str, int] = {}
        for model in (summary.get("models") or {}).values():
            if model.get("rows") is not None and model.get("status") == "success":
                per_layer[model["layer"]] = per_layer.get(model["layer"], 0) + int(model["rows"])
        metrics += [
            Metric("RowsBuilt", float(rows), "Count", (*target, ("Layer", layer)))
            for layer, rows in sorted(per_layer.items())
        ]
        quarantine = {source: sum(reasons.values()) for source, reasons in (summary.get("quarantine") or {}).items()}
        metrics += [
            Metric("QuarantinedRows", float(rows), "Count", (*target, ("Source", source)))
            for source, rows in sorted(quarantine.items())
        ]
        metrics.append(Metric("QuarantinedRowsTotal", float(sum(quarantine.values())), "Count", target))
    return metrics


def failure_message(summary: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, message) of the notification of a failed build."""
    tests = summary["tests"]
    failing = tests.get("failing") or []
    errors = summary.get("errors") or []
    subject = f"GlobalRetail build failed on {summary['target']}: {len(failing)} test(s), {len(errors)} error(s)"
    lines = [
        f"The warehouse build on target {summary['target']} failed after {summary['total_seconds']:.0f} s.",
        f"Tests: {tests.get('passed', 0)} passed, {tests.get('failed', 0)} failed, "
        f"{tests.get('errored', 0)} errored, {tests.get('warned', 0)} warned.",
    ]
    if failing:
        lines += ["", "Failing tests (their rows: the audit schema, meta.node_results):"]
        lines += [
            f"  - {test.get('name')} ({test.get('status')}, {test.get('failures')} rows) on {test.get('tested')}"
            for test in failing[:LISTED_MAX]
        ]
    if errors:
        lines += ["", "Errored nodes:"]
        lines += [f"  - {error.get('name')}: {str(error.get('message', ''))[:300]}" for error in errors[:LISTED_MAX]]
    if len(failing) > LISTED_MAX or len(errors) > LISTED_MAX:
        lines.append(f"(first {LISTED_MAX} of each listed; the build summary has them all)")
    return subject[:SUBJECT_MAX], "\n".join(lines)


def _batches(items: Sequence[Metric], size: int) -> Iterator[Sequence[Metric]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Published:
    metrics: int
    notified: bool


def publish(summary: Mapping[str, Any], settings: AwsSettings, namespace: str, topic_arn: str | None) -> Published:
    """Put the summary's metrics; on a failed build, notify `topic_arn` (required then)."""
    if not summary["success"] and not topic_arn:
        raise AlertsError(
            "the build failed and WAREHOUSE_ALERTS_TOPIC_ARN is not set: nobody would be told (the AlertsTopicArn "
            "output of the globalretail CloudFormation stack)"
        )
    metrics = metrics_of(summary)
    cloudwatch = client("cloudwatch", settings)
    for batch in _batches(metrics, METRICS_PER_REQUEST):
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=[metric.datum() for metric in batch])
    notified = False
    if not summary["success"] and topic_arn:
        subject, message = failure_message(summary)
        client("sns", settings).publish(TopicArn=topic_arn, Subject=subject, Message=message)
        notified = True
    return Published(metrics=len(metrics), notified=notified)


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("alerts", help="publish a build's summary to CloudWatch; SNS when it failed")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    publish_parser = actions.add_parser(
        "publish",
        help="CloudWatch metrics of the last build, and an SNS message when it failed",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    publish_parser.add_argument(
        "--summary",
        type=Path,
        default=None,
        help=f"the build summary (default: $DBT_TARGET_PATH or target/, {SUMMARY_FILE})",
    )
    publish_parser.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:
    target_dir = Path(os.environ.get("DBT_TARGET_PATH") or PROJECT_DIR / "target")
    path = args.summary or target_dir / SUMMARY_FILE
    try:
        summary = read_summary(path)
        published = publish(
            summary,
            AwsSettings.from_env(),
            registry.value(None, "WAREHOUSE_METRICS_NAMESPACE") or DEFAULT_NAMESPACE,
            registry.value(None, "WAREHOUSE_ALERTS_TOPIC_ARN"),
        )
    except AlertsError as exc:
        logger.error("%s", exc)
        return 1
    logger.info(
        "published %d metrics of the %s build on %s%s",
        published.metrics,
        "successful" if summary["success"] else "failed",
        summary["target"],
        " and notified the alerts topic" if published.notified else "",
    )
    return 0
