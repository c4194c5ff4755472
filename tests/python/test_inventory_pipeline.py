"""Inventory CDC end to end on tiny data (INV-CDC-ORDER): the real generator, `warehouse build` (dbt in-process) and
`warehouse inventory tier` against DuckDB files in temporary folders.

The tests share the session's tiny warehouse (conftest.py: the tiny lake, seed 42, built once) and never
change it; each test that changes something works on a clone. Properties: replays and redeliveries change
nothing; batches loaded in two incremental steps, shuffled, give the same silver and gold as one build; a
delete removes a position; a late event lands in its month; the monthly snapshot and its year-over-year
figures equal an independent computation over the raw NDJSON files; offloading history to the cold tier
loses nothing and is idempotent.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tiny_warehouse import TinyWarehouse, clone_warehouse, run_warehouse
from warehouse import cli
from warehouse.checksums import TableChecksum, table_checksums
from warehouse.generate.inventory_append import generate_inventory_append

pytestmark = pytest.mark.slow

SELECT = ("+path:models/gold/inventory", "path:models/bronze/inventory+")
INCREMENTAL = ("path:models/bronze/inventory+",)
TABLES = {
    "silver": (
        "int_warehouses_deduplicated",
        "int_inventory_movements_deduplicated",
        "int_inventory_positions_merged",
        "int_inventory_month_end_positions",
    ),
    "gold": ("dim_warehouse", "fct_inventory_monthly_snapshot", "agg_monthly_inventory_value"),
}
STREAM = Path("stream") / "inventory_cdc"
CHANGE_TYPES = {"insert", "update", "delete"}
MOVEMENT_TYPES = {"receipt", "shipment", "adjustment", "transfer"}
ARRIVAL_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
EVENT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Warehouse:
    data_dir: Path

    @property
    def lake(self) -> Path:
        return self.data_dir / "lake"

    @property
    def database(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    def query(self, sql: str) -> list[tuple]:
        con = duckdb.connect(str(self.database), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def scalar(self, sql: str) -> Any:
        return self.query(sql)[0][0]

    def checksums(self) -> dict[str, TableChecksum]:
        result: dict[str, TableChecksum] = {}
        for schema, tables in TABLES.items():
            found = table_checksums(self.database, schema)
            result.update({f"{schema}.{t}": found[t] for t in tables})
        return result

    def clone(self, target: Path) -> Warehouse:
        """A copy of the lake and the warehouse, with the lake paths it stores moved to the new lake."""
        return Warehouse(clone_warehouse(TinyWarehouse(self.data_dir), target).data_dir)


@pytest.fixture()
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    modules = (*cli.COMMAND_MODULES, "warehouse.commands.inventory", "warehouse.commands.stream")
    monkeypatch.setattr(cli, "COMMAND_MODULES", tuple(dict.fromkeys(modules)))
    yield


def _run(data_dir: Path, *argv: str) -> int:
    # Builds select the inventory models and their parents: run only the tests all of whose parents are built.
    return run_warehouse(data_dir, *argv, DBT_INDIRECT_SELECTION="cautious")


def _build(data_dir: Path, *select: str, full_refresh: bool = False) -> int:
    extra = ["--full-refresh"] if full_refresh else []
    return _run(data_dir, "build", "--no-progress", "--select", *select, *extra)


@pytest.fixture(scope="module")
def base(tiny_warehouse: TinyWarehouse) -> Warehouse:
    """The session's tiny warehouse (every model, the inventory ones among them): the module's tests read it
    and clone it to change it."""
    return Warehouse(tiny_warehouse.data_dir)


# --- an independent computation over the raw files ----------------------------------------------------------


def _envelopes(lake: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted((lake / STREAM).glob("dt=*/*.ndjson"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line
    ]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _valid(payload: Any) -> bool:
    """The bronze rules, restated: required fields present and typed, quantities and costs not negative."""
    if not isinstance(payload, dict):
        return False
    cost = payload.get("unit_cost")
    occurred = payload.get("occurred_at")
    try:
        dt.datetime.strptime(str(occurred), EVENT_FORMAT)
    except ValueError:
        return False
    return (
        isinstance(payload.get("event_id"), str)
        and payload.get("op") in CHANGE_TYPES
        and _is_int(payload.get("warehouse_id"))
        and isinstance(payload.get("sku"), str)
        and bool(payload["sku"])
        and _is_int(payload.get("seq"))
        and payload["seq"] >= 1
        and payload.get("movement_type") in MOVEMENT_TYPES
        and _is_int(payload.get("quantity_on_hand"))
        and payload["quantity_on_hand"] >= 0
        and isinstance(cost, (int, Decimal))
        and not isinstance(cost, bool)
        and cost >= 0
    )


def raw_movements(lake: Path) -> dict[str, dict[str, Any]]:
    """Every valid event once (its first delivery), straight from the micro-batch files."""
    first: dict[str, tuple[tuple[str, str, str], dict[str, Any]]] = {}
    for envelope in _envelopes(lake):
        try:
            payload = json.loads(envelope["data"], parse_float=Decimal)
        except json.JSONDecodeError:
            continue
        if not _valid(payload):
            continue
        order = (envelope["approximate_arrival_timestamp"], envelope["shard_id"], envelope["sequence_number"])
        if payload["event_id"] not in first or order < first[payload["event_id"]][0]:
            first[payload["event_id"]] = (order, payload)
    return {event_id: payload for event_id, (_, payload) in first.items()}


def _month(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[5:7]), 1)


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _csv(lake: Path, dataset: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in sorted((lake / "raw" / dataset).glob("dt=*/*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows += list(csv.DictReader(handle))
    return rows


def independent_snapshot(lake: Path) -> dict[tuple[int, str, dt.date], tuple[int, Decimal, Decimal | None]]:
    """(warehouse, category, month) -> (quantity, value, value a year earlier), from the raw files only.

    A position's state at a month end is its valid event with the highest sequence number among those that
    happened before the next month began; a delete, or no event yet, is 0. Unknown warehouses count as -1,
    SKUs the catalog does not know as the category 'Unknown'.
    """
    categories = {row["sku"]: row["category"] for row in _csv(lake, "products")}
    warehouses = {int(row["warehouse_id"]) for row in _csv(lake, "warehouses")}
    positions: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for event in raw_movements(lake).values():
        positions[(event["warehouse_id"], event["sku"].strip().upper())].append(event)
    months_seen = [_month(e["occurred_at"]) for events in positions.values() for e in events]
    first, last = min(months_seen), max(months_seen)
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = _add_months(month, 1)
    totals: dict[tuple[int, str, dt.date], list[Any]] = {}
    for (warehouse_id, sku), events in positions.items():
        group = (warehouse_id if warehouse_id in warehouses else -1, categories.get(sku, "Unknown"))
        for month in months:
            totals.setdefault((*group, month), [0, Decimal("0.00")])
        for month in months:
            before = [e for e in events if _month(e["occurred_at"]) <= month]
            if not before:
                continue
            state = max(before, key=lambda e: e["seq"])
            if state["op"] == "delete":
                continue
            totals[(*group, month)][0] += state["quantity_on_hand"]
            totals[(*group, month)][1] += state["quantity_on_hand"] * Decimal(state["unit_cost"]).quantize(
                Decimal("0.01")
            )
    result = {}
    for (warehouse_id, category, month), (quantity, value) in totals.items():
        earlier = totals.get((warehouse_id, category, _add_months(month, -12)))
        result[(warehouse_id, category, month)] = (quantity, value, earlier[1] if earlier else None)
    return result


def _snapshot(warehouse: Warehouse) -> dict[tuple[int, str, dt.date], tuple[Any, ...]]:
    rows = warehouse.query(
        "select warehouse_id, category, month_start_date, quantity_on_hand, inventory_value, "
        "prior_year_inventory_value, yoy_value_change, yoy_value_change_pct from gold.fct_inventory_monthly_snapshot"
    )
    return {(w, c, m): rest for w, c, m, *rest in rows}


def _assert_snapshot_matches_the_raw_files(warehouse: Warehouse) -> dict[tuple[int, str, dt.date], tuple[Any, ...]]:
    expected = independent_snapshot(warehouse.lake)
    actual = _snapshot(warehouse)
    assert set(actual) == set(expected)
    for key, (quantity, value, prior_value) in expected.items():
        got_quantity, got_value, got_prior, got_change, got_pct = actual[key]
        assert (got_quantity, got_value, got_prior) == (quantity, value, prior_value), key
        if prior_value is None:
            assert got_change is None and got_pct is None, key
        else:
            assert got_change == value - prior_value, key
            if prior_value:
                assert abs(got_pct - 100 * (value - prior_value) / prior_value) <= Decimal("0.01"), key
    return actual


# --- the built warehouse ------------------------------------------------------------------------------------


def test_every_record_is_accounted_for_and_bronze_agrees_with_the_lambda_validator(base: Warehouse) -> None:
    from warehouse.stream.producer import lake_records
    from warehouse.stream.validator import KinesisRecord, validate

    raw = len(_envelopes(base.lake))
    accepted = base.scalar("select count(*) from bronze.stg_inventory__cdc_events")
    quarantined = dict(
        base.query("select rejection_reason, count(*) from bronze.stg_inventory__cdc_events_quarantine group by 1")
    )
    assert accepted + sum(quarantined.values()) == raw
    result = validate(KinesisRecord(r.data, r.partition_key) for r in lake_records(base.lake / STREAM))
    assert Counter(r.reason for r in result.invalid) == Counter(quarantined)
    assert len(result.valid) == base.scalar("select count(*) from silver.int_inventory_movements_deduplicated")
    assert len(result.valid) == len(raw_movements(base.lake))


def test_monthly_snapshot_and_year_over_year_equal_the_raw_files(base: Warehouse) -> None:
    snapshot = _assert_snapshot_matches_the_raw_files(base)
    months = sorted({m for _, _, m in snapshot})
    assert len(months) == 36 and sum(1 for v in snapshot.values() if v[2] is not None) > 0
    regional = base.query(
        "select month_start_date, sum(inventory_value), sum(prior_year_inventory_value) "
        "from gold.agg_monthly_inventory_value group by 1 order by 1"
    )
    for month, value, prior in regional:
        assert value == sum(v[1] for (_, _, m), v in snapshot.items() if m == month)
        priors = [v[2] for (_, _, m), v in snapshot.items() if m == month and v[2] is not None]
        assert prior == (sum(priors) if priors else None)


def test_latest_month_equals_the_current_positions(base: Warehouse) -> None:
    latest = base.query(
        "select sum(quantity_on_hand), sum(inventory_value), sum(open_positions) "
        "from gold.fct_inventory_monthly_snapshot "
        "where month_start_date = (select max(month_start_date) from gold.fct_inventory_monthly_snapshot)"
    )[0]
    current = base.query(
        "select sum(quantity_on_hand), sum(inventory_value), count(*) from silver.int_inventory_positions_merged"
    )[0]
    assert latest == current


def test_positions_whose_latest_event_is_a_delete_have_no_row(base: Warehouse) -> None:
    latest: dict[tuple[int, str], dict[str, Any]] = {}
    for event in raw_movements(base.lake).values():
        key = (event["warehouse_id"], event["sku"])
        if key not in latest or event["seq"] > latest[key]["seq"]:
            latest[key] = event
    deleted = {key for key, event in latest.items() if event["op"] == "delete"}
    open_positions = {key for key in latest if key not in deleted}
    stored = set(base.query("select warehouse_id, sku from silver.int_inventory_positions_merged"))
    assert deleted and stored == open_positions


# --- changes on copies ----------------------------------------------------------------------------------------


def _write_batch(lake: Path, name: str, envelopes: list[dict[str, Any]]) -> Path:
    arrival = min(e["approximate_arrival_timestamp"] for e in envelopes)[:10]
    path = lake / STREAM / f"dt={arrival}" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(e) + "\n" for e in envelopes), encoding="utf-8")
    return path


def test_replayed_batches_and_redelivered_records_change_nothing(base: Warehouse, tmp_path: Path) -> None:
    copy = base.clone(tmp_path)
    before = base.checksums()
    batches = sorted((copy.lake / STREAM).glob("dt=*/*.ndjson"))
    redelivered = []
    for n, line in enumerate(line for path in batches[40:43] for line in path.read_text().splitlines()):
        envelope = json.loads(line)
        envelope["sequence_number"] = f"49599{n:050d}"
        envelope["approximate_arrival_timestamp"] = "2026-02-01T00:00:00.000Z"
        redelivered.append(envelope)
    _write_batch(copy.lake, "batch-1769904000000-900000.ndjson", redelivered)
    assert _build(copy.data_dir, *INCREMENTAL) == 0
    assert copy.scalar("select count(*) from bronze.stg_inventory__cdc_events_stream") == len(_envelopes(copy.lake))
    assert copy.checksums() == before


def test_shuffled_batches_loaded_in_two_steps_give_the_same_silver_and_gold(base: Warehouse, tmp_path: Path) -> None:
    """Arrival order differs from file order, a few records reach the lake after later ones (within the
    lookback), and the stream is loaded by two builds: silver and gold equal the one-shot build."""
    shutil.copytree(base.lake, tmp_path / "lake", ignore=shutil.ignore_patterns("inventory_cdc", "cold"))
    copy = Warehouse(tmp_path)
    records = sorted(_envelopes(base.lake), key=lambda e: e["approximate_arrival_timestamp"])
    split = len(records) // 2
    boundary = dt.datetime.strptime(records[split]["approximate_arrival_timestamp"], ARRIVAL_FORMAT)
    late_to_lake = [
        r
        for r in records[:split]
        if dt.datetime.strptime(r["approximate_arrival_timestamp"], ARRIVAL_FORMAT) > boundary - dt.timedelta(days=2)
    ][:10]
    assert late_to_lake, "no record arrived in the two days before the split"
    second = records[split:] + late_to_lake
    first = [r for r in records[:split] if r not in late_to_lake]
    rng = random.Random(3)

    def write(chunk: list[dict[str, Any]], offset: int) -> None:
        chunk = chunk[:]
        rng.shuffle(chunk)
        for n in range(0, len(chunk), 137):
            # File names (and so load order) unrelated to arrival times.
            ms = 1_700_000_000_000 + (offset - n) * 1000
            day = dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc).date()
            path = copy.lake / STREAM / f"dt={day}" / f"batch-{ms}-{offset + n:06d}.ndjson"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(json.dumps(e) + "\n" for e in chunk[n : n + 137]), encoding="utf-8")

    write(first, 500_000)
    assert _build(copy.data_dir, *SELECT) == 0
    write(second, 900_000)
    assert _build(copy.data_dir, *INCREMENTAL) == 0
    assert copy.checksums() == base.checksums()


def test_a_delete_removes_the_position_and_a_late_event_lands_in_its_month(base: Warehouse, tmp_path: Path) -> None:
    copy = base.clone(tmp_path)
    catalog = {row["sku"]: row["category"] for row in _csv(base.lake, "products")}
    stocked = {(e["warehouse_id"], e["sku"]) for e in raw_movements(base.lake).values()}
    # A position to delete: open, at a known warehouse other than 1, last changed before mid-December 2025.
    warehouse_id, sku, sequence, quantity, value = base.query(
        "select warehouse_id, sku, change_sequence, quantity_on_hand, inventory_value "
        "from silver.int_inventory_positions_merged "
        "where warehouse_id between 2 and 10 and quantity_on_hand > 0 and last_changed_at < '2025-12-15' "
        "order by warehouse_id, sku limit 1"
    )[0]
    # A late insert: a position warehouse 1 never had (a SKU new to the catalog), opened in March 2024 and
    # reported only now (at tiny scale every warehouse stocks every catalog SKU).
    late_sku = "ZZ-LATE-000001"
    assert (1, late_sku) not in stocked

    def envelope(n: int, key: str, payload: dict[str, Any]) -> dict[str, Any]:
        return {
            "approximate_arrival_timestamp": f"2026-02-01T00:00:0{n}.000Z",
            "partition_key": key,
            "shard_id": "shardId-000000000000",
            "sequence_number": f"4959{n:050d}",
            "data": json.dumps(payload),
        }

    delete = {
        "event_id": "IC-TEST-DELETE",
        "op": "delete",
        "warehouse_id": warehouse_id,
        "sku": sku,
        "seq": sequence + 1,
        "movement_type": "transfer",
        "quantity_on_hand": 0,
        "unit_cost": 1.5,
        "occurred_at": "2025-12-20T10:00:00Z",
    }
    late = {
        "event_id": "IC-TEST-LATE",
        "op": "insert",
        "warehouse_id": 1,
        "sku": late_sku,
        "seq": 1,
        "movement_type": "receipt",
        "quantity_on_hand": 100,
        "unit_cost": 10.0,
        "occurred_at": "2024-03-15T12:00:00Z",
    }
    _write_batch(
        copy.lake,
        "batch-1769904000000-900001.ndjson",
        [envelope(1, f"{warehouse_id}|{sku}", delete), envelope(2, f"1|{late_sku}", late)],
    )
    assert _build(copy.data_dir, *INCREMENTAL) == 0

    positions = set(copy.query("select warehouse_id, sku from silver.int_inventory_positions_merged"))
    assert (warehouse_id, sku) not in positions and (1, late_sku) in positions
    before, after = _snapshot(base), _assert_snapshot_matches_the_raw_files(copy)
    category = catalog.get(late_sku, "Unknown")
    for month in (dt.date(2024, 2, 1), dt.date(2024, 3, 1), dt.date(2025, 3, 1)):
        key = (1, category, month)
        change = after[key][1] - (before[key][1] if key in before else 0)
        assert change == (Decimal("0") if month < dt.date(2024, 3, 1) else Decimal("1000.00")), month
    # March 2025 compares with a March 2024 that now holds the late position.
    march_2024 = (1, category, dt.date(2024, 3, 1))
    assert after[(1, category, dt.date(2025, 3, 1))][2] == (
        before[march_2024][1] if march_2024 in before else Decimal("0")
    ) + Decimal("1000.00")
    deleted_pair = (warehouse_id, catalog.get(sku, "Unknown"))
    assert after[(*deleted_pair, dt.date(2025, 12, 1))][1] == before[(*deleted_pair, dt.date(2025, 12, 1))][1] - value
    assert after[(*deleted_pair, dt.date(2025, 11, 1))] == before[(*deleted_pair, dt.date(2025, 11, 1))]
    assert quantity > 0

    incremental = copy.checksums()
    assert _build(copy.data_dir, *SELECT, full_refresh=True) == 0
    assert copy.checksums() == incremental, "incremental runs and a full rebuild agree"


@pytest.mark.usefixtures("environment")
def test_tiering_offloads_old_history_and_loses_nothing(base: Warehouse, tmp_path: Path) -> None:
    copy = base.clone(tmp_path)
    totals_sql = (
        "select count(*), count(distinct movement_id), sum(quantity_on_hand), sum(inventory_value), "
        "sum(change_sequence) from silver.int_inventory_movements_history"
    )
    before = copy.query(totals_sql)[0]
    hot_before = copy.scalar("select count(*) from silver.int_inventory_movements_deduplicated")
    old = copy.scalar(
        "select count(*) from silver.int_inventory_movements_deduplicated where occurred_at < '2024-12-01'"
    )
    assert old > 0

    tier = ("inventory", "tier", "--horizon-months", "12", "--as-of", "2025-12-31")
    assert _run(copy.data_dir, *tier) == 0
    cold_files = sorted((copy.lake / "cold" / "inventory_movements").glob("dt=*/tier-*.parquet"))
    assert cold_files
    assert copy.query(totals_sql)[0] == before
    assert copy.scalar("select count(*) from silver.int_inventory_movements_deduplicated") == hot_before - old
    assert copy.scalar("select count(*) from bronze.stg_inventory__cold_movements") == old
    assert copy.scalar("select max(occurred_at) < '2024-12-01' from bronze.stg_inventory__cold_movements")

    assert _run(copy.data_dir, *tier) == 0, "a second run finds nothing to do"
    assert sorted((copy.lake / "cold" / "inventory_movements").glob("dt=*/tier-*.parquet")) == cold_files
    assert copy.query(totals_sql)[0] == before

    assert _build(copy.data_dir, *INCREMENTAL) == 0
    expected = base.checksums()
    rebuilt = copy.checksums()
    del expected["silver.int_inventory_movements_deduplicated"], rebuilt["silver.int_inventory_movements_deduplicated"]
    assert rebuilt == expected
    assert _build(copy.data_dir, *SELECT, full_refresh=True) == 0
    full = copy.checksums()
    del full["silver.int_inventory_movements_deduplicated"]
    assert full == expected, "a full rebuild reads the cold tier too"
    assert copy.query(totals_sql)[0] == before


def test_an_appended_day_of_events_moves_its_positions_and_equals_a_full_refresh(
    base: Warehouse, tmp_path: Path
) -> None:
    """The bench's inventory append: a day of change events after the stream's last day, byte-identical for
    the same lake (drawn with the scale and seed its manifest records); the incremental build takes each
    event's position to its new state, and the result equals a full refresh."""
    copy = base.clone(tmp_path / "copy")
    last_day = max(p.name[3:] for p in (base.lake / STREAM).glob("dt=*"))
    batch = generate_inventory_append(copy.lake, days=1)
    assert batch.events > 0 and batch.first_day.isoformat() > last_day
    again = tmp_path / "again"
    shutil.copytree(base.lake, again)
    assert [p.read_bytes() for p in batch.paths] == [
        p.read_bytes() for p in generate_inventory_append(again, days=1).paths
    ]

    assert _build(copy.data_dir, *INCREMENTAL) == 0
    assert copy.scalar("select count(*) from bronze.stg_inventory__cdc_events_stream") == len(_envelopes(copy.lake))
    latest: dict[tuple[int, str], tuple[int, int]] = {}
    for path in batch.paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            event = json.loads(json.loads(line)["data"])
            key = (event["warehouse_id"], event["sku"])
            latest[key] = max(latest.get(key, (0, 0)), (event["seq"], event["quantity_on_hand"]))
    positions = {
        (w, sku): (seq, quantity)
        for w, sku, seq, quantity in copy.query(
            "select warehouse_id, sku, change_sequence, quantity_on_hand from silver.int_inventory_positions_merged"
        )
    }
    assert {key: positions.get(key) for key in latest} == latest
    # Each event continues its position's sequence in the lake, for a position and a SKU the lake has.
    lake_sequences: dict[tuple[int, str], int] = {}
    for payload in raw_movements(base.lake).values():
        key = (payload["warehouse_id"], payload["sku"])
        lake_sequences[key] = max(lake_sequences.get(key, 0), payload["seq"])
    assert all(key in lake_sequences and seq > lake_sequences[key] for key, (seq, _) in latest.items())
    catalog = {row["sku"] for row in _csv(base.lake, "products")}
    assert {sku for _, sku in latest} <= catalog
    _assert_snapshot_matches_the_raw_files(copy)

    incremental = copy.checksums()
    assert _build(copy.data_dir, *SELECT, full_refresh=True) == 0
    assert copy.checksums() == incremental, "incremental runs and a full rebuild agree"
