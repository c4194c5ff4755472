"""The PostgreSQL 15 server standing in for Redshift: start it, make a throwaway role and database, connect.

The throwaway database is created from template0 with UTF-8 encoding, `C` collation (Redshift compares
strings byte by byte, so ORDER BY and row_number() tie-breaks sort as on Redshift) and a `C.UTF-8` ctype (so
lower()/upper() still handle non-ASCII letters, as Redshift's do). Every connection runs in UTC with the
shim schema first on the search_path. Creating roles and databases needs the server's superuser: as root
through `runuser -u postgres -- psql` (as tests/python/test_catalog_live.py does), as the `postgres` user
directly; anyone else passes `--dsn` to an existing database instead.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warehouse.config import PROJECT_DIR

START_SCRIPT = PROJECT_DIR / "scripts" / "setup" / "start_postgres.sh"
SEARCH_PATH = "rs_shim, pg_catalog, public"
CLUSTER = ("15", "main")


class PostgresUnavailable(Exception):
    """No PostgreSQL server can be started or reached; the message says why and what to do."""


@dataclass(frozen=True)
class Database:
    """A database to run in: a libpq keyword DSN and the password to use with it (None: from the DSN or
    the environment)."""

    dsn: str
    password: str | None = None
    name: str = ""

    def connect(self, autocommit: bool = True) -> Any:
        import psycopg2

        kwargs: dict[str, Any] = {"password": self.password} if self.password else {}
        connection = psycopg2.connect(self.dsn, **kwargs)
        connection.autocommit = autocommit
        with connection.cursor() as cursor:
            cursor.execute("set timezone = 'UTC'")
            cursor.execute(f"set search_path = {SEARCH_PATH}")
            cursor.execute("set statement_timeout = '300s'")
        return connection


def _run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PostgresUnavailable(f"{' '.join(command)} failed: {(result.stderr or result.stdout).strip()}")
    return result.stdout


def _superuser_psql() -> list[str]:
    """The psql command line that runs as the server's superuser."""
    if shutil.which("psql") is None:
        raise PostgresUnavailable("psql is not installed: apt-get install postgresql-15 (or pass --dsn)")
    if os.geteuid() == 0 and shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    if os.environ.get("USER") == "postgres":
        return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    raise PostgresUnavailable(
        "creating a throwaway database needs the PostgreSQL superuser (run as root or postgres), "
        "or pass --dsn to an existing database"
    )


def _psql(sql: str, database: str = "postgres") -> str:
    return _run([*_superuser_psql(), "-d", database, "-At", "-c", sql])


def start_server(script: Path = START_SCRIPT) -> int:
    """Make sure the local PostgreSQL 15 cluster runs (scripts/setup/start_postgres.sh starts it; installing
    it is left to `make postgres`/CI); its port."""
    if script.is_file():
        env = dict(os.environ, POSTGRES_NO_INSTALL="1")
        result = subprocess.run(["bash", str(script)], capture_output=True, text=True, check=False, env=env)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{script.name} failed: {(result.stderr or result.stdout).strip()}")
    if shutil.which("pg_lsclusters") is None:
        raise PostgresUnavailable("PostgreSQL 15 is not installed (apt-get install postgresql-15)")
    for line in _run(["pg_lsclusters", "--no-header"]).splitlines():
        fields = line.split()
        if len(fields) >= 4 and (fields[0], fields[1]) == CLUSTER:
            if fields[3] != "online":
                raise PostgresUnavailable(f"PostgreSQL cluster {'/'.join(CLUSTER)} is {fields[3]}")
            return int(fields[2])
    raise PostgresUnavailable(f"no PostgreSQL cluster {'/'.join(CLUSTER)} (pg_lsclusters)")


@contextmanager
def throwaway_database(keep: bool = False, prefix: str = "rs_pg") -> Iterator[Database]:
    """A new role and database on the local server, dropped afterwards unless `keep`."""
    port = start_server()
    suffix = secrets.token_hex(4)
    role, name, password = f"{prefix}_{suffix}", f"{prefix}_{suffix}", secrets.token_hex(16)
    _psql(f"create role {role} login password '{password}'")
    try:
        _psql(
            f"create database {name} owner {role} template template0 encoding 'UTF8' lc_collate 'C' lc_ctype 'C.UTF-8'"
        )
    except PostgresUnavailable:
        _psql(f"drop role if exists {role}")
        raise
    try:
        yield Database(f"host=127.0.0.1 port={port} dbname={name} user={role}", password, name)
    finally:
        if not keep:
            _psql(f"drop database if exists {name} with (force)")
            _psql(f"drop role if exists {role}")


@contextmanager
def database_for(dsn: str | None, keep: bool = False) -> Iterator[Database]:
    """The database named by `dsn`, or a throwaway one."""
    if dsn:
        yield Database(dsn, os.environ.get("PGPASSWORD"), dsn)
        return
    with throwaway_database(keep=keep) as database:
        yield database


__all__ = ["SEARCH_PATH", "Database", "PostgresUnavailable", "database_for", "start_server", "throwaway_database"]
