"""`warehouse ops`: monitor, maintain and recover the Redshift warehouse (runbooks: docs/operations/).

warehouse ops monitor [CHECK ...]           system-table checks (analyses/monitoring/*.sql)
warehouse ops maintain [--apply]            VACUUM / ANALYZE where svv_table_info says so
warehouse ops dr snapshot --snapshot-id ID  manual snapshot (cluster or Serverless namespace)
warehouse ops dr copy --dr-region R         copy snapshots to the DR region
warehouse ops dr restore ...                restore a snapshot in the DR region
warehouse ops dr verify ...                 compare row counts and checksums, source vs restored
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

from warehouse import log
from warehouse.aws.clients import client
from warehouse.aws.command_support import make_runner, print_result, print_table, reports_errors, require_settings
from warehouse.aws.errors import AwsSettingsError, RecoveryError
from warehouse.aws.ops import dr, maintenance, monitoring
from warehouse.aws.settings import AwsSettings, RedshiftTarget
from warehouse.commands import Subparsers
from warehouse.doctor.registry import Use

logger = log.get("ops")


@reports_errors
def _monitor(args: argparse.Namespace) -> int:
    unknown = [name for name in args.checks if name not in monitoring.CHECKS]
    if unknown:
        raise AwsSettingsError(f"unknown checks {unknown}: choose from {', '.join(monitoring.CHECKS)}")
    require_settings(Use.OPS)
    runner = make_runner(AwsSettings.from_env(), name="ops-monitor")
    results = monitoring.run_checks(runner, args.checks or None)
    if args.json:
        payload = {check.name: (result.dicts() if result else None) for check, result in results}
        print(json.dumps(payload, indent=2, default=str))
        return 0
    for check, result in results:
        if result is None:
            print(f"{check.name}: {check.title}: not available on Serverless (provisioned-only system table)")
        else:
            print_result(f"{check.name}: {check.title}", result)
    return 0


@reports_errors
def _maintain(args: argparse.Namespace) -> int:
    require_settings(Use.OPS)
    runner = make_runner(AwsSettings.from_env(), name="ops-maintain")
    thresholds = maintenance.Thresholds(args.unsorted_pct, args.deleted_pct, args.stats_off_pct)
    schemas = [schema.strip() for schema in args.schemas.split(",") if schema.strip()]
    actions = maintenance.plan(maintenance.read_tables(runner, schemas), thresholds)
    if not actions:
        print(f"nothing to do: every table in {', '.join(schemas)} is under the thresholds")
        return 0
    print_table(
        "maintenance plan" + ("" if args.apply else " (dry run: add --apply to run it)"),
        ("table", "statement", "why"),
        [(a.table, a.statement, a.reason) for a in actions],
    )
    if args.apply:
        for action in actions:
            result = runner.execute(action.statement)
            logger.info("%s: done in %.1fs", action.statement, result.duration_seconds)
    return 0


def _target() -> RedshiftTarget:
    return RedshiftTarget.from_env()


def _print_steps(steps: list[dr.StepResult]) -> None:
    print_table(
        "disaster recovery",
        ("step", "resource", "result", "detail"),
        [(s.step, s.resource, s.change, s.detail) for s in steps],
    )


@reports_errors
def _dr_snapshot(args: argparse.Namespace) -> int:
    settings = AwsSettings.from_env()
    target = _target()
    if target.serverless:
        serverless = client("redshift-serverless", settings)
        namespace = dr.namespace_of(serverless, str(target.workgroup))
        step = dr.snapshot_namespace(serverless, namespace, args.snapshot_id, args.retention_days, not args.no_wait)
    else:
        redshift = client("redshift", settings)
        step = dr.snapshot_cluster(
            redshift, str(target.cluster_id), args.snapshot_id, args.retention_days, not args.no_wait
        )
    _print_steps([step])
    return 0


@reports_errors
def _dr_copy(args: argparse.Namespace) -> int:
    settings = AwsSettings.from_env()
    target = _target()
    if args.dr_region == settings.region:
        raise AwsSettingsError(f"--dr-region {args.dr_region} is the warehouse's own region; choose another")
    steps = []
    if target.serverless:
        serverless = client("redshift-serverless", settings)
        namespace = dr.namespace_of(serverless, str(target.workgroup))
        steps.append(
            dr.enable_namespace_copy(serverless, namespace, args.dr_region, args.retention_days, args.kms_key_id)
        )
    else:
        steps.append(
            dr.enable_cluster_copy(
                client("redshift", settings), str(target.cluster_id), args.dr_region, args.retention_days, args.grant
            )
        )
        if args.wait_for:
            steps.append(dr.wait_for_copied_snapshot(client("redshift", settings, args.dr_region), args.wait_for))
    _print_steps(steps)
    return 0


@reports_errors
def _dr_restore(args: argparse.Namespace) -> int:
    settings = AwsSettings.from_env()
    if args.namespace or args.workgroup:
        if not (args.namespace and args.workgroup):
            raise AwsSettingsError("a Serverless restore needs both --namespace and --workgroup (in the DR region)")
        if not args.confirm_overwrite:
            raise AwsSettingsError(
                f"restoring into namespace {args.namespace} replaces its databases; add --confirm-overwrite"
            )
        step = dr.restore_namespace(
            client("redshift-serverless", settings, args.dr_region), args.snapshot_id, args.namespace, args.workgroup
        )
    elif args.cluster_id:
        step = dr.restore_cluster(
            client("redshift", settings, args.dr_region),
            args.snapshot_id,
            args.cluster_id,
            source_cluster_id=args.source_cluster_id,
            subnet_group=args.subnet_group,
            security_group_ids=args.security_group_ids or (),
            wait=not args.no_wait,
        )
    else:
        raise AwsSettingsError("name the restore target: --cluster-id NEW_ID, or --namespace and --workgroup")
    _print_steps([step])
    return 0


@reports_errors
def _dr_verify(args: argparse.Namespace) -> int:
    require_settings(Use.OPS)
    settings = AwsSettings.from_env()
    source_target = _target()
    if not (args.restored_cluster_id or args.restored_workgroup):
        raise AwsSettingsError("name the restored warehouse: --restored-cluster-id or --restored-workgroup")
    restored_target = dr.restored_target(source_target, args.restored_cluster_id, args.restored_workgroup)
    source = make_runner(settings, source_target, name="dr-verify")
    restored_settings = replace(settings, region=args.restored_region or settings.region)
    restored = make_runner(restored_settings, restored_target, name="dr-verify")
    schemas = [schema.strip() for schema in args.schemas.split(",") if schema.strip()]
    items = dr.verify(source, restored, schemas)
    print_table(
        f"DR verification: {source_target.name} vs {restored_target.name}",
        ("check", "result", "detail"),
        [(item.check, "PASS" if item.passed else "FAIL", item.detail) for item in items],
    )
    failed = [item for item in items if not item.passed]
    if failed:
        raise RecoveryError(
            f"{len(failed)} verification check(s) failed; do not fail over (docs/operations/dr-failover.md, rollback)"
        )
    print("all checks passed")
    return 0


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "ops",
        help="operations: monitoring queries, VACUUM/ANALYZE, disaster recovery",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = parser.add_subparsers(dest="ops_action", required=True, metavar="ACTION")

    monitor = actions.add_parser("monitor", help="run monitoring queries over Redshift system tables")
    monitor.add_argument(
        "checks", nargs="*", metavar="CHECK", help=f"any of {', '.join(monitoring.CHECKS)} (default: all)"
    )
    monitor.add_argument("--json", action="store_true", help="print JSON")
    monitor.set_defaults(func=_monitor)

    maintain = actions.add_parser("maintain", help="VACUUM / ANALYZE the tables svv_table_info flags (dry run)")
    maintain.add_argument("--schemas", default="silver,gold", help="comma-separated schemas (default: silver,gold)")
    maintain.add_argument("--unsorted-pct", type=float, default=10.0, help="VACUUM SORT at this unsorted %%")
    maintain.add_argument("--deleted-pct", type=float, default=10.0, help="VACUUM DELETE at this deleted-row %%")
    maintain.add_argument("--stats-off-pct", type=float, default=10.0, help="ANALYZE at this stats_off")
    maintain.add_argument("--apply", action="store_true", help="run the plan (default: print it)")
    maintain.set_defaults(func=_maintain)

    recovery = actions.add_parser("dr", help="snapshot, cross-region copy, restore, verify")
    steps = recovery.add_subparsers(dest="dr_step", required=True, metavar="STEP")

    snapshot = steps.add_parser("snapshot", help="take a manual snapshot of the cluster or Serverless namespace")
    snapshot.add_argument("--snapshot-id", required=True)
    snapshot.add_argument("--retention-days", type=int, default=7)
    snapshot.add_argument("--no-wait", action="store_true", help="do not wait until it is available")
    snapshot.set_defaults(func=_dr_snapshot)

    copy = steps.add_parser("copy", help="copy snapshots to the DR region (idempotent)")
    copy.add_argument("--dr-region", required=True)
    copy.add_argument("--retention-days", type=int, default=7)
    copy.add_argument("--grant", help="snapshot copy grant in the DR region (KMS-encrypted clusters)")
    copy.add_argument("--kms-key-id", help="Serverless: KMS key in the DR region for the copies")
    copy.add_argument("--wait-for", metavar="SNAPSHOT_ID", help="wait until this snapshot's copy is available")
    copy.set_defaults(func=_dr_copy)

    restore = steps.add_parser("restore", help="restore a snapshot in the DR region")
    restore.add_argument("--dr-region", required=True)
    restore.add_argument("--snapshot-id", required=True)
    restore.add_argument("--cluster-id", help="provisioned: the new cluster's identifier")
    restore.add_argument("--source-cluster-id", help="provisioned: the snapshot's cluster (for shared snapshots)")
    restore.add_argument("--subnet-group", help="provisioned: cluster subnet group in the DR region")
    restore.add_argument("--security-group-ids", nargs="*", help="provisioned: VPC security groups")
    restore.add_argument("--namespace", help="Serverless: the DR namespace to restore into")
    restore.add_argument("--workgroup", help="Serverless: the DR namespace's workgroup")
    restore.add_argument("--confirm-overwrite", action="store_true", help="Serverless: replace the namespace's data")
    restore.add_argument("--no-wait", action="store_true")
    restore.set_defaults(func=_dr_restore)

    check = steps.add_parser("verify", help="verification checklist: source vs restored warehouse")
    check.add_argument("--restored-cluster-id")
    check.add_argument("--restored-workgroup")
    check.add_argument("--restored-region", help="default: AWS_REGION")
    check.add_argument("--schemas", default="gold", help="comma-separated schemas to compare (default: gold)")
    check.set_defaults(func=_dr_verify)
