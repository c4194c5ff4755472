"""`warehouse generate`: layout, determinism, manifest counts recomputed from the files, defect rates, CLI.

The recount below reads the files the way a pipeline would (line by line, JSON-parsing, CSV-splitting) and
classifies every record on its own, without the generator's internals; the manifest must agree with it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from warehouse import cli
from warehouse.generate import (
    SCALES,
    DatasetError,
    GenerateError,
    Manifest,
    Scale,
    ScaleError,
    generate_lake,
    parse_datasets,
    parse_scale,
    vocab,
)
from warehouse.generate.append import APPEND_PART_BASE, AppendBatch, generate_orders_append
from warehouse.generate.inventory_append import generate_inventory_append

ROOT = Path(__file__).resolve().parents[2]
EXTENSIONS = {
    "orders": "ndjson",
    "store_sales": "csv",
    "customers": "ndjson",
    "products": "csv",
    "stores": "csv",
    "campaigns": "csv",
    "channels": "csv",
    "warehouses": "csv",
}
# The CSV headers of docs/lake.md.
HEADERS = {
    "store_sales": ",".join(
        [
            "sale_id",
            "store_id",
            "customer_id",
            "product_id",
            "sold_at",
            "quantity",
            "unit_price",
            "discount_amount",
            "payment_method",
        ]
    ),
    "products": ",".join(
        [
            "product_id",
            "sku",
            "product_name",
            "category",
            "subcategory",
            "brand",
            "unit_cost",
            "list_price",
            "is_active",
            "updated_at",
        ]
    ),
    "stores": "store_id,store_name,country_code,city,opened_date,updated_at",
    "campaigns": "campaign_id,campaign_name,channel_code,objective,start_date,end_date,budget,updated_at",
    "channels": "channel_code,channel_name,channel_type,updated_at",
    "warehouses": "warehouse_id,warehouse_code,warehouse_name,country_code,city,warehouse_type,capacity_units,"
    "opened_date,updated_at",
}
PATH_RE = re.compile(r"raw/(?P<dataset>[a-z_]+)/dt=(?P<dt>\d{4}-\d{2}-\d{2})/part-\d{4}\.(?P<ext>[a-z]+)")
STREAM_RE = re.compile(
    r"stream/(?:web_events|inventory_cdc)/dt=(?P<dt>\d{4}-\d{2}-\d{2})/batch-(?P<ms>\d{13})-\d{6}\.ndjson"
)
TIMESTAMP_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")
KINDS = (
    "malformed",
    "missing_field",
    "wrong_type",
    "negative_quantity",
    "unknown_fk",
    "duplicate",
    "late",
    "update",
)
# docs/lake.md, "Dirty data": rates per business record (order, sale, customer); malformed pages per page.
DOCUMENTED_RATES = {
    "orders": {
        "malformed": 0.0005,
        "missing_field": 0.0010,
        "wrong_type": 0.0005,
        "negative_quantity": 0.0005,
        "unknown_fk": 0.0010,
        "duplicate": 0.0050,
        "late": 0.0100,
        "update": 0.0500,
    },
    "store_sales": {
        "missing_field": 0.0010,
        "wrong_type": 0.0005,
        "negative_quantity": 0.0005,
        "unknown_fk": 0.0010,
        "duplicate": 0.0050,
        "late": 0.0100,
    },
    "customers": {
        "malformed": 1 / 200,
        "missing_field": 0.0020,
        "wrong_type": 0.0010,
        "duplicate": 0.0050,
        "update": 0.05,
    },
}
ORDER_REQUIRED = ("order_id", "order_ts", "customer_id", "product_id", "quantity", "unit_price")
SALE_REQUIRED = ("sale_id", "sold_at", "product_id", "quantity", "unit_price")


def _country_regions() -> dict[str, str]:
    with (ROOT / "seeds" / "country_regions.csv").open(newline="", encoding="utf-8") as handle:
        return {row["country_code"]: row["region"] for row in csv.DictReader(handle)}


def _files(lake_root: Path, dataset: str) -> list[Path]:
    return sorted((lake_root / "raw" / dataset).glob("dt=*/part-*.*"))


def _arrival(path: Path) -> dt.date:
    return dt.date.fromisoformat(path.parent.name.removeprefix("dt="))


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _parses(text: str, parse: Any) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


@dataclass
class Recount:
    """One dataset as a line-based reader sees it."""

    files: int = 0
    raw_records: int = 0
    defects: Counter[str] = field(default_factory=Counter)
    details: dict[str, int] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)  # parsed, defect-free records


def _csv_rows(path: Path) -> Iterator[tuple[str, list[str]]]:
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == ""
    for line in lines[1:-1]:
        yield line, next(csv.reader([line]))


def _recount_products(lake_root: Path) -> Recount:
    result = Recount()
    for path in _files(lake_root, "products"):
        result.files += 1
        for _, row in _csv_rows(path):
            result.raw_records += 1
            result.rows.append(dict(zip(HEADERS["products"].split(","), row, strict=True)))
    return result


def _recount_simple_csv(lake_root: Path, dataset: str) -> Recount:
    result = Recount()
    for path in _files(lake_root, dataset):
        result.files += 1
        for _, row in _csv_rows(path):
            result.raw_records += 1
            result.rows.append(dict(zip(HEADERS[dataset].split(","), row, strict=True)))
    return result


def _recount_orders(lake_root: Path, customers: int, product_ids: set[int]) -> Recount:
    result = Recount()
    seen: set[str] = set()
    versions: dict[int, set[str]] = defaultdict(set)
    for path in _files(lake_root, "orders"):
        result.files += 1
        for line in path.read_text(encoding="utf-8").split("\n")[:-1]:
            result.raw_records += 1
            duplicate = line in seen
            seen.add(line)
            try:
                order = json.loads(line)
            except json.JSONDecodeError:
                result.defects["malformed"] += 1
                continue
            if duplicate:
                result.defects["duplicate"] += 1
            elif any(key not in order for key in ORDER_REQUIRED):
                result.defects["missing_field"] += 1
            elif not (
                _is_int(order["quantity"])
                and isinstance(order["unit_price"], (int, float))
                and TIMESTAMP_RE.fullmatch(order["order_ts"])
            ):
                result.defects["wrong_type"] += 1
            elif order["quantity"] <= 0:
                result.defects["negative_quantity"] += 1
            else:
                if not 1 <= order["customer_id"] <= customers or order["product_id"] not in product_ids:
                    result.defects["unknown_fk"] += 1
                if _arrival(path) > dt.date.fromisoformat(order["updated_at"][:10]):
                    result.defects["late"] += 1
                versions[order["order_id"]].add(order["updated_at"])
                result.rows.append({**order, "_dt": _arrival(path)})
    result.defects["update"] = sum(len(v) - 1 for v in versions.values())
    return result


def _recount_store_sales(lake_root: Path, product_ids: set[int], store_ids: set[int]) -> Recount:
    result = Recount()
    seen: set[str] = set()
    header = HEADERS["store_sales"].split(",")
    for path in _files(lake_root, "store_sales"):
        result.files += 1
        for line, values in _csv_rows(path):
            result.raw_records += 1
            row = dict(zip(header, values, strict=True))
            duplicate = line in seen
            seen.add(line)
            if duplicate:
                result.defects["duplicate"] += 1
            elif any(row[key] == "" for key in SALE_REQUIRED):
                result.defects["missing_field"] += 1
            elif not (_parses(row["quantity"], int) and TIMESTAMP_RE.fullmatch(row["sold_at"])):
                result.defects["wrong_type"] += 1
            elif int(row["quantity"]) <= 0:
                result.defects["negative_quantity"] += 1
            else:
                if int(row["product_id"]) not in product_ids or int(row["store_id"]) not in store_ids:
                    result.defects["unknown_fk"] += 1
                if _arrival(path) > dt.date.fromisoformat(row["sold_at"][:10]):
                    result.defects["late"] += 1
                result.rows.append(row)
    return result


def _recount_customers(lake_root: Path, first_date: dt.date) -> Recount:
    result = Recount()
    seen: set[str] = set()
    pages = malformed = records = 0
    for path in _files(lake_root, "customers"):
        result.files += 1
        pages += 1
        lines = path.read_text(encoding="utf-8").split("\n")
        assert lines[-1] == "" and all(lines[:-1]), f"{path} is not NDJSON (one record per line)"
        assert 0 < len(lines) - 1 <= 500, f"{path}: a page holds 1 to 500 records"
        for line in lines[:-1]:
            records += 1
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                malformed += 1
                continue
            canonical = json.dumps(record, sort_keys=True)
            duplicate = canonical in seen
            seen.add(canonical)
            if duplicate:
                result.defects["duplicate"] += 1
            elif "customer_id" not in record or "email" not in record:
                result.defects["missing_field"] += 1
            elif not _is_int(record["customer_id"]) or not _parses(record["signup_date"], _date):
                result.defects["wrong_type"] += 1
            else:
                if _arrival(path) > first_date:
                    result.defects["update"] += 1
                result.rows.append(record)
    result.defects["malformed"] = malformed
    result.raw_records = records
    result.details = {"pages": pages, "malformed_records": malformed, "records": records}
    return result


Counts = dict[str, Recount]


def recount(lake_root: Path, scale: Scale) -> Counts:
    """Every dataset recounted from the files alone (and the scale's customer count for customer ids)."""
    products = _recount_products(lake_root)
    stores = _recount_simple_csv(lake_root, "stores")
    product_ids = {int(row["product_id"]) for row in products.rows}
    store_ids = {int(row["store_id"]) for row in stores.rows}
    return {
        "orders": _recount_orders(lake_root, scale.customers, product_ids),
        "store_sales": _recount_store_sales(lake_root, product_ids, store_ids),
        "customers": _recount_customers(lake_root, scale.start_date),
        "products": products,
        "stores": stores,
        "campaigns": _recount_simple_csv(lake_root, "campaigns"),
        "channels": _recount_simple_csv(lake_root, "channels"),
        "warehouses": _recount_simple_csv(lake_root, "warehouses"),
    }


def _hashes(lake_root: Path) -> dict[str, str]:
    return {
        str(path.relative_to(lake_root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(lake_root.rglob("*"))
        if path.is_file()
    }


@dataclass(frozen=True)
class Lake:
    root: Path
    scale: Scale
    manifest: Manifest

    @property
    def json(self) -> dict[str, Any]:
        return json.loads((self.root / "_manifest" / "generation.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    root = tmp_path_factory.mktemp("tiny") / "lake"
    return Lake(root, SCALES["tiny"], generate_lake(root, SCALES["tiny"], seed=42))


@pytest.fixture(scope="module")
def moderate(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    root = tmp_path_factory.mktemp("moderate") / "lake"
    scale = parse_scale("50000")
    return Lake(root, scale, generate_lake(root, scale, seed=7))


@pytest.fixture(scope="module")
def moderate_counts(moderate: Lake) -> dict[str, Recount]:
    return recount(moderate.root, moderate.scale)


def test_layout_and_file_format(tiny: Lake) -> None:
    files = [p for p in tiny.root.rglob("*") if p.is_file()]
    assert tiny.root / "_manifest" / "generation.json" in files
    for path in files:
        relative = path.relative_to(tiny.root).as_posix()
        if relative == "_manifest/generation.json":
            continue
        stream = STREAM_RE.fullmatch(relative)
        if stream:
            batch_start = dt.datetime.fromtimestamp(int(stream["ms"]) / 1000, tz=dt.timezone.utc)
            assert batch_start.date().isoformat() == stream["dt"], relative
            continue
        match = PATH_RE.fullmatch(relative)
        assert match, f"unexpected path {relative}"
        assert EXTENSIONS[match["dataset"]] == match["ext"]
        text = path.read_text(encoding="utf-8")
        assert text.endswith("\n") and not text.startswith("\n") and "\n\n" not in text, relative
        if match["ext"] == "csv":
            assert text.split("\n", 1)[0] == HEADERS[match["dataset"]]
    datasets = {p.relative_to(tiny.root / "raw").parts[0] for p in files if "raw" in p.parts}
    assert datasets == set(EXTENSIONS)
    for dataset in ("products", "stores", "campaigns", "channels"):
        assert (tiny.root / "raw" / dataset / f"dt={tiny.scale.start_date}" / "part-0000.csv").exists()


def test_same_scale_and_seed_give_identical_files(tiny: Lake, tmp_path: Path) -> None:
    again = tmp_path / "again"
    generate_lake(again, SCALES["tiny"], seed=42)
    assert _hashes(again) == _hashes(tiny.root)
    other = tmp_path / "other"
    generate_lake(other, SCALES["tiny"], seed=43, datasets=["orders"])
    assert _hashes(other / "raw" / "orders") != _hashes(tiny.root / "raw" / "orders")


def test_rerun_removes_stale_parts(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    generate_lake(root, SCALES["tiny"], seed=42, datasets=["orders", "channels"])
    before = _hashes(root)
    stale = root / "raw" / "orders" / "dt=2000-01-01" / "part-0099.ndjson"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}\n")
    generate_lake(root, SCALES["tiny"], seed=42, datasets=["orders", "channels"])
    assert not stale.exists()
    assert _hashes(root) == before


def test_partial_run_keeps_other_manifest_entries(tmp_path: Path) -> None:
    root = tmp_path / "lake"
    generate_lake(root, SCALES["tiny"], seed=42, datasets=["channels", "stores"])
    manifest = generate_lake(root, SCALES["tiny"], seed=42, datasets=["channels"])
    assert set(manifest.datasets) == {"channels", "stores"}
    manifest = generate_lake(root, SCALES["tiny"], seed=1, datasets=["channels"])
    assert set(manifest.datasets) == {"channels"}


def _assert_manifest_matches(lake: Lake, counted: dict[str, Recount]) -> None:
    written = lake.json
    assert written["seed"] == lake.manifest.seed
    assert written["scale"]["name"] == lake.scale.name and written["scale"]["orders"] == lake.scale.orders
    # The streams are recounted by test_web_events_stream_records_and_defects and test_inventory_stream.py.
    assert set(written["datasets"]) - {"web_events", "inventory_cdc"} == set(counted)
    for dataset, result in counted.items():
        entry = written["datasets"][dataset]
        assert entry["files"] == result.files, dataset
        assert entry["raw_records"] == result.raw_records, dataset
        assert entry["defects"] == {kind: result.defects.get(kind, 0) for kind in KINDS}, dataset
        for key, value in result.details.items():
            assert entry[key] == value, (dataset, key)


def test_manifest_counts_match_the_files_tiny(tiny: Lake) -> None:
    _assert_manifest_matches(tiny, recount(tiny.root, tiny.scale))


@pytest.mark.slow
def test_manifest_counts_match_the_files_moderate(moderate: Lake, moderate_counts: Counts) -> None:
    _assert_manifest_matches(moderate, moderate_counts)


def test_every_defect_occurs_at_tiny(tiny: Lake) -> None:
    counted = recount(tiny.root, tiny.scale)
    for dataset, rates in DOCUMENTED_RATES.items():
        for kind in rates:
            assert counted[dataset].defects[kind] >= 1, f"{dataset} has no {kind}"
    delta = tiny.root / "raw" / "products" / f"dt={tiny.scale.mid_date}" / "part-0000.csv"
    assert len(delta.read_text(encoding="utf-8").splitlines()) >= 2, "no product delta export"


@pytest.mark.slow
def test_defect_rates_match_the_documented_rates(moderate: Lake, moderate_counts: Counts) -> None:
    counted = moderate_counts
    base = {
        "orders": moderate.scale.orders,
        "store_sales": moderate.scale.store_sales,
        "customers": moderate.scale.customers,
    }
    for dataset, rates in DOCUMENTED_RATES.items():
        for kind, rate in rates.items():
            n = (
                counted["customers"].details["pages"]
                if (dataset, kind) == ("customers", "malformed")
                else base[dataset]
            )
            expected = rate * n
            observed = counted[dataset].defects[kind]
            # Poisson noise (4 sigma), plus the one record per kind forced at every scale.
            tolerance = 4 * math.sqrt(expected) + 1
            assert abs(observed - expected) <= tolerance, (dataset, kind, observed, expected)


@pytest.mark.slow
def test_data_is_plausible(moderate: Lake, moderate_counts: Counts) -> None:
    counted = moderate_counts
    regions = _country_regions()
    orders = counted["orders"].rows
    assert len({o["order_id"] for o in orders}) >= 0.99 * moderate.scale.orders
    assert all(regions[o["country_code"]] == o["region"] for o in orders)
    assert {o["channel"] for o in orders} == {"web", "mobile_app", "marketplace"}
    assert all(0 <= o["discount"] <= 0.5 and o["unit_price"] > 0 for o in orders)
    statuses = Counter(o["status"] for o in orders)
    assert statuses.most_common(1)[0][0] == "delivered" and set(statuses) <= {
        "placed",
        "shipped",
        "delivered",
        "cancelled",
        "returned",
    }
    no_campaign = sum(o["campaign_id"] is None for o in orders) / len(orders)
    assert 0.55 <= no_campaign <= 0.70
    no_discount = sum(o["discount"] == 0 for o in orders) / len(orders)
    assert no_discount > 0.6
    # Customers and products are skewed: the top 10% of products take far more than 10% of the orders.
    by_product = Counter(o["product_id"] for o in orders)
    top = sum(n for _, n in by_product.most_common(len(by_product) // 10))
    assert top > 0.3 * len(orders)
    # Weekends sell more than weekdays, December more than an average month.
    by_day = Counter(dt.date.fromisoformat(o["order_ts"][:10]) for o in orders)
    weekend = [n for day, n in by_day.items() if day.weekday() >= 5]
    weekday = [n for day, n in by_day.items() if day.weekday() < 5]
    assert sum(weekend) / len(weekend) > 1.1 * sum(weekday) / len(weekday)
    december = [n for day, n in by_day.items() if day.month == 12]
    assert sum(december) / len(december) > 1.3 * sum(by_day.values()) / len(by_day)
    # Every updated order's versions: the later one has a later status.
    by_id: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for order in orders:
        by_id[order["order_id"]].append(order)
    for versions in (v for v in by_id.values() if len({o["updated_at"] for o in v}) > 1):
        first, last = (
            sorted(versions, key=lambda o: o["updated_at"])[0],
            sorted(versions, key=lambda o: o["updated_at"])[-1],
        )
        assert first["status"] in {"placed", "shipped"} and last["status"] != first["status"]
        assert last["_dt"] == dt.date.fromisoformat(last["updated_at"][:10])

    sales = counted["store_sales"].rows
    assert {s["payment_method"] for s in sales} == {"card", "cash", "mobile", "gift_card"}
    assert 0.25 <= sum(s["customer_id"] == "" for s in sales) / len(sales) <= 0.35

    products = counted["products"].rows
    categories = {p["category"] for p in products}
    assert categories <= {c.name for c in vocab.CATEGORIES} and len(categories) == 50
    full = [p for p in products if p["updated_at"][:10] < str(moderate.scale.start_date)]
    delta = [p for p in products if p["updated_at"][:10] >= str(moderate.scale.start_date)]
    assert len(full) == moderate.scale.products
    assert 0.005 <= len(delta) / len(full) <= 0.05  # ~2% of the products change price

    channels = {c["channel_code"]: c["channel_type"] for c in counted["channels"].rows}
    assert channels == {
        "web": "online",
        "mobile_app": "online",
        "marketplace": "online",
        "store": "offline",
        "call_center": "offline",
    }
    for campaign in counted["campaigns"].rows:
        assert campaign["channel_code"] in channels
        assert str(moderate.scale.start_date) <= campaign["start_date"] <= campaign["end_date"]
        assert campaign["end_date"] <= str(moderate.scale.end_date)
    for customer in counted["customers"].rows:
        assert customer["loyalty_tier"] in {"bronze", "silver", "gold", "platinum"}
        assert customer["country_code"] in regions
    for store in counted["stores"].rows:
        assert store["country_code"] in regions


def test_vocabulary_is_safe_to_write_unquoted() -> None:
    assert len(vocab.CATEGORIES) == 50 and len({c.name for c in vocab.CATEGORIES}) == 50
    strings = [c.name for c in vocab.CATEGORIES] + [s for c in vocab.CATEGORIES for s in c.subcategories]
    strings += [b for d in vocab.DEPARTMENTS for b in d.brands]
    strings += [*vocab.FIRST_NAMES, *vocab.LAST_NAMES]
    strings += [city for _, cities in vocab.COUNTRIES.values() for city in cities]
    strings += [theme for month in vocab.CAMPAIGN_THEMES for theme in month]
    assert not [s for s in strings if set(s) & {",", '"', "\\", "\n"}]
    assert set(vocab.COUNTRIES) == set(_country_regions())


def test_scale_parsing() -> None:
    assert parse_scale("tiny") is SCALES["tiny"]
    custom = parse_scale("200_000")
    assert (custom.store_sales, custom.customers, custom.products) == (60_000, 10_000, 2_000)
    assert parse_scale("100000000").products == 100_000
    for bad in ("huge", "0", "-5", "99", "1.5"):
        with pytest.raises(ScaleError):
            parse_scale(bad)
    assert parse_datasets("products, orders") == ("orders", "products")
    with pytest.raises(DatasetError):
        parse_datasets("orders,invoices")


def test_scale_reads_back_from_its_json(tiny: Lake) -> None:
    """What a manifest records as `scale` is the scale it was generated with, read back exactly."""
    for scale in (*SCALES.values(), parse_scale("200_000")):
        assert Scale.from_json(json.loads(json.dumps(scale.to_json()))) == scale
    assert Scale.from_json(tiny.json["scale"]) == tiny.scale
    written = SCALES["tiny"].to_json()
    for broken in ({k: v for k, v in written.items() if k != "orders"}, {**written, "orders": "5000"}, [written]):
        with pytest.raises((KeyError, TypeError, ValueError)):
            Scale.from_json(broken)  # type: ignore[arg-type]


@pytest.fixture
def only_generate(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI with just this subcommand, so these tests do not depend on the other commands' imports."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("warehouse.commands.generate",))


@pytest.mark.usefixtures("only_generate")
def test_cli_generates_tiny(tmp_path: Path) -> None:
    root = tmp_path / "cli-lake"
    args = ["generate", "--scale", "tiny", "--lake-root", str(root), "--datasets", "orders,channels"]
    assert cli.main(args) == 0
    assert (root / "_manifest" / "generation.json").exists()
    assert {p.name for p in (root / "raw").iterdir()} == {"orders", "channels"}


@pytest.mark.usefixtures("only_generate")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "enormous"], "unknown scale 'enormous'"),
        (["--scale", "0"], "between 100 and 100,000,000"),
        (["--datasets", "orders,invoices"], "unknown datasets ['invoices']"),
    ],
)
def test_cli_rejects_bad_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["generate", "--lake-root", str(tmp_path), *args])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "raw").exists()


@pytest.mark.usefixtures("only_generate")
def test_cli_refuses_an_s3_lake_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAREHOUSE_LAKE_ROOT", "s3://bucket/prefix")
    assert cli.main(["generate", "--scale", "tiny"]) == 2


def test_web_events_stream_records_and_defects(tiny: Lake) -> None:
    """Recount the web events stream from its batch files: envelopes, broken payloads, redeliveries."""
    entry = tiny.manifest.datasets["web_events"]
    records: list[dict] = []
    for path in sorted((tiny.root / "stream" / "web_events").glob("dt=*/batch-*.ndjson")):
        records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == entry.raw_records
    assert {"approximate_arrival_timestamp", "partition_key", "shard_id", "sequence_number", "data"} <= set(records[0])
    payloads = []
    malformed = 0
    for record in records:
        try:
            payloads.append(json.loads(record["data"]))
        except json.JSONDecodeError:
            malformed += 1
    assert malformed == entry.defects["malformed"] >= 1
    assert sum(1 for p in payloads if p.get("event_id") is None) == entry.defects["missing_field"] >= 1
    ids = Counter(p["event_id"] for p in payloads if p.get("event_id"))
    assert sum(n - 1 for n in ids.values()) == entry.defects["duplicate"] >= 1
    assert len({(r["shard_id"], r["sequence_number"]) for r in records}) == len(records)


def _assert_new_orders_match_the_catalog(lake: Path, batch: AppendBatch) -> None:
    """A new order's category is its product's in the lake's catalog (so it was drawn with the lake's seed)."""
    categories: dict[int, str] = {}
    for path in sorted((lake / "raw" / "products").glob("dt=*/*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            categories.update({int(row["product_id"]): row["category"] for row in csv.DictReader(handle)})
    checked = 0
    for path in batch.paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                order = json.loads(line)
            except ValueError:
                continue  # a malformed-record defect
            product = order.get("product_id") if isinstance(order, dict) else None
            if isinstance(product, int) and product in categories and isinstance(order.get("category"), str):
                assert order["category"] == categories[product], order
                checked += 1
    assert checked > batch.orders // 2


def _stream_payloads(lake: Path, paths: Iterable[Path] | None = None) -> list[dict[str, Any]]:
    """The inventory change events' payloads that parse, of the given micro-batch files (default: all)."""
    payloads = []
    for path in paths if paths is not None else sorted((lake / "stream" / "inventory_cdc").glob("dt=*/*.ndjson")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                payload = json.loads(json.loads(line)["data"])
            except ValueError:
                continue  # a malformed-record defect
            if isinstance(payload, dict) and isinstance(payload.get("seq"), int):
                payloads.append(payload)
    return payloads


def test_appended_orders_agree_with_the_lake_catalog(tiny: Lake, tmp_path: Path) -> None:
    """An append draws with the lake's seed: a new order's category is its product's in the lake's catalog;
    and the same lake gives the same files."""
    lake, again = tmp_path / "lake", tmp_path / "again"
    shutil.copytree(tiny.root, lake)
    shutil.copytree(tiny.root, again)
    batch = generate_orders_append(lake, fraction=0.05)
    _assert_new_orders_match_the_catalog(lake, batch)
    assert batch.paths and _hashes(again) != _hashes(lake)
    generate_orders_append(again, fraction=0.05)
    assert _hashes(again) == _hashes(lake)


def test_appends_draw_with_the_scale_and_seed_the_lake_manifest_records(tmp_path: Path) -> None:
    """No scale or seed is passed: on a lake of another scale and seed than tiny's (1,000 orders, seed 43) the
    orders append is sized and numbered by that scale and agrees with that lake's catalog, and the inventory
    append's events continue that lake's positions."""
    scale = parse_scale("1000")
    lake = tmp_path / "lake"
    generate_lake(lake, scale, seed=43, show_progress=False)
    stream_before = _stream_payloads(lake)

    batch = generate_orders_append(lake, fraction=0.05)
    assert batch.orders == round(scale.orders * 0.05) == 50
    new_ids: set[int] = set()
    for path in batch.paths:
        if path.name == f"part-{APPEND_PART_BASE:04d}.ndjson":  # new orders (the other part: new versions)
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    order_id = json.loads(line).get("order_id")
                except (ValueError, AttributeError):
                    continue
                if isinstance(order_id, int):
                    new_ids.add(order_id)
    # ids right after the lake's 1,000 orders (a tiny scale would have numbered them from 5,001)
    assert len(new_ids) > batch.orders // 2 and new_ids <= set(range(scale.orders + 1, scale.orders + batch.orders + 1))
    _assert_new_orders_match_the_catalog(lake, batch)

    inventory = generate_inventory_append(lake, days=1)
    last_seq: dict[tuple[Any, Any], int] = {}
    for payload in stream_before:
        key = (payload.get("warehouse_id"), payload.get("sku"))
        last_seq[key] = max(last_seq.get(key, 0), payload["seq"])
    events = _stream_payloads(lake, inventory.paths)
    assert len(events) == inventory.events > 0
    for event in events:  # drawn with another seed, the positions and their sequences would not be the lake's
        key = (event["warehouse_id"], event["sku"])
        assert key in last_seq and event["seq"] > last_seq[key], event


def test_appends_need_the_scale_and_seed_in_the_lake_manifest(tiny: Lake, tmp_path: Path) -> None:
    """A lake without a manifest, or whose manifest lacks the scale or the seed, gets a GenerateError naming
    the manifest file, and nothing is written."""
    lake = tmp_path / "lake"
    shutil.copytree(tiny.root, lake)
    manifest = lake / "_manifest" / "generation.json"
    written = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.unlink()
    broken: list[tuple[dict[str, Any] | None, str]] = [
        (None, "cannot read the lake manifest"),
        ({k: v for k, v in written.items() if k != "seed"}, "records no seed"),
        ({k: v for k, v in written.items() if k not in ("scale", "seed")}, "records no scale and no seed"),
        ({**written, "seed": "42"}, "not an integer"),
        ({**written, "scale": {k: v for k, v in written["scale"].items() if k != "orders"}}, "no usable scale"),
    ]
    for content, says in broken:
        if content is not None:
            manifest.write_text(json.dumps(content), encoding="utf-8")
        before = _hashes(lake)
        with pytest.raises(GenerateError, match=re.escape(str(manifest))) as orders_error:
            generate_orders_append(lake, fraction=0.05)
        with pytest.raises(GenerateError, match=re.escape(str(manifest))) as inventory_error:
            generate_inventory_append(lake, days=1)
        assert says in str(orders_error.value) and says in str(inventory_error.value)
        assert _hashes(lake) == before
