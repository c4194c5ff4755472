"""One tiny warehouse, generated and built once per test session (per xdist worker), for the tests that need
a real build: the pipeline's properties, the docs site in a browser, MetricFlow queries, snapshots, slim CI,
the governance lint on the real manifest, the inventory pipeline, the volume guard.

Tests read the shared build and never change it: a test that changes a warehouse works on a copy
(`clone_warehouse`, or a copy of the lake and DuckDB file), which costs a file copy instead of a build.
`run_warehouse` and `build` are the suite's one way of running `warehouse` in process; a test that runs dbt
itself does it in a subprocess with `TinyWarehouse.env()`, so nothing leaks into this process's environment
and every artifact lands in the test's own folders (never the repository's target/).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from warehouse.config import PROJECT_DIR

BIN = Path(sys.executable).parent
# What a copy of the dbt project needs (a copy is where a test may edit SQL, or where `mf` reads target/).
PROJECT_FILES: tuple[str, ...] = ("dbt_project.yml", "profiles.yml")
PROJECT_DIRS: tuple[str, ...] = (
    "models",
    "macros",
    "seeds",
    "snapshots",
    "analyses",
    "tests/generic",
    "tests/singular",
)
_ENV_KEYS = ("WAREHOUSE_DATA_DIR", "WAREHOUSE_LAKE_ROOT", "DBT_TARGET_PATH", "DBT_LOG_PATH", "WAREHOUSE_TARGET")


@dataclass(frozen=True)
class TinyWarehouse:
    data_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "warehouse.duckdb"

    @property
    def target_dir(self) -> Path:
        return self.data_dir / "target"

    @property
    def manifest(self) -> dict[str, Any]:
        return dict(json.loads((self.target_dir / "manifest.json").read_text(encoding="utf-8")))

    def env(self, data_dir: Path | None = None, project_dir: Path = PROJECT_DIR, **extra: str) -> dict[str, str]:
        """The environment of a dbt subprocess on this warehouse (or on a copy of it in `data_dir`)."""
        data = data_dir or self.data_dir
        env = {key: value for key, value in os.environ.items() if key not in _ENV_KEYS and key != "WAREHOUSE_TARGET"}
        env.update(
            WAREHOUSE_DATA_DIR=str(data),
            WAREHOUSE_LAKE_ROOT=str(data / "lake"),
            DBT_PROFILES_DIR=str(project_dir),
            DBT_PROJECT_DIR=str(project_dir),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            **extra,
        )
        return env

    def query(self, sql: str, database: Path | None = None) -> list[tuple[Any, ...]]:
        con = duckdb.connect(str(database or self.database), read_only=True)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()


def run_warehouse(data_dir: Path, *argv: str, lake_root: Path | None = None, **env: str) -> int:
    """`warehouse <argv>` in this process, as CI runs it, on the warehouse in `data_dir` (its lake in
    `data_dir/lake` unless `lake_root` is given; dbt's artifacts and logs in `data_dir/target` and
    `data_dir/logs`, so a test never reads another build's files), on the local target, with `env` set too.
    The one in-process runner of the test suite; os.environ is as it was afterwards (the command exports
    its settings)."""
    from warehouse.cli import main

    saved = dict(os.environ)
    os.environ.update(
        WAREHOUSE_DATA_DIR=str(data_dir),
        WAREHOUSE_LAKE_ROOT=str(lake_root or data_dir / "lake"),
        DBT_TARGET_PATH=str(data_dir / "target"),
        DBT_LOG_PATH=str(data_dir / "logs"),
        WAREHOUSE_TARGET="local",
        **env,
    )
    try:
        return main(list(argv))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def build(data_dir: Path, *args: str, **env: str) -> int:
    """`warehouse build --no-progress <args>` on the warehouse in `data_dir` (see run_warehouse)."""
    return run_warehouse(data_dir, "build", "--no-progress", *args, **env)


def build_tiny_warehouse(data_dir: Path, prepare: Callable[[Path], object] | None = None) -> TinyWarehouse:
    """Generate the tiny lake (seed 42) and run `warehouse build` in this process, as CI does; `prepare`
    changes the lake (its root is passed) before the build."""
    from warehouse.generate.generator import generate_lake
    from warehouse.generate.scales import SCALES

    generate_lake(data_dir / "lake", SCALES["tiny"], seed=42)
    if prepare is not None:
        prepare(data_dir / "lake")
    assert build(data_dir) == 0, "warehouse build failed on tiny data"
    return TinyWarehouse(data_dir)


def clone_warehouse(warehouse: TinyWarehouse, data_dir: Path, artifacts: bool = False) -> TinyWarehouse:
    """A copy of the lake and the DuckDB file in `data_dir`, as if built there: every lake path the
    warehouse stores (the `_source_file` of bronze and silver rows, which the streams' landing models also
    use to know which files they loaded) and every view over the lake is moved to the new lake. Copying is
    much cheaper than building; a test that changes a warehouse works on its own clone. dbt's artifacts
    (target/: manifest, run results, build summary) are copied only with `artifacts`; otherwise the first
    build of the clone writes its own."""
    shutil.copytree(warehouse.data_dir / "lake", data_dir / "lake")
    if artifacts:
        shutil.copytree(warehouse.target_dir, data_dir / "target")
    shutil.copy2(warehouse.database, data_dir / "warehouse.duckdb")
    old, new = f"{warehouse.data_dir / 'lake'}/", f"{data_dir / 'lake'}/"
    con = duckdb.connect(str(data_dir / "warehouse.duckdb"))
    try:
        columns = con.execute(
            "select c.schema_name, c.table_name, c.column_name from duckdb_columns() as c "
            "inner join duckdb_tables() as t using (database_name, schema_name, table_name) "
            "where c.data_type = 'VARCHAR' and not t.internal and t.database_name = current_database()"
        ).fetchall()
        for schema, table, column in columns:
            con.execute(
                f'update "{schema}"."{table}" set "{column}" = replace("{column}", ?, ?) '
                f'where starts_with("{column}", ?)',
                [old, new, old],
            )
        lake, moved = str(warehouse.data_dir / "lake"), str(data_dir / "lake")
        views = con.execute("select sql from duckdb_views() where not internal and contains(sql, ?)", [lake])
        for (sql,) in views.fetchall():  # views over the lake read absolute paths
            con.execute(sql.replace(lake, moved).replace("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
    finally:
        con.close()
    return TinyWarehouse(data_dir)


def generate_docs(warehouse: TinyWarehouse, target_dir: Path) -> Path:
    """`dbt docs generate` over the built warehouse into `target_dir` (the docs site and catalog.json)."""
    env = warehouse.env(DBT_TARGET_PATH=str(target_dir), DBT_LOG_PATH=str(target_dir / "logs"))
    run([str(BIN / "dbt"), "docs", "generate", "--quiet"], env=env, cwd=PROJECT_DIR)
    assert (target_dir / "index.html").is_file() and (target_dir / "catalog.json").is_file()
    return target_dir


def copy_project(destination: Path) -> Path:
    """A copy of the dbt project (no target/, logs/ or data/), for tests that edit it or run `mf` in it."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PROJECT_FILES:
        destination.mkdir(parents=True, exist_ok=True)
        shutil.copy2(PROJECT_DIR / name, destination / name)
    for name in PROJECT_DIRS:
        if (PROJECT_DIR / name).is_dir():
            shutil.copytree(PROJECT_DIR / name, destination / name, ignore=ignore)
    return destination


def said(capsys: pytest.CaptureFixture[str]) -> str:
    """What the CLI printed since the last call, with the console's line wrapping undone."""
    captured = capsys.readouterr()
    return " ".join((captured.err + captured.out).split())


def require_tool(name: str, *candidates: str) -> str:
    """The path of an executable; the test skips without it locally, and fails in CI (CI=true) so CI never
    passes by skipping."""
    for candidate in (os.environ.get(name.upper()), *candidates):
        if not candidate:
            continue
        found = shutil.which(candidate) or (str(BIN / candidate) if (BIN / candidate).is_file() else None)
        if found:
            return found
    message = f"{name} is not installed ({', '.join(candidates)})"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{message}: CI must run this test; see scripts/setup/ and pyproject.toml")
    pytest.skip(message)


def run(args: list[str], env: dict[str, str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a command; on failure the assertion shows its output."""
    result = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result
