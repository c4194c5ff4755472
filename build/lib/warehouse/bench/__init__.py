"""`warehouse bench`: the warehouse measured at the required scale (PERF-SCALE, docs/benchmarks.md).

Modules: `stats` (repeated timings), `memory` (peak RSS), `dbt_phase` (a timed `dbt build` and its
run_results), `queries` (raw-scan floor, Spectrum-vs-native, export, executive YoY), `targets`, `report`
(report.json, report.md) and `plots`, `phases` (the whole run); its command line is commands/bench.py.
"""
