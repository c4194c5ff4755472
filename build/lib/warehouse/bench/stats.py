"""Timings repeated K times, reported as min / median / max."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Timing:
    """Seconds of each run, and their min / median / max."""

    runs: tuple[float, ...]

    @property
    def min(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return float(statistics.median(self.runs))

    @property
    def max(self) -> float:
        return max(self.runs)

    def to_json(self) -> dict[str, Any]:
        return {"min": self.min, "median": self.median, "max": self.max, "runs": list(self.runs)}

    def text(self) -> str:
        if len(self.runs) == 1:
            return seconds(self.runs[0])
        return f"{seconds(self.median)} ({seconds(self.min)} to {seconds(self.max)}, n={len(self.runs)})"


def seconds(value: float) -> str:
    if value < 0.001:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


LONG_RUN_SECONDS = 30.0


def timed(function: Callable[[], T], repeat: int, long_run: float = LONG_RUN_SECONDS) -> tuple[Timing, T]:
    """Run `function` up to `repeat` times; the timings and the last result.

    Repeats are for short runs, where noise matters: once a run takes `long_run` seconds or more, it is not
    run again (a 30M-row scan measured once is a figure; measured three times it is most of the benchmark).
    """
    runs: list[float] = []
    result: T | None = None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = function()
        runs.append(time.perf_counter() - started)
        if runs[-1] >= long_run:
            break
    assert result is not None or repeat >= 1
    return Timing(tuple(runs)), result  # type: ignore[return-value]


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, or NaN when the denominator is not positive."""
    return numerator / denominator if denominator > 0 else math.nan
