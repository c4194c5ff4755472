"""Every environment setting of the project, described once.

`warehouse doctor`, the commands' up-front checks (requirements.py), the settings code that reads values
(warehouse.aws.settings) and the settings table of docs/settings.md all come from `SETTINGS`, so a name
cannot differ between the code, profiles.yml and the docs: tests/python/test_doctor.py checks that every
name profiles.yml, the macros and the Python code read is registered here, and that the docs table is the
one `render_table` writes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

logger = logging.getLogger("warehouse.settings")

Env = Mapping[str, str]


class Use(str, Enum):
    """What reads a setting: a dbt target or a `warehouse` command."""

    LOCAL = "build"
    REDSHIFT = "build --target redshift"
    SPECTRUM = "spectrum setup"
    COPY = "copy"
    UNLOAD = "unload --target redshift"
    OPS = "ops"
    ALERTS = "alerts publish"

    @property
    def command(self) -> str:
        return f"warehouse {self.value}"


# The commands that talk to Redshift through the Data API.
DATA_API_USES: frozenset[Use] = frozenset({Use.SPECTRUM, Use.COPY, Use.UNLOAD, Use.OPS})
TARGET_USES: Mapping[str, frozenset[Use]] = {
    "duckdb": frozenset({Use.LOCAL}),
    "redshift": frozenset({Use.REDSHIFT, *DATA_API_USES}),
}

_LOCAL = (Use.LOCAL,)
_AWS = (Use.REDSHIFT, *sorted(DATA_API_USES, key=list(Use).index), Use.ALERTS)


@dataclass(frozen=True)
class Setting:
    """One environment variable.

    `default` is what the code uses when it is unset ("" when nothing is). `placeholder` is a value that only
    lets dbt compile offline (profiles.yml's `redshift.invalid`): it counts as unset. `aliases` are
    deprecated names still read, with a notice. `example` is a well-formed fake value (docs and tests).
    """

    name: str
    meaning: str
    uses: tuple[Use, ...]
    default: str = ""
    secret: bool = False
    example: str = ""
    aliases: tuple[str, ...] = ()
    stack_output: str = ""
    placeholder: str = ""


_ROLE = "arn:aws:iam::111122223333:role/globalretail-{}"
_SECRET = "arn:aws:secretsmanager:us-east-1:111122223333:secret:globalretail-{}"

SETTINGS_LIST: tuple[Setting, ...] = (
    # --- local warehouse (DuckDB) -------------------------------------------------------------------------
    Setting(
        "WAREHOUSE_DATA_DIR", "DuckDB file (`warehouse.duckdb`) and local lake", (Use.LOCAL,), "data", example="/tmp/wh"
    ),
    Setting(
        "WAREHOUSE_LAKE_ROOT",
        "lake root: a folder, or `s3://bucket/prefix`",
        (Use.LOCAL, *DATA_API_USES),
        "$WAREHOUSE_DATA_DIR/lake",
        example="/tmp/wh/lake",
    ),
    Setting("WAREHOUSE_TARGET", "dbt target: `local` (DuckDB) or `redshift`", (Use.LOCAL, Use.REDSHIFT), "local"),
    Setting(
        "WAREHOUSE_DUCKDB_MEMORY_LIMIT",
        "DuckDB buffer pool of a build; more spills to `<warehouse>.duckdb.tmp/`",
        _LOCAL,
        "4GB",
        example="4GB",
    ),
    Setting(
        "WAREHOUSE_CATALOG_DSN",
        "read the product catalog live from PostgreSQL (libpq string or URI; the password from `PGPASSWORD` "
        "or ~/.pgpass)",
        _LOCAL,
        secret=True,
        example="host=127.0.0.1 port=5432 dbname=catalog user=warehouse",
    ),
    Setting("PGPASSWORD", "password of the live catalog database (`WAREHOUSE_CATALOG_DSN`)", _LOCAL, secret=True),
    Setting("WAREHOUSE_DUCKDB_S3", "`1`: set DuckDB up for S3 although no root is an s3:// URI", _LOCAL, example="1"),
    Setting(
        "WAREHOUSE_S3_URL_STYLE",
        "`path` or `vhost` S3 URLs for DuckDB",
        _LOCAL,
        "`path` with an AWS_ENDPOINT_URL, else `vhost`",
    ),
    # --- AWS (boto3 and DuckDB's S3 secret) ------------------------------------------------------------------
    Setting(
        "AWS_REGION",
        "AWS region of Redshift, S3, Glue and the Data API",
        (Use.LOCAL, *_AWS),
        "us-east-1",
        example="us-east-1",
    ),
    Setting("AWS_DEFAULT_REGION", "region when `AWS_REGION` is unset", (Use.LOCAL, *_AWS), "us-east-1"),
    Setting(
        "AWS_PROFILE",
        "AWS credentials profile (dbt's `iam_profile`); unset: boto3's default chain (an instance or execution role)",
        (Use.LOCAL, *_AWS),
    ),
    Setting(
        "AWS_ACCESS_KEY_ID", "explicit AWS credentials (else boto3's default chain)", (Use.LOCAL, *_AWS), secret=True
    ),
    Setting(
        "AWS_SECRET_ACCESS_KEY",
        "explicit AWS credentials (else boto3's default chain)",
        (Use.LOCAL, *_AWS),
        secret=True,
    ),
    Setting("AWS_SESSION_TOKEN", "session token of temporary credentials", (Use.LOCAL, *_AWS), secret=True),
    Setting(
        "AWS_ENDPOINT_URL", "another endpoint for every AWS service, e.g. moto_server in tests", (Use.LOCAL, *_AWS)
    ),
    Setting("AWS_ENDPOINT_URL_S3", "another S3 endpoint (DuckDB and boto3)", (Use.LOCAL, *_AWS)),
    # --- dbt's redshift target (profiles.yml) --------------------------------------------------------------
    Setting(
        "REDSHIFT_HOST",
        "endpoint dbt connects to (cluster or Serverless workgroup host)",
        (Use.REDSHIFT,),
        example="globalretail.abc123.us-east-1.redshift.amazonaws.com",
        placeholder="redshift.invalid",
    ),
    Setting("REDSHIFT_PORT", "port of `REDSHIFT_HOST`", (Use.REDSHIFT,), "5439", example="5439"),
    Setting(
        "REDSHIFT_DATABASE",
        "database of dbt and of the Data API",
        (Use.REDSHIFT, *DATA_API_USES),
        "globalretail",
        example="globalretail",
    ),
    Setting(
        "REDSHIFT_USER",
        "database user: dbt's user, and the Data API's `DbUser` on a provisioned cluster (temporary IAM "
        "credentials) unless `REDSHIFT_SECRET_ARN` is set; not sent to a Serverless workgroup",
        (Use.REDSHIFT, *DATA_API_USES),
        example="dbt",
        aliases=("REDSHIFT_DB_USER",),
    ),
    Setting(
        "REDSHIFT_AUTH_METHOD", "`iam` (default credential chain) or `database` (password)", (Use.REDSHIFT,), "iam"
    ),
    Setting(
        "DBT_ENV_SECRET_REDSHIFT_PASSWORD",
        "password of `REDSHIFT_USER` with `REDSHIFT_AUTH_METHOD=database`",
        (Use.REDSHIFT,),
        secret=True,
    ),
    Setting(
        "REDSHIFT_CLUSTER_ID",
        "provisioned cluster: dbt's IAM authentication and the Data API",
        (Use.REDSHIFT, *DATA_API_USES),
        example="globalretail",
        stack_output="ClusterId",
    ),
    Setting(
        "REDSHIFT_WORKGROUP",
        "Redshift Serverless workgroup of the Data API (instead of `REDSHIFT_CLUSTER_ID`)",
        tuple(sorted(DATA_API_USES, key=list(Use).index)),
        example="globalretail",
        stack_output="WorkgroupName",
    ),
    Setting(
        "REDSHIFT_SECRET_ARN",
        "Secrets Manager secret with a database user's password, for the Data API (instead of `REDSHIFT_USER`)",
        tuple(sorted(DATA_API_USES, key=list(Use).index)),
        example=_SECRET.format("redshift"),
    ),
    Setting("REDSHIFT_SCHEMA", "dbt's default schema on Redshift", (Use.REDSHIFT,), "analytics"),
    # --- the lake on S3, roles, Glue -----------------------------------------------------------------------
    Setting(
        "WAREHOUSE_S3_LAKE_ROOT",
        "the lake on S3, `s3://<raw bucket>/lake`: dbt's Spectrum tables, Glue, COPY",
        (Use.REDSHIFT, Use.SPECTRUM, Use.COPY, Use.UNLOAD),
        "`$WAREHOUSE_LAKE_ROOT` for the commands (dbt reads only this name)",
        example="s3://globalretail-raw-111122223333-us-east-1/lake",
        stack_output="LakeRoot",
    ),
    Setting(
        "WAREHOUSE_ALERTS_TOPIC_ARN",
        "SNS topic told when a build failed (`warehouse alerts publish`); required after a failed build",
        (Use.ALERTS,),
        example="arn:aws:sns:us-east-1:111122223333:globalretail-alerts",
        stack_output="AlertsTopicArn",
    ),
    Setting(
        "WAREHOUSE_AIRFLOW_MANIFEST",
        "dbt manifest the Airflow DAG renders its Redshift task groups from (`dbt parse --target redshift`)",
        (Use.REDSHIFT,),
        "<project>/target/airflow/manifest.json",
    ),
    Setting(
        "WAREHOUSE_METRICS_NAMESPACE",
        "CloudWatch namespace of the build metrics; the stack's alarms watch the default",
        (Use.ALERTS,),
        "GlobalRetail/Warehouse",
        example="GlobalRetail/Warehouse",
    ),
    Setting(
        "WAREHOUSE_EXPORT_ROOT",
        "where exports go (UNLOAD)",
        (Use.LOCAL, Use.UNLOAD),
        "<lake root>/exports",
        example="s3://globalretail-processed-111122223333-us-east-1/exports",
        stack_output="ExportRoot",
    ),
    Setting(
        "GLUE_DATABASE", "Glue database of the lake", (Use.SPECTRUM,), "globalretail_raw", stack_output="GlueDatabase"
    ),
    Setting(
        "GLUE_EXPORT_DATABASE",
        "Glue database of the exports",
        (Use.UNLOAD,),
        "globalretail_exports",
        stack_output="GlueExportDatabase",
    ),
    Setting("SPECTRUM_SCHEMA", "Redshift external schema of `spectrum setup`", (Use.SPECTRUM,), "spectrum_raw"),
    Setting(
        "REDSHIFT_SPECTRUM_ROLE_ARN",
        "role of the Spectrum external schema (dbt's hook and `spectrum setup`)",
        (Use.REDSHIFT, Use.SPECTRUM),
        example=_ROLE.format("spectrum"),
        stack_output="SpectrumRoleArn",
    ),
    Setting(
        "REDSHIFT_COPY_UNLOAD_ROLE_ARN",
        "role of COPY and UNLOAD (dbt's inventory tiering falls back to the Spectrum role)",
        (Use.REDSHIFT, Use.COPY, Use.UNLOAD),
        example=_ROLE.format("copy-unload"),
        stack_output="CopyUnloadRoleArn",
    ),
    Setting(
        "REDSHIFT_STREAMING_ROLE_ARN",
        "role of the Kinesis external schema (streaming ingestion of web events and inventory CDC)",
        (Use.REDSHIFT,),
        example=_ROLE.format("streaming"),
        stack_output="StreamingRoleArn",
    ),
    Setting("WAREHOUSE_KMS_KEY_ID", "KMS key of `unload --encrypt`", (Use.UNLOAD,), stack_output="KmsKeyArn"),
    # --- federated product catalog on Redshift ---------------------------------------------------------------
    Setting(
        "REDSHIFT_CATALOG_PG_URI",
        "host of the catalog PostgreSQL database: set, dbt reads the catalog live (federated query)",
        (Use.REDSHIFT,),
    ),
    Setting("REDSHIFT_CATALOG_PG_DATABASE", "database of the federated catalog", (Use.REDSHIFT,), "catalog"),
    Setting("REDSHIFT_CATALOG_PG_SCHEMA", "schema of the federated catalog", (Use.REDSHIFT,), "public"),
    Setting("REDSHIFT_CATALOG_PG_PORT", "port of the federated catalog", (Use.REDSHIFT,), "5432"),
    Setting(
        "REDSHIFT_FEDERATED_ROLE_ARN",
        "role of the federated catalog schema",
        (Use.REDSHIFT,),
        example=_ROLE.format("federated"),
        stack_output="FederatedRoleArn",
    ),
    Setting(
        "REDSHIFT_CATALOG_PG_SECRET_ARN",
        "Secrets Manager secret with the catalog database's credentials",
        (Use.REDSHIFT,),
        example=_SECRET.format("catalog"),
        stack_output="CatalogSecretArn",
    ),
    # --- Data API behaviour --------------------------------------------------------------------------------
    Setting(
        "REDSHIFT_STATEMENT_TIMEOUT",
        "seconds before a Data API statement is cancelled",
        tuple(sorted(DATA_API_USES, key=list(Use).index)),
        "900",
    ),
    Setting(
        "REDSHIFT_CONFLICT_RETRIES",
        "retries of a statement that hit error 1023 (serializable isolation)",
        tuple(sorted(DATA_API_USES, key=list(Use).index)),
        "3",
    ),
)

SETTINGS: Mapping[str, Setting] = {setting.name: setting for setting in SETTINGS_LIST}
ALIASES: Mapping[str, str] = {alias: s.name for s in SETTINGS_LIST for alias in s.aliases}

_noticed: set[str] = set()


def raw(env: Env, name: str) -> str:
    """The stripped value of a registered name (not its aliases); "" when unset or a placeholder."""
    setting = SETTINGS[name]  # KeyError: read only registered names
    value = env.get(name, "").strip()
    return "" if setting.placeholder and value == setting.placeholder else value


def alias_in_use(env: Env, name: str) -> str | None:
    """The deprecated alias a value comes from, when `name` itself is unset."""
    if raw(env, name):
        return None
    return next((alias for alias in SETTINGS[name].aliases if env.get(alias, "").strip()), None)


def alias_conflicts(env: Env) -> list[tuple[str, str]]:
    """(alias, what is wrong) for each deprecated alias set to another value than its new name."""
    return [
        (
            alias,
            f"{alias}={env[alias].strip()!r} and {name}={raw(env, name)!r} differ: {alias} is the deprecated name "
            f"of {name}; unset {alias}",
        )
        for alias, name in ALIASES.items()
        if env.get(alias, "").strip() and raw(env, name) and env[alias].strip() != raw(env, name)
    ]


def deprecation_notice(alias: str) -> str:
    return f"{alias} is deprecated: rename it to {ALIASES[alias]} (one name for dbt and the Data API)"


def value(env: Env | None, name: str, default: str | None = None) -> str | None:
    """A setting's value: the name, else a deprecated alias (with a one-line notice, once), else `default`."""
    env = os.environ if env is None else env
    found = raw(env, name)
    if found:
        return found
    alias = alias_in_use(env, name)
    if alias is None:
        return default
    if alias not in _noticed:
        _noticed.add(alias)
        logger.warning("%s", deprecation_notice(alias))
    return env[alias].strip()


def is_set(env: Env, name: str) -> bool:
    return bool(raw(env, name) or alias_in_use(env, name))
