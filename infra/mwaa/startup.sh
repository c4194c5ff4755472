#!/bin/sh
# The MWAA startup script (the environment's StartupScriptS3Path): MWAA runs it before every Airflow
# component starts, and the variables it exports are that component's environment. The daily DAG reads
# WAREHOUSE_TARGET when its file is parsed (docs/operations/airflow.md).
export WAREHOUSE_TARGET=redshift
