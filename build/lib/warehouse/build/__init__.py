"""The pieces behind `warehouse build`: run dbt in-process, follow its events, summarize what it built.

- `dbt_runner`: the dbt command line and the in-process `dbtRunner` calls (build, run-operation, show).
- `progress`: the callback on dbt's structured events (progress bar, failures as they happen, artifacts).
- `duckdb_counts`: row and rejection counts read from the DuckDB file, and the lock check.
- `manifest`: a node's layer, a quarantine model's source and what a test tests, from `manifest.json`.
- `summary`: pure functions from `manifest.json` / `run_results.json` dicts to frozen dataclasses.
- `render`: the summary as rich tables and as JSON.
"""
