"""The Airflow DAG of the daily chain (dags/warehouse_daily.py, scripts/warehouse/orchestration/).

- Its settings: the connection and the Variable become the steps' environment; a typo or a secret in the
  Variable is refused.
- Its retry rule: a transient failure is retried with a growing delay, a failed data test never.
- Its structure on both targets (task order, retries, schedule), read from the DAG Airflow loads.
- `airflow dags test` of the local DAG on a copy of the tiny lake, as the README runs it: the gold it builds
  equals the gold of `warehouse build`, and its export holds the daily revenue summary.

Airflow runs in child processes (AIRFLOW_HOME in the test's folder), so its configuration and logging never
touch this process.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tiny_warehouse import BIN, TinyWarehouse, require_tool, run
from warehouse.checksums import table_checksums
from warehouse.config import PROJECT_DIR
from warehouse.orchestration import retries, steps
from warehouse.orchestration.environment import ConnectionFields, RunSettingsError, parse_settings, resolve

# --- settings ---------------------------------------------------------------------------------------------


def test_connection_gives_redshift_settings_and_password_means_database_auth() -> None:
    connection = ConnectionFields(
        host="wh.abc.us-east-1.redshift.amazonaws.com",
        port=5439,
        schema="globalretail",
        login="dbt_build",
        password="s3cret",
        extra={"cluster_id": "globalretail", "region": "eu-west-1"},
    )
    env = resolve("redshift", parse_settings('{"REDSHIFT_SPECTRUM_ROLE_ARN": "arn:aws:iam::1:role/s"}'), connection)
    assert env["WAREHOUSE_TARGET"] == "redshift"
    assert env["REDSHIFT_HOST"] == "wh.abc.us-east-1.redshift.amazonaws.com"
    assert (env["REDSHIFT_PORT"], env["REDSHIFT_DATABASE"], env["REDSHIFT_USER"]) == (
        "5439",
        "globalretail",
        "dbt_build",
    )
    assert env["REDSHIFT_AUTH_METHOD"] == "database"
    assert env["DBT_ENV_SECRET_REDSHIFT_PASSWORD"] == "s3cret"
    assert (env["REDSHIFT_CLUSTER_ID"], env["AWS_REGION"]) == ("globalretail", "eu-west-1")
    assert env["REDSHIFT_SPECTRUM_ROLE_ARN"] == "arn:aws:iam::1:role/s"

    iam = resolve("redshift", {}, ConnectionFields(host="h", login="u"))
    assert iam["REDSHIFT_AUTH_METHOD"] == "iam" and "DBT_ENV_SECRET_REDSHIFT_PASSWORD" not in iam


def test_the_variable_refuses_typos_secrets_and_settings_given_twice() -> None:
    with pytest.raises(RunSettingsError, match="REDSHIFT_SPECTRUM_ROLE_ARM is not a setting"):
        parse_settings('{"REDSHIFT_SPECTRUM_ROLE_ARM": "arn:aws:iam::1:role/s"}')
    with pytest.raises(RunSettingsError, match="DBT_ENV_SECRET_REDSHIFT_PASSWORD is a secret"):
        parse_settings({"DBT_ENV_SECRET_REDSHIFT_PASSWORD": "x"})
    with pytest.raises(RunSettingsError, match="not JSON"):
        parse_settings("{REDSHIFT_HOST: h}")
    with pytest.raises(RunSettingsError, match="given by the connection"):
        resolve("redshift", {"REDSHIFT_HOST": "other"}, ConnectionFields(host="h"))
    with pytest.raises(RunSettingsError, match="needs the Airflow connection"):
        resolve("redshift", {}, None)
    with pytest.raises(RunSettingsError, match="this DAG runs on local"):
        resolve("local", {"WAREHOUSE_TARGET": "redshift"}, None)


def test_a_local_run_keeps_dbt_artifacts_with_its_warehouse(tmp_path: Path) -> None:
    env = resolve("local", parse_settings(json.dumps({"WAREHOUSE_DATA_DIR": str(tmp_path)})), None)
    assert env["WAREHOUSE_DATA_DIR"] == str(tmp_path)
    assert env["DBT_TARGET_PATH"] == f"{tmp_path}/target" and env["DBT_LOG_PATH"] == f"{tmp_path}/logs"


# --- retries ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("ERROR: 1023 DETAIL: Serializable isolation violation on table - 100423, transactions ...", "serialization"),
        ("An error occurred (ThrottlingException) when calling the ExecuteStatement operation", "throttling"),
        ("server closed the connection unexpectedly", "connection lost"),
        ('IO Error: Could not set lock on file "/data/warehouse.duckdb": Conflicting lock is held', "locked"),
    ],
)
def test_transient_failures_are_recognised(message: str, reason: str) -> None:
    found = retries.is_transient(RuntimeError(f"dbt command failed\n{message}"))
    assert found is not None and reason in found


def test_data_test_failures_and_sql_errors_are_not_transient() -> None:
    assert (
        retries.is_transient(RuntimeError("Failure in test not_null_fct_sales_order_id (models/...)\n  Got 3 results"))
        is None
    )
    assert retries.is_transient(RuntimeError('Database Error in model fct_sales\n  column "x" does not exist')) is None
    # A step says itself: a build whose data tests failed is never retried, even if its log mentions a lock.
    declared = steps.StepFailed("build: 2 data test(s) failed\nCould not set lock on file", transient="")
    assert retries.is_transient(declared) is None
    assert [retries.backoff(n) for n in (1, 2, 3, 4, 9)] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 15)]


def test_tiering_runs_on_the_first_day_of_a_month_only() -> None:
    assert steps.first_run_of_month(date(2026, 12, 1))
    assert not any(steps.first_run_of_month(date(2026, 12, day)) for day in range(2, 32))


def test_a_failed_command_is_a_step_failure_with_its_output(tmp_path: Path) -> None:
    with pytest.raises(steps.StepFailed, match="exit 3") as failed:
        steps.run([sys.executable, "-c", "print('Rate exceeded'); raise SystemExit(3)"], {}, "probe")
    assert failed.value.transient == "throttling" and "Rate exceeded" in str(failed.value)
    assert steps.run([sys.executable, "-c", "print('fine')"], {}, "probe") == ["fine"]


# --- the DAG as Airflow loads it --------------------------------------------------------------------------

PROBE = r"""
import json, sys
from pathlib import Path
from airflow.sdk.definitions.retry_policy import RetryAction
from warehouse.orchestration.dag import build_dag

