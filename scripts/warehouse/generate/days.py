"""Business days, their seasonal weight, and how many records each day gets.

Records are numbered 0..n-1 in time order: day d owns the numbers [first_i, end_i), so record numbers (and the
ids derived from them) grow with time. Days are grouped in month chunks; a chunk is the unit of work and its
0-based index is the part number of the files it writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from warehouse.generate.scales import Scale


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
    start, end = scale.start_date, scale.end_date
    weekday = " ".join(f"when {i + 1} then {w!r}" for i, w in enumerate(season.weekday))
    month = " ".join(f"when {i + 1} then {w!r}" for i, w in enumerate(season.month))
    con.execute(
        f"""
        create or replace table {table} as
        with days as (
            select day::date as day, (row_number() over (order by day) - 1)::bigint as day_idx
            from range(date '{start}', date '{end}' + interval 1 day, interval 1 day) as t(day)
        ),
        weighted as (
            select
                day,
                ((year(day) - {start.year}) * 12 + month(day) - {start.month})::integer as chunk,
                round(1e6
                    * (case isodow(day) {weekday} end)
                    * (case month(day) {month} end)
                    * (case
                        when month(day) = 11 and isodow(day) = 5 and day(day) between 23 and 29
                            then {season.black_friday!r}
                        when month(day) = 12 and day(day) = 25 then {season.christmas_day!r}
                        else 1.0 end)
                    * (1 + {season.yearly_growth!r} * day_idx / 365.0)
                    * (1 - {season.noise!r} + 2 * {season.noise!r} * rnd(day_idx, '{salt}'))
                )::hugeint as weight
            from days
        ),
        cumulative as (
            select day, chunk, weight, sum(weight) over (order by day) as cum_weight from weighted
        )
        select
            day,
            chunk,
            ({total}::hugeint * (cum_weight - weight) // total_weight)::bigint as first_i,
            ({total}::hugeint * cum_weight // total_weight)::bigint as end_i
        from cumulative, (select sum(weight) as total_weight from weighted)
        order by day
        """
    )
    rows = con.execute(
        f"""
        select chunk, min(day), max(day), sum(end_i - first_i)::bigint
        from {table} group by chunk order by chunk
        """
    ).fetchall()
    return [Chunk(int(c), first, last, int(n)) for c, first, last, n in rows]


def month_count(start: dt.date, end: dt.date) -> int:
    """How many month chunks the business dates start..end make."""
    return (end.year - start.year) * 12 + end.month - start.month + 1
