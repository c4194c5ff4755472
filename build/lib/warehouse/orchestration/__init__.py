"""The daily chain scheduled by Airflow (dags/warehouse_daily.py): its steps, their settings, their retries.

`steps` and `environment` are plain Python (the DAG's task bodies, testable without Airflow); `dag` builds the
DAG and needs the `airflow` extra (`pip install -e '.[airflow]'`: Airflow 3 and astronomer-cosmos).
"""