dag = build_dag(sys.argv[1], manifest_path=Path(sys.argv[2]) if len(sys.argv) > 2 else None)
policy_of = lambda task: task.retry_policy
def decision(task, message):
    return policy_of(task).evaluate(RuntimeError(message), 1, task.retries + 1).action.value
print(json.dumps({
    "schedule": str(dag.schedule), "catchup": dag.catchup, "max_active_runs": dag.max_active_runs,
    "params": {key: dag.params[key] for key in dag.params},
    "tasks": {
        task.task_id: {
            "downstream": sorted(task.downstream_task_ids),
            "retries": task.retries,
            "trigger_rule": str(task.trigger_rule.value if hasattr(task.trigger_rule, "value") else task.trigger_rule),
            "operator": type(task).__name__,
            "on_conflict": decision(task, "ERROR: 1023 DETAIL: Serializable isolation violation on table"),
            "on_test_failure": decision(task, "Failure in test unique_dim_customer_customer_key"),
            "invocation_mode": str(getattr(getattr(task, "invocation_mode", None), "value", None)),
            "pre_execute": getattr(getattr(task, "_pre_execute_hook", None), "__name__", None),
            "full_refresh": getattr(task, "full_refresh", None),
        }
        for task in dag.tasks
    },
}))
"""


def _airflow_env(home: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AIRFLOW", "WAREHOUSE_", "DBT_"))}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(PROJECT_DIR / "dags"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        **extra,
    )
    return env


def _probe(tmp_path: Path, *args: str) -> dict[str, Any]:
    require_tool("airflow", "airflow")
    result = run([sys.executable, "-c", PROBE, *args], env=_airflow_env(tmp_path / "airflow"), cwd=PROJECT_DIR)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _path(tasks: dict[str, Any], *order: str) -> None:
    for upstream, downstream in itertools.pairwise(order):
        assert downstream in tasks[upstream]["downstream"], f"{upstream} does not lead to {downstream}"


def _assert_retry_rule(tasks: dict[str, Any]) -> None:
    for task_id, task in tasks.items():
        assert task["retries"] == 3, task_id
        assert task["on_conflict"] == "retry", task_id
        assert task["on_test_failure"] == "fail", task_id


COSMOS_PROBE = r"""
import json, os, sys
import airflow  # first: its plugins import cosmos, which imports airflow
from cosmos.dbt.runner import handle_exception_if_needed, run_command
from warehouse.orchestration.dag import TransientFailuresOnly, export_environment

