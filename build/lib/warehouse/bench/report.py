"""report.md: the run's figures, targets and plots, written from the same dict as report.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from warehouse.bench.stats import seconds

MB = 1_000_000


def _t(timing: dict[str, Any]) -> str:
    runs = timing.get("runs", [])
    if len(runs) <= 1:
        return seconds(timing["median"])
    return f"{seconds(timing['median'])} ({seconds(timing['min'])} to {seconds(timing['max'])})"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def _provenance_lines(code: dict[str, Any]) -> list[str]:
    """Which code was measured; a run whose project files changed while it ran is marked invalid first."""
    changed = code.get("changed_during_run") or []
    lines = []
    if changed:
        lines += [
            f"**INVALID: {len(changed)} project file(s) changed while this benchmark ran**, so its phases measured "
            "different code: " + ", ".join(f"`{path}`" for path in changed[:20]) + ". Run it again on a tree "
            "nobody edits.",
            "",
        ]
    if code.get("commit"):
        state = " plus uncommitted changes" if code.get("dirty") else ""
        lines += [f"Code: commit `{code['commit'][:12]}`{state}.", ""]
    return lines


def render_markdown(r: dict[str, Any]) -> str:
    meta, scale = r["meta"], r["meta"]["scale"]
    floor, lake, full, inc = r["raw_scan_floor"], r["lake_scan_floor"], r["full_build"], r["incremental_build"]
    storage, export, executive = r["storage"], r["export"], r["executive"]
    out = [
        f"# warehouse bench: scale {scale['name']} ({scale['orders']:,} orders)",
        "",
        f"Started {meta['started_at']}, {meta['duration_seconds']:.0f} s in all; DuckDB {meta['duckdb']}, "
        f"{meta['machine']['cpus']} CPUs, {meta.get('memory_gib', 'n/a')} GiB, DuckDB memory_limit "
        f"{meta.get('duckdb_memory_limit', 'default')}; timings are median (min to max) of up to {meta['repeat']} "
        "runs (a run of 30 s or more is not repeated).",
        "",
        *_provenance_lines(meta.get("code") or {}),
        "## Targets",
        "",
        *_table(
            ["target", "goal", "measured", "verdict", "note"],
            [[t["name"], t["goal"], t["measured"], f"**{t['verdict']}**", t["note"]] for t in r["targets"]],
        ),
        "## 1. Raw scan floors",
        "",
        f"**Whole lake**: every raw dataset the build reads, read once through its own source (the reader bronze "
        f"uses) and counted: **{_t(lake['seconds'])}** for {lake['records']:,} records in "
        f"{lake['bytes'] / MB:,.0f} MB of files (`plans/{lake['plan_file']}`). The full-build target is set "
        "against this floor.",
        "",
        *_table(
            ["dataset", "files", "records", "MB"],
            [
                [f"`{d['dataset']}`", f"`{d['files']}`", f"{d['records']:,}", f"{d['bytes'] / MB:,.1f}"]
                for d in lake["datasets"]
            ],
        ),
        f"**Orders alone**: every raw order line read once (count and sum of lengths): "
        f"**{_t(floor['seconds'])}** for {floor['raw_lines']:,} lines, {floor['bytes_read'] / MB:,.0f} MB read. "
        f"With each line parsed as JSON and one field summed: {_t(floor['parsed']['seconds'])}.",
        "",
        f"**Online orders path** (`{'`, `'.join(r['orders_path']['models'])}`, node time of the full build): "
        f"{seconds(r['orders_path']['seconds'])}, **{r['orders_path']['over_orders_floor']:.1f}x** the orders "
        f"floor. Where the typed model's time goes, on one month of files "
        f"(`{r['orders_path']['typed_model_profile']['files'].rsplit('/raw/', 1)[-1]}`, "
        f"{r['orders_path']['typed_model_profile']['records']:,} records: "
        f"{seconds(r['orders_path']['typed_model_profile']['seconds'])}, "
        f"{r['orders_path']['typed_model_profile']['over_floor']:.1f}x one read of the same files; "
        f"`plans/{r['orders_path']['typed_model_profile']['plan_file']}`):",
        "",
        *_table(
            ["operator (what it computes)", "seconds (summed over threads)"],
            [
                [f"`{o['operator']}`", seconds(o["seconds"])]
                for o in r["orders_path"]["typed_model_profile"]["operators"][:8]
            ],
        ),
        "## 2. Full build",
        "",
        f"`dbt build` from an empty warehouse: **{seconds(full['wall_seconds'])}** wall "
        f"({full['over_lake_scan_floor']:.1f}x the whole-lake floor, {full['over_orders_scan_floor']:.1f}x the "
        f"orders floor), {full['nodes']} nodes, peak RSS "
        f"{full['peak_rss_bytes'] / 1024**3:.2f} GiB.",
        "",
        *_table(
            ["layer", "full build", "incremental build"],
            [
                [layer, seconds(value), seconds(inc["layer_seconds"].get(layer, 0.0))]
                for layer, value in full["layer_seconds"].items()
            ],
        ),
        "Slowest models (full build): "
        + ", ".join(f"`{name}` {seconds(value)}" for name, value in list(full["model_seconds"].items())[:6])
        + ".",
        "",
        "![build time per layer](plots/build_layers.png)",
        "",
        "## 3. Incremental build",
        "",
        f"Append batch {inc['append']['batch']}: {inc['append']['new_orders']:,} new orders and "
        f"{inc['append']['new_versions_of_old_orders']:,} new versions of old orders, {inc['append']['lines']:,} "
        f"lines in {inc['append']['files']} files arriving {inc['append']['first_day']}..{inc['append']['last_day']}; "
        f"{inc['append']['inventory_events']:,} inventory change events in {inc['append']['inventory_files']} "
        f"micro-batches arriving {inc['append']['inventory_day']}.",
        "",
        *_table(
            ["", "full build", "incremental build", "share"],
            [
                [
                    "whole `dbt build` (tests included)",
                    seconds(full["wall_seconds"]),
                    seconds(inc["wall_seconds"]),
                    f"{inc['whole_build_share'] * 100:.1f}%",
                ],
                [
                    "incremental models (" + ", ".join(f"`{m}`" for m in inc["incremental_models"]) + ")",
                    seconds(inc["incremental_models_full_seconds"]),
                    seconds(inc["incremental_model_seconds"]),
                    f"{inc['incremental_models_share'] * 100:.1f}%",
                ],
            ],
        ),
    ]
    kinds = list(dict.fromkeys([*full.get("test_seconds_by_kind", {}), *inc.get("test_seconds_by_kind", {})]))
    out += [
        f"Where the time goes: dbt runs {full.get('threads', 1)} nodes at once; the full build's nodes took "
        f"{seconds(full.get('node_seconds', 0.0))} in all, the incremental build's "
        f"{seconds(inc.get('node_seconds', 0.0))}. Data tests by kind (node time):",
        "",
        *_table(
            ["test kind", "tests", "full build", "incremental build"],
            [
                [
                    f"`{kind}`",
                    inc.get("tests_by_kind", {}).get(kind, full.get("tests_by_kind", {}).get(kind, 0)),
                    seconds(full.get("test_seconds_by_kind", {}).get(kind, 0.0)),
                    seconds(inc.get("test_seconds_by_kind", {}).get(kind, 0.0)),
                ]
                for kind in kinds
            ],
        ),
    ]
    if inc["gold_identical_to_full_refresh"] is not None:
        out += [
            "Gold after the incremental build is "
            + ("**identical**" if inc["gold_identical_to_full_refresh"] else "**NOT identical**")
            + " to gold after a full refresh of the same lake (row counts and content checksums).",
            "",
        ]
    out += [
        "## 4. Raw lake (Spectrum analogue) vs native storage",
        "",
        "The same question (online order lines placed in a window, optionally one category and region) read from "
        "the raw NDJSON through the bronze source, and from `gold.fct_sales`. The raw side reads only the `dt` "
        "partitions from the window's start to 14 days after its end (a late record or a new version arrives up "
        "to 14 days after its order), as Spectrum prunes partitions: `lake_partitions()` passes one glob per day "
        'to the reader, and the plans\' "Total Files Read" shows the files opened. Plans (EXPLAIN ANALYZE) are in '
        "`plans/`.",
        "",
        *_table(
            ["window", "raw lake", "native", "speedup", "raw files read", "rows scanned raw / native", "plans"],
            [
                [
                    f"{c['window']} ({c['start']}..{c['end']})",
                    _t(c["raw"]["seconds"]),
                    _t(c["native"]["seconds"]),
                    f"**{c['speedup']:.0f}x**",
                    f"{c['raw'].get('files_read') or 0:,}",
                    f"{c['raw']['rows_scanned']:,} / {c['native']['rows_scanned']:,}",
                    f"`plans/{c['raw']['plan_file']}`, `plans/{c['native']['plan_file']}`",
                ]
                for c in r["spectrum_vs_native"]
            ],
        ),
        "![raw vs native](plots/spectrum_vs_native.png)",
        "",
        "## 5. Storage footprint",
        "",
        "The 2,332 MB reference (requirement PERF-STORAGE) is the Redshift table 30M raw orders are loaded "
        f"into; its analogue here is `{storage['orders_load_table']}` (every raw order record, typed, the "
        "payload kept only for rejected ones). The whole warehouse (every domain, every layer) is shown too. "
        "Per-table sizes count each used 256 KiB block, a block shared by n tables as 1/n.",
        "",
        *_table(
            ["", "MB", "bytes per order", "at 30M orders (linear), MB"],
            [
                [
                    "raw orders NDJSON",
                    f"{storage['raw_orders_ndjson_bytes'] / MB:,.1f}",
                    f"{storage['raw_orders_bytes_per_order']:,.0f}",
                    "",
                ],
                ["whole raw lake", f"{storage['raw_lake_bytes'] / MB:,.1f}", "", ""],
                [
                    f"**native orders table** (`{storage['orders_load_table']}`)",
                    f"{storage['orders_load_bytes'] / MB:,.1f}",
                    f"{storage['native_bytes_per_order']:,.0f}",
                    f"**{storage['native_mb_at_30m_orders']:,.0f}**",
                ],
                [
                    "native DuckDB, whole warehouse (used blocks)",
                    f"{storage['database_used_bytes'] / MB:,.1f}",
                    f"{storage['warehouse_bytes_per_order']:,.0f}",
                    f"{storage['warehouse_mb_at_30m_orders']:,.0f}",
                ],
                ["native DuckDB file", f"{storage['database_file_bytes'] / MB:,.1f}", "", ""],
                [
                    "PERF-STORAGE reference, Redshift, 30M orders",
                    "",
                    "",
                    f"{storage['seed_000_native_mb_at_30m_orders']:,}",
                ],
            ],
        ),
        f"Bytes per column of `{storage['orders_load_table']}`, next to what a fixed-width code for its distinct "
        "values needs (log2 of the distinct values, plus a bit for nulls; an encoding that uses row order, as "
        "run-length and delta codes do, can go below it): all columns together would take "
        f"**{storage.get('needed_mb_at_30m_orders', 0):,.0f} MB** at 30M orders with such a code.",
        "",
        *_table(
            ["column", "bytes per order", "fixed-width need", "distinct values", "DuckDB compression"],
            [
                [
                    f"`{c['column']}`",
                    f"{c['bytes_per_row']:.2f}",
                    f"{c['bytes_per_row_needed']:.2f}",
                    f"{c['distinct_values']:,}",
                    ", ".join(c["compressions"]),
                ]
                for c in storage.get("orders_load_columns", [])
            ],
        ),
        "Largest tables: "
        + ", ".join(f"`{name}` {size / MB:,.1f} MB" for name, size in list(storage["table_bytes"].items())[:8])
        + ".",
        "",
        "![storage](plots/storage.png)",
        "",
        "![bytes per column](plots/storage_columns.png)",
        "",
        "## 6. Daily export (UNLOAD equivalent)",
        "",
        f"`gold.agg_daily_revenue` to Parquet partitioned by revenue_flag ({', '.join(export['partitions'])}): "
        f"**{export['rows']:,} rows** in {export['files']} files, {_t(export['seconds'])}.",
        "",
        "## 7. Executive YoY inventory query (INV-EXECUTIVE-YOY)",
        "",
    ]
    if executive["available"]:
        out += [
            f"{executive['note']}: from gold {_t(executive['from_gold']['seconds'])}, from history "
            f"{_t(executive['from_history']['seconds'])}: **{executive['speedup']:.0f}x**.",
            "",
        ]
    else:
        out += [f"{executive['note']}.", ""]
    return "\n".join(out)


def write_markdown(results: dict[str, Any], path: Path) -> Path:
    path.write_text(render_markdown(results), encoding="utf-8")
    return path
