"""Named scales and the rule that turns a number of online orders into a scale (see docs/lake.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from warehouse.generate.errors import ScaleError

MIN_ORDERS = 100
MAX_ORDERS = 100_000_000  # customers' 4-digit page parts hold at most 10,000 pages of 500 (5% of orders)


@dataclass(frozen=True)
class Scale:
    """How much data to generate, and over which business dates."""

    name: str
    orders: int
    store_sales: int
    customers: int
    products: int
    stores: int
    campaigns: int
    start_date: dt.date
    end_date: dt.date

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def mid_date(self) -> dt.date:
        """The day of the products' delta export, halfway through the business dates."""
        return self.start_date + dt.timedelta(days=self.days // 2)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["start_date"] = self.start_date.isoformat()
        data["end_date"] = self.end_date.isoformat()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Scale:
        """The scale `to_json` wrote (a manifest's `scale`); KeyError, TypeError or ValueError if it is not one."""
        if not isinstance(data, Mapping):
            raise TypeError(f"a scale is a JSON object, not {type(data).__name__}")
        counts = {
            name: data[name] for name in ("orders", "store_sales", "customers", "products", "stores", "campaigns")
        }
        for name, value in counts.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"scale {name} must be an integer, not {value!r}")
        return cls(
            name=str(data["name"]),
            **counts,
            start_date=dt.date.fromisoformat(data["start_date"]),
            end_date=dt.date.fromisoformat(data["end_date"]),
        )


SCALES: dict[str, Scale] = {
    "tiny": Scale("tiny", 5_000, 1_500, 500, 200, 10, 12, dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
    "default": Scale(
        "default", 1_000_000, 300_000, 50_000, 10_000, 100, 60, dt.date(2023, 1, 1), dt.date(2025, 12, 31)
    ),
    "full": Scale(
        "full",
        30_000_000,
        9_000_000,
        1_000_000,
        100_000,
        500,
        240,
        dt.date(2014, 1, 1),
        dt.date(2025, 12, 31),
    ),
}


def scale_for_orders(orders: int) -> Scale:
    """A custom scale of `orders` online orders, the other datasets sized like `default`."""
    if not MIN_ORDERS <= orders <= MAX_ORDERS:
        raise ScaleError(
            f"--scale {orders}: a number of online orders must be between {MIN_ORDERS:,} and {MAX_ORDERS:,}"
        )
    base = SCALES["default"]
    return Scale(
        name=str(orders),
        orders=orders,
        store_sales=max(50, round(orders * 0.30)),
        customers=max(50, round(orders * 0.05)),
        products=max(50, min(100_000, round(orders * 0.01))),
        stores=base.stores,
        campaigns=base.campaigns,
        start_date=base.start_date,
        end_date=base.end_date,
    )


def parse_scale(text: str) -> Scale:
    """`tiny`, `default`, `full`, or a positive number of online orders (underscores allowed)."""
    value = text.strip().lower()
    if value in SCALES:
        return SCALES[value]
    try:
        orders = int(value.replace("_", ""))
    except ValueError:
        raise ScaleError(
            f"unknown scale {text!r}: use one of {', '.join(SCALES)} or a number of online orders"
        ) from None
    return scale_for_orders(orders)
