"""`warehouse verify`: offline checks of the warehouse code. `verify redshift` (redshift/) compiles and records
the Redshift build and checks every statement against AWS's documented rules; `verify postgres` (postgres/)
executes the Redshift-compiled project on PostgreSQL 15 and compares it with DuckDB."""
