"""At-least-once deliveries and broken envelopes are absorbed or quarantined, on both engines, and never
stall the incremental watermark.

The stream lake of tests/python/edge_streams.py (the same record twice in a batch, a batch file delivered
twice under another name, envelopes without data or without a usable arrival time, arrivals in 2999 or
before the calendar) is added to the tiny lake and built on DuckDB: every such record must be typed once,
with its documented reason (or accepted), the build must pass (the landing's unique test only warns), and
every raw envelope must be accounted for as accepted, quarantined or duplicate. The Redshift SQL, run on
PostgreSQL over the same lake, must give each record the same outcome. Two incremental tests deliver
batches in steps: a record dated 2999 in the first batch must not make the second batch's records look
loaded already, and the order of delivery and a replay must not change what bronze holds.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from edge_streams import (
    EDGE_SHARD,
    STREAMS,
    StreamCase,
    batch_lines,
    batch_path,
    expected,
    sequence_number,
    write_batch,
)
from tiny_warehouse import TinyWarehouse, build
from warehouse.config import PROJECT_DIR
from warehouse.verify.postgres import server

pytestmark = pytest.mark.slow

BRONZE = {"web_events": "stg_web__events", "inventory_cdc": "stg_inventory__cdc_events"}
SUFFIXES = ("_stream", "_typed", "", "_quarantine")
STREAM_MODELS = tuple(f"{model}{suffix}" for model in BRONZE.values() for suffix in SUFFIXES)


@pytest.fixture(scope="module")
def edge_streams_warehouse(edge_warehouse: TinyWarehouse) -> TinyWarehouse:
    """The edge lake (conftest.py), which holds the edge batches of edge_streams.py, built once on DuckDB."""
    return edge_warehouse


def _outcomes(query: Any, stream: str) -> dict[str, tuple[int, str | None, int, int, int]]:
    """case -> (typed rows, rejection reason, accepted rows, quarantined rows, landed rows) of its record."""
    model = BRONZE[stream]
    got = {}
    for case in expected():
        key = f"shard_id = '{EDGE_SHARD}' and sequence_number = '{sequence_number(case.name)}'"
        typed = query(f"select rejection_reason from bronze.{model}_typed where {key}")
        counts = [
            query(f"select count(*) from bronze.{model}{suffix} where {key}")[0][0]
            for suffix in ("", "_quarantine", "_stream")
        ]
        got[case.name] = (len(typed), typed[0][0] if typed else None, *counts)
    return got


def _wanted(case: StreamCase) -> tuple[int, str | None, int, int, int]:
    accepted = int(case.reason is None)
    return (1, case.reason, accepted, 1 - accepted, case.deliveries)


@pytest.mark.parametrize("stream", STREAMS)
def test_every_edge_delivery_is_absorbed_or_quarantined_with_its_reason(
    edge_streams_warehouse: TinyWarehouse, stream: str
) -> None:
    got = _outcomes(edge_streams_warehouse.query, stream)
    assert got == {case.name: _wanted(case) for case in expected()}


@pytest.mark.parametrize("stream", STREAMS)
def test_every_raw_envelope_is_accepted_quarantined_or_a_duplicate(
    edge_streams_warehouse: TinyWarehouse, stream: str
) -> None:
    model = BRONZE[stream]
    lake = edge_streams_warehouse.data_dir / "lake" / "stream" / stream
    envelopes = [line for path in lake.glob("dt=*/*.ndjson") for line in path.read_text("utf-8").splitlines() if line]
    keys = {(json.loads(line)["shard_id"], json.loads(line)["sequence_number"]) for line in envelopes}
    (landed,) = edge_streams_warehouse.query(f"select count(*) from bronze.{model}_stream")[0]
    (accepted,) = edge_streams_warehouse.query(f"select count(*) from bronze.{model}")[0]
    (quarantined,) = edge_streams_warehouse.query(f"select count(*) from bronze.{model}_quarantine")[0]
    duplicates = sum(case.deliveries - 1 for case in expected())
    assert landed == len(envelopes)
    assert len(envelopes) - len(keys) == duplicates == 5
    assert accepted + quarantined + duplicates == len(envelopes)


def test_the_copy_kept_is_the_first_delivery_by_content(edge_streams_warehouse: TinyWarehouse) -> None:
    """Of a batch delivered twice, the copy from the first file name; of two copies of one record, the
    plausible arrival, not the one dated 2999 (which was also in the earlier file)."""
    rows = edge_streams_warehouse.query(
        "select sequence_number, _source_file, approximate_arrival_timestamp from bronze.stg_web__events_typed "
        f"where shard_id = '{EDGE_SHARD}' and sequence_number in "
        f"('{sequence_number('redelivered-valid')}', '{sequence_number('duplicate-with-a-future-copy')}') order by 1"
    )
    assert [(Path(file).name, str(arrived)) for _, file, arrived in rows] == [
        ("batch-1760522401000-990002.ndjson", "2025-10-15 10:00:01"),
        ("batch-1760522401000-990005.ndjson", "2025-10-15 10:00:01"),
    ]


def test_duplicates_warn_and_every_other_test_passes(edge_streams_warehouse: TinyWarehouse) -> None:
    results = json.loads((edge_streams_warehouse.target_dir / "run_results.json").read_text("utf-8"))["results"]
    tests = {r["unique_id"]: (r["status"], r.get("failures")) for r in results if r["unique_id"].startswith("test.")}
    warned = {uid: status for uid, status in tests.items() if status[0] != "pass"}
    assert sorted((uid.split(".")[2], status) for uid, status in warned.items()) == [
        ("unique_combination_of_columns_stg_inventory__cdc_events_stream_shard_id__sequence_number", ("warn", 5)),
        ("unique_combination_of_columns_stg_web__events_stream_shard_id__sequence_number", ("warn", 5)),
    ]
    # The streams' reconciliations, on the landing model and on the source (the files), all pass.
    reconciliations = [uid for uid in tests if "records_reconcile_" in uid and ("web_" in uid or "cdc_" in uid)]
    assert len(reconciliations) == 4 and all(tests[uid][0] == "pass" for uid in reconciliations)


# -- the Redshift SQL on PostgreSQL ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres(edge_streams_warehouse: TinyWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The Redshift-compiled project run on PostgreSQL over the edge lake; yields a connection to it."""
    from rich.console import Console

    from warehouse.verify.postgres.check import PostgresCheckConfig, run_check
    from warehouse.verify.postgres.report import print_report

    try:
        with server.throwaway_database(prefix="rs_pgstreams") as database:
            saved = os.environ.get("PGPASSWORD")
            os.environ["PGPASSWORD"] = database.password or ""
            try:
                config = PostgresCheckConfig(
                    project_dir=PROJECT_DIR,
                    data_dir=edge_streams_warehouse.data_dir,
                    target_path=tmp_path_factory.mktemp("edge_streams_redshift"),
                    dsn=database.dsn,
                    progress=False,
                )
                report = run_check(config)
            finally:
                if saved is None:
                    os.environ.pop("PGPASSWORD", None)
                else:
                    os.environ["PGPASSWORD"] = saved
            console = Console(record=True, width=200)
            print_report(report, console)
            text = console.export_text()
            assert not report.source_errors and not report.node_problems and not report.test_problems, text
            assert report.diffs and not report.differences, text
            connection = database.connect()
            try:
                yield connection
            finally:
                connection.close()
    except server.PostgresUnavailable as exc:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"PostgreSQL 15 cannot be started: {exc}")
        pytest.skip(f"PostgreSQL 15 cannot be started: {exc}")


