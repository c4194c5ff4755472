"""A DAG run on Redshift as a build summary, the shape `warehouse alerts publish` reads.

On Redshift the build is many cosmos tasks, so no single `warehouse build` writes target/build_summary.json.
The DAG's last task (`publish_alerts`, run whatever happened upstream) reads the run's finished task instances
(Airflow's breadcrumbs: task id, state, duration) and turns them into that summary: a cosmos test task
(`<layer>.<model>.test`) is a data test, every other task a node. The build succeeded when no task failed;
a failed test task is a failed test (its rows are in the audit schema), any other failed task an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

TEST_SUFFIX = ".test"
FAILED = frozenset({"failed", "upstream_failed"})


def summary_of(breadcrumbs: Iterable[Mapping[str, Any]], target: str, seconds: float, own_task: str) -> dict[str, Any]:
    """The build summary of the run whose finished tasks are `breadcrumbs` (`own_task` left out)."""
    tasks = [crumb for crumb in breadcrumbs if crumb["task_id"] != own_task]
    tests = [crumb for crumb in tasks if str(crumb["task_id"]).endswith(TEST_SUFFIX)]
    nodes = [crumb for crumb in tasks if not str(crumb["task_id"]).endswith(TEST_SUFFIX)]
    failing = [
        {
            "name": crumb["task_id"],
            "status": "fail",
            "failures": None,
            "tested": str(crumb["task_id"]).removesuffix(TEST_SUFFIX),
        }
        for crumb in tests
        if crumb["state"] == "failed"
    ]
    errors = [
        {"name": crumb["task_id"], "message": "the task failed; its log has the error"}
        for crumb in nodes
        if crumb["state"] == "failed"
    ]
    not_run = sorted(str(crumb["task_id"]) for crumb in tasks if crumb["state"] == "upstream_failed")
    return {
        "target": target,
        "success": not any(crumb["state"] in FAILED for crumb in tasks),
        "total_seconds": float(seconds),
        "tests": {
            "passed": sum(1 for crumb in tests if crumb["state"] == "success"),
            "failed": len(failing),
            "errored": 0,
            "warned": 0,
            "failing": failing,
        },
        "errors": errors,
        "not_run": not_run,
        "node_seconds": sum(float(crumb.get("duration") or 0.0) for crumb in tasks),
        "rows_counted": False,
    }
