"""The volume guard: a source that still has files but far fewer records never replaces gold.

The slow test builds the tiny lake, truncates every customers file to its first lines (the files stay, so
the lake preflight lets the build through) and builds again: the build fails naming the model, its two
counts and the source, gold and the snapshots are unchanged, and no lake file is gone; `--accept-volume-drop`
lets the drop through; the next identical build passes and adds one history row per model. The fast tests
check the report on synthetic artifacts and the guard's SQL on a DuckDB file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tiny_warehouse import said
from warehouse import cli
from warehouse.build.dbt_runner import BuildOptions, dbt_args
from warehouse.build.volume import VolumeDrop, explain, not_rebuilt, sources_of, volume_drops
from warehouse.checksums import table_checksums

HISTORY = "meta.model_row_counts"
GUARDED = "silver.int_customers_deduplicated"


# --- the report, on synthetic artifacts -------------------------------------------------------------------

MODEL = "model.p.int_customers_deduplicated"
TEST = "test.p.volume_guard_int_customers_deduplicated_.1"
MANIFEST: dict[str, Any] = {
    "nodes": {
        "model.p.stg_crm__customers": {
            "resource_type": "model",
            "name": "stg_crm__customers",
            "schema": "bronze",
            "fqn": ["p", "bronze", "crm", "stg_crm__customers"],
            "depends_on": {"nodes": ["source.p.crm.customers"]},
        },
        MODEL: {
            "resource_type": "model",
            "name": "int_customers_deduplicated",
            "alias": "int_customers_deduplicated",
            "schema": "silver",
            "fqn": ["p", "silver", "customers", "int_customers_deduplicated"],
            "depends_on": {"nodes": ["model.p.stg_crm__customers"]},
        },
        "model.p.dim_customer": {
            "resource_type": "model",
            "name": "dim_customer",
            "schema": "gold",
            "fqn": ["p", "gold", "core", "dim_customer"],
            "depends_on": {"nodes": [MODEL]},
        },
        "snapshot.p.snp_customers": {
            "resource_type": "snapshot",
            "name": "snp_customers",
            "schema": "snapshots",
            "fqn": ["p", "snp_customers"],
            "depends_on": {"nodes": [MODEL]},
        },
        TEST: {
            "resource_type": "test",
            "name": "volume_guard_int_customers_deduplicated_",
            "test_metadata": {"name": "volume_guard", "kwargs": {}},
            "attached_node": MODEL,
            "depends_on": {"nodes": [MODEL]},
        },
    },
    "sources": {
        "source.p.crm.customers": {
            "resource_type": "source",
            "source_name": "crm",
            "name": "customers",
            "fqn": ["p", "bronze", "crm", "crm", "customers"],
            "external": {"location": "raw/customers"},
        }
    },
    "child_map": {
        "source.p.crm.customers": ["model.p.stg_crm__customers"],
        "model.p.stg_crm__customers": [MODEL],
        MODEL: [TEST, "model.p.dim_customer", "snapshot.p.snp_customers"],
    },
}
FAILING_ROW_SQL = (
    f"select '{GUARDED}' as model_relation, 23 as rows_now, 498 as rows_before, "
    "timestamp '2026-01-02 03:04:05' as recorded_at, 0.5 as min_ratio, false as is_drop_accepted"
)
RUN_RESULTS: dict[str, Any] = {
    "results": [
        {"unique_id": MODEL, "status": "success"},
        {"unique_id": TEST, "status": "fail", "failures": 1, "compiled_code": FAILING_ROW_SQL},
        {"unique_id": "model.p.dim_customer", "status": "skipped"},
        {"unique_id": "snapshot.p.snp_customers", "status": "skipped"},
    ]
}


def test_the_report_names_the_model_both_counts_the_source_and_what_kept_its_content(tmp_path: Path) -> None:
    database = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(database)).close()
    drops = volume_drops(MANIFEST, RUN_RESULTS, database)
    assert drops == [
        VolumeDrop(
            relation=GUARDED,
            sources=("source crm.customers (lake folder raw/customers)",),
            not_rebuilt=("gold.dim_customer", "snapshots.snp_customers"),
            rows_now=23,
            rows_before=498,
            recorded_at="2026-01-02 03:04:05",
            min_ratio=0.5,
        )
    ]
    message = explain(drops)
    for part in (GUARDED, "23 rows now", "498 at the last recorded build", "raw/customers", "--accept-volume-drop"):
        assert part in message


def test_without_a_duckdb_file_the_report_still_names_the_model_and_source() -> None:
    (drop,) = volume_drops(MANIFEST, RUN_RESULTS, None)
    assert drop.rows_now is None and GUARDED in drop.describe() and HISTORY in drop.describe()
    assert sources_of(MANIFEST, MODEL) == ("source crm.customers (lake folder raw/customers)",)


def test_a_passing_guard_or_another_failing_test_is_not_a_volume_drop(tmp_path: Path) -> None:
    passing = {
        "results": [
            {**result, "status": "pass"} if result["unique_id"] == TEST else result for result in RUN_RESULTS["results"]
        ]
    }
    assert volume_drops(MANIFEST, passing, None) == []
    other = json.loads(json.dumps(MANIFEST))
    other["nodes"][TEST]["test_metadata"]["name"] = "unique"
    assert volume_drops(other, RUN_RESULTS, None) == []
    ran = {"results": [{**result, "status": "success"} for result in RUN_RESULTS["results"]]}
    assert not_rebuilt(MANIFEST, ran, MODEL) == ()


def test_accept_volume_drop_sets_the_var_the_guard_reads(tmp_path: Path) -> None:
    args = dbt_args(BuildOptions(accept_volume_drop=True, progress=False), tmp_path, tmp_path)
    assert json.loads(args[args.index("--vars") + 1]) == {"accept_volume_drop": True}
    assert "--vars" not in dbt_args(BuildOptions(progress=False), tmp_path, tmp_path)


# --- the real build ---------------------------------------------------------------------------------------


def _lake_files(lake: Path) -> list[str]:
    return sorted(path.relative_to(lake).as_posix() for path in lake.rglob("*") if path.is_file())


def _history(database: Path) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(
            f"select invocation_id, unique_id, schema_name || '.' || table_name, row_count from {HISTORY}"
        ).fetchall()
    finally:
        con.close()


def _rows(database: Path, relation: str) -> int:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return int(con.execute(f"select count(*) from {relation}").fetchone()[0])
    finally:
        con.close()


def _built_tables(manifest: dict[str, Any]) -> set[str]:
    """The table and incremental models of the project: each gets one history row per build."""
    return {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["config"]["materialized"] in {"table", "incremental"}
    }


@pytest.mark.slow
def test_a_truncated_source_stops_the_build_before_gold_until_the_drop_is_accepted(
    tiny_warehouse: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
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
    database, lake = data / "warehouse.duckdb", data / "lake"
    tables = _built_tables(tiny_warehouse.manifest)

    first = _history(database)
    assert {unique_id for _, unique_id, _, _ in first} == tables, "the first build recorded every table"
    recorded = {relation: rows for _, _, relation, rows in first}
    assert recorded[GUARDED] == _rows(database, GUARDED) > 100

    # A truncated export: every customers file keeps its first three records, no file is removed.
    customers = sorted((lake / "raw" / "customers").glob("dt=*/*"))
    assert customers
    for path in customers:
        path.write_text("".join(path.read_text(encoding="utf-8").splitlines(keepends=True)[:3]), encoding="utf-8")
    files = _lake_files(lake)
    gold = table_checksums(database)
    snapshots = table_checksums(database, "snapshots")

    capsys.readouterr()
    assert cli.main(["build", "--no-progress"]) == 1
    message = said(capsys)
    assert "volume guard" in message and GUARDED in message
    assert f"{recorded[GUARDED]:,} at the last recorded build" in message
    assert f"{_rows(database, GUARDED):,} rows now" in message
    assert _rows(database, GUARDED) < recorded[GUARDED] / 2
    assert "raw/customers" in message and "--accept-volume-drop" in message
    assert table_checksums(database) == gold, "gold keeps its previous content"
    assert table_checksums(database, "snapshots") == snapshots, "no customer was closed in the snapshot"
    assert _lake_files(lake) == files, "no lake file removed"
    refused = _history(database)[len(first) :]
    assert refused and GUARDED not in {relation for _, _, relation, _ in refused}, "a refused count is not kept"
    _assert_run_history_holds_the_refused_build(database, data / "target", tiny_warehouse.manifest, recorded)

    # The same truncated lake again: still compared with the last accepted count, still refused.
    assert cli.main(["build", "--no-progress"]) == 1
    assert f"{recorded[GUARDED]:,} at the last recorded build" in said(capsys)
    assert table_checksums(database) == gold

    # An intended drop: the customers go, and so do their references (hence the full refresh of the facts).
    assert cli.main(["build", "--no-progress", "--full-refresh", "--accept-volume-drop"]) == 0
    accepted = table_checksums(database)
    assert accepted["dim_customer"].rows < gold["dim_customer"].rows
    before_last = len(_history(database))

    # An identical build passes, changes nothing and records one row per table.
    assert cli.main(["build", "--no-progress"]) == 0
    assert table_checksums(database) == accepted
    history = _history(database)
    last = history[before_last:]
    assert len({invocation for invocation, _, _, _ in last}) == 1
    assert sorted(unique_id for _, unique_id, _, _ in last) == sorted(tables), "one row per model per build"
    assert dict((relation, rows) for _, _, relation, rows in last)[GUARDED] == _rows(database, GUARDED)
    assert len(history) == len({(invocation, unique_id) for invocation, unique_id, _, _ in history})


def _assert_run_history_holds_the_refused_build(
    database: Path, target: Path, manifest: dict[str, Any], recorded: dict[str, int]
) -> None:
    """meta.invocations holds the session's build and the refused one, meta.node_results every node and test
    dbt ran in each, and the guard's failing row is readable in its audit table (docs/run-history.md)."""
    run_results = json.loads((target / "run_results.json").read_text())
    invocation = run_results["metadata"]["invocation_id"]
    con = duckdb.connect(str(database), read_only=True)
    try:
        runs = con.execute(
            "select invocation_id, command, status, tests_failed, gold_rows from meta.invocations "
            "order by run_started_at, run_ended_at"
        ).fetchall()
        per_run = dict(con.execute("select invocation_id, count(*) from meta.node_results group by 1").fetchall())
        guard_rows = con.execute(
            "select status, failures from meta.node_results where invocation_id = ? and unique_id = ?",
            [invocation, _guard_test(manifest)["unique_id"]],
        ).fetchall()
        audit = _guard_test(manifest)
        stored = con.execute(
            f'select model_relation, rows_now, rows_before from "{audit["schema"]}"."{audit["alias"]}"'
        ).fetchall()
    finally:
        con.close()
    assert len(runs) == 2 and runs[0][2] == "success" and runs[-1][:3] == (invocation, "build", "fail")
    assert runs[-1][3] >= 1, "the refused build counted its failed test"
    assert runs[-1][4] < runs[0][4], "the gold built from the customers was skipped, so fewer gold rows were built"
    ran = [result for result in run_results["results"] if not result["unique_id"].startswith("operation.")]
    assert per_run[invocation] == len(ran), "one row per node and test dbt ran (the project hooks are not nodes)"
    assert set(per_run) == {run[0] for run in runs}
    assert guard_rows == [("fail", 1)]
    assert stored == [(GUARDED, _rows(database, GUARDED), recorded[GUARDED])]