@pytest.mark.parametrize("stream", STREAMS)
def test_the_redshift_sql_gives_every_edge_delivery_the_same_outcome(postgres: Any, stream: str) -> None:
    """Every data test passes, gold and quarantine equal DuckDB's (the fixture), and record by record the
    outcome is the one expected on DuckDB."""

    def query(sql: str) -> list[tuple[Any, ...]]:
        with postgres.cursor() as cursor:
            cursor.execute(sql)
            return list(cursor.fetchall())

    assert _outcomes(query, stream) == {case.name: _wanted(case) for case in expected()}


# -- incremental: the watermark, the order of delivery, replays -----------------------------------------------

STEP_ARRIVAL = "2026-01-10T08:00:00.000Z"  # after the newest record of both tiny streams


def _build(data_dir: Path, *extra: str) -> int:
    return build(data_dir, "--select", *STREAM_MODELS, *extra)


def _typed(data_dir: Path, stream: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        # Every row but its load time, the file named by its path inside the lake (each build has its own).
        sql = (
            "select * exclude (_loaded_at, _source_file), regexp_extract(_source_file, 'stream/.*$') as file "
            f"from bronze.{BRONZE[stream]}_typed order by all"
        )
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _reasons(data_dir: Path, stream: str, *names: str) -> dict[str, str | None]:
    """case -> rejection reason (None: accepted) of the named edge records the typed model holds."""
    numbers = {sequence_number(name): name for name in names}
    keys = ", ".join(f"'{number}'" for number in numbers)
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        found = con.execute(
            f"select sequence_number, rejection_reason from bronze.{BRONZE[stream]}_typed "
            f"where shard_id = '{EDGE_SHARD}' and sequence_number in ({keys})"
        ).fetchall()
    finally:
        con.close()
    return {numbers[number]: reason for number, reason in found}


@pytest.fixture(scope="module")
def tiny_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from warehouse.generate.generator import generate_lake
    from warehouse.generate.scales import SCALES

    root = tmp_path_factory.mktemp("stream_steps_lake") / "lake"
    generate_lake(root, SCALES["tiny"], seed=42)
    return root


def _future_batch(lake_root: Path, stream: str) -> Path:
    path = batch_path(lake_root, stream, "2026-01-09", 990101)
    write_batch(path, batch_lines(stream, {"step-future": {}}, "2999-01-01T00:00:00.000Z"))
    return path


def _good_batch(lake_root: Path, stream: str) -> Path:
    path = batch_path(lake_root, stream, "2026-01-10", 990102)
    write_batch(path, batch_lines(stream, {"step-good-1": {}, "step-good-2": {}}, STEP_ARRIVAL))
    return path


def test_a_record_dated_2999_does_not_hold_back_later_batches(tiny_lake: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "steps"
    shutil.copytree(tiny_lake, data_dir / "lake")
    lake = data_dir / "lake"
    for stream in STREAMS:
        _future_batch(lake, stream)
    assert _build(data_dir) == 0
    for stream in STREAMS:
        assert _reasons(data_dir, stream, "step-future") == {"step-future": "arrival_out_of_range"}
        _good_batch(lake, stream)
    assert _build(data_dir) == 0, "the second batch must load (and the stream reconcile)"
    for stream in STREAMS:
        got = _reasons(data_dir, stream, "step-future", "step-good-1", "step-good-2")
        assert got == {"step-future": "arrival_out_of_range", "step-good-1": None, "step-good-2": None}


def test_order_of_delivery_and_replays_change_nothing(tiny_lake: Path, tmp_path: Path) -> None:
    """Forward (the 2999 batch, then the good one, then both again under later names) and backward (the
    good batch, then the 2999 one) give the same typed models, row for row, as one build of everything."""
    results: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
    for order in ("forward", "backward", "at_once"):
        data_dir = tmp_path / order
        shutil.copytree(tiny_lake, data_dir / "lake")
        lake = data_dir / "lake"
        writers = [_future_batch, _good_batch] if order != "backward" else [_good_batch, _future_batch]
        if order == "at_once":
            for stream in STREAMS:
                for write in writers:
                    write(lake, stream)
            assert _build(data_dir) == 0
        else:
            for write in writers:
                for stream in STREAMS:
                    write(lake, stream)
                assert _build(data_dir) == 0
        if order == "forward":
            # Both batches delivered again, under later names, as a producer retrying an upload would.
            for stream in STREAMS:
                for path in sorted((lake / "stream" / stream).glob("dt=*/batch-*-9901*.ndjson")):
                    shutil.copyfile(path, path.with_name(path.name.replace("-9901", "-9902")))
            before = {stream: _typed(data_dir, stream) for stream in STREAMS}
            assert _build(data_dir) == 0
            assert {stream: _typed(data_dir, stream) for stream in STREAMS} == before, "a replay changed bronze"
        results[order] = {stream: _typed(data_dir, stream) for stream in STREAMS}
    assert results["forward"] == results["backward"] == results["at_once"]