project = sys.argv[1]
decisions = {}
for select in sys.argv[2:]:
    # What a cosmos dbt task does in DBT_RUNNER mode: dbt in-process, then cosmos's own error handling.
    command = ["dbt", "build", "--select", select, "--project-dir", project, "--profiles-dir", project]
    result = run_command(command, dict(os.environ), project)
    try:
        handle_exception_if_needed(result)
        decisions[select] = "succeeded"
    except Exception as exc:
        decisions[select] = TransientFailuresOnly().evaluate(exc, 1, 4).action.value
export_environment({})
names = ("WAREHOUSE_TARGET", "REDSHIFT_HOST", "REDSHIFT_USER", "REDSHIFT_SPECTRUM_ROLE_ARN")
names += ("DBT_ENV_SECRET_REDSHIFT_PASSWORD",)
print(json.dumps({"decisions": decisions, "env": {name: os.environ.get(name) for name in names}}))
"""


@pytest.mark.slow
def test_a_cosmos_dbt_failure_reaches_the_retry_policy_with_its_database_error(tmp_path: Path) -> None:
    """Real dbt runs through cosmos's runner: a serialization conflict is retried, a SQL error and a failed
    data test are not; the task's settings come from the Airflow connection and Variable."""
    require_tool("airflow", "airflow")
    project = tmp_path / "probe"
    (project / "models").mkdir(parents=True)
    (project / "tests").mkdir()
    (project / "dbt_project.yml").write_text("name: probe\nversion: '1.0'\nprofile: probe\n", encoding="utf-8")
    (project / "profiles.yml").write_text(
        f"probe:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {project / 'probe.duckdb'}\n",
        encoding="utf-8",
    )
    # The text Redshift sends when it cancels a transaction that conflicts (ERROR: 1023), raised by the database.
    (project / "models" / "conflicted.sql").write_text(
        "{{ config(materialized='table') }}\n"
        "select error('ERROR: 1023 DETAIL: Serializable isolation violation on table - 100423') as x\n",
        encoding="utf-8",
    )
    (project / "models" / "broken.sql").write_text("select no_such_column from (select 1 as a) as t\n", "utf-8")
    (project / "models" / "fine.sql").write_text("select 1 as a\n", encoding="utf-8")
    (project / "tests" / "assert_nothing.sql").write_text("select 1 as failing_row\n", encoding="utf-8")
    connection = {"conn_type": "redshift", "host": "wh.example.com", "login": "dbt_build", "port": 5439}
    env = _airflow_env(
        tmp_path / "airflow",
        AIRFLOW_CONN_WAREHOUSE_REDSHIFT=json.dumps({**connection, "schema": "globalretail", "password": "s3cret-pw"}),
        AIRFLOW_VAR_WAREHOUSE_SETTINGS=json.dumps({"REDSHIFT_SPECTRUM_ROLE_ARN": "arn:aws:iam::1:role/s"}),
        PYTHONPATH=str(PROJECT_DIR / "scripts"),
    )
    selects = ["conflicted", "broken", "assert_nothing", "fine"]
    result = run([sys.executable, "-c", COSMOS_PROBE, str(project), *selects], env=env, cwd=tmp_path)
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["decisions"] == {
        "conflicted": "retry",
        "broken": "fail",
        "assert_nothing": "fail",
        "fine": "succeeded",
    }
    assert probe["env"] == {
        "WAREHOUSE_TARGET": "redshift",
        "REDSHIFT_HOST": "wh.example.com",
        "REDSHIFT_USER": "dbt_build",
        "REDSHIFT_SPECTRUM_ROLE_ARN": "arn:aws:iam::1:role/s",
        "DBT_ENV_SECRET_REDSHIFT_PASSWORD": "s3cret-pw",
    }


