"""Configuration of the AWS commands, read once from the environment into frozen dataclasses.

Credentials are never settings: boto3's default credential chain (environment, profile, SSO, instance or
task role) supplies them. The names below match the outputs of infra/cloudformation/globalretail.yaml.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from warehouse.aws.errors import AwsSettingsError
from warehouse.config import Settings
from warehouse.doctor import registry

DEFAULT_REGION = "us-east-1"
STACK_HINT = "(an output of the globalretail CloudFormation stack, see infra/cloudformation/)"


def _get(env: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    """A registered setting (warehouse.doctor.registry), its deprecated alias, or `default`."""
    return registry.value(env, name, default)


def _positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    text = _get(env, name)
    if text is None:
        return default
    try:
        value = float(text)
    except ValueError:
        raise AwsSettingsError(f"{name} must be a number of seconds, not {text!r}") from None
    if value <= 0:
        raise AwsSettingsError(f"{name} must be positive, not {text!r}")
    return value


@dataclass(frozen=True)
class RedshiftTarget:
    """Which Redshift the Data API talks to: a provisioned cluster or a Serverless workgroup.

    Provisioned: REDSHIFT_CLUSTER_ID plus REDSHIFT_SECRET_ARN or else REDSHIFT_USER (temporary IAM credentials;
    the same user dbt connects as). Serverless: REDSHIFT_WORKGROUP, with REDSHIFT_SECRET_ARN or (without it)
    the caller's IAM identity; REDSHIFT_USER is then dbt's only.
    """

    database: str
    cluster_id: str | None = None
    workgroup: str | None = None
    db_user: str | None = None
    secret_arn: str | None = None

    def __post_init__(self) -> None:
        if bool(self.cluster_id) == bool(self.workgroup):
            raise AwsSettingsError(
                "set exactly one of REDSHIFT_CLUSTER_ID (provisioned cluster) and REDSHIFT_WORKGROUP "
                f"(Redshift Serverless); got cluster={self.cluster_id!r}, workgroup={self.workgroup!r}"
            )
        if self.cluster_id and not (self.db_user or self.secret_arn):
            raise AwsSettingsError(
                f"cluster {self.cluster_id!r}: set REDSHIFT_USER (IAM temporary credentials) or "
                "REDSHIFT_SECRET_ARN (a Secrets Manager secret with the database user's password)"
            )
        if self.workgroup and self.db_user:
            raise AwsSettingsError(
                "a database user (DbUser) applies to provisioned clusters only; for the Serverless workgroup "
                f"{self.workgroup!r} use REDSHIFT_SECRET_ARN or your IAM identity"
            )
        if self.db_user and self.secret_arn:
            raise AwsSettingsError("a database user (DbUser) or a secret (REDSHIFT_SECRET_ARN), not both")

    @property
    def serverless(self) -> bool:
        return self.workgroup is not None

    @property
    def name(self) -> str:
        return f"workgroup {self.workgroup}" if self.workgroup else f"cluster {self.cluster_id}"

    def request_params(self) -> dict[str, str]:
        """The connection part of every execute_statement / batch_execute_statement request."""
        params = {"Database": self.database}
        if self.cluster_id:
            params["ClusterIdentifier"] = self.cluster_id
        if self.workgroup:
            params["WorkgroupName"] = self.workgroup
        if self.db_user:
            params["DbUser"] = self.db_user
        if self.secret_arn:
            params["SecretArn"] = self.secret_arn
        return params

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RedshiftTarget:
        env = os.environ if environ is None else environ
        workgroup = _get(env, "REDSHIFT_WORKGROUP")
        secret_arn = _get(env, "REDSHIFT_SECRET_ARN")
        # REDSHIFT_USER is also dbt's user: the secret wins over it, and a workgroup never gets a DbUser.
        db_user = None if workgroup or secret_arn else _get(env, "REDSHIFT_USER")
        return cls(
            database=_get(env, "REDSHIFT_DATABASE", "globalretail") or "globalretail",
            cluster_id=_get(env, "REDSHIFT_CLUSTER_ID"),
            workgroup=workgroup,
            db_user=db_user,
            secret_arn=secret_arn,
        )


@dataclass(frozen=True)
class DataApiSettings:
    """How the Data API runner waits: statement time limit, polling backoff, retries of error 1023."""

    timeout_seconds: float = 900.0
    poll_initial_seconds: float = 0.25
    poll_max_seconds: float = 5.0
    conflict_retries: int = 3
    conflict_backoff_seconds: float = 2.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DataApiSettings:
        env = os.environ if environ is None else environ
        retries_text = _get(env, "REDSHIFT_CONFLICT_RETRIES", "3") or "3"
        if not retries_text.isdigit():
            raise AwsSettingsError(f"REDSHIFT_CONFLICT_RETRIES must be a whole number, not {retries_text!r}")
        return cls(
            timeout_seconds=_positive_float(env, "REDSHIFT_STATEMENT_TIMEOUT", 900.0),
            conflict_retries=int(retries_text),
        )


@dataclass(frozen=True)
class AwsSettings:
    """Where the lake, the exports and the catalog are, and which roles Redshift assumes."""

    region: str
    endpoint_url: str | None
    lake_root: str
    export_root: str | None
    glue_database: str
    glue_export_database: str
    spectrum_schema: str
    spectrum_role_arn: str | None
    copy_unload_role_arn: str | None
    kms_key_id: str | None

    @property
    def lake_on_s3(self) -> bool:
        return self.lake_root.startswith("s3://")

    def exports_under(self, lake_root: str) -> str:
        """WAREHOUSE_EXPORT_ROOT, else `<lake root>/exports`."""
        return self.export_root or f"{lake_root.rstrip('/')}/exports"

    def require(self, name: str) -> str:
        """A role or key that a command needs, or an error naming the variable to set."""
        variables = {
            "spectrum_role_arn": "REDSHIFT_SPECTRUM_ROLE_ARN",
            "copy_unload_role_arn": "REDSHIFT_COPY_UNLOAD_ROLE_ARN",
            "kms_key_id": "WAREHOUSE_KMS_KEY_ID",
        }
        value = getattr(self, name)
        if not value:
            raise AwsSettingsError(f"set {variables[name]} {STACK_HINT}")
        return str(value)

    def require_s3_lake(self) -> str:
        if not self.lake_on_s3:
            raise AwsSettingsError(
                f"the lake root is {self.lake_root!r}; Glue and Redshift read the lake from S3: set "
                "WAREHOUSE_S3_LAKE_ROOT (or WAREHOUSE_LAKE_ROOT) to s3://<raw bucket>/<prefix> (the RawBucketName "
                "output of the stack)"
            )
        return self.lake_root.rstrip("/")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AwsSettings:
        env = os.environ if environ is None else environ
        # The dbt redshift target reads the S3 lake from WAREHOUSE_S3_LAKE_ROOT; WAREHOUSE_LAKE_ROOT may then
        # still point DuckDB at a local copy.
        lake_root = (_get(env, "WAREHOUSE_S3_LAKE_ROOT") or Settings.from_env(dict(env)).lake_root).rstrip("/")
        export_root = _get(env, "WAREHOUSE_EXPORT_ROOT")
        return cls(
            region=_get(env, "AWS_REGION", _get(env, "AWS_DEFAULT_REGION", DEFAULT_REGION)) or DEFAULT_REGION,
            endpoint_url=_get(env, "AWS_ENDPOINT_URL"),
            lake_root=lake_root,
            export_root=export_root.rstrip("/") if export_root else None,
            glue_database=_get(env, "GLUE_DATABASE", "globalretail_raw") or "globalretail_raw",
            glue_export_database=_get(env, "GLUE_EXPORT_DATABASE", "globalretail_exports") or "globalretail_exports",
            spectrum_schema=_get(env, "SPECTRUM_SCHEMA", "spectrum_raw") or "spectrum_raw",
            spectrum_role_arn=_get(env, "REDSHIFT_SPECTRUM_ROLE_ARN"),
            copy_unload_role_arn=_get(env, "REDSHIFT_COPY_UNLOAD_ROLE_ARN"),
            kms_key_id=_get(env, "WAREHOUSE_KMS_KEY_ID"),
        )
