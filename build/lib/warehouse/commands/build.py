"""`warehouse build`: `dbt build` in this process, with a progress bar and a summary of what it built."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console

from warehouse import log
from warehouse.build import lake_identity
from warehouse.build.dbt_runner import BuildOptions, dbt_args, invoke_dbt, show_query
from warehouse.build.duckdb_counts import DuckDBLockedError, count_rows, ensure_unlocked, is_lock_error
from warehouse.build.failures import FailureLookup, look_up_failures
from warehouse.build.preflight import LakePreflightError, check_lake, count_files
from warehouse.build.progress import BuildEvents
from warehouse.build.render import render, summary_console, write_json
from warehouse.build.state import MANIFEST, StateError, fetch_state, publish_state
from warehouse.build.summary import SUMMARY_FILE, BuildSummary, relations_to_count, summarize, with_lookups
from warehouse.build.volume import ACCEPT_FLAG, explain, volume_drops
from warehouse.commands import Subparsers
from warehouse.config import Settings
from warehouse.doctor.registry import Use
from warehouse.doctor.requirements import SettingsError, require

logger = log.get("build")


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "build",
        help="run dbt build (seeds, models, tests) and summarize rows, quarantine, tests and time",
        description="Run `dbt build` in-process with a progress bar, then summarize rows per model, "
        "quarantined rows per source, test results and time per layer (also written to "
        f"target/{SUMMARY_FILE}). Exits 0 only when dbt succeeded.",
    )
    parser.add_argument("-s", "--select", nargs="+", action="extend", default=[], metavar="SELECTOR")
    parser.add_argument("--exclude", nargs="+", action="extend", default=[], metavar="SELECTOR")
    parser.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")
    parser.add_argument(
        "--accept-fewer-files",
        action="store_true",
        help="build although lake folders hold fewer files than at the last build (removing them was meant)",
    )
    parser.add_argument(
        ACCEPT_FLAG,
        action="store_true",
        help="build although a silver model holds far fewer rows than at the last build (the drop is meant); "
        "its new row count becomes the reference",
    )
    parser.add_argument(
        "--target",
        choices=("local", "redshift"),
        default=None,
        help="dbt target (default: $WAREHOUSE_TARGET)",
    )
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress bar; show dbt's own log lines (the default when stderr is not a terminal)",
    )
    parser.add_argument(
        "--changed",
        action="store_true",
        help="slim CI: build only the nodes that differ from --state and their children (state:modified+), "
        "reading unchanged parents from production (--defer --favor-state)",
    )
    parser.add_argument(
        "--state",
        default=None,
        metavar="DIR|s3://...",
        help="production's state: the folder or S3 prefix a production build published with --publish-state",
    )
    parser.add_argument(
        "--publish-state",
        default=None,
        metavar="DIR|s3://...",
        help="after a successful build, publish its manifest.json there (the state slim CI reads)",
    )
    parser.add_argument("--project-dir", type=Path, default=None, help="dbt project (default: this repository)")
    parser.add_argument("--profiles-dir", type=Path, default=None, help="profiles.yml folder (default: project)")
    parser.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:
    settings = Settings.from_env()
    if args.changed and (args.select or not args.state):
        logger.error(
            "--changed builds what differs from production's state: give --state, and no --select "
            "(it selects state:modified+)"
        )
        return 1
    try:
        state_dir = fetch_state(args.state) if args.state else None
    except StateError as exc:
        logger.error("%s", exc)
        return 1
    options = BuildOptions(
        select=tuple(args.select),
        exclude=tuple(args.exclude),
        full_refresh=args.full_refresh,
        accept_fewer_files=args.accept_fewer_files,
        accept_volume_drop=args.accept_volume_drop,
        target=args.target or settings.target,
        progress=not args.no_progress and log.console.is_terminal,
        project_dir=args.project_dir,
        profiles_dir=args.profiles_dir,
        state=state_dir,
        changed=args.changed,
    )
    try:
        code = run_build(options, settings)
    finally:
        if state_dir is not None and args.state.startswith("s3://"):
            shutil.rmtree(state_dir, ignore_errors=True)  # the manifest fetch_state downloaded
    if code == 0 and args.publish_state:
        manifest = Path(os.environ.get("DBT_TARGET_PATH") or (args.project_dir or settings.project_dir) / "target")
        try:
            written = publish_state(manifest / MANIFEST, args.publish_state)
        except StateError as exc:
            logger.error("%s", exc)
            return 1
        logger.info("published the build's manifest to %s", written)
    return code


def run_build(options: BuildOptions, settings: Settings | None = None, out: Console | None = None) -> int:
    """Build, print the summary to `out` (stdout by default), write it as JSON; 0 when dbt succeeded."""
    settings = replace(settings or Settings.from_env(), target=options.target)
    project_dir = (options.project_dir or settings.project_dir).resolve()
    profiles_dir = (options.profiles_dir or project_dir).resolve()
    settings.apply_to_environ()
    local = settings.target == "local"
    if not local:
        try:  # every missing profile or hook setting at once, before dbt stops at the first
            require(Use.REDSHIFT, os.environ)
        except SettingsError as exc:
            logger.error("%s", exc)
            return 1
    identity = None
    file_counts: dict[str, int] = {}
    if local:
        try:
            ensure_unlocked(settings.duckdb_path)
            if settings.lake_is_local:
                lake_root = Path(settings.lake_root)
                check_lake(lake_root, project_dir)
                previous = lake_identity.built_from(settings.duckdb_path)
                same_lake = previous == lake_identity.lake_identity(lake_root)
                identity = lake_identity.check(settings.duckdb_path, lake_root, options.full_refresh)
                file_counts = count_files(lake_root, project_dir)
                # A regenerated lake is a new baseline; the same lake must not have lost files.
                shrunk = lake_identity.fewer_files(settings.duckdb_path, file_counts) if same_lake else []
                if previous is not None and not same_lake and not options.accept_volume_drop:
                    # Another lake is a new baseline for the volume guard too (its first build is a
                    # --full-refresh, enforced above).
                    logger.info("a new lake: the volume guard takes this build's row counts as the reference")
                    options = replace(options, accept_volume_drop=True)
                if shrunk and not options.accept_fewer_files:
                    raise LakePreflightError(
                        "the lake lost files since the last build; building would drop their records from "
                        "gold:\n" + "\n".join(f"  - {line}" for line in shrunk) + "\nRestore them, or pass "
                        "--accept-fewer-files if removing them was meant."
                    )
        except (DuckDBLockedError, LakePreflightError, lake_identity.LakeChangedError) as exc:
            logger.error("%s", exc)
            return 1
        settings.data_dir.mkdir(parents=True, exist_ok=True)

    events = BuildEvents(log.console, show_progress=options.progress)
    started = time.monotonic()
    with events:
        result = invoke_dbt(dbt_args(options, project_dir, profiles_dir), [events])
    total_seconds = time.monotonic() - started
    if isinstance(result.exception, KeyboardInterrupt):
        raise result.exception

    manifest = _read_json(events.artifacts.get("manifest.json"))
    run_results = _read_json(events.artifacts.get("run_results.json"))
    if result.success and options.changed and not run_results.get("results"):
        logger.info("nothing differs from production's state: nothing to build")
        return 0
    if result.success and (options.select or options.exclude) and not run_results.get("results"):
        # dbt calls a selection that matches nothing a success; the summary of a previous build is kept.
        logger.error(
            "the selection matched nothing (--select %s%s): check the names; nothing was built",
            " ".join(options.select) or "(all)",
            f" --exclude {' '.join(options.exclude)}" if options.exclude else "",
        )
        return 1
    _report_run_failure(result.exception, run_results, settings)
    drops = volume_drops(manifest, run_results, settings.duckdb_path if local else None)
    if drops:
        logger.error("%s", explain(drops))
    counts = count_rows(settings.duckdb_path, relations_to_count(manifest, run_results)) if local else None
    summary = summarize(
        manifest,
        run_results,
        target=settings.target,
        success=bool(result.success),
        total_seconds=total_seconds,
        row_counts=counts.rows if counts else None,
        rejections=counts.rejections if counts else None,
    )
    summary = _look_up_failing_records(summary, manifest, options, project_dir, profiles_dir)
    written = events.artifacts.get("run_results.json") or events.artifacts.get("manifest.json")
    target_dir = written.parent if written else project_dir / "target"
    summary_path = write_json(summary, target_dir / SUMMARY_FILE)
    render(summary, out or summary_console(), summary_path)
    partial = bool(options.select or options.exclude or options.changed)
    if local and result.success and identity is not None and not partial:
        lake_identity.record(settings.duckdb_path, identity)
        lake_identity.record_files(settings.duckdb_path, file_counts)
    return 0 if result.success else 1


def _look_up_failing_records(
    summary: BuildSummary, manifest: dict[str, Any], options: BuildOptions, project_dir: Path, profiles_dir: Path
) -> BuildSummary:
    """Attach to each failed test the lake records that fail it (build/failures.py); never raises."""
    failing = [(failure.unique_id, failure.tested) for failure in summary.tests.failing if failure.has_rows]
    if not failing:
        return summary
    try:
        lookups = look_up_failures(
            manifest, failing, lambda sql, limit: show_query(sql, limit, options, project_dir, profiles_dir)
        )
    except Exception as exc:  # the report of dbt's own failures matters more than this lookup
        logger.warning("the failing records could not be looked up: %s", exc)
        lookups = {unique_id: FailureLookup(error=str(exc) or type(exc).__name__) for unique_id, _ in failing}
    return with_lookups(summary, lookups)


def _read_json(path: Path | None) -> dict[str, Any]:
    """An artifact this invocation wrote (an older file left in target/ is never read)."""
    if path is None or not path.exists():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _report_run_failure(exception: BaseException | None, run_results: dict[str, Any], settings: Settings) -> None:
    messages = [str(exception)] if exception is not None else []
    messages += [str(result.get("message") or "") for result in run_results.get("results", [])]
    lock = next((message for message in messages if is_lock_error(message)), None)
    if lock is not None:
        logger.error("%s", DuckDBLockedError(settings.duckdb_path, lock))
    elif exception is not None:
        logger.error("dbt could not run: %s", str(exception).strip())