def test_the_dag_file_parses_without_the_warehouse_engines(tmp_path: Path) -> None:
    """The scheduler parses the DAG file often: it must not import DuckDB, numpy or dbt to do so."""
    require_tool("airflow", "airflow")
    probe = (
        "import sys\nfrom warehouse.orchestration.dag import build_dag\nbuild_dag('local')\n"
        "print(sorted(m for m in ('duckdb', 'numpy', 'pandas', 'dbt', 'pyarrow') if m in sys.modules))"
    )
    env = _airflow_env(tmp_path / "airflow", PYTHONPATH=str(PROJECT_DIR / "scripts"))
    result = run([sys.executable, "-c", probe], env=env, cwd=PROJECT_DIR)
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.slow
def test_local_dag_structure(tmp_path: Path) -> None:
    dag = _probe(tmp_path, "local")
    tasks = dag["tasks"]
    assert (dag["catchup"], dag["max_active_runs"], dag["params"]) == (False, 1, {"full_refresh": False})
    assert "@daily" in dag["schedule"] or "0 0 * * *" in dag["schedule"]
    assert set(tasks) == {"build", "unload_daily_revenue", "first_run_of_month", "tier_inventory", "docs"}
    _path(tasks, "build", "unload_daily_revenue", "first_run_of_month", "tier_inventory", "docs")
    assert tasks["docs"]["trigger_rule"] == "none_failed"  # docs are generated in a month's other days too
    _assert_retry_rule(tasks)


@pytest.mark.slow
def test_redshift_dag_structure(tmp_path: Path) -> None:
    target_path = tmp_path / "manifest"
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("WAREHOUSE_", "DBT_TARGET", "DBT_LOG"))
    }
    env.update(WAREHOUSE_TARGET="redshift", DBT_PROFILES_DIR=str(PROJECT_DIR), DBT_PROJECT_DIR=str(PROJECT_DIR))
    parse = [str(BIN / "dbt"), "parse", "--quiet", "--target-path", str(target_path), "--log-path", str(tmp_path)]
    run(parse, env=env, cwd=PROJECT_DIR)
    dag = _probe(tmp_path, "redshift", str(target_path / "manifest.json"))
    tasks = dag["tasks"]
    manifest = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
    models = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    assert len(models) > 40
    # Every model of a layer is a task of its layer's group, and its tests run right after it.
    for name, node in models.items():
        layer = node["fqn"][1]
        task_group = f"{layer}.{name}" + (f"_v{node['version']}" if node.get("version") else "")
        assert f"{task_group}.run" in tasks, f"{name} has no task in the {layer} group"
        assert tasks[f"{task_group}.run"]["operator"] == "DbtRunLocalOperator"
        if f"{task_group}.test" in tasks:
            assert tasks[f"{task_group}.run"]["downstream"] == [f"{task_group}.test"], name
    assert tasks["gold.fct_sales_v1.test"]["operator"] == "DbtTestLocalOperator"
    # Each dbt task runs dbt in its own process (so a database error reaches the retry policy), with the
    # run's settings exported before it, and a run's full_refresh param reaching the models.
    dbt_tasks = {task_id: task for task_id, task in tasks.items() if task["operator"].startswith("Dbt")}
    assert {task["invocation_mode"] for task in dbt_tasks.values()} == {"dbt_runner"}
    assert {task["pre_execute"] for task in dbt_tasks.values()} == {"export_environment"}
    assert {tasks[t]["full_refresh"] for t in dbt_tasks if t.endswith(".run")} == {"{{ params.full_refresh }}"}
    tested = [name for name in models if any(t.endswith(f".{name}.test") or f".{name}_v" in t for t in tasks)]
    assert len(tested) > len(models) / 2, "most models should have their tests right after them"
    # The chain: partitions before any bronze model; silver after bronze; gold after silver; the export after.
    groups = {layer: {t for t in tasks if t.startswith(f"{layer}.")} for layer in ("bronze", "silver", "gold")}
    upstream: dict[str, set[str]] = {task_id: set() for task_id in tasks}
    for task_id, task in tasks.items():
        for downstream in task["downstream"]:
            upstream[downstream].add(task_id)
    roots = {layer: {t for t in group if not upstream[t] & group} for layer, group in groups.items()}
    leaves = {layer: {t for t in group if not set(tasks[t]["downstream"]) & group} for layer, group in groups.items()}
    assert roots["bronze"] <= set(tasks["spectrum_partitions"]["downstream"])
    # Every first task of a layer waits for every last task of the layer before it: no silver model starts
    # before all of bronze is built and tested, no gold model before silver, no export before gold.
    for before, after in (("bronze", "silver"), ("silver", "gold")):
        assert roots[after] and leaves[before]
        for root in roots[after]:
            assert upstream[root] == leaves[before], f"{root} does not wait for all of {before}"
    assert upstream["unload_daily_revenue"] == leaves["gold"]
    assert not any(set(tasks[t]["downstream"]) & groups["bronze"] for t in groups["silver"] | groups["gold"])
    _path(tasks, "unload_daily_revenue", "first_run_of_month", "tier_inventory", "maintain", "docs", "publish_alerts")
    assert tasks["maintain"]["trigger_rule"] == "none_failed"
    # The alerts go out whatever happened: the last task, run when everything before it is done.
    assert tasks["publish_alerts"]["trigger_rule"] == "all_done"
    assert [task_id for task_id, task in tasks.items() if not task["downstream"]] == ["publish_alerts"]
    _assert_retry_rule(tasks)


