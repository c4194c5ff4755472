"""The inventory system's warehouse list (INV-WAREHOUSES): a reference export, CSV, under `raw/warehouses/`.

Warehouses sit in North America, Europe and Asia only (INV-WAREHOUSES). The first three are in the United States,
Germany and Japan, so every scale has all three regions; the others draw a country by weight.
`build()` creates the `warehouses` table the inventory stream joins to; `export()` writes the file. Their
statements are templates in sql/ (`warehouses`, `warehouses_export`); the weighted country slots are inserted
from Python, as the lookups are.
"""

from __future__ import annotations

import duckdb

from warehouse.generate.lake_manifest import DatasetManifest
from warehouse.generate.lookups import country_slots
from warehouse.generate.scales import Scale
from warehouse.generate.sql import choice, literal, render
from warehouse.generate.writer import DatasetWriter

DATASET = "warehouses"
HEADER = (
    "warehouse_id,warehouse_code,warehouse_name,country_code,city,warehouse_type,capacity_units,opened_date,updated_at"
)

# Relative weight of each country's warehouse network (North America, Europe, Asia).
COUNTRY_WEIGHTS: dict[str, float] = {
    "US": 30.0,
    "CA": 6.0,
    "GB": 7.0,
    "DE": 8.0,
    "FR": 5.0,
    "NL": 4.0,
    "ES": 3.0,
    "IT": 3.0,
    "PL": 3.0,
    "SE": 2.0,
    "IE": 1.0,
    "JP": 7.0,
    "CN": 8.0,
    "KR": 3.0,
    "IN": 5.0,
    "SG": 2.0,
}
FORCED_COUNTRIES: tuple[str, ...] = ("US", "DE", "JP")
TYPES: tuple[tuple[str, float], ...] = (
    ("'fulfillment_center'", 55),
    ("'distribution_center'", 30),
    ("'cross_dock'", 15),
)
TYPE_ABBREVIATIONS = {"fulfillment_center": "FC", "distribution_center": "DC", "cross_dock": "XD"}

WAREHOUSES_BY_SCALE = {"tiny": 10, "default": 100, "full": 500}


def warehouse_count(scale: Scale) -> int:
    """500 warehouses at full scale (INV-SCALE), 100 at default and for numeric scales, 10 at tiny."""
    return WAREHOUSES_BY_SCALE.get(scale.name, WAREHOUSES_BY_SCALE["default"])


def build(con: duckdb.DuckDBPyConnection, scale: Scale) -> None:
    """Create the `warehouses` table (needs the lookups' `countries` and `cities`)."""
    slots = country_slots(COUNTRY_WEIGHTS)
    values = ", ".join(f"({i}, {literal(code)})" for i, code in enumerate(slots))
    con.execute("create or replace temp table warehouse_country_slots (slot integer, country_code varchar)")
    con.execute(f"insert into warehouse_country_slots values {values}")
    con.execute(
        render(
            "warehouses",
            warehouses=warehouse_count(scale),
            forced_countries=FORCED_COUNTRIES,
            country_slots=len(slots),
            warehouse_type=choice("rnd(w.warehouse_id, 'wh_type')", list(TYPES)),
            type_abbreviations=TYPE_ABBREVIATIONS,
            start_date=scale.start_date,
        )
    )


def export(con: duckdb.DuckDBPyConnection, scale: Scale, writer: DatasetWriter) -> DatasetManifest:
    """One full export on the first business date, `part-0000`; no injected defects."""
    writer.reset()
    row = con.execute(render("warehouses_export")).fetchone()
    assert row is not None
    body, records = row
    writer.write(scale.start_date, 0, body, int(records))
    return DatasetManifest.clean("csv", writer)
