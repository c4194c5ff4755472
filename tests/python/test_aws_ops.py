"""`warehouse ops`: monitoring SQL, maintenance plans, DR steps against moto, and the verification checklist."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto import mock_aws

from aws_support import REGION, FakeRunner, finish_moto_statements, moto_statements, normalize, set_dummy_aws_env
from warehouse import cli
from warehouse.aws.errors import RecoveryError
from warehouse.aws.ops import dr, maintenance, monitoring
from warehouse.aws.settings import RedshiftTarget
from warehouse.checksums import checksum_sql

OPS = "warehouse.commands.ops"


def test_every_monitoring_query_is_in_analyses_and_skips_provisioned_only_on_serverless() -> None:
    for check in monitoring.CHECKS.values():
        sql = check.sql()
        assert sql.startswith("select") and "--" not in sql.splitlines()[0]
    serverless = FakeRunner(target=RedshiftTarget("db", workgroup="wg"))
    results = dict((check.name, result) for check, result in monitoring.run_checks(serverless))
    assert results["disk"] is None and results["wlm"] is None and results["conflicts"] is None
    assert results["long-running"] is not None
    assert any("sys_query_history" in sql for sql in serverless.executed)
    assert not any("stv_partitions" in sql for sql in serverless.executed)


def test_maintenance_plans_vacuum_and_analyze_from_thresholds() -> None:
    tables = [
        maintenance.TableState("gold", "fct_sales", unsorted=35.0, stats_off=2.0, tbl_rows=100, visible_rows=100),
        maintenance.TableState("gold", "dim_date", unsorted=0.0, stats_off=50.0, tbl_rows=10, visible_rows=10),
        maintenance.TableState("silver", "int_x", unsorted=20.0, stats_off=0.0, tbl_rows=100, visible_rows=70),
        maintenance.TableState("silver", "int_y", unsorted=1.0, stats_off=1.0, tbl_rows=100, visible_rows=95),
    ]
    actions = maintenance.plan(tables, maintenance.Thresholds())
    assert [a.statement for a in actions] == [
        'vacuum sort only "gold"."fct_sales" to 99 percent',
        'analyze "gold"."dim_date"',
        'vacuum full "silver"."int_x" to 99 percent',
    ]


def test_maintain_applies_the_plan_one_statement_at_a_time(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    runner = FakeRunner(
        answers=[
            (
                r"from svv_table_info",
                [
                    {
                        "schema_name": "gold",
                        "table_name": "fct_sales",
                        "unsorted": "12.50",
                        "stats_off": "30.00",
                        "tbl_rows": "1000",
                        "visible_rows": "1000",
                    }
                ],
            )
        ]
    )
    monkeypatch.setattr("warehouse.commands.ops.make_runner", lambda *a, **k: runner)
    monkeypatch.setenv("REDSHIFT_CLUSTER_ID", "globalretail")
    monkeypatch.setenv("REDSHIFT_USER", "dbt")
    assert OPS in cli.COMMAND_MODULES
    assert cli.main(["ops", "maintain"]) == 0
    assert "dry run" in capsys.readouterr().out
    assert len(runner.executed) == 1
    assert cli.main(["ops", "maintain", "--apply"]) == 0
    assert runner.executed[-2:] == ['vacuum sort only "gold"."fct_sales" to 99 percent', 'analyze "gold"."fct_sales"']
    assert "svv_table_info where trim(\"schema\") in ('silver', 'gold')" in runner.executed[0]


def test_monitor_runs_through_moto_redshift_data(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    set_dummy_aws_env(monkeypatch)
    finish_moto_statements(monkeypatch)
    monkeypatch.setenv("REDSHIFT_CLUSTER_ID", "globalretail")
    monkeypatch.setenv("REDSHIFT_USER", "ops")
    assert OPS in cli.COMMAND_MODULES
    with mock_aws():
        assert cli.main(["ops", "monitor", "long-running", "disk"]) == 0
        sent = [normalize(s.query_string) for s in moto_statements()]
    assert sent == [normalize(monitoring.CHECKS[name].sql()) for name in ("long-running", "disk")]
    assert cli.main(["ops", "monitor", "nonsense"]) == 1


def test_checksum_sql_hashes_whole_rows_order_independently() -> None:
    sql = checksum_sql("gold", "dim_date", ["date_day", "year"])
    assert sql == (
        "select count(*) as row_count, coalesce(sum(cast(strtol(left(md5("
        "coalesce(cast(\"date_day\" as varchar(65535)), '<NULL>') || '|' || "
        "coalesce(cast(\"year\" as varchar(65535)), '<NULL>')), 15), 16) as decimal(38, 0))), 0) as checksum "
        'from "gold"."dim_date"'
    )


def _warehouse(checksums: dict[str, tuple[int, str]], external: int = 3) -> FakeRunner:
    def checksum(sql: str, _params: Any) -> list[dict[str, Any]]:
        table = sql.rsplit('"', 2)[-2]
        rows, value = checksums[table]
        return [{"row_count": rows, "checksum": value}]

    return FakeRunner(
        answers=[
            (r"from svv_tables", [{"table_name": name} for name in checksums]),
            (r"from svv_columns", [{"column_name": "a"}, {"column_name": "b"}]),
            (r"md5\(", checksum),
            (r"svv_external_schemas", [{"count": external}]),
        ]
    )


def test_verification_checklist_passes_when_restored_matches_and_fails_on_a_difference() -> None:
    source = _warehouse({"fct_sales": (100, "123"), "dim_date": (10, "9")})
    same = _warehouse({"fct_sales": (100, "123"), "dim_date": (10, "9")})
    assert all(item.passed for item in dr.verify(source, same))
    different = _warehouse({"fct_sales": (99, "120")}, external=2)
    failed = {item.check for item in dr.verify(source, different) if not item.passed}
    assert failed == {
        "gold: same tables",
        "gold.fct_sales: row count",
        "gold.fct_sales: checksum",
        "external schemas (Spectrum, Kinesis, federated)",
    }
    restored = dr.restored_target(RedshiftTarget("db", cluster_id="c", db_user="u"), "c-dr", None)
    assert restored.request_params() == {"Database": "db", "ClusterIdentifier": "c-dr", "DbUser": "u"}


def test_checksums_command_on_redshift_and_duckdb_share_one_definition(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Any
) -> None:
    """`warehouse checksums --target redshift` lists the cluster's tables through the Data API and prints what
    table_checksums gives for them; the DuckDB file goes through the same table_checksums."""
    import json

    import duckdb

    runner = _warehouse({"fct_sales": (100, "123"), "dim_date": (10, "9")})
    monkeypatch.setattr("warehouse.aws.command_support.make_runner", lambda *a, **k: runner)
    monkeypatch.setenv("REDSHIFT_CLUSTER_ID", "globalretail")
    monkeypatch.setenv("REDSHIFT_USER", "ops")
    assert cli.main(["checksums", "--target", "redshift", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == {
        "fct_sales": {"table": "fct_sales", "rows": 100, "checksum": "123"},
        "dim_date": {"table": "dim_date", "rows": 10, "checksum": "9"},
    }
    assert sum("md5(" in sql for sql in runner.executed) == 2
    assert cli.main(["checksums", "--target", "redshift", "--database", "x.duckdb"]) == 2

    database = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(database))
    con.execute("create schema gold; create table gold.t as select * from range(3) r(x)")
    con.close()
    assert cli.main(["checksums", "--database", str(database), "--json"]) == 0
    local = json.loads(capsys.readouterr().out)
    assert list(local) == ["t"] and local["t"]["rows"] == 3
    con = duckdb.connect(str(database))
    con.execute("insert into gold.t values (2)")  # a duplicated row changes the checksum
    con.close()
    assert cli.main(["checksums", "--database", str(database), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["t"]["checksum"] != local["t"]["checksum"]


@pytest.fixture
def redshift(monkeypatch: pytest.MonkeyPatch) -> Any:
    set_dummy_aws_env(monkeypatch)
    with mock_aws():
        client = boto3.client("redshift", region_name=REGION)
        client.create_cluster(
            ClusterIdentifier="globalretail",
            NodeType="ra3.xlplus",
            MasterUsername="admin",
            MasterUserPassword="Password1",
            ClusterType="multi-node",
            NumberOfNodes=2,
        )
        yield client


def test_dr_snapshot_copy_restore_are_idempotent(redshift: Any) -> None:
    no_sleep = lambda _s: None  # noqa: E731
    first = dr.snapshot_cluster(redshift, "globalretail", "dr-2025-12-31", sleep=no_sleep)
    again = dr.snapshot_cluster(redshift, "globalretail", "dr-2025-12-31", sleep=no_sleep)
    assert (first.change, again.change) == ("created", "exists")
    assert "available" in first.detail
    with pytest.raises(RecoveryError, match="belongs to cluster"):
        dr.snapshot_cluster(redshift, "other", "dr-2025-12-31", sleep=no_sleep)

    enabled = dr.enable_cluster_copy(redshift, "globalretail", "us-west-2")
    unchanged = dr.enable_cluster_copy(redshift, "globalretail", "us-west-2")
    assert (enabled.change, unchanged.change) == ("enabled", "unchanged")
    status = redshift.describe_clusters(ClusterIdentifier="globalretail")["Clusters"][0]["ClusterSnapshotCopyStatus"]
    assert status["DestinationRegion"] == "us-west-2"
    with pytest.raises(RecoveryError, match="disable-snapshot-copy"):
        dr.enable_cluster_copy(redshift, "globalretail", "eu-west-1")

    restored = dr.restore_cluster(redshift, "dr-2025-12-31", "globalretail-dr", sleep=no_sleep)
    again = dr.restore_cluster(redshift, "dr-2025-12-31", "globalretail-dr", sleep=no_sleep)
    assert (restored.change, again.change) == ("restored", "exists")
    assert redshift.describe_clusters(ClusterIdentifier="globalretail-dr")["Clusters"][0]["ClusterStatus"]


def test_dr_copy_of_an_encrypted_cluster_needs_a_grant(redshift: Any) -> None:
    redshift.create_cluster(
        ClusterIdentifier="encrypted",
        NodeType="ra3.xlplus",
        MasterUsername="admin",
        MasterUserPassword="Password1",
        ClusterType="single-node",
        Encrypted=True,
    )
    with pytest.raises(RecoveryError, match="create-snapshot-copy-grant"):
        dr.enable_cluster_copy(redshift, "encrypted", "us-west-2")


class FakeServerless:
    def __init__(self) -> None:
        self.snapshots: dict[str, dict[str, Any]] = {}
        self.copies: list[dict[str, Any]] = []

    def get_snapshot(self, snapshotName: str) -> dict[str, Any]:
        from botocore.exceptions import ClientError

        if snapshotName not in self.snapshots:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no"}}, "GetSnapshot")
        return {"snapshot": self.snapshots[snapshotName]}

    def create_snapshot(self, namespaceName: str, snapshotName: str, retentionPeriod: int) -> None:
        self.snapshots[snapshotName] = {"namespaceName": namespaceName, "status": "AVAILABLE"}

    def list_snapshot_copy_configurations(self, namespaceName: str) -> dict[str, Any]:
        return {"snapshotCopyConfigurations": self.copies}

    def create_snapshot_copy_configuration(self, **kwargs: Any) -> None:
        self.copies.append(kwargs)


def test_dr_on_serverless_namespaces() -> None:
    serverless = FakeServerless()
    assert dr.snapshot_namespace(serverless, "globalretail", "s1", sleep=lambda _s: None).change == "created"
    assert dr.snapshot_namespace(serverless, "globalretail", "s1", sleep=lambda _s: None).change == "exists"
    assert dr.enable_namespace_copy(serverless, "globalretail", "us-west-2").change == "enabled"
    assert dr.enable_namespace_copy(serverless, "globalretail", "us-west-2").change == "unchanged"
