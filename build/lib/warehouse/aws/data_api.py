"""Run SQL on Redshift through the Data API: submit, poll with backoff, page through results.

- `execute(sql)` runs one statement; `batch(sqls)` runs several in one transaction (one session).
- Polling backs off from 0.25 s to 5 s; past the time limit the statement is cancelled.
- A serializable isolation violation (error 1023) aborts the whole transaction, so running it again is
  safe: it is retried a bounded number of times with backoff, then raised as SerializationConflictError.
- Failures carry Redshift's own error text and the query id for the system tables.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from warehouse import log
from warehouse.aws.errors import (
    DataApiError,
    SerializationConflictError,
    StatementAbortedError,
    StatementFailedError,
    StatementTimeoutError,
)
from warehouse.aws.settings import DataApiSettings, RedshiftTarget

logger = log.get("aws.data_api")

RUNNING = frozenset({"SUBMITTED", "PICKED", "STARTED"})
_CONFLICT = re.compile(r"\b1023\b|serializable isolation violation", re.IGNORECASE)
SqlParameters = Mapping[str, str | int | float]


def is_serialization_conflict(message: str) -> bool:
    return bool(_CONFLICT.search(message or ""))


@dataclass(frozen=True)
class StatementResult:
    """One finished statement: its rows (if it returned any) and what Redshift reported about it."""

    statement_id: str
    sql: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    rows_affected: int = -1
    query_id: int | None = None
    duration_seconds: float = 0.0
    attempts: int = 1

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows and self.rows[0] else None


@dataclass
class _Waited:
    description: dict[str, Any]
    attempts: int = 1
    seconds: float = 0.0


def field_value(cell: Mapping[str, Any]) -> Any:
    """A Data API Field ({'longValue': 1}, {'isNull': True}, ...) as a Python value."""
    if cell.get("isNull"):
        return None
    for key in ("stringValue", "longValue", "doubleValue", "booleanValue", "blobValue"):
        if key in cell:
            return cell[key]
    return None


def _parameters(parameters: SqlParameters | None) -> list[dict[str, str]] | None:
    if not parameters:
        return None
    return [{"name": name, "value": str(value)} for name, value in parameters.items()]


class DataApiRunner:
    """Runs SQL on one Redshift target. `sleep` and `clock` are injectable so tests run instantly."""

    def __init__(
        self,
        client: Any,
        target: RedshiftTarget,
        settings: DataApiSettings | None = None,
        *,
        statement_name: str = "globalretail-warehouse",
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.target = target
        self.settings = settings or DataApiSettings()
        self.statement_name = statement_name
        self._sleep = sleep
        self._clock = clock

    # --- public -------------------------------------------------------------------------------------

    def execute(self, sql: str, parameters: SqlParameters | None = None) -> StatementResult:
        """Run one statement and return its result (all pages)."""
        request: dict[str, Any] = {"Sql": sql}
        if parameters:
            request["Parameters"] = _parameters(parameters)
        waited = self._run_with_retries("execute_statement", request, sql)
        description = waited.description
        columns, rows = self._fetch(description["Id"]) if description.get("HasResultSet") else ((), ())
        return StatementResult(
            statement_id=description["Id"],
            sql=sql,
            columns=columns,
            rows=rows,
            rows_affected=_int(description.get("ResultRows")),
            query_id=_query_id(description),
            duration_seconds=waited.seconds,
            attempts=waited.attempts,
        )

    def batch(self, sqls: Sequence[str]) -> list[StatementResult]:
        """Run statements in one transaction; one result per statement, in order."""
        if not sqls:
            return []
        waited = self._run_with_retries("batch_execute_statement", {"Sqls": list(sqls)}, "; ".join(sqls))
        results = []
        for index, sub in enumerate(waited.description.get("SubStatements") or []):
            sub_id = sub.get("Id", f"{waited.description['Id']}:{index + 1}")
            columns, rows = self._fetch(sub_id) if sub.get("HasResultSet") else ((), ())
            results.append(
                StatementResult(
                    statement_id=sub_id,
                    sql=sub.get("QueryString", sqls[index] if index < len(sqls) else ""),
                    columns=columns,
                    rows=rows,
                    rows_affected=_int(sub.get("ResultRows")),
                    query_id=_query_id(sub),
                    duration_seconds=waited.seconds,
                    attempts=waited.attempts,
                )
            )
        return results

    # --- submitting and waiting ---------------------------------------------------------------------

    def _run_with_retries(self, operation: str, request: dict[str, Any], sql: str) -> _Waited:
        retries = self.settings.conflict_retries
        for attempt in range(1, retries + 2):
            statement_id = self._submit(operation, request)
            try:
                waited = self._wait(statement_id, sql)
            except StatementFailedError as exc:
                if not is_serialization_conflict(exc.server_message):
                    raise
                if attempt > retries:
                    raise SerializationConflictError(
                        f"serializable isolation violation (error 1023) persisted after {attempt} attempts: "
                        f"{exc.server_message}. Another transaction keeps writing the same tables: see "
                        "docs/operations/serialization-conflicts.md",
                        statement_id=exc.statement_id,
                        server_message=exc.server_message,
                        query_id=exc.query_id,
                    ) from exc
                delay = self.settings.conflict_backoff_seconds * 2 ** (attempt - 1)
                logger.warning(
                    "serialization conflict (1023) on statement %s, attempt %d of %d; retrying in %.1fs",
                    statement_id,
                    attempt,
                    retries + 1,
                    delay,
                )
                self._sleep(delay)
                continue
            waited.attempts = attempt
            return waited
        raise AssertionError("unreachable")  # pragma: no cover

    def _submit(self, operation: str, request: dict[str, Any]) -> str:
        params = {**self.target.request_params(), **request, "StatementName": self.statement_name}
        try:
            response = getattr(self.client, operation)(**params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = error.get("Code", "")
            hint = {
                "ValidationException": " (check REDSHIFT_CLUSTER_ID / REDSHIFT_WORKGROUP, REDSHIFT_DATABASE and "
                "REDSHIFT_USER / REDSHIFT_SECRET_ARN)",
                "AccessDeniedException": " (the caller needs redshift-data:* and redshift:GetClusterCredentials "
                "or redshift-serverless:GetCredentials, or secretsmanager:GetSecretValue on the secret)",
                "ActiveStatementsExceededException": " (too many statements running: wait, or cancel some)",
            }.get(code, "")
            raise DataApiError(
                f"{operation} on {self.target.name} refused: {code} {error.get('Message', '')}{hint}"
            ) from exc
        except BotoCoreError as exc:
            raise DataApiError(f"{operation} on {self.target.name} could not be sent: {exc}") from exc
        statement_id = str(response["Id"])
        logger.debug("submitted %s as %s", operation, statement_id)
        return statement_id

    def _describe(self, statement_id: str) -> dict[str, Any]:
        try:
            return dict(self.client.describe_statement(Id=statement_id))
        except (ClientError, BotoCoreError) as exc:
            raise DataApiError(f"describe_statement {statement_id} failed: {exc}") from exc

    def _wait(self, statement_id: str, sql: str) -> _Waited:
        started = self._clock()
        deadline = started + self.settings.timeout_seconds
        delay = self.settings.poll_initial_seconds
        while True:
            description = self._describe(statement_id)
            status = description.get("Status", "")
            if status == "FINISHED":
                return _Waited(description, seconds=self._clock() - started)
            if status == "FAILED":
                raise self._failure(statement_id, description, sql)
            if status == "ABORTED":
                raise StatementAbortedError(
                    f"statement {statement_id} was cancelled before it finished (by an operator, WLM or a "
                    f"timeout): {_short(sql)}"
                )
            if status not in RUNNING:
                raise DataApiError(f"statement {statement_id} is in unexpected state {status!r}")
            if self._clock() >= deadline:
                self._cancel(statement_id)
                raise StatementTimeoutError(
                    f"statement {statement_id} ran longer than {self.settings.timeout_seconds:.0f}s and was "
                    f"cancelled: {_short(sql)}. Raise REDSHIFT_STATEMENT_TIMEOUT, or look for blocking queries "
                    "with `warehouse ops monitor long-running`",
                    statement_id=statement_id,
                )
            self._sleep(delay)
            delay = min(delay * 2, self.settings.poll_max_seconds)

    def _failure(self, statement_id: str, description: Mapping[str, Any], sql: str) -> StatementFailedError:
        server_message = str(description.get("Error") or "")
        query_id = _query_id(description)
        failed_sql = sql
        for sub in description.get("SubStatements") or []:
            if sub.get("Status") == "FAILED":
                server_message = str(sub.get("Error") or server_message)
                query_id = _query_id(sub) or query_id
                failed_sql = str(sub.get("QueryString") or sql)
                break
        return StatementFailedError(
            f"Redshift rejected statement {statement_id} (query {query_id}): {server_message}\n"
            f"  sql: {_short(failed_sql)}",
            statement_id=statement_id,
            server_message=server_message,
            query_id=query_id,
        )

    def _cancel(self, statement_id: str) -> None:
        try:
            self.client.cancel_statement(Id=statement_id)
            logger.warning("cancelled statement %s", statement_id)
        except (ClientError, BotoCoreError) as exc:  # it may have finished meanwhile
            logger.warning("could not cancel statement %s: %s", statement_id, exc)

    # --- results ------------------------------------------------------------------------------------

    def _fetch(self, statement_id: str) -> tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]]:
        columns: tuple[str, ...] = ()
        rows: list[tuple[Any, ...]] = []
        token: str | None = None
        while True:
            request: dict[str, Any] = {"Id": statement_id}
            if token:
                request["NextToken"] = token
            try:
                page = self.client.get_statement_result(**request)
            except (ClientError, BotoCoreError) as exc:
                raise DataApiError(f"get_statement_result {statement_id} failed: {exc}") from exc
            if not columns:
                columns = tuple(
                    str(meta.get("label") or meta.get("name") or f"column_{i}")
                    for i, meta in enumerate(page.get("ColumnMetadata") or [], start=1)
                )
            rows.extend(tuple(field_value(cell) for cell in record) for record in page.get("Records") or [])
            token = page.get("NextToken")
            if not token:
                return columns, tuple(rows)


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int) else -1


def _query_id(description: Mapping[str, Any]) -> int | None:
    value = description.get("RedshiftQueryId")
    return int(value) if isinstance(value, int) and value > 0 else None


def _short(sql: str, limit: int = 300) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
