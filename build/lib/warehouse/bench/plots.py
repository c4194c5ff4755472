"""The report's plots, PNG via matplotlib (Agg backend, no display needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from warehouse.bench.dbt_phase import BuildMeasure
from warehouse.bench.queries import Comparison
from warehouse.bench.storage import ColumnBytes

LAYER_ORDER = ("seeds", "bronze", "silver", "gold", "snapshots", "tests", "other")


def _pyplot():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def build_plot(
    full: BuildMeasure, incremental: BuildMeasure, floor_seconds: float, orders_floor_seconds: float, path: Path
) -> Path:
    """Node time per layer, full build vs incremental build, with the whole-lake floor (and 4x it), the orders
    floor and the wall times."""
    plt = _pyplot()
    layers = [layer for layer in LAYER_ORDER if full.layer_seconds.get(layer) or incremental.layer_seconds.get(layer)]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    bottoms = [0.0, 0.0]
    for layer in layers:
        values = [full.layer_seconds.get(layer, 0.0), incremental.layer_seconds.get(layer, 0.0)]
        ax.bar(["full build", "incremental (1% new orders, 1 day of inventory)"], values, bottom=bottoms, label=layer)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    ax.axhline(
        floor_seconds, color="black", linestyle="--", linewidth=1, label=f"whole-lake floor {floor_seconds:.1f} s"
    )
    ax.axhline(
        orders_floor_seconds,
        color="grey",
        linestyle="-.",
        linewidth=1,
        label=f"orders floor {orders_floor_seconds:.1f} s",
    )
    ax.axhline(4 * floor_seconds, color="red", linestyle=":", linewidth=1, label="target: 4x the whole-lake floor")
    for x, measure in enumerate((full, incremental)):
        ax.annotate(f"wall {measure.wall_seconds:.1f} s", (x, bottoms[x]), ha="center", va="bottom")
    ax.set_ylabel("seconds (sum of node times per layer)")
    ax.set_title("dbt build time per layer")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def query_plot(comparisons: Sequence[Comparison], path: Path) -> Path:
    """Median time of each window query on the raw lake and on native storage (log scale), with the ratio."""
    plt = _pyplot()
    labels = [c.window.name + (" +filter" if c.window.category else "") for c in comparisons]
    raw = [c.raw.timing.median for c in comparisons]
    native = [c.native.timing.median for c in comparisons]
    xs = list(range(len(comparisons)))
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.38
    ax.bar([x - width / 2 for x in xs], raw, width, label="raw lake (Spectrum analogue)")
    ax.bar([x + width / 2 for x in xs], native, width, label="native gold.fct_sales")
    for x, comparison in zip(xs, comparisons, strict=True):
        ax.annotate(f"{comparison.speedup:.0f}x", (x, comparison.raw.timing.median), ha="center", va="bottom")
    ax.set_yscale("log")
    ax.set_xticks(xs, labels)
    ax.set_ylabel("seconds (median, log scale)")
    ax.set_title("Selective time-filter queries: raw lake vs native storage")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def storage_plot(
    raw_orders_mb: float, orders_native_mb: float, warehouse_mb: float, orders_native_30m_mb: float, path: Path
) -> Path:
    plt = _pyplot()
    labels = [
        "raw orders\nNDJSON",
        "native orders\ntable",
        "whole native\nwarehouse",
        "native orders\nat 30M (linear)",
        "PERF-STORAGE\nRedshift, 30M",
    ]
    values = [raw_orders_mb, orders_native_mb, warehouse_mb, orders_native_30m_mb, 2332.0]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    bars = ax.bar(labels, values, color=["#999", "#1f77b4", "#aec7e8", "#1f77b4", "#d62728"])
    ax.bar_label(bars, [f"{v:,.0f} MB" for v in values], fontsize=8)
    ax.axhline(300, color="red", linestyle=":", linewidth=1, label="target: 300 MB at 30M orders")
    ax.set_ylabel("MB")
    ax.set_title("Storage footprint")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def column_plot(columns: Sequence[ColumnBytes], table: str, path: Path) -> Path:
    """Bytes per order of each column of the orders load table, with what a fixed-width code needs."""
    plt = _pyplot()
    names = [c.name for c in columns][::-1]
    stored = [c.to_json()["bytes_per_row"] for c in columns][::-1]
    needed = [c.bits_needed_per_row / 8 for c in columns][::-1]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(names) + 1.5))
    ax.barh(names, stored, color="#1f77b4", label="stored (DuckDB)")
    ax.scatter(needed, names, color="black", marker="|", s=120, label="fixed-width code for its distinct values")
    ax.set_xlabel("bytes per order")
    ax.set_title(f"{table}: bytes per column")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
