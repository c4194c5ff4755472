"""Shared helpers of the AWS tests: dummy credentials, moto's redshift-data, a fake Data API runner."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from warehouse.aws.data_api import StatementResult
from warehouse.aws.settings import RedshiftTarget

REGION = "us-east-1"
ACCOUNT = "123456789012"

# Dummy credentials only: tests never read credentials from the repository or the machine.
DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
}
CLEARED_ENV = (
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "WAREHOUSE_LAKE_ROOT",
    "WAREHOUSE_S3_LAKE_ROOT",
    "WAREHOUSE_EXPORT_ROOT",
    "WAREHOUSE_DUCKDB_S3",
    "REDSHIFT_CLUSTER_ID",
    "REDSHIFT_WORKGROUP",
    "REDSHIFT_USER",
    "REDSHIFT_DB_USER",
    "REDSHIFT_SECRET_ARN",
    "REDSHIFT_SPECTRUM_ROLE_ARN",
    "REDSHIFT_COPY_UNLOAD_ROLE_ARN",
    "WAREHOUSE_KMS_KEY_ID",
    "GLUE_DATABASE",
    "GLUE_EXPORT_DATABASE",
)


def set_dummy_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in DUMMY_ENV.items():
        monkeypatch.setenv(name, value)


def finish_moto_statements(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's redshift-data leaves every statement STARTED forever; make them finish at once."""
    from moto.redshiftdata import models

    original = models.Statement.__init__

    def finished(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.status = "FINISHED"

    monkeypatch.setattr(models.Statement, "__init__", finished)


def moto_statements() -> list[Any]:
    """The statements moto's redshift-data recorded, in submission order."""
    from moto.redshiftdata.models import redshiftdata_backends

    return list(redshiftdata_backends[ACCOUNT][REGION].statements.values())


def normalize(sql: str) -> str:
    return " ".join(sql.split())


Responder = Callable[[str, dict[str, Any] | None], Sequence[dict[str, Any]]]


@dataclass
class FakeRunner:
    """Answers SQL by the first matching regex; records every statement. For logic over query results."""

    answers: list[tuple[str, Sequence[dict[str, Any]] | Responder]] = field(default_factory=list)
    target: RedshiftTarget = field(default_factory=lambda: RedshiftTarget("dev", cluster_id="c1", db_user="u"))
    executed: list[str] = field(default_factory=list)
    batch_results: list[StatementResult] = field(default_factory=list)
    batch_error: Exception | None = None
    batches: list[list[str]] = field(default_factory=list)

    def batch(self, sqls: Sequence[str]) -> list[StatementResult]:
        self.batches.append(list(sqls))
        if self.batch_error is not None:
            raise self.batch_error
        return self.batch_results

    def execute(self, sql: str, parameters: dict[str, Any] | None = None) -> StatementResult:
        self.executed.append(sql)
        for pattern, answer in self.answers:
            if re.search(pattern, sql, re.IGNORECASE | re.DOTALL):
                rows = answer(sql, parameters) if callable(answer) else answer
                columns = tuple(rows[0]) if rows else ()
                return StatementResult(
                    statement_id=f"fake-{len(self.executed)}",
                    sql=sql,
                    columns=columns,
                    rows=tuple(tuple(row.values()) for row in rows),
                    query_id=len(self.executed),
                )
        return StatementResult(statement_id=f"fake-{len(self.executed)}", sql=sql, query_id=len(self.executed))
