"""The product catalog in PostgreSQL (seed 001): read live by DuckDB, loaded from the lake's exports."""
