"""The steps of the daily chain, each one `warehouse` (or dbt) command run as a child process.

A child process per step keeps each step's settings, dbt's global state and DuckDB's file lock to that step,
and its output goes line by line to the task's log. A failed step raises `StepFailed`, which says whether a
retry can help (`retries.is_transient`): a failed data test never can.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from warehouse.build.summary import SUMMARY_FILE
from warehouse.config import PROJECT_DIR
from warehouse.orchestration.retries import transient_reason

logger = logging.getLogger(__name__)

TAIL_LINES = 200
# The summary of a DAG run on Redshift, next to dbt's artifacts.
RUN_SUMMARY_FILE = "airflow_run_summary.json"


class StepFailed(Exception):
    """A step's command failed. `transient` is the reason a retry can help, "" when it cannot."""

    def __init__(self, message: str, transient: str = "") -> None:
        super().__init__(message)
        self.transient = transient


def run(command: Sequence[str], env: Mapping[str, str], step: str) -> list[str]:
    """Run `command` with `env` over this process's environment; its output is logged; the last lines kept."""
    logger.info("%s: %s", step, " ".join(command))
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    with subprocess.Popen(
        list(command),
        env={**os.environ, "PYTHONPATH": _python_path(), **env},
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip("\n")
            tail.append(line)
            logger.info("%s", line)
        code = process.wait()
    if code != 0:
        output = "\n".join(tail)
        reason = transient_reason(output) or ""
        raise StepFailed(f"{step} failed (exit {code}):\n{_last(tail, 30)}", transient=reason)
    return list(tail)


def warehouse(*args: str) -> list[str]:
    """The command line of `warehouse <args>` in this interpreter."""
    return [sys.executable, "-m", "warehouse", *args]


def dbt(*args: str) -> list[str]:
    """The command line of dbt: the one installed next to this interpreter, else the one on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    executable = str(beside) if beside.exists() else shutil.which("dbt")
    if executable is None:
        raise StepFailed(f"dbt is not installed next to {sys.executable} nor on PATH (pip install dbt-redshift)")
    return [executable, *args]


def build(env: Mapping[str, str], full_refresh: bool = False) -> dict[str, Any]:
    """`warehouse build`: the whole project in one dbt build (DuckDB allows one writer); its summary."""
    command = warehouse("build", "--no-progress", *(["--full-refresh"] if full_refresh else []))
    summary_path = _target_path(env) / SUMMARY_FILE
    started_mtime = summary_path.stat().st_mtime if summary_path.exists() else None
    try:
        run(command, env, "build")
    except StepFailed as failed:
        summary = _summary(summary_path, started_mtime)
        tests = (summary or {}).get("tests", {})
        if tests.get("failed"):
            names = ", ".join(str(test["name"]) for test in tests.get("failing", [])[:10])
            raise StepFailed(
                f"build: {tests['failed']} data test(s) failed ({names}); a retry would fail the same way.\n{failed}",
                transient="",
            ) from failed
        raise
    summary = _summary(summary_path, started_mtime) or {}
    return {
        "success": bool(summary.get("success")),
        "seconds": float(summary.get("total_seconds", 0.0)),
        "tests_passed": int(summary.get("tests", {}).get("passed", 0)),
        "tests_warned": int(summary.get("tests", {}).get("warned", 0)),
        "models": len(summary.get("models", [])),
    }


def spectrum(env: Mapping[str, str]) -> None:
    """`warehouse spectrum setup`: Glue tables and the partitions of new days, then the external schema."""
    run(warehouse("spectrum", "setup"), env, "spectrum")


def unload(env: Mapping[str, str]) -> None:
    """`warehouse unload daily_revenue`: the daily revenue summary as Parquet by revenue_flag."""
    run(warehouse("unload", "daily_revenue"), env, "unload")


def first_run_of_month(interval_start: date) -> bool:
    """Whether a daily run whose data interval starts on `interval_start` is the month's first."""
    return interval_start.day == 1


def tier_inventory(env: Mapping[str, str], as_of: date) -> None:
    """`warehouse inventory tier --as-of`: movements older than the hot horizon to the cold tier."""
    run(warehouse("inventory", "tier", "--as-of", as_of.isoformat()), env, "tier_inventory")


def maintain(env: Mapping[str, str]) -> None:
    """`warehouse ops maintain --apply`: VACUUM / ANALYZE the tables svv_table_info flags (Redshift)."""
    run(warehouse("ops", "maintain", "--apply"), env, "maintain")


def docs(env: Mapping[str, str]) -> Path:
    """`dbt docs generate`: the docs site of the warehouse just built; the folder it is in."""
    target_path = _target_path(env)
    run(dbt("docs", "generate", "--quiet", "--target-path", str(target_path)), env, "docs")
    return target_path


def publish_alerts(env: Mapping[str, str], summary: Mapping[str, Any]) -> Path:
    """`warehouse alerts publish` of a run's summary (run_summary.py): CloudWatch metrics, SNS on failure."""
    path = _target_path(env) / RUN_SUMMARY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    run(warehouse("alerts", "publish", "--summary", str(path)), env, "publish_alerts")
    return path


def _python_path() -> str:
    """This package's folder first: a step runs the code next to the DAG (on MWAA, a copy without install)."""
    scripts = str(PROJECT_DIR / "scripts")
    return os.pathsep.join([scripts, *(part for part in os.environ.get("PYTHONPATH", "").split(os.pathsep) if part)])


def _target_path(env: Mapping[str, str]) -> Path:
    return Path(env.get("DBT_TARGET_PATH") or PROJECT_DIR / "target")


def _summary(path: Path, older_than: float | None) -> dict[str, Any] | None:
    """The build summary this step wrote (None when the build stopped before writing one)."""
    if not path.exists() or (older_than is not None and path.stat().st_mtime <= older_than):
        return None
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _last(lines: Sequence[str], count: int) -> str:
    return "\n".join(list(lines)[-count:])
