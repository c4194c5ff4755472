"""The product catalog in PostgreSQL (requirement CAT-POSTGRES): read live by DuckDB, loaded from the lake's exports."""
