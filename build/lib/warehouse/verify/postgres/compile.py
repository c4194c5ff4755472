"""The redshift compile for execution: offline, but with compile-time constant queries answered by PostgreSQL.

`warehouse verify redshift` compiles with the adapter patched so nothing reaches a cluster, and answers a
constant query (a `select` without `from`) with no rows. That is enough to check SQL shape, but not to run
it: `dbt.date_spine` asks `select datediff(day, start, end)` to size its number generator, and with no row
it falls back to one interval, so dim_date would have one row. Here the same patch is used, except that a
constant query is rewritten (rewrite.py) and answered by the PostgreSQL database with the shim functions,
as Redshift would answer it. A query that reads a table still fails, as in the offline verification.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from warehouse import log
from warehouse.verify.postgres import rewrite
from warehouse.verify.redshift.dbt_offline import is_constant_query, offline_environment, offline_redshift_adapter
from warehouse.verify.redshift.errors import DbtStepError, OfflineConnectionError

_log = log.get("verify.postgres")


@contextmanager
def constant_queries_on(connection: Any, target_database: str | None) -> Iterator[list[str]]:
    """Patch the Redshift adapter's execute so constant queries run on `connection`; yields the queries
    answered."""
    from dbt.adapters.contracts.connection import AdapterResponse
    from dbt.adapters.redshift.impl import RedshiftAdapter
    from dbt_common.clients.agate_helper import table_from_rows

    answered: list[str] = []

    def execute(
        self: Any, sql: str, auto_begin: bool = False, fetch: bool = False, limit: int | None = None
    ) -> tuple[Any, Any]:
        if not is_constant_query(sql):
            raise OfflineConnectionError(f"a compile-time query needs the database: {sql.strip()[:120]}")
        text, _ = rewrite.rewrite(sql.strip().rstrip(";"), target_database)
        with connection.cursor() as cursor:
            cursor.execute(text)
            rows = cursor.fetchall() if cursor.description else []
            names = [column.name for column in cursor.description or []]
        connection.rollback()
        answered.append(sql.strip().splitlines()[0][:120] if sql.strip() else "")
        _log.debug("compile-time query answered by PostgreSQL: %s -> %s", text.strip()[:80], rows[:1])
        return AdapterResponse(_message="SELECT"), table_from_rows([list(r) for r in rows], names)

    with mock.patch.object(RedshiftAdapter, "execute", execute):
        yield answered


def compile_with_postgres(
    project_dir: Path, target_path: Path, connection: Any, target_database: str | None = None
) -> list[str]:
    """`dbt parse` + `dbt compile --target redshift` (first build only) into `target_path`; node
    compile failures are logged (they surface again as nodes without compiled SQL). The constant queries
    PostgreSQL answered are returned."""
    from dbt.cli.main import dbtRunner

    common = [
        *("--project-dir", str(project_dir), "--profiles-dir", str(project_dir)),
        *("--target", "redshift", "--target-path", str(target_path), "--log-path", str(target_path / "logs")),
        "--quiet",
    ]
    with offline_environment():
        parsed = dbtRunner().invoke(["parse", *common])
        if parsed.exception is not None or not parsed.success or parsed.result is None:
            raise DbtStepError("parse", str(parsed.exception or "see the dbt output above"))
        args = ["compile", *common, "--no-introspect", "--no-populate-cache"]
        with offline_redshift_adapter(False), constant_queries_on(connection, target_database) as answered:
            compiled = dbtRunner(manifest=parsed.result).invoke(args)
        if compiled.exception is not None:
            _log.warning("dbt compile stopped: %s", str(compiled.exception).strip().splitlines()[0])
        for result in getattr(compiled.result, "results", None) or []:
            if str(getattr(result, "status", "")) in {"error", "fail"}:
                _log.warning("compile: %s: %s", result.node.unique_id, str(result.message).strip()[:200])
    return answered


__all__ = ["compile_with_postgres", "constant_queries_on"]