def _guard_test(manifest: dict[str, Any]) -> dict[str, Any]:
    model = next(uid for uid, node in manifest["nodes"].items() if f"{node['schema']}.{node['name']}" == GUARDED)
    return next(
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "volume_guard"
        and node.get("attached_node") == model
    )


@pytest.mark.slow
def test_every_silver_table_that_feeds_gold_carries_the_volume_guard(tiny_warehouse: Any) -> None:
    """Except the hot inventory movements, which `warehouse inventory tier` shrinks by design (their
    month-end positions, read from hot and cold history, are guarded instead)."""
    manifest = tiny_warehouse.manifest
    exempt = {"model.globalretail.int_inventory_movements_deduplicated"}
    guarded = {
        node["attached_node"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and (node.get("test_metadata") or {}).get("name") == "volume_guard"
    }

    def feeds_gold(unique_id: str, seen: set[str]) -> bool:
        for child in manifest["child_map"].get(unique_id, []):
            if child in seen:
                continue
            seen.add(child)
            node = manifest["nodes"].get(child, {})
            gold = node.get("resource_type") == "model" and node["fqn"][1] == "gold"
            if gold or node.get("resource_type") == "snapshot" or feeds_gold(child, seen):
                return True
        return False

    silver_tables = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node["fqn"][1] == "silver"
        and node["config"]["materialized"] in {"table", "incremental"}
        and feeds_gold(unique_id, set())
    }
    assert silver_tables - exempt <= guarded, f"no volume_guard on {sorted(silver_tables - exempt - guarded)}"
    assert len(guarded) >= 13


def test_the_postgres_harness_creates_the_history_table_as_the_on_run_start_hook_does() -> None:
    """`warehouse verify postgres` runs no hooks; it runs the compiled analysis that renders the hook's own
    DDL macro, so the volume_guard tests find their table there too."""
    from warehouse.verify.postgres.plan import run_start_statements

    ddl = 'create schema if not exists meta;\ncreate table if not exists "meta"."model_row_counts" (a bigint)\n'
    manifest = {
        "nodes": {
            "analysis.p.run_history_ddl": {
                "resource_type": "analysis",
                "name": "run_history_ddl",
                "compiled_code": ddl,
            },
            "analysis.p.other": {"resource_type": "analysis", "name": "other", "compiled_code": "select 1"},
        }
    }
    assert run_start_statements(manifest) == [
        "create schema if not exists meta",
        'create table if not exists "meta"."model_row_counts" (a bigint)',
    ]
    project = Path(__file__).parents[2]
    assert (project / "analyses" / "run_history_ddl.sql").read_text().count("run_history_ddl()") == 1
    assert (
        "globalretail.run_history_ddl()" in (project / "macros" / "run_history" / "create_run_history.sql").read_text()
    )
