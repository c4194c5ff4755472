"""Load the product catalog into PostgreSQL from the lake's catalog exports (`warehouse catalog load`).

Production keeps the catalog in PostgreSQL (CAT-POSTGRES); this command gives a local or test catalog database
the same contents: one row per product, its latest exported version, upserted by product_id, so loading
the same exports again changes nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

CREATE_TABLE = """
create table if not exists {table} (
    product_id bigint primary key,
    sku varchar(64),
    product_name varchar(256),
    category varchar(128) not null,
    subcategory varchar(128),
    brand varchar(128),
    unit_cost numeric(12, 2),
    list_price numeric(12, 2) not null,
    is_active boolean not null default true,
    updated_at timestamp not null
)
"""

UPSERT = """
insert into {table} as current
    (product_id, sku, product_name, category, subcategory, brand, unit_cost, list_price, is_active, updated_at)
values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
on conflict (product_id) do update set
    sku = excluded.sku, product_name = excluded.product_name, category = excluded.category,
    subcategory = excluded.subcategory, brand = excluded.brand, unit_cost = excluded.unit_cost,
    list_price = excluded.list_price, is_active = excluded.is_active, updated_at = excluded.updated_at
where excluded.updated_at >= current.updated_at
"""


class CatalogLoadError(RuntimeError):
    """The exports could not be read or loaded; the message says which file or row."""


@dataclass(frozen=True)
class Product:
    product_id: int
    sku: str
    product_name: str
    category: str
    subcategory: str
    brand: str
    unit_cost: Decimal | None
    list_price: Decimal
    is_active: bool
    updated_at: str

    def as_row(self) -> tuple[Any, ...]:
        return (
            self.product_id,
            self.sku,
            self.product_name,
            self.category,
            self.subcategory,
            self.brand,
            self.unit_cost,
            self.list_price,
            self.is_active,
            self.updated_at.replace("T", " ").removesuffix("Z"),
        )


def export_files(lake_root: Path) -> list[Path]:
    files = sorted((lake_root / "raw" / "products").glob("dt=*/part-*.csv"))
    if not files:
        raise CatalogLoadError(f"no catalog exports under {lake_root / 'raw' / 'products'}: run `warehouse generate`")
    return files


def read_exports(files: Iterable[Path]) -> Iterator[Product]:
    """Every well-formed row of the exports, in file order. A malformed row is an error naming it."""
    for path in files:
        with path.open(newline="", encoding="utf-8") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=2):
                try:
                    yield Product(
                        product_id=int(row["product_id"]),
                        sku=row["sku"],
                        product_name=row["product_name"],
                        category=row["category"],
                        subcategory=row["subcategory"],
                        brand=row["brand"],
                        unit_cost=Decimal(row["unit_cost"]) if row["unit_cost"] else None,
                        list_price=Decimal(row["list_price"]),
                        is_active=row["is_active"].strip().lower() != "false",
                        updated_at=row["updated_at"],
                    )
                except (KeyError, ValueError, ArithmeticError) as exc:
                    raise CatalogLoadError(f"{path}:{number}: cannot read the row ({exc})") from exc


def latest_versions(products: Iterable[Product]) -> dict[int, Product]:
    """The latest version of each product (by updated_at; a later export wins a tie)."""
    latest: dict[int, Product] = {}
    for product in products:
        kept = latest.get(product.product_id)
        if kept is None or product.updated_at >= kept.updated_at:
            latest[product.product_id] = product
    return latest


def load_catalog(dsn: str, lake_root: Path, table: str = "public.products") -> int:
    """Create the catalog table if needed and upsert the latest version of every product; returns the count."""
    import psycopg2

    products = latest_versions(read_exports(export_files(lake_root)))
    try:
        with psycopg2.connect(dsn) as connection, connection.cursor() as cursor:
            cursor.execute(CREATE_TABLE.format(table=table))
            cursor.executemany(UPSERT.format(table=table), [p.as_row() for p in products.values()])
    except psycopg2.Error as exc:
        raise CatalogLoadError(f"loading the catalog into PostgreSQL failed: {exc}".strip()) from exc
    return len(products)
