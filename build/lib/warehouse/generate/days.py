"""Business days, their seasonal weight, and how many records each day gets.

Records are numbered 0..n-1 in time order: day d owns the numbers [first_i, end_i), so record numbers (and the
ids derived from them) grow with time. Days are grouped in month chunks; a chunk is the unit of work and its
0-based index is the part number of the files it writes. The statements are templates in sql/ (`days`,
`day_chunks`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from warehouse.generate.scales import Scale
from warehouse.generate.sql import render


@dataclass(frozen=True)
class Seasonality:
    weekday: tuple[float, float, float, float, float, float, float]  # Monday .. Sunday
    month: tuple[float, ...]  # January .. December
    yearly_growth: float  # relative growth per year
    noise: float  # +/- relative day-to-day noise
    black_friday: float
    christmas_day: float


ONLINE = Seasonality(
    weekday=(0.95, 0.93, 0.95, 0.98, 1.05, 1.22, 1.18),
    month=(0.85, 0.88, 0.95, 0.95, 1.0, 0.97, 0.98, 1.0, 0.97, 1.02, 1.3, 1.6),
    yearly_growth=0.12,
    noise=0.10,
    black_friday=2.5,
    christmas_day=0.7,
)
IN_STORE = Seasonality(
    weekday=(0.85, 0.85, 0.9, 0.95, 1.1, 1.45, 1.0),
    month=(0.85, 0.85, 0.95, 1.0, 1.0, 1.0, 1.05, 1.05, 0.95, 0.95, 1.1, 1.5),
    yearly_growth=0.04,
    noise=0.08,
    black_friday=2.0,
    christmas_day=0.05,
)


@dataclass(frozen=True)
class Chunk:
    index: int
    first_day: dt.date
    last_day: dt.date
    records: int


def create_days(
    con: duckdb.DuckDBPyConnection,
    table: str,
    scale: Scale,
    total: int,
    season: Seasonality,
    salt: str,
) -> list[Chunk]:
    """Create `table(day, chunk, first_i, end_i)`: `total` records over the scale's business dates."""
    con.execute(
        render(
            "days",
            table=table,
            start_date=scale.start_date,
            end_date=scale.end_date,
            weekday_weights=season.weekday,
            month_weights=season.month,
            black_friday=season.black_friday,
            christmas_day=season.christmas_day,
            yearly_growth=season.yearly_growth,
            noise=season.noise,
            salt=salt,
            total=total,
        )
    )
    rows = con.execute(render("day_chunks", table=table)).fetchall()
    return [Chunk(int(c), first, last, int(n)) for c, first, last, n in rows]


def month_count(start: dt.date, end: dt.date) -> int:
    """How many month chunks the business dates start..end make."""
    return (end.year - start.year) * 12 + end.month - start.month + 1
