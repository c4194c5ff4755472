"""The daily chain as an Airflow DAG: Spectrum partitions, build, export, monthly tiering, maintenance, docs.

On Redshift (`WAREHOUSE_TARGET=redshift`):

    spectrum_partitions >> bronze >> silver >> gold >> unload_daily_revenue
        >> first_run_of_month >> tier_inventory >> maintain >> docs >> publish_alerts

`bronze`, `silver` and `gold` are astronomer-cosmos task groups, one task per model with its tests after it
(TestBehavior.AFTER_EACH), rendered from the manifest `dbt parse --target redshift` wrote
(`WAREHOUSE_AIRFLOW_MANIFEST`, default target/airflow/manifest.json): the DAG file parses without running dbt.

On DuckDB (`WAREHOUSE_TARGET=local`, the default), which allows one writer, the build is one `warehouse
build` task, and there is no Spectrum or VACUUM step (the lake's files are read in place):

    build >> unload_daily_revenue >> first_run_of_month >> tier_inventory >> docs

Every task retries a transient failure (a serialization conflict, throttling, a dropped connection, the
warehouse file locked) up to three times, 1, 2 then 4 minutes later; any other failure, a failed data test
first of all, fails the task at once (`TransientFailuresOnly`). The schedule is daily, catchup off, one run
at a time (the build is incremental and the warehouse has one writer). `tier_inventory` runs on the first
day of a month only; maintenance and docs run either way. On Redshift `publish_alerts` runs last whatever
happened before it: the run's task states as the build's CloudWatch metrics, and an SNS message when a task
failed (run_summary.py; the alarms in infra/cloudformation/globalretail.yaml watch those metrics).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from airflow.sdk import DAG, BaseHook, Param, TaskGroup, TriggerRule, Variable, chain, task
from airflow.sdk.definitions.retry_policy import RetryDecision, RetryPolicy
from airflow.sdk.exceptions import AirflowFailException

from warehouse.config import PROJECT_DIR
from warehouse.orchestration import retries, run_summary, steps
from warehouse.orchestration.environment import (
    CONNECTION_ID,
    SETTINGS_VARIABLE,
    ConnectionFields,
    RunSettingsError,
    parse_settings,
    resolve,
)

DAG_ID = "warehouse_daily"
MANIFEST_SETTING = "WAREHOUSE_AIRFLOW_MANIFEST"
DEFAULT_MANIFEST = PROJECT_DIR / "target" / "airflow" / "manifest.json"
RETRIES = 3
LAYERS: dict[str, tuple[str, ...]] = {
    "bronze": ("path:seeds", "path:models/bronze"),
    "silver": ("path:models/silver", "path:snapshots"),
    "gold": ("path:models/gold",),
}


class TransientFailuresOnly(RetryPolicy):
    """Retry a transient failure with a growing delay; fail anything else at once (retries.py says which).

    The worker evaluates the policy of the task it parsed from this file; the serialized DAG only records
    that the task has one, so the policy needs no serialize/deserialize of its own.
    """

    def evaluate(self, exception: BaseException, try_number: int, max_tries: int, context: Any = None) -> RetryDecision:
        reason = retries.is_transient(exception)
        if reason:
            return RetryDecision.retry(delay=retries.backoff(try_number), reason=f"transient: {reason}")
        return RetryDecision.fail(reason="not transient: a retry would fail the same way")


def run_environment(target: str) -> dict[str, str]:
    """The environment of a step, from the Variable `warehouse_settings` and the connection (at run time)."""
    try:
        settings = parse_settings(Variable.get(SETTINGS_VARIABLE, default=None))
        connection = None
        if target == "redshift":
            airflow_connection = BaseHook.get_connection(CONNECTION_ID)
            connection = ConnectionFields(
                host=airflow_connection.host,
                port=airflow_connection.port,
                schema=airflow_connection.schema,
                login=airflow_connection.login,
                password=airflow_connection.password,
                extra=airflow_connection.extra_dejson,
            )
        return resolve(target, settings, connection)
    except RunSettingsError as exc:
        raise AirflowFailException(str(exc)) from exc


def _run_day(context: dict[str, Any]) -> date:
    """The day a run is for: its logical date, or when it was triggered (a manual run may have none)."""
    moment: datetime | None = context.get("logical_date") or context["dag_run"].run_after
    assert moment is not None
    return moment.date()


def build_dag(target: str | None = None, *, manifest_path: Path | None = None, dag_id: str = DAG_ID) -> DAG:
    """The daily DAG on `target` (default: $WAREHOUSE_TARGET, else local)."""
    target = target or os.environ.get("WAREHOUSE_TARGET", "local")
    if target not in ("local", "redshift"):
        raise ValueError(f"WAREHOUSE_TARGET must be 'local' or 'redshift', not {target!r}")
    with DAG(
        dag_id=dag_id,
        description=f"GlobalRetail warehouse on {target}: partitions, build, export, tiering, maintenance, docs",
        schedule="@daily",
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        params={"full_refresh": Param(False, type="boolean", description="rebuild incremental models from scratch")},
        default_args={
            "retries": RETRIES,
            "retry_delay": retries.FIRST_DELAY,
            "max_retry_delay": retries.MAX_DELAY,
            "retry_policy": TransientFailuresOnly(),
        },
        tags=["globalretail", target],
        doc_md=__doc__,
    ) as dag:
        if target == "redshift":

            @task
            def spectrum_partitions() -> None:
                """Glue tables, the partitions of new days, the external schema (idempotent)."""
                steps.spectrum(run_environment(target))

            build_steps: list[Any] = [spectrum_partitions(), *_cosmos_layers(manifest_path)]
        else:

            @task
            def build(**context: Any) -> dict[str, Any]:
                """The whole project in one `warehouse build` (DuckDB allows one writer)."""
                return steps.build(run_environment(target), full_refresh=bool(context["params"]["full_refresh"]))

            build_steps = [build()]

        @task
        def unload_daily_revenue() -> None:
            """gold.agg_daily_revenue as Parquet partitioned by revenue_flag (UNLOAD on Redshift)."""
            steps.unload(run_environment(target))

        @task.short_circuit(ignore_downstream_trigger_rules=False)
        def first_run_of_month(**context: Any) -> bool:
            """True on the first day of a month: only then is the inventory history tiered."""
            return steps.first_run_of_month(_run_day(context))

        @task
        def tier_inventory(**context: Any) -> None:
            """Movements older than the hot horizon (counted back from the run's day) to the cold tier."""
            steps.tier_inventory(run_environment(target), as_of=_run_day(context))

        after_tiering: list[Any] = []
        if target == "redshift":

            @task(trigger_rule=TriggerRule.NONE_FAILED)
            def maintain() -> None:
                """VACUUM / ANALYZE the tables svv_table_info flags (after tiering deleted rows)."""
                steps.maintain(run_environment(target))

            after_tiering.append(maintain())

        @task(trigger_rule=TriggerRule.NONE_FAILED)
        def docs() -> str:
            """The dbt docs site of what was built."""
            return str(steps.docs(run_environment(target)))

        last: list[Any] = []
        if target == "redshift":

            @task(trigger_rule=TriggerRule.ALL_DONE)
            def publish_alerts(**context: Any) -> str:
                """The run's outcome as the build's CloudWatch metrics; an SNS message when a task failed."""
                summary = run_outcome(context, target)
                published = steps.publish_alerts(run_environment(target), summary)
                if not summary["success"]:
                    # A last task that succeeds would mark the run successful: the run fails as its tasks did.
                    failed = [item["name"] for item in summary["tests"]["failing"] + summary["errors"]]
                    raise AirflowFailException(f"alerts published for a failed run ({', '.join(failed)})")
                return str(published)

            last.append(publish_alerts())

        chain(
            *build_steps, unload_daily_revenue(), first_run_of_month(), tier_inventory(), *after_tiering, docs(), *last
        )
    return dag


def run_outcome(context: Any, target: str) -> dict[str, Any]:
    """The build summary of the running DAG run, from its finished tasks (Airflow's breadcrumbs)."""
    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

    ti, dag_run = context["ti"], context["dag_run"]
    crumbs = RuntimeTaskInstance.get_task_breadcrumbs(dag_id=ti.dag_id, run_id=ti.run_id)
    started = dag_run.start_date or datetime.now(UTC)
    seconds = (datetime.now(UTC) - started).total_seconds()
    return run_summary.summary_of(crumbs, target, seconds, own_task=ti.task_id)


def export_environment(context: Any) -> None:
    """A dbt task's settings: the connection's and the Variable's, read when the task runs, into its env."""
    os.environ.update(run_environment("redshift"))


def _cosmos_layers(manifest_path: Path | None) -> list[TaskGroup]:
    """One cosmos task group per layer on Redshift, each model's tests right after it."""
    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import InvocationMode, LoadMode, TestBehavior

    manifest = manifest_path or Path(os.environ.get(MANIFEST_SETTING, DEFAULT_MANIFEST))
    if not manifest.exists():
        raise FileNotFoundError(
            f"{manifest}: the Redshift DAG is rendered from dbt's manifest; write it with "
            f"`dbt parse --target redshift --target-path {manifest.parent}` (or set {MANIFEST_SETTING})"
        )
    project = ProjectConfig(dbt_project_path=PROJECT_DIR, manifest_path=manifest)
    profile = ProfileConfig(
        profile_name="globalretail", target_name="redshift", profiles_yml_filepath=PROJECT_DIR / "profiles.yml"
    )
    # dbt runs in the task's process (dbtRunner): a failed node's message (the database error, say ERROR: 1023)
    # is in the exception cosmos raises, which is what the retry policy reads. A dbt subprocess's failure
    # reaches the policy as "non-zero exit code" only, and would never be retried.
    execution = ExecutionConfig(dbt_executable_path=steps.dbt()[0], invocation_mode=InvocationMode.DBT_RUNNER)

    return [
        DbtTaskGroup(
            group_id=layer,
            project_config=project,
            profile_config=profile,
            execution_config=execution,
            render_config=RenderConfig(
                load_method=LoadMode.DBT_MANIFEST, select=list(selectors), test_behavior=TestBehavior.AFTER_EACH
            ),
            operator_args={
                "install_deps": False,
                # Before each dbt task (an error here fails the task, unlike an on_execute_callback's).
                "pre_execute": export_environment,
                "full_refresh": "{{ params.full_refresh }}",
            },
        )
        for layer, selectors in LAYERS.items()
    ]
