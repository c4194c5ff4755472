"""The Redshift-compiled project executed on a real PostgreSQL 15 server, compared with the DuckDB build.

`warehouse verify postgres` (check.py). PostgreSQL stands in for Redshift: a shim schema (shim.sql)
provides the Redshift functions PostgreSQL lacks, small token-level rewrites (rewrite.py) cover Redshift
syntax, the bronze sources are tables loaded from the lake the way Spectrum and Kinesis streaming ingestion
return it (sources.py, spectrum_reader.py), the manifest's nodes run in DAG order (plan.py, execute.py), and
gold and the quarantine models are compared row for row with DuckDB's (compare.py). docs/redshift.md, "Executed on
PostgreSQL", lists what cannot execute here and what checks it instead.
"""

from __future__ import annotations
