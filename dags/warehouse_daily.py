"""Airflow's entry point: the GlobalRetail daily DAG (scripts/warehouse/orchestration/dag.py builds it).

Point Airflow's dags folder here (`AIRFLOW__CORE__DAGS_FOLDER=dags`), or copy the repository into the dags
folder (MWAA): the `warehouse` package next to this file is used, installed or not. The target comes from
WAREHOUSE_TARGET (`local`, the default: DuckDB; `redshift`: production). docs/operations/airflow.md has the
setup.
"""

import sys
from pathlib import Path

_SCRIPTS = str(Path(__file__).resolve().parents[1] / "scripts")
if _SCRIPTS not in sys.path:
    sys.path.insert(0, _SCRIPTS)

from warehouse.orchestration.dag import build_dag  # noqa: E402

dag = build_dag()
