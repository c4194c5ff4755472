"""The Redshift Data API runner: polling, paging, 1023 retries, errors and time-outs (botocore Stubber)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber

from aws_support import REGION, set_dummy_aws_env
from warehouse.aws.data_api import DataApiRunner, field_value, is_serialization_conflict
from warehouse.aws.errors import (
    AwsSettingsError,
    DataApiError,
    SerializationConflictError,
    StatementAbortedError,
    StatementFailedError,
    StatementTimeoutError,
)
from warehouse.aws.settings import DataApiSettings, RedshiftTarget

CLUSTER = RedshiftTarget("globalretail", cluster_id="globalretail", db_user="etl")
WORKGROUP = RedshiftTarget("globalretail", workgroup="globalretail", secret_arn="arn:aws:secretsmanager:x")
ID = "11111111-2222-3333-4444-555555555555"
CONFLICT = (
    "ERROR: 1023 DETAIL: Serializable isolation violation on table - 100123, transactions forming the cycle "
    "are: 9001, 9002 (pid:4242)"
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Any:
    set_dummy_aws_env(monkeypatch)
    client = boto3.client("redshift-data", region_name=REGION)
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def runner(client: Any, target: RedshiftTarget = CLUSTER, **settings: Any) -> tuple[DataApiRunner, Clock]:
    clock = Clock()
    return DataApiRunner(client, target, DataApiSettings(**settings), sleep=clock.sleep, clock=clock), clock


def submitted(stubber: Stubber, sql: str, statement_id: str = ID, target: RedshiftTarget = CLUSTER) -> None:
    expected = {**target.request_params(), "Sql": sql, "StatementName": ANY}
    stubber.add_response("execute_statement", {"Id": statement_id}, expected)


def described(stubber: Stubber, status: str, statement_id: str = ID, **extra: Any) -> None:
    stubber.add_response("describe_statement", {"Id": statement_id, "Status": status, **extra}, {"Id": statement_id})


def test_polls_with_backoff_and_pages_through_results(stubbed: Any) -> None:
    client, stubber = stubbed
    submitted(stubber, "select id, name from t")
    for status in ("SUBMITTED", "PICKED", "STARTED"):
        described(stubber, status)
    described(stubber, "FINISHED", HasResultSet=True, ResultRows=3, RedshiftQueryId=77)
    columns = [{"name": "id", "label": "id"}, {"name": "name", "label": "name"}]
    stubber.add_response(
        "get_statement_result",
        {
            "Records": [[{"longValue": 1}, {"stringValue": "a"}], [{"longValue": 2}, {"isNull": True}]],
            "ColumnMetadata": columns,
            "TotalNumRows": 3,
            "NextToken": "page-2",
        },
        {"Id": ID},
    )
    stubber.add_response(
        "get_statement_result",
        {"Records": [[{"longValue": 3}, {"stringValue": "c"}]], "ColumnMetadata": columns, "TotalNumRows": 3},
        {"Id": ID, "NextToken": "page-2"},
    )
    data_api, clock = runner(client)
    result = data_api.execute("select id, name from t")
    assert result.columns == ("id", "name")
    assert result.rows == ((1, "a"), (2, None), (3, "c"))
    assert result.dicts()[0] == {"id": 1, "name": "a"}
    assert (result.query_id, result.rows_affected, result.attempts) == (77, 3, 1)
    assert clock.sleeps == [0.25, 0.5, 1.0]


def test_serverless_requests_name_the_workgroup_and_pass_parameters(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_response(
        "execute_statement",
        {"Id": ID},
        {
            "WorkgroupName": "globalretail",
            "Database": "globalretail",
            "SecretArn": "arn:aws:secretsmanager:x",
            "Sql": "select :n",
            "Parameters": [{"name": "n", "value": "5"}],
            "StatementName": "globalretail-warehouse",
        },
    )
    described(stubber, "FINISHED", HasResultSet=False, ResultRows=0)
    data_api, _ = runner(client, WORKGROUP)
    assert data_api.execute("select :n", {"n": 5}).rows_affected == 0


def test_retries_serialization_conflicts_then_succeeds(stubbed: Any) -> None:
    client, stubber = stubbed
    second = "22222222-2222-3333-4444-555555555555"
    submitted(stubber, "update t set x = 1")
    described(stubber, "FAILED", Error=CONFLICT, RedshiftQueryId=10)
    submitted(stubber, "update t set x = 1", second)
    described(stubber, "FINISHED", second, HasResultSet=False, ResultRows=4)
    data_api, clock = runner(client, conflict_backoff_seconds=2.0)
    result = data_api.execute("update t set x = 1")
    assert (result.attempts, result.rows_affected, result.statement_id) == (2, 4, second)
    assert clock.sleeps == [2.0]


def test_gives_up_after_the_bounded_retries_with_an_actionable_message(stubbed: Any) -> None:
    client, stubber = stubbed
    for _ in range(3):
        submitted(stubber, "update t set x = 1")
        described(stubber, "FAILED", Error=CONFLICT)
    data_api, clock = runner(client, conflict_retries=2, conflict_backoff_seconds=1.0)
    with pytest.raises(SerializationConflictError, match="persisted after 3 attempts") as caught:
        data_api.execute("update t set x = 1")
    assert "serialization-conflicts.md" in str(caught.value)
    assert caught.value.server_message == CONFLICT
    assert clock.sleeps == [1.0, 2.0]


def test_other_failures_surface_the_server_text_without_retry(stubbed: Any) -> None:
    client, stubber = stubbed
    submitted(stubber, "select * from missing")
    described(stubber, "FAILED", Error='ERROR: relation "missing" does not exist', RedshiftQueryId=55)
    data_api, _ = runner(client)
    with pytest.raises(StatementFailedError, match='relation "missing" does not exist') as caught:
        data_api.execute("select * from missing")
    assert caught.value.query_id == 55
    assert "select * from missing" in str(caught.value)


def test_times_out_and_cancels_the_statement(stubbed: Any) -> None:
    client, stubber = stubbed
    submitted(stubber, "vacuum big")
    for _ in range(5):  # t = 0, 0.25, 0.75, 1.75, 3.75: the last is past the limit
        described(stubber, "STARTED")
    stubber.add_response("cancel_statement", {"Status": True}, {"Id": ID})
    data_api, clock = runner(client, timeout_seconds=3.0)
    with pytest.raises(StatementTimeoutError, match="ran longer than 3s and was cancelled"):
        data_api.execute("vacuum big")
    assert clock.now >= 3.0


def test_aborted_and_refused_statements(stubbed: Any) -> None:
    client, stubber = stubbed
    submitted(stubber, "select 1")
    described(stubber, "ABORTED")
    stubber.add_client_error(
        "execute_statement", "ValidationException", "Cluster identifier is not valid", expected_params=None
    )
    data_api, _ = runner(client)
    with pytest.raises(StatementAbortedError, match="cancelled"):
        data_api.execute("select 1")
    with pytest.raises(DataApiError, match=r"ValidationException Cluster identifier is not valid.*REDSHIFT_CLUSTER_ID"):
        data_api.execute("select 1")


def test_batch_returns_each_sub_statements_result(stubbed: Any) -> None:
    client, stubber = stubbed
    sqls = ["delete from t", "copy t from 's3://b/k'", "select pg_last_copy_count() as n"]
    stubber.add_response(
        "batch_execute_statement", {"Id": ID}, {**CLUSTER.request_params(), "Sqls": sqls, "StatementName": ANY}
    )
    subs = [
        {"Id": f"{ID}:{i}", "QueryString": sql, "Status": "FINISHED", "HasResultSet": i == 3, "RedshiftQueryId": 90 + i}
        for i, sql in enumerate(sqls, start=1)
    ]
    described(stubber, "FINISHED", SubStatements=subs)
    stubber.add_response(
        "get_statement_result",
        {"Records": [[{"longValue": 42}]], "ColumnMetadata": [{"name": "n", "label": "n"}], "TotalNumRows": 1},
        {"Id": f"{ID}:3"},
    )
    data_api, _ = runner(client)
    results = data_api.batch(sqls)
    assert [r.query_id for r in results] == [91, 92, 93]
    assert results[2].scalar() == 42


def test_a_failed_batch_reports_the_failing_sub_statement(stubbed: Any) -> None:
    client, stubber = stubbed
    stubber.add_response("batch_execute_statement", {"Id": ID}, None)
    subs = [
        {"Id": f"{ID}:1", "QueryString": "delete from t", "Status": "FINISHED"},
        {
            "Id": f"{ID}:2",
            "QueryString": "copy t ...",
            "Status": "FAILED",
            "Error": "Load into table 't' failed.",
            "RedshiftQueryId": 501,
        },
    ]
    described(stubber, "FAILED", Error="batch failed", SubStatements=subs)
    data_api, _ = runner(client)
    with pytest.raises(StatementFailedError, match="Load into table 't' failed") as caught:
        data_api.batch(["delete from t", "copy t ..."])
    assert caught.value.query_id == 501


def test_helpers_and_settings_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    assert field_value({"isNull": True}) is None
    assert field_value({"doubleValue": 1.5}) == 1.5
    assert is_serialization_conflict(CONFLICT)
    assert not is_serialization_conflict("ERROR: division by zero")
    with pytest.raises(AwsSettingsError, match="exactly one of REDSHIFT_CLUSTER_ID"):
        RedshiftTarget("db", cluster_id="c", workgroup="w", db_user="u")
    with pytest.raises(AwsSettingsError, match=r"REDSHIFT_USER .* or"):
        RedshiftTarget("db", cluster_id="c")
    with pytest.raises(AwsSettingsError, match="provisioned clusters only"):
        RedshiftTarget("db", workgroup="w", db_user="u")
    set_dummy_aws_env(monkeypatch)
    monkeypatch.setenv("REDSHIFT_WORKGROUP", "wg")
    monkeypatch.setenv("REDSHIFT_DATABASE", "dev")
    assert RedshiftTarget.from_env().request_params() == {"Database": "dev", "WorkgroupName": "wg"}
    monkeypatch.setenv("REDSHIFT_STATEMENT_TIMEOUT", "soon")
    with pytest.raises(AwsSettingsError, match="REDSHIFT_STATEMENT_TIMEOUT"):
        DataApiSettings.from_env()
