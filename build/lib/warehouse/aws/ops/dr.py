"""Disaster recovery: snapshot, cross-region copy, restore, and the verification checklist.

Provisioned clusters use the `redshift` API (manual cluster snapshots, cross-region snapshot copy with a
snapshot copy grant for KMS-encrypted clusters, restore into a new cluster); Serverless uses
`redshift-serverless` (namespace snapshots, a snapshot copy configuration, restore into a namespace).
Every step checks first and does nothing when its result already exists, so a failover can be rerun.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from warehouse import log
from warehouse.aws.data_api import DataApiRunner
from warehouse.aws.errors import RecoveryError
from warehouse.aws.settings import RedshiftTarget
from warehouse.checksums import table_checksums

logger = log.get("ops.dr")


@dataclass(frozen=True)
class StepResult:
    step: str
    resource: str
    change: str  # created | exists | enabled | unchanged | restored
    detail: str = ""


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _fail(action: str, exc: ClientError, hint: str = "") -> RecoveryError:
    error = exc.response.get("Error", {})
    return RecoveryError(f"{action}: {error.get('Code', '')} {error.get('Message', '')}{hint}".strip())


def _poll(check: Callable[[], str | None], what: str, timeout: float, sleep: Callable[[float], None]) -> str:
    """Call `check` until it returns a final status (not None); fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    delay = 5.0
    while True:
        status = check()
        if status is not None:
            return status
        if time.monotonic() >= deadline:
            raise RecoveryError(f"{what} not ready after {timeout:.0f}s; rerun the same command to keep waiting")
        sleep(delay)
        delay = min(delay * 2, 60.0)


def namespace_of(serverless: Any, workgroup: str) -> str:
    try:
        return str(serverless.get_workgroup(workgroupName=workgroup)["workgroup"]["namespaceName"])
    except ClientError as exc:
        raise _fail(f"reading workgroup {workgroup}", exc) from exc


# --- snapshot ---------------------------------------------------------------------------------------------


def snapshot_cluster(
    redshift: Any,
    cluster_id: str,
    snapshot_id: str,
    retention_days: int = 7,
    wait: bool = True,
    timeout: float = 3600,
    sleep: Callable[[float], None] = time.sleep,
) -> StepResult:
    try:
        existing = redshift.describe_cluster_snapshots(SnapshotIdentifier=snapshot_id)["Snapshots"]
    except ClientError as exc:
        if _code(exc) != "ClusterSnapshotNotFound":
            raise _fail(f"looking up snapshot {snapshot_id}", exc) from exc
        existing = []
    if existing:
        source = existing[0].get("ClusterIdentifier")
        if source != cluster_id:
            raise RecoveryError(f"snapshot {snapshot_id} exists but belongs to cluster {source}; choose another id")
        change = "exists"
    else:
        try:
            redshift.create_cluster_snapshot(
                SnapshotIdentifier=snapshot_id,
                ClusterIdentifier=cluster_id,
                ManualSnapshotRetentionPeriod=retention_days,
                Tags=[{"Key": "managed_by", "Value": "globalretail-warehouse"}],
            )
        except ClientError as exc:
            raise _fail(f"creating snapshot {snapshot_id} of {cluster_id}", exc) from exc
        change = "created"

    def status() -> str | None:
        snapshots = redshift.describe_cluster_snapshots(SnapshotIdentifier=snapshot_id)["Snapshots"]
        value = str(snapshots[0].get("Status", "")) if snapshots else ""
        if value == "failed":
            raise RecoveryError(f"snapshot {snapshot_id} failed; see the Redshift console events")
        return value if value == "available" else None

    final = _poll(status, f"snapshot {snapshot_id}", timeout, sleep) if wait else "creating"
    return StepResult("snapshot", snapshot_id, change, f"cluster {cluster_id}, {final}")


def snapshot_namespace(
    serverless: Any,
    namespace: str,
    snapshot_id: str,
    retention_days: int = 7,
    wait: bool = True,
    timeout: float = 3600,
    sleep: Callable[[float], None] = time.sleep,
) -> StepResult:
    def current() -> dict[str, Any] | None:
        try:
            return dict(serverless.get_snapshot(snapshotName=snapshot_id)["snapshot"])
        except ClientError as exc:
            if _code(exc) == "ResourceNotFoundException":
                return None
            raise _fail(f"looking up snapshot {snapshot_id}", exc) from exc

    existing = current()
    if existing is not None:
        if existing.get("namespaceName") != namespace:
            raise RecoveryError(
                f"snapshot {snapshot_id} exists but belongs to namespace {existing.get('namespaceName')}"
            )
        change = "exists"
    else:
        try:
            serverless.create_snapshot(
                namespaceName=namespace, snapshotName=snapshot_id, retentionPeriod=retention_days
            )
        except ClientError as exc:
            raise _fail(f"creating snapshot {snapshot_id} of namespace {namespace}", exc) from exc
        change = "created"

    def status() -> str | None:
        value = str((current() or {}).get("status", ""))
        if value in {"FAILED", "CANCELLED"}:
            raise RecoveryError(f"snapshot {snapshot_id} is {value}")
        return value if value == "AVAILABLE" else None

    final = _poll(status, f"snapshot {snapshot_id}", timeout, sleep) if wait else "CREATING"
    return StepResult("snapshot", snapshot_id, change, f"namespace {namespace}, {final}")