OUTCOME_DAG = r"""
import json, os
from datetime import datetime
from airflow.sdk import DAG, TriggerRule, chain, task
from airflow.sdk.exceptions import AirflowFailException
from warehouse.orchestration.dag import run_outcome

with DAG(dag_id="outcome_probe", schedule=None, start_date=datetime(2026, 1, 1), catchup=False) as dag:
    @task
    def spectrum_partitions() -> None: ...
    @task(task_id="gold.fct_sales.test")
    def failing_test() -> None:
        raise AirflowFailException("1 data test failed")
    @task
    def unload_daily_revenue() -> None: ...
    @task(trigger_rule=TriggerRule.ALL_DONE)
    def publish_alerts(**context) -> None:
        with open(os.environ["OUTCOME_FILE"], "w") as out:
            json.dump(run_outcome(context, "redshift"), out)
    chain(spectrum_partitions(), failing_test(), unload_daily_revenue(), publish_alerts())
"""


@pytest.mark.slow
def test_the_alerts_task_reads_the_outcome_of_its_own_run(tmp_path: Path) -> None:
    """What publish_alerts publishes comes from Airflow's record of the run it is in: a real run (`airflow
    dags test`) with a failed test task and a task that therefore never ran."""
    airflow = require_tool("airflow", "airflow")
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "outcome_probe.py").write_text(OUTCOME_DAG, encoding="utf-8")
    outcome = tmp_path / "outcome.json"
    env = _airflow_env(tmp_path / "airflow", OUTCOME_FILE=str(outcome))
    env.update(AIRFLOW__CORE__DAGS_FOLDER=str(dags), PYTHONPATH=str(PROJECT_DIR / "scripts"))
    for command in (["db", "migrate"], ["dags", "test", "outcome_probe"]):
        result = subprocess.run([airflow, *command], env=env, capture_output=True, text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    summary = json.loads(outcome.read_text(encoding="utf-8"))
    assert summary["success"] is False
    assert [test["tested"] for test in summary["tests"]["failing"]] == ["gold.fct_sales"]
    assert summary["tests"]["passed"] == 0 and summary["errors"] == []
    assert summary["not_run"] == ["unload_daily_revenue"]
    assert 0 < summary["total_seconds"] < 300


@pytest.mark.slow
def test_dag_runs_end_to_end_on_the_tiny_lake(tiny_warehouse: TinyWarehouse, tmp_path: Path) -> None:
    """`airflow dags test` of the local DAG, on the first day of a month (so every task runs)."""
    airflow = require_tool("airflow", "airflow")
    data_dir = tmp_path / "data"
    shutil.copytree(tiny_warehouse.data_dir / "lake", data_dir / "lake", ignore=shutil.ignore_patterns("exports"))
    env = _airflow_env(
        tmp_path / "airflow",
        AIRFLOW_VAR_WAREHOUSE_SETTINGS=json.dumps({"WAREHOUSE_DATA_DIR": str(data_dir)}),
    )
    for command in (["db", "migrate"], ["dags", "test", "warehouse_daily", "2026-12-01"]):
        result = subprocess.run(
            [airflow, *command], env=env, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=900, check=False
        )
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    # Every task ran and succeeded (the first of a month: the tiering step too).
    states = _states(tmp_path / "airflow", "2026-12-01")
    expected = {"build", "unload_daily_revenue", "first_run_of_month", "tier_inventory", "docs"}
    assert states == dict.fromkeys(expected, "success"), result.stdout[-4000:] + result.stderr[-4000:]

    # The gold the DAG built is the gold `warehouse build` built from the same lake.
    assert table_checksums(data_dir / "warehouse.duckdb") == table_checksums(tiny_warehouse.database)
    # The export: one Parquet folder per revenue_flag, every day of the summary once, the same revenue.
    export = data_dir / "lake" / "exports" / "daily_revenue"
    flags = sorted(path.name for path in export.iterdir() if path.is_dir())
    assert flags and all(flag.startswith("revenue_flag=") for flag in flags)
    con = duckdb.connect()
    try:
        exported = con.execute(
            "select count(*), sum(revenue_amount) from read_parquet(?, hive_partitioning = true)",
            [f"{export}/*/*.parquet"],
        ).fetchone()
    finally:
        con.close()
    built = tiny_warehouse.query("select count(*), sum(revenue_amount) from gold.agg_daily_revenue")[0]
    assert exported == built
    assert (data_dir / "target" / "index.html").is_file(), "the docs step wrote no site"

    # The next day, on the same lake: an incremental build changes nothing, the tiering step is skipped
    # (not the first of a month) and the docs are still generated.
    (data_dir / "target" / "index.html").unlink()
    result = subprocess.run(
        [airflow, "dags", "test", "warehouse_daily", "2026-12-02"],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    assert _states(tmp_path / "airflow", "2026-12-02") == {
        **dict.fromkeys(expected - {"tier_inventory"}, "success"),
        "tier_inventory": "skipped",
    }, result.stdout[-4000:] + result.stderr[-4000:]
    assert table_checksums(data_dir / "warehouse.duckdb") == table_checksums(tiny_warehouse.database)
    assert (data_dir / "target" / "index.html").is_file(), "the docs step did not run after a skipped tiering"


@pytest.mark.slow
def test_a_failed_data_test_fails_the_build_task_at_once(tiny_warehouse: TinyWarehouse, tmp_path: Path) -> None:
    """A planted duplicate CDC event fails a data test: the build task fails on its first try (no retry,
    though it has three), and nothing after it runs."""
    from test_build_failures import plant_reused_change_sequence

    airflow = require_tool("airflow", "airflow")
    data_dir = tmp_path / "data"
    shutil.copytree(tiny_warehouse.data_dir / "lake", data_dir / "lake", ignore=shutil.ignore_patterns("exports"))
    plant_reused_change_sequence(data_dir / "lake")
    env = _airflow_env(
        tmp_path / "airflow", AIRFLOW_VAR_WAREHOUSE_SETTINGS=json.dumps({"WAREHOUSE_DATA_DIR": str(data_dir)})
    )
    subprocess.run([airflow, "db", "migrate"], env=env, cwd=PROJECT_DIR, capture_output=True, check=True, timeout=600)
    result = subprocess.run(
        [airflow, "dags", "test", "warehouse_daily", "2026-12-02"],
        env=env,
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    log = result.stdout + result.stderr
    tries = _tries(tmp_path / "airflow")
    assert tries["build"] == ("failed", 1), log[-4000:]
    assert "data test(s) failed" in log and "not transient" in log
    assert {task for task, (state, _) in tries.items() if state == "success"} == set(), tries
    assert not (data_dir / "lake" / "exports").exists(), "the export ran after a failed build"


def _tries(home: Path) -> dict[str, tuple[str, int]]:
    """Each task's state and try number (its metadata database)."""
    import sqlite3

    con = sqlite3.connect(home / "airflow.db")
    try:
        return {
            task: (state, tries)
            for task, state, tries in con.execute("select task_id, state, try_number from task_instance")
        }
    finally:
        con.close()


def _states(home: Path, day: str) -> dict[str, str]:
    """The state of each task of the run for `day` (YYYY-MM-DD) Airflow recorded (its metadata database)."""
    import sqlite3

    con = sqlite3.connect(home / "airflow.db")
    try:
        query = (
            "select task_instance.task_id, task_instance.state from task_instance join dag_run using (dag_id, run_id) "
            "where substr(dag_run.logical_date, 1, 10) = ?"
        )
        return dict(con.execute(query, [day]))
    finally:
        con.close()
