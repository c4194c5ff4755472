"""A `dbt build` (or compile) run in this process and timed, with what run_results.json says about it."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse import log
from warehouse.bench.memory import PeakRss
from warehouse.build.dbt_runner import BuildOptions, dbt_args, invoke_dbt
from warehouse.build.progress import BuildEvents

logger = log.get("bench")

LAYERS = ("bronze", "silver", "gold")


class BenchBuildError(Exception):
    """A dbt invocation of the benchmark failed; the message names the failing nodes."""


@dataclass(frozen=True)
class BuildMeasure:
    """One timed `dbt build`: wall time, dbt's own elapsed time, node time per layer, peak RSS."""

    label: str
    wall_seconds: float
    dbt_elapsed_seconds: float
    peak_rss_bytes: int
    layer_seconds: dict[str, float]  # model time per layer, plus "tests", "seeds", "snapshots", "other"
    incremental_model_seconds: float  # the models materialized as incremental
    incremental_models: tuple[str, ...]
    model_seconds: dict[str, float] = field(default_factory=dict)
    test_seconds_by_kind: dict[str, float] = field(default_factory=dict)  # generic test name, or "singular"
    tests_by_kind: dict[str, int] = field(default_factory=dict)
    threads: int = 1
    nodes: int = 0
    failures: tuple[str, ...] = ()

    @property
    def node_seconds(self) -> float:
        """The sum of every node's execution time (on `threads` threads at once)."""
        return sum(self.layer_seconds.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "wall_seconds": self.wall_seconds,
            "dbt_elapsed_seconds": self.dbt_elapsed_seconds,
            "peak_rss_bytes": self.peak_rss_bytes,
            "layer_seconds": self.layer_seconds,
            "incremental_model_seconds": self.incremental_model_seconds,
            "incremental_models": list(self.incremental_models),
            "model_seconds": self.model_seconds,
            "test_seconds_by_kind": self.test_seconds_by_kind,
            "tests_by_kind": self.tests_by_kind,
            "threads": self.threads,
            "node_seconds": self.node_seconds,
            "nodes": self.nodes,
            "failures": list(self.failures),
        }


def run_build(project_dir: Path, label: str, full_refresh: bool, progress: bool) -> BuildMeasure:
    """`dbt build` of the whole project against the environment's warehouse; raises when a node fails."""
    options = BuildOptions(full_refresh=full_refresh, progress=progress)
    events = BuildEvents(log.console, show_progress=progress)
    with PeakRss() as peak, events:
        started = time.perf_counter()
        result = invoke_dbt(dbt_args(options, project_dir, project_dir), [events])
        wall = time.perf_counter() - started
    if isinstance(result.exception, KeyboardInterrupt):
        raise result.exception
    run_results = _read(events.artifacts.get("run_results.json"))
    manifest = _read(events.artifacts.get("manifest.json"))
    measure = measure_from_artifacts(label, wall, peak.bytes, run_results, manifest)
    if not result.success:
        detail = "; ".join(measure.failures) or str(result.exception or "dbt failed")
        raise BenchBuildError(f"{label}: dbt build failed: {detail}")
    return measure


def measure_from_artifacts(
    label: str, wall: float, peak_bytes: int, run_results: dict[str, Any], manifest: dict[str, Any]
) -> BuildMeasure:
    nodes = manifest.get("nodes", {})
    layers: dict[str, float] = defaultdict(float)
    models: dict[str, float] = {}
    incremental: list[str] = []
    failures: list[str] = []
    test_kinds: dict[str, float] = defaultdict(float)
    test_counts: dict[str, int] = defaultdict(int)
    for result in run_results.get("results", []):
        unique_id = str(result.get("unique_id", ""))
        seconds = float(result.get("execution_time") or 0.0)
        status = str(result.get("status", ""))
        if status in {"error", "fail"}:
            failures.append(f"{unique_id} ({status})")
        kind = unique_id.split(".", 1)[0]
        node = nodes.get(unique_id, {})
        if kind == "model":
            fqn = node.get("fqn", [])
            layer = fqn[1] if len(fqn) > 1 and fqn[1] in LAYERS else "other"
            layers[layer] += seconds
            models[str(node.get("name", unique_id))] = seconds
            if node.get("config", {}).get("materialized") == "incremental":
                incremental.append(str(node.get("name", unique_id)))
        elif kind in {"test", "unit_test"}:
            layers["tests"] += seconds
            test_kind = "unit" if kind == "unit_test" else (node.get("test_metadata") or {}).get("name", "singular")
            test_kinds[str(test_kind)] += seconds
            test_counts[str(test_kind)] += 1
        elif kind == "seed":
            layers["seeds"] += seconds
        elif kind == "snapshot":
            layers["snapshots"] += seconds
        else:
            layers["other"] += seconds
    return BuildMeasure(
        label=label,
        wall_seconds=wall,
        dbt_elapsed_seconds=float(run_results.get("elapsed_time") or wall),
        peak_rss_bytes=peak_bytes,
        layer_seconds={key: round(value, 3) for key, value in sorted(layers.items())},
        incremental_model_seconds=sum(models[name] for name in incremental),
        incremental_models=tuple(sorted(incremental)),
        model_seconds=dict(sorted(models.items(), key=lambda item: -item[1])),
        test_seconds_by_kind={k: round(v, 3) for k, v in sorted(test_kinds.items(), key=lambda item: -item[1])},
        tests_by_kind=dict(test_counts),
        threads=len(
            {r.get("thread_id") for r in run_results.get("results", []) if r.get("thread_id") not in {None, "main"}}
        )
        or 1,
        nodes=len(run_results.get("results", [])),
        failures=tuple(failures),
    )


def compile_analyses(project_dir: Path, target_path: Path, selector: str, variables: dict[str, str]) -> dict[str, str]:
    """`dbt compile` of some analyses with `variables`; their compiled SQL by file stem."""
    args = [
        "compile",
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--select",
        selector,
        "--vars",
        json.dumps(variables),
        "--quiet",
    ]
    result = invoke_dbt(args, [])
    if not result.success:
        raise BenchBuildError(f"dbt compile {selector} failed: {result.exception}")
    compiled = target_path / "compiled" / "globalretail" / "analyses"
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(compiled.rglob("*.sql"))}


def _read(path: Path | None) -> dict[str, Any]:
    if path is None or not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))