# --- cross-region copy ------------------------------------------------------------------------------------


def enable_cluster_copy(
    redshift: Any, cluster_id: str, dr_region: str, retention_days: int = 7, grant: str | None = None
) -> StepResult:
    try:
        cluster = redshift.describe_clusters(ClusterIdentifier=cluster_id)["Clusters"][0]
    except ClientError as exc:
        raise _fail(f"reading cluster {cluster_id}", exc, " (check REDSHIFT_CLUSTER_ID and AWS_REGION)") from exc
    status = cluster.get("ClusterSnapshotCopyStatus") or {}
    if status.get("DestinationRegion") == dr_region:
        return StepResult("copy", cluster_id, "unchanged", f"snapshots already copied to {dr_region}")
    if status.get("DestinationRegion"):
        raise RecoveryError(
            f"cluster {cluster_id} already copies snapshots to {status['DestinationRegion']}; run "
            f"`aws redshift disable-snapshot-copy --cluster-identifier {cluster_id}` first to switch to {dr_region}"
        )
    if cluster.get("Encrypted") and not grant:
        raise RecoveryError(
            f"cluster {cluster_id} is KMS-encrypted: create a snapshot copy grant in {dr_region} "
            f"(`aws redshift create-snapshot-copy-grant --region {dr_region} --snapshot-copy-grant-name "
            "globalretail-dr --kms-key-id <DR region key>`) and pass --grant globalretail-dr"
        )
    params: dict[str, Any] = {
        "ClusterIdentifier": cluster_id,
        "DestinationRegion": dr_region,
        "RetentionPeriod": retention_days,
        "ManualSnapshotRetentionPeriod": retention_days,
    }
    if grant:
        params["SnapshotCopyGrantName"] = grant
    try:
        redshift.enable_snapshot_copy(**params)
    except ClientError as exc:
        raise _fail(f"enabling snapshot copy of {cluster_id} to {dr_region}", exc) from exc
    return StepResult("copy", cluster_id, "enabled", f"new snapshots are copied to {dr_region}")


def enable_namespace_copy(
    serverless: Any, namespace: str, dr_region: str, retention_days: int = 7, kms_key_id: str | None = None
) -> StepResult:
    try:
        configurations = serverless.list_snapshot_copy_configurations(namespaceName=namespace)
    except ClientError as exc:
        raise _fail(f"reading snapshot copy configurations of {namespace}", exc) from exc
    for configuration in configurations.get("snapshotCopyConfigurations", []):
        if configuration.get("destinationRegion") == dr_region:
            return StepResult("copy", namespace, "unchanged", f"snapshots already copied to {dr_region}")
    params: dict[str, Any] = {
        "namespaceName": namespace,
        "destinationRegion": dr_region,
        "snapshotRetentionPeriod": retention_days,
    }
    if kms_key_id:
        params["destinationKmsKeyId"] = kms_key_id
    try:
        serverless.create_snapshot_copy_configuration(**params)
    except ClientError as exc:
        raise _fail(f"configuring snapshot copy of {namespace} to {dr_region}", exc) from exc
    return StepResult("copy", namespace, "enabled", f"new snapshots are copied to {dr_region}")


def wait_for_copied_snapshot(
    dr_redshift: Any,
    snapshot_id: str,
    timeout: float = 3600,
    sleep: Callable[[float], None] = time.sleep,
) -> StepResult:
    """Wait until the snapshot's copy is available in the DR region (the client is the DR region's)."""

    def status() -> str | None:
        try:
            snapshots = dr_redshift.describe_cluster_snapshots(SnapshotIdentifier=snapshot_id)["Snapshots"]
        except ClientError as exc:
            if _code(exc) == "ClusterSnapshotNotFound":
                return None
            raise _fail(f"looking up the copy of {snapshot_id}", exc) from exc
        value = str(snapshots[0].get("Status", "")) if snapshots else ""
        return value if value == "available" else None

    _poll(status, f"copy of snapshot {snapshot_id}", timeout, sleep)
    return StepResult("copy", snapshot_id, "available", "in the DR region")


