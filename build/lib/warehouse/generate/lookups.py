"""Small lookup tables in DuckDB: countries (from the dbt seed), cities, categories, brands, names."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import duckdb

from warehouse.config import PROJECT_DIR
from warehouse.generate import vocab
from warehouse.generate.errors import ReferenceDataError
from warehouse.generate.sql import literal

COUNTRY_SEED = PROJECT_DIR / "seeds" / "country_regions.csv"
COUNTRY_SLOTS = 1000


def read_country_regions(path: Path = COUNTRY_SEED) -> dict[str, str]:
    """country_code -> region, from the dbt seed, checked against the generator's country list."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            regions = {row["country_code"]: row["region"] for row in csv.DictReader(handle)}
    except (OSError, KeyError) as exc:
        raise ReferenceDataError(f"cannot read country_code,region from {path}: {exc}") from exc
    missing = sorted(set(vocab.COUNTRIES) - set(regions))
    extra = sorted(set(regions) - set(vocab.COUNTRIES))
    if missing or extra:
        raise ReferenceDataError(
            f"{path} and warehouse/generate/vocab.py disagree on countries: "
            f"not in the seed {missing}, not in vocab.COUNTRIES {extra}; add weights and cities to vocab.py"
        )
    return regions


def country_slots(weights: dict[str, float], slots: int = COUNTRY_SLOTS) -> list[str]:
    """`slots` country codes in proportion to `weights` (largest remainder), for an equi-join pick."""
    total = sum(weights.values())
    exact = {code: slots * weight / total for code, weight in weights.items()}
    counts = {code: int(value) for code, value in exact.items()}
    by_remainder = sorted(exact, key=lambda code: (counts[code] - exact[code], code))
    for code in by_remainder[: slots - sum(counts.values())]:
        counts[code] += 1
    return [code for code in weights for _ in range(counts[code])]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: Sequence[tuple[object, ...]]) -> None:
    """Insert rows in one statement (DuckDB's executemany costs milliseconds per row)."""

    def value(v: object) -> str:
        if isinstance(v, str):
            return literal(v)
        if isinstance(v, (int, float)):
            return repr(v)
        raise TypeError(f"unsupported lookup value {v!r}")

    values = ", ".join("(" + ", ".join(value(v) for v in row) + ")" for row in rows)
    con.execute(f"insert into {table} values {values}")


def load(con: duckdb.DuckDBPyConnection, regions: dict[str, str]) -> None:
    """Create the lookup tables the dataset generators join to."""
    con.execute("create table countries (country_code varchar, region varchar, n_cities integer)")
    _insert(
        con,
        "countries",
        [(code, regions[code], len(cities)) for code, (_, cities) in vocab.COUNTRIES.items()],
    )
    con.execute("create table country_slots (slot integer, country_code varchar)")
    weights = {code: weight for code, (weight, _) in vocab.COUNTRIES.items()}
    _insert(con, "country_slots", list(enumerate(country_slots(weights))))
    con.execute("create table cities (country_code varchar, city_idx integer, city varchar)")
    _insert(
        con,
        "cities",
        [(code, i, city) for code, (_, cities) in vocab.COUNTRIES.items() for i, city in enumerate(cities)],
    )
    con.execute(
        "create table categories (category_idx integer, category varchar, department varchar, "
        "min_price double, max_price double)"
    )
    _insert(
        con,
        "categories",
        [(i, c.name, c.department, c.min_price, c.max_price) for i, c in enumerate(vocab.CATEGORIES)],
    )
    con.execute("create table subcategories (category_idx integer, sub_idx integer, subcategory varchar)")
    _insert(
        con,
        "subcategories",
        [(i, j, sub) for i, c in enumerate(vocab.CATEGORIES) for j, sub in enumerate(c.subcategories)],
    )
    con.execute("create table brands (category_idx integer, brand_idx integer, brand varchar)")
    _insert(con, "brands", _category_brands())
    for table, names in (("first_names", vocab.FIRST_NAMES), ("last_names", vocab.LAST_NAMES)):
        con.execute(f"create table {table} (idx integer, name varchar)")
        _insert(con, table, list(enumerate(names)))


def _category_brands() -> list[tuple[int, int, str]]:
    """Each category sells BRANDS_PER_CATEGORY of its department's brands."""
    rows: list[tuple[int, int, str]] = []
    category_idx = 0
    for department in vocab.DEPARTMENTS:
        brands = department.brands
        for position in range(len(department.categories)):
            for b in range(vocab.BRANDS_PER_CATEGORY):
                rows.append((category_idx, b, brands[(position + 2 * b) % len(brands)]))
            category_idx += 1
    return rows
