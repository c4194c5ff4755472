"""`warehouse build`: summary builders on synthetic artifacts, DuckDB counts, events, and one real dbt run."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt.events.types import ArtifactWritten, LogStartLine, NodeFinished, NodeStart
from dbt_common.events.base_types import msg_from_base_event
from rich.console import Console

from warehouse import cli, log
from warehouse.build import manifest as mf
from warehouse.build.dbt_runner import BuildOptions, dbt_args
from warehouse.build.duckdb_counts import DuckDBLockedError, count_rows, ensure_unlocked
from warehouse.build.progress import BuildEvents, describe_problem
from warehouse.build.render import render, write_json
from warehouse.build.summary import (
    Relation,
    group_quarantine,
    layer_timings,
    relations_to_count,
    summarize,
    tally_tests,
)
from warehouse.commands.build import run_build
from warehouse.config import Settings

DB = "warehouse"


# --- synthetic artifacts ------------------------------------------------------------------------------


def model(name: str, *folders: str, tags: tuple[str, ...] = (), materialized: str = "table") -> dict[str, Any]:
    return {
        "unique_id": f"model.gr.{name}",
        "resource_type": "model",
        "name": name,
        "fqn": ["gr", *folders, name],
        "database": DB,
        "schema": f"main_{folders[0]}",
        "alias": name,
        "tags": list(tags),
        "config": {"tags": list(tags), "materialized": materialized},
        "version": None,
    }


def seed(name: str) -> dict[str, Any]:
    return {
        "unique_id": f"seed.gr.{name}",
        "resource_type": "seed",
        "name": name,
        "fqn": ["gr", name],
        "database": DB,
        "schema": "main_reference",
        "alias": name,
        "config": {"tags": []},
    }


def source(source_name: str, table: str, *folders: str) -> dict[str, Any]:
    return {
        "unique_id": f"source.gr.{source_name}.{table}",
        "resource_type": "source",
        "name": table,
        "fqn": ["gr", *folders, source_name, table],
    }


def data_test(name: str, *parents: str, attached: str | None = None) -> dict[str, Any]:
    return {
        "unique_id": f"test.gr.{name}",
        "resource_type": "test",
        "name": name,
        "fqn": ["gr", name],
        "attached_node": attached,
        "depends_on": {"nodes": list(parents)},
        "config": {"tags": []},
    }


def result(unique_id: str, status: str, seconds: float, failures: int | None = None, message: str = "") -> dict:
    return {
        "unique_id": unique_id,
        "status": status,
        "execution_time": seconds,
        "failures": failures,
        "message": message,
    }


@pytest.fixture()
def manifest() -> dict[str, Any]:
    nodes = [
        seed("country_regions"),
        model("stg_shop__orders", "bronze", "shop"),
        model("quarantine_shop__orders", "bronze", "shop", tags=("bronze", "quarantine")),
        model("quarantine_shop__order_lines", "bronze", "shop", tags=("quarantine",)),
        model("stg_crm__customers", "bronze", "crm"),
        model("quarantine_crm__customers", "bronze", "crm", tags=("quarantine",)),
        model("int_orders_enriched", "silver", "sales", materialized="ephemeral"),
        model("dim_customer", "gold", "core"),
        model("fct_orders", "gold", "core"),
        data_test(
            "unique_stg_shop__orders_order_id",
            "model.gr.stg_shop__orders",
            attached="model.gr.stg_shop__orders",
        ),
        data_test("not_null_fct_orders_order_id", "model.gr.fct_orders", attached="model.gr.fct_orders"),
        data_test(
            "relationships_fct_orders_customer_id",
            "model.gr.dim_customer",
            "model.gr.fct_orders",
            attached="model.gr.fct_orders",
        ),
        data_test("assert_orders_reconcile", "model.gr.stg_shop__orders", "model.gr.fct_orders"),
        data_test("source_not_null_shop_orders_id", "source.gr.shop.orders"),
        data_test("accepted_values_country_regions_region", "seed.gr.country_regions"),
    ]
    src = source("shop", "orders", "bronze", "shop")
    return {"nodes": {node["unique_id"]: node for node in nodes}, "sources": {src["unique_id"]: src}}


@pytest.fixture()
def run_results() -> dict[str, Any]:
    return {
        "metadata": {"invocation_id": "abc"},
        "results": [
            result("seed.gr.country_regions", "success", 0.5),
            result("model.gr.stg_shop__orders", "success", 1.0),
            result("model.gr.quarantine_shop__orders", "success", 0.25),
            result("model.gr.quarantine_shop__order_lines", "success", 0.25),
            result("model.gr.stg_crm__customers", "success", 0.5),
            result("model.gr.quarantine_crm__customers", "success", 0.5),
            result("model.gr.dim_customer", "error", 2.0, message="Runtime Error in model dim_customer\n  boom"),
            result("model.gr.fct_orders", "skipped", 0.0),
            result("test.gr.unique_stg_shop__orders_order_id", "pass", 0.25, failures=0),
            result("test.gr.not_null_fct_orders_order_id", "skipped", 0.0),
            result("test.gr.relationships_fct_orders_customer_id", "warn", 0.5, failures=4, message="Got 4"),
            result("test.gr.assert_orders_reconcile", "fail", 0.75, failures=12, message="Got 12 results"),
            result("test.gr.source_not_null_shop_orders_id", "error", 0.25, message="Database Error"),
            result("test.gr.accepted_values_country_regions_region", "pass", 0.5, failures=0),
        ],
    }


# --- layers, relations, tests, timing -----------------------------------------------------------------


def test_layers_come_from_the_first_folder_and_tests_take_the_layer_of_what_they_test(manifest: dict) -> None:
    assert mf.node_layer(manifest, "model.gr.stg_shop__orders") == "bronze"
    assert mf.node_layer(manifest, "model.gr.fct_orders") == "gold"
    assert mf.node_layer(manifest, "seed.gr.country_regions") == "seeds"
    assert mf.node_layer(manifest, "test.gr.unique_stg_shop__orders_order_id") == "bronze"
    # a singular test on bronze and gold models belongs to the most downstream one
    assert mf.node_layer(manifest, "test.gr.assert_orders_reconcile") == "gold"
    assert mf.node_layer(manifest, "test.gr.source_not_null_shop_orders_id") == "bronze"
    assert mf.node_layer(manifest, "test.gr.accepted_values_country_regions_region") == "seeds"
    assert mf.node_layer(manifest, "model.gr.not_in_manifest") == "other"


def test_relations_to_count_are_the_successful_non_ephemeral_models(manifest: dict, run_results: dict) -> None:
    relations = {relation.name: relation for relation in relations_to_count(manifest, run_results)}
    assert set(relations) == {
        "stg_shop__orders",
        "quarantine_shop__orders",
        "quarantine_shop__order_lines",
        "stg_crm__customers",
        "quarantine_crm__customers",
    }
    assert relations["quarantine_shop__orders"].quarantine_source == "shop"
    assert relations["quarantine_crm__customers"].quarantine_source == "crm"
    assert relations["stg_shop__orders"].quarantine_source is None
    assert relations["stg_shop__orders"].sql_name == '"warehouse"."main_bronze"."stg_shop__orders"'


def test_quarantine_rows_are_summed_per_source_and_reason() -> None:
    def quarantine(name: str, source_name: str) -> Relation:
        return Relation(f"model.gr.{name}", name, "bronze", DB, "main_bronze", name, source_name)

    relations = [
        quarantine("quarantine_shop__orders", "shop"),
        quarantine("quarantine_shop__order_lines", "shop"),
        quarantine("quarantine_crm__customers", "crm"),
        Relation("model.gr.stg_shop__orders", "stg_shop__orders", "bronze", DB, "main_bronze", "stg_shop__orders"),
    ]
    rejections = {
        "model.gr.quarantine_shop__orders": {"negative amount": 3, "unknown store": 1},
        "model.gr.quarantine_shop__order_lines": {"negative amount": 2},
        "model.gr.quarantine_crm__customers": {},
    }
    grouped = group_quarantine(relations, rejections)
    assert [(item.source, item.reasons, item.rows) for item in grouped] == [
        ("crm", (), 0),
        ("shop", (("negative amount", 5), ("unknown store", 1)), 6),
    ]


def test_tests_are_tallied_and_the_failing_ones_listed_worst_first(manifest: dict, run_results: dict) -> None:
    tests = tally_tests(manifest, run_results)
    assert (tests.passed, tests.failed, tests.warned, tests.errored, tests.skipped) == (2, 1, 1, 1, 1)
    assert tests.total == 6
    assert [(f.status, f.name, f.failures, f.tested) for f in tests.failing] == [
        ("error", "source_not_null_shop_orders_id", None, "orders"),
        ("fail", "assert_orders_reconcile", 12, "fct_orders"),
        ("warn", "relationships_fct_orders_customer_id", 4, "fct_orders"),
    ]


def test_time_is_grouped_by_layer_with_tests_under_what_they_test(manifest: dict, run_results: dict) -> None:
    timings = {t.layer: (t.build_seconds, t.test_seconds) for t in layer_timings(manifest, run_results)}
    assert list(timings) == ["seeds", "bronze", "gold"]
    assert timings["seeds"] == (0.5, 0.5)
    assert timings["bronze"] == (2.5, 0.5)
    assert timings["gold"] == (2.0, 1.25)


# --- DuckDB counts ------------------------------------------------------------------------------------


@pytest.fixture()
def duckdb_file(tmp_path: Path) -> Path:
    path = tmp_path / f"{DB}.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema main_bronze")
        con.execute("create table main_bronze.stg_shop__orders as select range as id from range(7)")
        con.execute("create view main_bronze.stg_crm__customers as select * from range(3)")
        con.execute(
            "create table main_bronze.quarantine_shop__orders as select * from (values "
            "(1, 'negative amount'), (2, 'negative amount'), (3, 'unknown store'), (4, null)"
            ") as t(id, rejection_reason)"
        )
        con.execute("create table main_bronze.quarantine_shop__order_lines (id int, rejection_reason varchar)")
        con.execute("insert into main_bronze.quarantine_shop__order_lines values (9, 'negative amount')")
        con.execute("create table main_bronze.quarantine_crm__customers (id int, rejection_reason varchar)")
    return path


def test_rows_and_rejections_are_counted_read_only(
    manifest: dict, run_results: dict, duckdb_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    relations = relations_to_count(manifest, run_results)
    missing = Relation("model.gr.gone", "gone", "bronze", DB, "main_bronze", "gone")
    counts = count_rows(duckdb_file, [*relations, missing])
    assert counts.rows == {
        "model.gr.stg_shop__orders": 7,
        "model.gr.quarantine_shop__orders": 4,
        "model.gr.quarantine_shop__order_lines": 1,
        "model.gr.stg_crm__customers": 3,
        "model.gr.quarantine_crm__customers": 0,
        "model.gr.gone": None,
    }
    assert counts.rejections == {
        "model.gr.quarantine_shop__orders": {"negative amount": 2, "unknown store": 1, "(no reason)": 1},
        "model.gr.quarantine_shop__order_lines": {"negative amount": 1},
        "model.gr.quarantine_crm__customers": {},
    }
    assert "could not count" in caplog.text


def test_counting_a_missing_file_counts_nothing(tmp_path: Path, manifest: dict, run_results: dict) -> None:
    counts = count_rows(tmp_path / "absent.duckdb", relations_to_count(manifest, run_results))
    assert counts.rows == {} and counts.rejections == {}
    assert not (tmp_path / "absent.duckdb").exists()


def test_summary_json_has_the_documented_shape(
    manifest: dict, run_results: dict, duckdb_file: Path, tmp_path: Path
) -> None:
    counts = count_rows(duckdb_file, relations_to_count(manifest, run_results))
    summary = summarize(
        manifest,
        run_results,
        target="local",
        success=False,
        total_seconds=12.3456,
        row_counts=counts.rows,
        rejections=counts.rejections,
    )
    path = write_json(summary, tmp_path / "target" / "build_summary.json")
    data = json.loads(path.read_text())
    assert {"models", "quarantine", "tests", "layers", "total_seconds", "success"} <= set(data)
    assert data["success"] is False
    assert data["total_seconds"] == 12.346
    assert data["models"]["stg_shop__orders"] == {
        "layer": "bronze",
        "rows": 7,
        "seconds": 1.0,
        "status": "success",
    }
    assert data["models"]["dim_customer"]["rows"] is None
    assert data["models"]["dim_customer"]["status"] == "error"
    assert data["quarantine"] == {
        "crm": {},
        "shop": {"negative amount": 3, "unknown store": 1, "(no reason)": 1},
    }
    assert {key: data["tests"][key] for key in ("passed", "failed", "warned", "errored", "skipped")} == {
        "passed": 2,
        "failed": 1,
        "warned": 1,
        "errored": 1,
        "skipped": 1,
    }
    assert [failure["name"] for failure in data["tests"]["failing"]][1] == "assert_orders_reconcile"
    assert data["layers"] == {"seeds": 1.0, "bronze": 3.0, "gold": 3.25}
    assert data["errors"] == [
        {
            "name": "dim_customer",
            "resource_type": "model",
            "message": "Runtime Error in model dim_customer\n  boom",
        }
    ]


def test_redshift_summary_lists_models_without_counts(manifest: dict, run_results: dict) -> None:
    summary = summarize(manifest, run_results, target="redshift", success=True, total_seconds=1.0)
    assert not summary.rows_counted
    assert all(model.rows is None for model in summary.models)
    assert summary.models[0].layer == "bronze"
    assert summary.quarantine == ()  # not "nothing rejected": not counted
    console = Console(record=True, width=140)
    render(summary, console)
    text = console.export_text()
    assert "rows are counted on the local DuckDB target only" in text
    assert "stg_shop__orders" in text


def test_rendered_summary_reads_at_a_glance(manifest: dict, run_results: dict, duckdb_file: Path) -> None:
    counts = count_rows(duckdb_file, relations_to_count(manifest, run_results))
    summary = summarize(
        manifest,
        run_results,
        target="local",
        success=False,
        total_seconds=65.0,
        row_counts=counts.rows,
        rejections=counts.rejections,
    )
    console = Console(record=True, width=140)
    render(summary, console, Path("target/build_summary.json"))
    text = console.export_text()
    for expected in (
        "Models",
        "Quarantined rows",
        "negative amount",
        "2 passed · 1 failed · 1 warned · 1 errored · 1 skipped",
        "assert_orders_reconcile",
        "Errors",
        "dim_customer",
        "Build failed on local in 1m05.0s",
    ):
        assert expected in text, expected
    assert text.index("bronze") < text.index("gold")  # models grouped by layer, in medallion order
    timing = text[text.index("Time") :]
    assert timing.index("seeds") < timing.index("bronze") < timing.index("gold")


# --- dbt command line, events, lock -------------------------------------------------------------------


def test_dbt_args_silence_the_console_but_keep_the_file_log(tmp_path: Path) -> None:
    options = BuildOptions(select=("tag:bronze", "stg_x"), exclude=("tag:slow",), full_refresh=True)
    args = dbt_args(options, tmp_path, tmp_path / "profiles")
    assert args[:5] == ["build", "--project-dir", str(tmp_path), "--profiles-dir", str(tmp_path / "profiles")]
    assert args[args.index("--select") + 1 : args.index("--select") + 3] == ["tag:bronze", "stg_x"]
    assert args[args.index("--exclude") + 1] == "tag:slow"
    assert "--full-refresh" in args
    assert args[args.index("--log-level") + 1] == "none"
    assert args[args.index("--log-level-file") + 1] == "debug"
    assert "--log-level" not in dbt_args(BuildOptions(progress=False), tmp_path, tmp_path)
    # pytest's stdout is not a terminal: piped logs carry no colour codes.
    assert "--no-use-colors" in dbt_args(BuildOptions(progress=False), tmp_path, tmp_path)


def node(unique_id: str, name: str, resource_type: str) -> dict[str, str]:
    return {"unique_id": unique_id, "node_name": name, "resource_type": resource_type}


def test_events_drive_the_bar_and_report_failures_as_they_happen() -> None:
    console = Console(file=io.StringIO(), width=120)
    with BuildEvents(console, show_progress=True) as events:
        events(msg_from_base_event(ArtifactWritten(artifact_type="M", artifact_path="/p/target/manifest.json")))
        events(msg_from_base_event(LogStartLine(node_info=node("model.p.a", "a", "model"), index=1, total=3)))
        events(msg_from_base_event(NodeStart(node_info=node("model.p.a", "a", "model"))))
        run_result = {"status": "success", "message": "OK"}
        events(msg_from_base_event(NodeFinished(node_info=node("model.p.a", "a", "model"), run_result=run_result)))
        run_result = {"status": "fail", "message": "Got 3 results", "num_failures": 3}
        test_node = node("test.p.not_null_a_id", "not_null_a_id", "test")
        events(msg_from_base_event(NodeFinished(node_info=test_node, run_result=run_result)))
        run_result = {"status": "error", "message": "Runtime Error in model b\n  Binder Error: nope"}
        events(msg_from_base_event(NodeFinished(node_info=node("model.p.b", "b", "model"), run_result=run_result)))
    assert (events.total, events.done, events.problems) == (3, 3, 2)
    assert events.artifacts == {"manifest.json": Path("/p/target/manifest.json")}
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert "FAIL not_null_a_id: 3 failing rows" in printed
    assert "ERROR model b" in printed and "Binder Error: nope" in printed


def test_describe_problem_is_quiet_for_success_and_skips() -> None:
    assert describe_problem("model", "a", "success", "OK", 0) is None
    assert describe_problem("model", "a", "skipped", "", 0) is None
    assert describe_problem("test", "t", "pass", "", 0) is None
    assert describe_problem("test", "t", "warn", "", 1) == "[bold yellow]WARN[/] t: 1 failing row"


@pytest.fixture()
def locked_duckdb(tmp_path: Path):
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(path)!r}); print('ok'); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        yield path, holder.pid
    finally:
        holder.communicate(timeout=30)


def test_a_locked_duckdb_file_is_reported_with_the_holder(locked_duckdb: tuple[Path, int]) -> None:
    path, pid = locked_duckdb
    with pytest.raises(DuckDBLockedError, match=rf"is locked by process {pid} \("):
        ensure_unlocked(path)


def test_build_stops_before_dbt_when_the_file_is_locked(
    locked_duckdb: tuple[Path, int], caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = locked_duckdb
    isolate_environment(monkeypatch, path.parent)
    settings = Settings.from_env()
    assert run_build(BuildOptions(progress=False), settings) == 1
    assert "is locked by process" in caplog.text


def test_redshift_build_reads_the_artifacts_and_never_opens_duckdb(
    manifest: dict,
    run_results: dict,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from dbt.cli.main import dbtRunnerResult

    from warehouse.doctor.registry import SETTINGS, Use
    from warehouse.doctor.requirements import required_names

    isolate_environment(monkeypatch, tmp_path / "data")
    for name in required_names({Use.REDSHIFT}, {}):  # the up-front settings check passes
        monkeypatch.setenv(name, SETTINGS[name].example)
    target = tmp_path / "project" / "target"
    target.mkdir(parents=True)
    (target / "manifest.json").write_text(json.dumps(manifest))
    (target / "run_results.json").write_text(json.dumps(run_results))
    calls: list[list[str]] = []

    def fake_dbt(args: list[str], callbacks: list) -> dbtRunnerResult:
        calls.append(args)
        for name in ("manifest.json", "run_results.json"):
            event = ArtifactWritten(artifact_type=name, artifact_path=str(target / name))
            for callback in callbacks:
                callback(msg_from_base_event(event))
        return dbtRunnerResult(success=True)

    monkeypatch.setattr("warehouse.commands.build.invoke_dbt", fake_dbt)
    options = BuildOptions(target="redshift", progress=False, project_dir=tmp_path / "project")
    assert run_build(options) == 0
    assert calls[0][calls[0].index("--target") + 1] == "redshift"
    assert not (tmp_path / "data").exists()  # no DuckDB file, no data dir on Redshift
    summary = json.loads((target / "build_summary.json").read_text())
    assert summary["target"] == "redshift" and summary["success"] is True
    assert summary["models"]["stg_shop__orders"]["rows"] is None
    assert summary["quarantine"] == {} and summary["rows_counted"] is False
    assert "Build succeeded on redshift" in capsys.readouterr().out


# --- end to end ---------------------------------------------------------------------------------------


def isolate_environment(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    """Point the build at `data_dir`; every variable `Settings.apply_to_environ` sets is restored after."""
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(data_dir))
    for name in ("WAREHOUSE_LAKE_ROOT", "WAREHOUSE_TARGET", "DBT_PROFILES_DIR", "DBT_PROJECT_DIR"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("DO_NOT_TRACK", "1")


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture()
def tiny_project(tmp_path: Path) -> Path:
    project = tmp_path / "tiny"
    write(
        project / "dbt_project.yml",
        """
        name: tiny
        version: "0.1.0"
        config-version: 2
        profile: tiny
        flags:
          send_anonymous_usage_stats: false
        models:
          tiny:
            bronze:
              +schema: bronze
              +materialized: table
        """,
    )
    write(
        project / "profiles.yml",
        """
        tiny:
          target: local
          outputs:
            local:
              type: duckdb
              path: "{{ env_var('WAREHOUSE_DATA_DIR') }}/warehouse.duckdb"
              schema: main
              threads: 2
        """,
    )
    write(project / "seeds" / "people.csv", "person_id,name\n1,Ada\n2,Grace\n3,\n")
    write(
        project / "models" / "bronze" / "x" / "stg_x__people.sql",
        "select person_id, name from {{ ref('people') }} where name is not null\n",
    )
    write(
        project / "models" / "bronze" / "x" / "quarantine_x__people.sql",
        """
        {{ config(tags=['quarantine']) }}
        select person_id, 'missing name' as rejection_reason from {{ ref('people') }} where name is null
        """,
    )
    write(
        project / "models" / "bronze" / "x" / "_x__models.yml",
        """
        version: 2
        models:
          - name: stg_x__people
            columns:
              - name: person_id
                data_tests:
                  - unique
        """,
    )
    return project


@pytest.mark.slow
def test_warehouse_build_end_to_end(
    tiny_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data_dir = tmp_path / "data"  # does not exist yet: the build creates it
    isolate_environment(monkeypatch, data_dir)
    # Only the build command: the test should not depend on the other subcommands importing.
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("warehouse.commands.build",))
    # A terminal on stderr, so the build runs with the progress bar and dbt's console log silenced.
    stderr = io.StringIO()
    monkeypatch.setattr(log, "console", Console(file=stderr, force_terminal=True, color_system=None, width=120))

    assert cli.main(["build", "--project-dir", str(tiny_project)]) == 0

    out = capsys.readouterr().out
    assert "START" not in out  # dbt's own per-node lines are silenced
    assert "Build succeeded on local" in out
    assert "missing name" in out
    summary = json.loads((tiny_project / "target" / "build_summary.json").read_text())
    assert summary["success"] is True
    assert summary["models"]["stg_x__people"]["rows"] == 2
    assert summary["models"]["stg_x__people"]["layer"] == "bronze"
    assert summary["models"]["quarantine_x__people"]["rows"] == 1
    assert summary["quarantine"] == {"x": {"missing name": 1}}
    assert summary["tests"]["passed"] == 1 and summary["tests"]["failed"] == 0
    assert set(summary["layers"]) == {"seeds", "bronze"}
    assert (tiny_project / "logs" / "dbt.log").stat().st_size > 0  # the file log is kept

    # A failing test makes the build fail, and names the test.
    write(
        tiny_project / "models" / "bronze" / "x" / "_x__models.yml",
        """
        version: 2
        models:
          - name: stg_x__people
            columns:
              - name: person_id
                data_tests:
                  - unique
                  - accepted_values:
                      arguments:
                        values: [1]
        """,
    )
    assert cli.main(["build", "--project-dir", str(tiny_project)]) == 1
    assert "FAIL accepted_values_stg_x__people_person_id__1: 1 failing row" in stderr.getvalue()
    summary = json.loads((tiny_project / "target" / "build_summary.json").read_text())
    assert summary["success"] is False
    assert summary["tests"]["failed"] == 1
    assert summary["tests"]["failing"][0]["name"] == "accepted_values_stg_x__people_person_id__1"
    assert summary["tests"]["failing"][0]["failures"] == 1


@pytest.mark.slow
def test_dbt_that_cannot_start_fails_the_build_with_its_message(
    tiny_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    isolate_environment(monkeypatch, tmp_path / "data")
    no_profiles = tmp_path / "no_profiles"
    no_profiles.mkdir()
    options = BuildOptions(progress=True, project_dir=tiny_project, profiles_dir=no_profiles)
    assert run_build(options, out=Console(file=io.StringIO())) == 1
    assert "dbt could not run" in caplog.text and "tiny" in caplog.text
    summary = json.loads((tiny_project / "target" / "build_summary.json").read_text())
    assert summary["success"] is False and summary["models"] == {}


# --- preflight: a lake that cannot feed a build stops it before dbt runs ------------------------------------


def test_preflight_names_every_missing_dataset_and_an_absent_lake(tmp_path: Path) -> None:
    from warehouse.build.preflight import LakePreflightError, check_lake, lake_problems
    from warehouse.config import PROJECT_DIR

    assert [p.reason for p in lake_problems(tmp_path / "nowhere", PROJECT_DIR)] == ["there is no lake here"]
    lake = tmp_path / "lake"
    for folder in ("raw/orders", "raw/customers", "stream/web_events"):
        (lake / folder / "dt=2025-10-01").mkdir(parents=True)
    (lake / "raw/orders/dt=2025-10-01/part-0000.ndjson").write_text("{}\n", encoding="utf-8")
    (lake / "raw/customers/dt=2025-10-01/._part-0000.ndjson").write_text("x", encoding="utf-8")  # not data
    missing = {p.folder.relative_to(lake).as_posix() for p in lake_problems(lake, PROJECT_DIR)}
    assert "raw/orders" not in missing
    assert {"raw/customers", "raw/store_sales", "stream/web_events", "stream/inventory_cdc"} <= missing
    assert "cold/inventory_movements" not in missing  # may be empty until the first offload
    with pytest.raises(LakePreflightError, match=r"raw/customers: no dt=YYYY-MM-DD folder with a file"):
        check_lake(lake, PROJECT_DIR)
    (lake / "raw/orders/dt=2025-13-01").mkdir()
    (lake / "raw/orders/dt=latest").mkdir()
    bad = {p.folder.name for p in lake_problems(lake, PROJECT_DIR) if "not a dt=" in p.reason}
    assert bad == {"dt=2025-13-01", "dt=latest"}
    # A CSV whose header lists the columns in another order: read by position, it would swap the values.
    sales = lake / "raw/store_sales/dt=2025-10-01"
    sales.mkdir(parents=True)
    header = "sale_id,store_id,customer_id,product_id,sold_at,quantity,unit_price,discount_amount,payment_method"
    (sales / "part-0000.csv").write_text(header + "\n1,2,,3,2025-10-01T10:00:00Z,1,9.99,0,card\n", encoding="utf-8")
    swapped = header.replace("sale_id,store_id", "store_id,sale_id")
    (sales / "part-0001.csv").write_text(
        swapped + "\r\n2,1,,3,2025-10-01T10:00:00Z,1,9.99,0,card\r\n", encoding="utf-8"
    )
    headers = [p.folder.name for p in lake_problems(lake, PROJECT_DIR) if "its header is" in p.reason]
    assert headers == ["part-0001.csv"]
    # A BOM and CRLF are read as every reader reads them; an empty file has no header and no record.
    (sales / "part-0002.csv").write_bytes(b"\xef\xbb\xbf" + header.encode() + b"\r\n")
    (sales / "part-0003.csv").write_bytes(b"")
    headers = [p.folder.name for p in lake_problems(lake, PROJECT_DIR) if "its header is" in p.reason]
    assert headers == ["part-0001.csv"]


def test_preflight_names_a_partition_or_file_the_build_cannot_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB's glob skips a folder it cannot list: the preflight names it instead. Tests run as root here,
    where the OS grants every read, so the denial is simulated through os.access; the chmod variant below
    runs for a user the permissions apply to."""
    import os

    from warehouse.build import preflight
    from warehouse.config import PROJECT_DIR

    lake = tmp_path / "lake"
    for folder in ("raw/orders/dt=2025-10-01", "raw/orders/dt=2025-10-02"):
        (lake / folder).mkdir(parents=True)
        (lake / folder / "part-0000.ndjson").write_text("{}\n", encoding="utf-8")
    denied = {lake / "raw/orders/dt=2025-10-02", lake / "raw/orders/dt=2025-10-01/part-0000.ndjson"}
    real_access = os.access
    monkeypatch.setattr(preflight.os, "access", lambda path, mode: Path(path) not in denied and real_access(path, mode))
    unreadable = {
        p.folder.relative_to(lake).as_posix()
        for p in preflight.lake_problems(lake, PROJECT_DIR)
        if "permissions" in p.reason
    }
    assert unreadable == {"raw/orders/dt=2025-10-02", "raw/orders/dt=2025-10-01/part-0000.ndjson"}


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads every folder whatever its mode")
def test_preflight_names_a_partition_folder_without_read_permission(tmp_path: Path) -> None:
    from warehouse.build.preflight import lake_problems
    from warehouse.config import PROJECT_DIR

    folder = tmp_path / "lake/raw/orders/dt=2025-10-02"
    folder.mkdir(parents=True)
    (folder / "part-0000.ndjson").write_text("{}\n", encoding="utf-8")
    folder.chmod(0)
    try:
        assert any(
            p.folder == folder and "permissions" in p.reason for p in lake_problems(tmp_path / "lake", PROJECT_DIR)
        )
    finally:
        folder.chmod(0o755)


