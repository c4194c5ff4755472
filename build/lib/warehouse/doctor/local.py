"""The local warehouse's checks: data folder, lake, lake manifest, DuckDB file, extension wheels, catalog.

The lake is checked by the build's own preflight (warehouse.build.preflight) and lake identity checks;
nothing here reads the network unless `check_connection` is asked for.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from pathlib import Path

import duckdb

from warehouse.aws.duckdb_s3 import s3_wanted
from warehouse.build import lake_identity
from warehouse.build.duckdb_counts import DuckDBLockedError, ensure_unlocked
from warehouse.build.preflight import FIX_HINT, count_files, lake_problems
from warehouse.catalog.duckdb_attach import DSN_VARIABLE, catalog_dsn
from warehouse.config import PROJECT_DIR, Settings
from warehouse.doctor.findings import Finding, Status
from warehouse.generate.lake_manifest import MANIFEST_PATH

Env = Mapping[str, str]


def _settings(env: Env) -> Settings:
    """The paths, whatever WAREHOUSE_TARGET says (a wrong target is reported by the settings check)."""
    return Settings.from_env({**env, "WAREHOUSE_TARGET": "local"})


def _first_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def data_dir_findings(settings: Settings) -> list[Finding]:
    data_dir = settings.data_dir
    existing = _first_existing(data_dir)
    if not existing.is_dir():
        return [Finding.problem(str(data_dir), f"{existing} is a file, not a folder: WAREHOUSE_DATA_DIR must be one")]
    if not os.access(existing, os.W_OK | os.X_OK):
        return [Finding.problem(str(data_dir), f"{existing} is not writable: the DuckDB file cannot be written")]
    where = "writable" if existing == data_dir else f"does not exist yet; created under writable {existing}"
    findings = [Finding.ok(str(data_dir), f"WAREHOUSE_DATA_DIR: {where}")]
    database = settings.duckdb_path
    if not database.exists():
        findings.append(Finding.ok(str(database), "no DuckDB file yet: `warehouse build` creates it"))
    else:
        try:
            ensure_unlocked(database)
            findings.append(Finding.ok(str(database), "DuckDB file opens for writing"))
        except DuckDBLockedError as exc:
            findings.append(Finding.problem(str(database), str(exc)))
        except duckdb.Error as exc:
            findings.append(Finding.problem(str(database), f"not a DuckDB database this duckdb can write: {exc}"))
    return findings


def lake_findings(settings: Settings, project_dir: Path, database_usable: bool) -> list[Finding]:
    if not settings.lake_is_local:
        return [Finding.ok(settings.lake_root, "lake on S3 (not listed offline; DuckDB reads it through httpfs)")]
    lake_root = Path(settings.lake_root)
    problems = lake_problems(lake_root, project_dir)
    if any(p.folder == lake_root for p in problems):
        return [Finding.problem(str(lake_root), f"there is no lake here. {FIX_HINT}")]
    findings = [Finding.problem(str(p.folder), p.reason) for p in problems]
    if not problems:
        counts = count_files(lake_root, project_dir)
        findings.append(
            Finding.ok(str(lake_root), f"lake: {len(counts)} dataset folders, {sum(counts.values()):,} data files")
        )
    findings += manifest_findings(lake_root, project_dir, settings.duckdb_path if database_usable else None)
    return findings


def manifest_findings(lake_root: Path, project_dir: Path, database: Path | None) -> list[Finding]:
    path = lake_root / MANIFEST_PATH
    try:
        identity = lake_identity.lake_identity(lake_root)
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        return [Finding.problem(str(path), f"lake manifest unreadable ({exc}): restore it, or generate the lake again")]
    if identity is None:
        return [Finding.warning(str(path), "no lake manifest: not a lake from `warehouse generate` (appends need one)")]
    findings = [Finding.ok(str(path), f"lake manifest: {identity.describe()}")]
    if database is None or not database.exists():
        return findings
    try:
        lake_identity.check(database, lake_root, full_refresh=False)
        shrunk = lake_identity.fewer_files(database, count_files(lake_root, project_dir))
    except lake_identity.LakeChangedError as exc:
        return [*findings, Finding.warning(str(database), str(exc))]
    except duckdb.Error as exc:
        return [*findings, Finding.warning(str(database), f"cannot read what it was built from: {exc}")]
    if shrunk:
        detail = "; ".join(shrunk)
        findings.append(
            Finding.warning(str(lake_root), f"fewer files than at the last build ({detail}): see --accept-fewer-files")
        )
    return findings


def extension_findings(env: Env) -> list[Finding]:
    """The extension wheels this configuration loads, for this duckdb version (they are never downloaded)."""
    needed = []
    if s3_wanted(env):
        needed.append(("httpfs", "an s3:// lake or export root"))
    if catalog_dsn(env):
        needed.append(("postgres_scanner", DSN_VARIABLE))
    findings = []
    for name, reason in needed:
        module = f"duckdb_extension_{name}"
        spec = importlib.util.find_spec(module)
        wheel = f"duckdb-extension-{name.replace('_', '-')}"
        if spec is None or spec.origin is None:
            findings.append(Finding.problem(wheel, f"not installed, needed for {reason}: pip install -e ."))
            continue
        binary = Path(spec.origin).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
        if binary.is_file():
            findings.append(Finding.ok(wheel, f"{name} for duckdb {duckdb.__version__} ({reason})"))
        else:
            findings.append(
                Finding.problem(wheel, f"has no {name} for duckdb {duckdb.__version__}: install the matching version")
            )
    return findings


def memory_limit_findings(env: Env) -> list[Finding]:
    limit = env.get("WAREHOUSE_DUCKDB_MEMORY_LIMIT", "").strip()
    if not limit:
        return []
    con = duckdb.connect()
    try:
        con.execute(f"set memory_limit = '{limit.replace(chr(39), '')}'")  # DuckDB's own parser decides
    except duckdb.Error as exc:
        return [Finding.problem("WAREHOUSE_DUCKDB_MEMORY_LIMIT", f"invalid: {exc}")]
    finally:
        con.close()
    return [Finding.ok("WAREHOUSE_DUCKDB_MEMORY_LIMIT", limit)]


def catalog_findings(env: Env, check_connection: bool) -> list[Finding]:
    dsn = catalog_dsn(env)
    if not dsn:
        return []
    import psycopg2
    from psycopg2.extensions import parse_dsn

    try:
        parts = parse_dsn(dsn)
    except psycopg2.ProgrammingError:
        return [Finding.problem(DSN_VARIABLE, "set, but not a libpq connection string or URI")]
    where = f"database {parts.get('dbname', '(libpq default)')} on {parts.get('host', '(libpq default host)')}"
    findings = [Finding.ok(DSN_VARIABLE, f"live catalog: {where}")]
    pgpass = Path(env.get("PGPASSFILE") or Path.home() / ".pgpass")
    if not (parts.get("password") or env.get("PGPASSWORD") or pgpass.is_file()):
        findings.append(
            Finding.warning("PGPASSWORD", "no password in PGPASSWORD or ~/.pgpass (fine with trust authentication)")
        )
    if check_connection:
        try:
            psycopg2.connect(dsn, connect_timeout=5).close()
            findings.append(Finding.ok(DSN_VARIABLE, "connected"))
        except psycopg2.Error as exc:
            reason = " ".join(str(exc).split())
            findings.append(Finding.problem(DSN_VARIABLE, f"cannot connect: {reason}"))
    return findings


def local_findings(env: Env, project_dir: Path = PROJECT_DIR, check_connection: bool = False) -> list[Finding]:
    settings = _settings(env)
    findings = data_dir_findings(settings)
    database_usable = not any(f.subject == str(settings.duckdb_path) and f.status is Status.PROBLEM for f in findings)
    findings += lake_findings(settings, project_dir, database_usable)
    findings += memory_limit_findings(env)
    findings += extension_findings(env)
    findings += catalog_findings(env, check_connection)
    return findings
