"""The settings of a scheduled run, from Airflow's own mechanisms: a connection and a Variable.

- The Airflow connection `warehouse_redshift` (conn type `redshift` or `postgres`) holds where and as whom
  dbt connects: host, port, database (the connection's schema field), login, and a password only for
  database authentication (without one, dbt authenticates with IAM). Its extra may carry `cluster_id` and
  `region`. On MWAA, keep it in Secrets Manager through Airflow's secrets backend.
- The Airflow Variable `warehouse_settings`, a JSON object, holds the other settings by their names in
  docs/settings.md (role ARNs, lake root, export root, ...). A name that is not a setting is refused (a typo
  would otherwise be ignored and the default used), and so is a secret: a Variable is shown in the UI.

`resolve` turns them into the environment the `warehouse` commands and dbt read; it is plain Python.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from warehouse.config import PROJECT_DIR
from warehouse.doctor.registry import SETTINGS

CONNECTION_ID = "warehouse_redshift"
SETTINGS_VARIABLE = "warehouse_settings"
TARGETS = ("local", "redshift")

# dbt's own paths may be set too: where a run writes its artifacts and logs.
DBT_PATHS = ("DBT_TARGET_PATH", "DBT_LOG_PATH")


class RunSettingsError(ValueError):
    """The connection or the Variable cannot make a valid environment; the message says what to fix."""


@dataclass(frozen=True)
class ConnectionFields:
    """The parts of an Airflow connection this project reads (Connection.host, .port, ...)."""

    host: str | None = None
    port: int | None = None
    schema: str | None = None
    login: str | None = None
    password: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def connection_settings(connection: ConnectionFields) -> dict[str, str]:
    """The Redshift settings a connection gives: host, port, database, user, and password or IAM."""
    if not connection.host:
        raise RunSettingsError(f"the Airflow connection {CONNECTION_ID!r} has no host")
    env = {"REDSHIFT_HOST": connection.host}
    if connection.port:
        env["REDSHIFT_PORT"] = str(connection.port)
    if connection.schema:
        env["REDSHIFT_DATABASE"] = connection.schema
    if connection.login:
        env["REDSHIFT_USER"] = connection.login
    if connection.password:
        env["REDSHIFT_AUTH_METHOD"] = "database"
        env["DBT_ENV_SECRET_REDSHIFT_PASSWORD"] = connection.password
    else:
        env["REDSHIFT_AUTH_METHOD"] = "iam"
    for key, name in (("cluster_id", "REDSHIFT_CLUSTER_ID"), ("region", "AWS_REGION")):
        if connection.extra.get(key):
            env[name] = str(connection.extra[key])
    return env


def parse_settings(text: str | Mapping[str, Any] | None) -> dict[str, str]:
    """The Variable's settings, checked: known names, no secrets, text values."""
    if text is None or text == "":
        return {}
    try:
        values = json.loads(text) if isinstance(text, str) else dict(text)
    except json.JSONDecodeError as exc:
        raise RunSettingsError(f"the Airflow Variable {SETTINGS_VARIABLE!r} is not JSON: {exc}") from exc
    if not isinstance(values, dict):
        raise RunSettingsError(f"the Airflow Variable {SETTINGS_VARIABLE!r} must be a JSON object of settings")
    problems = []
    for name, value in sorted(values.items()):
        setting = SETTINGS.get(name)
        if setting is None and name not in DBT_PATHS:
            problems.append(f"{name} is not a setting (docs/settings.md lists them)")
        elif setting is not None and setting.secret:
            problems.append(
                f"{name} is a secret: put it in the connection {CONNECTION_ID!r} or the secrets backend, "
                "not in a Variable"
            )
        elif not isinstance(value, str | int | float) or isinstance(value, bool):
            problems.append(f"{name} must be a string or a number, not {type(value).__name__}")
    if problems:
        raise RunSettingsError(
            f"the Airflow Variable {SETTINGS_VARIABLE!r}:\n" + "\n".join(f"  - {line}" for line in problems)
        )
    return {name: str(value) for name, value in values.items()}


def resolve(target: str, settings: Mapping[str, str], connection: ConnectionFields | None) -> dict[str, str]:
    """The environment of one step of a run on `target`."""
    if target not in TARGETS:
        raise RunSettingsError(f"the target must be one of {', '.join(TARGETS)}, not {target!r}")
    env = {"WAREHOUSE_TARGET": target, "DBT_PROFILES_DIR": str(PROJECT_DIR), "DBT_PROJECT_DIR": str(PROJECT_DIR)}
    env.update(settings)
    if "WAREHOUSE_TARGET" in settings and settings["WAREHOUSE_TARGET"] != target:
        raise RunSettingsError(
            f"the Variable {SETTINGS_VARIABLE!r} says WAREHOUSE_TARGET={settings['WAREHOUSE_TARGET']}, "
            f"but this DAG runs on {target}"
        )
    if target == "redshift":
        if connection is None:
            raise RunSettingsError(f"the target redshift needs the Airflow connection {CONNECTION_ID!r}")
        from_connection = connection_settings(connection)
        twice = sorted(set(from_connection) & set(settings))
        if twice:
            raise RunSettingsError(
                f"{', '.join(twice)}: given by the connection {CONNECTION_ID!r} and by the Variable "
                f"{SETTINGS_VARIABLE!r}; keep one"
            )
        env.update(from_connection)
    else:
        data_dir = settings.get("WAREHOUSE_DATA_DIR", str(PROJECT_DIR / "data"))
        env.setdefault("WAREHOUSE_DATA_DIR", data_dir)
        # A scheduled local run keeps dbt's artifacts and logs with the warehouse it builds.
        env.setdefault("DBT_TARGET_PATH", f"{data_dir}/target")
        env.setdefault("DBT_LOG_PATH", f"{data_dir}/logs")
    return env
