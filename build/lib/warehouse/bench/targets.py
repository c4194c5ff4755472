"""The issue's targets at full scale (30M orders), each checked against what a run measured."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

GIB = 1024**3
MB = 1_000_000
FULL_ORDERS = 30_000_000
SEED_000_NATIVE_MB = 2332  # PERF-STORAGE's reference: Redshift native storage for 30M orders


@dataclass(frozen=True)
class Target:
    name: str
    goal: str
    measured: str
    passed: bool | None  # None: not measurable in this run
    note: str = ""

    @property
    def verdict(self) -> str:
        return "n/a" if self.passed is None else ("PASS" if self.passed else "MISS")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "goal": self.goal,
            "measured": self.measured,
            "verdict": self.verdict,
            "note": self.note,
        }


def at_most(value: float, limit: float) -> bool | None:
    return None if math.isnan(value) else value <= limit


def at_least(value: float, limit: float) -> bool | None:
    return None if math.isnan(value) else value >= limit


def check(
    *,
    full_over_floor: float,
    orders_path_over_floor: float,
    peak_rss_bytes: int,
    incremental_models_share: float,
    incremental_build_share: float,
    one_day_speedup: float,
    native_mb_at_30m: float,
    executive_speedup: float,
    executive_note: str,
    scale_note: str,
) -> list[Target]:
    return [
        Target(
            "full build vs the whole-lake floor (every raw dataset read once)",
            "<= 4x",
            f"{full_over_floor:.1f}x",
            at_most(full_over_floor, 4),
            scale_note,
        ),
        Target(
            "online orders path (typed bronze + deduplication) vs one read of the orders files",
            "<= 3x",
            f"{orders_path_over_floor:.1f}x",
            at_most(orders_path_over_floor, 3),
            scale_note,
        ),
        Target(
            "peak memory of the full build (RSS)",
            "<= 6 GiB",
            f"{peak_rss_bytes / GIB:.2f} GiB",
            at_most(peak_rss_bytes / GIB, 6),
            scale_note,
        ),
        Target(
            "incremental models, 1% new orders, vs their full-refresh time",
            "<= 5%",
            f"{incremental_models_share * 100:.1f}%",
            at_most(incremental_models_share, 0.05),
            scale_note,
        ),
        Target(
            "whole incremental dbt build (tests included) vs full build",
            "<= 25%",
            f"{incremental_build_share * 100:.1f}%",
            at_most(incremental_build_share, 0.25),
            scale_note,
        ),
        Target(
            "native vs raw lake, one-day query",
            ">= 100x faster",
            f"{one_day_speedup:.0f}x",
            at_least(one_day_speedup, 100),
            scale_note,
        ),
        Target(
            "native storage of 30M orders (the table they are loaded into)",
            "<= 300 MB",
            f"{native_mb_at_30m:,.0f} MB",
            at_most(native_mb_at_30m, 300),
            scale_note if "full" in scale_note else f"extrapolated linearly from {scale_note}",
        ),
        Target(
            "executive YoY from gold vs from history",
            ">= 100x faster",
            "n/a" if math.isnan(executive_speedup) else f"{executive_speedup:.0f}x",
            at_least(executive_speedup, 100),
            executive_note,
        ),
    ]