# --- restore ----------------------------------------------------------------------------------------------


def restore_cluster(
    dr_redshift: Any,
    snapshot_id: str,
    new_cluster_id: str,
    source_cluster_id: str | None = None,
    subnet_group: str | None = None,
    security_group_ids: Sequence[str] = (),
    wait: bool = True,
    timeout: float = 7200,
    sleep: Callable[[float], None] = time.sleep,
) -> StepResult:
    try:
        clusters = dr_redshift.describe_clusters(ClusterIdentifier=new_cluster_id)["Clusters"]
    except ClientError as exc:
        if _code(exc) != "ClusterNotFound":
            raise _fail(f"looking up cluster {new_cluster_id}", exc) from exc
        clusters = []
    if clusters:
        change = "exists"
    else:
        params: dict[str, Any] = {
            "ClusterIdentifier": new_cluster_id,
            "SnapshotIdentifier": snapshot_id,
            "PubliclyAccessible": False,
        }
        if source_cluster_id:
            params["SnapshotClusterIdentifier"] = source_cluster_id
        if subnet_group:
            params["ClusterSubnetGroupName"] = subnet_group
        if security_group_ids:
            params["VpcSecurityGroupIds"] = list(security_group_ids)
        try:
            dr_redshift.restore_from_cluster_snapshot(**params)
        except ClientError as exc:
            raise _fail(f"restoring {snapshot_id} into {new_cluster_id}", exc) from exc
        change = "restored"

    def status() -> str | None:
        found = dr_redshift.describe_clusters(ClusterIdentifier=new_cluster_id)["Clusters"]
        value = str(found[0].get("ClusterStatus", "")) if found else ""
        return value if value == "available" else None

    final = _poll(status, f"cluster {new_cluster_id}", timeout, sleep) if wait else "creating"
    return StepResult("restore", new_cluster_id, change, f"from {snapshot_id}, {final}")


def restore_namespace(
    dr_serverless: Any,
    snapshot_id: str,
    namespace: str,
    workgroup: str,
) -> StepResult:
    """Restore into an existing DR namespace; this REPLACES the namespace's databases (the caller confirms)."""
    try:
        dr_serverless.restore_from_snapshot(namespaceName=namespace, workgroupName=workgroup, snapshotName=snapshot_id)
    except ClientError as exc:
        raise _fail(f"restoring {snapshot_id} into namespace {namespace}", exc) from exc
    return StepResult("restore", namespace, "restored", f"from {snapshot_id} (workgroup {workgroup})")


# --- verify -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckItem:
    check: str
    passed: bool
    detail: str


def verify(source: DataApiRunner, restored: DataApiRunner, schemas: Sequence[str] = ("gold",)) -> list[CheckItem]:
    """The verification checklist: both reachable, same tables, same row counts and checksums per table."""
    items: list[CheckItem] = []
    for name, runner in (("source", source), ("restored", restored)):
        runner.execute("select 1")
        items.append(CheckItem(f"{name} answers queries", True, runner.target.name))
    for schema in schemas:
        expected = table_checksums(source, schema)
        actual = table_checksums(restored, schema)
        missing = sorted(set(expected) - set(actual))
        extra = sorted(set(actual) - set(expected))
        detail = f"{len(expected)} tables"
        detail += f"; missing {missing}" if missing else ""
        detail += f"; extra {extra}" if extra else ""
        items.append(
            CheckItem(
                f"{schema}: same tables",
                not missing and not extra and bool(expected),
                f"{len(expected)} tables"
                + (f"; missing {missing}" if missing else "")
                + (f"; extra {extra}" if extra else ""),
            )
        )
        for table in sorted(set(expected) & set(actual)):
            a, b = expected[table], actual[table]
            items.append(CheckItem(f"{schema}.{table}: row count", a.rows == b.rows, f"{a.rows:,} vs {b.rows:,}"))
            items.append(
                CheckItem(f"{schema}.{table}: checksum", a.checksum == b.checksum, f"{a.checksum} vs {b.checksum}")
            )
    external = "select count(*) from svv_external_schemas"
    source_external, restored_external = source.execute(external).scalar(), restored.execute(external).scalar()
    items.append(
        CheckItem(
            "external schemas (Spectrum, Kinesis, federated)",
            source_external == restored_external,
            f"{source_external} vs {restored_external}",
        )
    )
    return items


def restored_target(source: RedshiftTarget, cluster_id: str | None, workgroup: str | None) -> RedshiftTarget:
    """The restored warehouse: same database and credentials, the DR cluster or workgroup."""
    return RedshiftTarget(
        database=source.database,
        cluster_id=cluster_id,
        workgroup=workgroup,
        db_user=source.db_user if cluster_id else None,
        secret_arn=source.secret_arn,
    )