@pytest.mark.slow
def test_a_build_without_a_lake_or_with_an_empty_selection_fails_and_changes_nothing(
    tiny_warehouse: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse import cli

    missing = tmp_path / "no_data_here"
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(missing))
    monkeypatch.delenv("WAREHOUSE_LAKE_ROOT", raising=False)
    assert cli.main(["build", "--no-progress"]) == 1
    assert not missing.exists(), "a build without a lake must not create a data folder or a warehouse"

    data = tmp_path / "copy"
    shutil.copytree(tiny_warehouse.data_dir / "lake", data / "lake")
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(data))
    monkeypatch.setenv("DBT_TARGET_PATH", str(data / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(data / "logs"))
    summary = data / "target" / "build_summary.json"
    summary.parent.mkdir(parents=True)
    summary.write_text('{"previous": true}', encoding="utf-8")
    assert cli.main(["build", "--no-progress", "--select", "fct_sale"]) == 1
    assert summary.read_text(encoding="utf-8") == '{"previous": true}'


def test_checksums_of_a_schema_with_no_table_is_an_error(tmp_path: Path) -> None:
    from warehouse import cli

    database = tmp_path / "w.duckdb"
    con = duckdb.connect(str(database))
    con.execute("create schema gold; create table gold.t as select 1 as a")
    con.close()
    assert cli.main(["checksums", "--database", str(database)]) == 0
    assert cli.main(["checksums", "--database", str(database), "--schema", "nosuch"]) == 2


@pytest.mark.slow
def test_a_regenerated_lake_is_not_mixed_into_the_warehouse(
    tiny_warehouse: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another seed for the same folder: a plain build stops and says what to do; --full-refresh rebuilds
    everything from the new lake, snapshots included (they held the old lake's history)."""
    from warehouse import cli
    from warehouse.generate.generator import generate_lake
    from warehouse.generate.scales import SCALES

    data = tmp_path / "data"
    shutil.copytree(tiny_warehouse.data_dir / "lake", data / "lake")
    shutil.copy(tiny_warehouse.database, data / "warehouse.duckdb")
    for key, value in {
        "WAREHOUSE_DATA_DIR": data,
        "DBT_TARGET_PATH": data / "target",
        "DBT_LOG_PATH": data / "logs",
    }.items():
        monkeypatch.setenv(key, str(value))
    monkeypatch.delenv("WAREHOUSE_LAKE_ROOT", raising=False)
    database = data / "warehouse.duckdb"

    def query(sql: str) -> Any:
        con = duckdb.connect(str(database), read_only=True)
        try:
            return con.execute(sql).fetchone()
        finally:
            con.close()

    assert query("select scale, seed from meta.built_from_lake") == ("tiny", 42)
    shutil.rmtree(data / "lake")
    generate_lake(data / "lake", SCALES["tiny"], seed=7)
    before = query("select count(*) from gold.dim_customer")
    assert cli.main(["build", "--no-progress"]) == 1
    assert query("select count(*) from gold.dim_customer") == before, "a refused build changes nothing"

    assert cli.main(["build", "--no-progress", "--full-refresh"]) == 0
    assert query("select scale, seed from meta.built_from_lake") == ("tiny", 7)
    snapshot_rows = query("select count(*) from snapshots.snp_customers")[0]
    current = query("select count(*) from silver.int_customers_deduplicated")[0]
    assert snapshot_rows == current, "after a new lake, the snapshot holds that lake's customers only"


@pytest.mark.slow
def test_files_removed_from_the_lake_stop_the_build_even_a_full_refresh(
    tiny_warehouse: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from warehouse import cli

    data = tmp_path / "data"
    shutil.copytree(tiny_warehouse.data_dir / "lake", data / "lake")
    shutil.copy(tiny_warehouse.database, data / "warehouse.duckdb")
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(data))
    monkeypatch.setenv("DBT_TARGET_PATH", str(data / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(data / "logs"))
    monkeypatch.delenv("WAREHOUSE_LAKE_ROOT", raising=False)
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    before = con.execute("select count(*) from gold.fct_sales").fetchone()
    recorded = dict(con.execute("select folder, files from meta.lake_files").fetchall())
    con.close()
    assert recorded["raw/orders"] > 1
    day = sorted((data / "lake" / "raw" / "orders").glob("dt=*"))[3]
    shutil.rmtree(day)
    assert cli.main(["build", "--no-progress", "--full-refresh"]) == 1
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    assert con.execute("select count(*) from gold.fct_sales").fetchone() == before, "gold untouched"
    con.close()
    assert cli.main(["build", "--no-progress", "--full-refresh", "--accept-fewer-files"]) == 0


@pytest.mark.slow
def test_the_analyst_shell_reads_the_warehouse(tiny_warehouse: Any) -> None:
    """The README's `.venv/bin/duckdb -readonly data/warehouse.duckdb`: the CLI the install brings opens a
    warehouse this DuckDB wrote and answers as the library does."""
    shell = Path(sys.executable).parent / "duckdb"
    assert shell.exists(), f"{shell} missing: the duckdb-cli package is a dependency"
    sql = "select count(*) from gold.fct_sales"
    done = subprocess.run(
        [str(shell), "-readonly", "-csv", "-noheader", str(tiny_warehouse.database), "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert int(done.stdout.strip()) == tiny_warehouse.query(sql)[0][0]
