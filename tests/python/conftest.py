"""Make the `warehouse` package importable from a checkout where the project is not pip-installed."""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))


import pytest  # noqa: E402

from edge_lake import add_edge_records  # noqa: E402
from edge_streams import add_edge_streams  # noqa: E402
from tiny_warehouse import TinyWarehouse, build_tiny_warehouse, clone_warehouse, generate_docs  # noqa: E402


@pytest.fixture(scope="session")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> TinyWarehouse:
    """The tiny lake generated and built once for the whole run (about 30 s); tests must not change it
    (clone it first, as the pipeline and snapshot tests do)."""
    return _built_once(tmp_path_factory, "tiny_warehouse")


@pytest.fixture(scope="session")
def tiny_docs(tiny_warehouse: TinyWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dbt docs generate` over the tiny warehouse: the folder holding index.html, manifest.json, catalog.json."""
    return generate_docs(tiny_warehouse, tmp_path_factory.mktemp("tiny_docs"))


@pytest.fixture(scope="session")
def edge_warehouse(tmp_path_factory: pytest.TempPathFactory) -> TinyWarehouse:
    """The tiny lake plus the edge-value records and hostile files of edge_lake.py and the edge stream
    deliveries of edge_streams.py, built once on DuckDB (the build must pass); tests must not change it.
    The two sets use their own ids and shard, so each test's assertions stay independent of the other's."""
    return _built_once(tmp_path_factory, "edge_warehouse", prepare=_add_edge_lake)


def _add_edge_lake(lake_root: Path) -> None:
    add_edge_records(lake_root)
    add_edge_streams(lake_root)


def _built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, prepare: Callable[[Path], object] | None = None
) -> TinyWarehouse:
    """A shared build, built once per run however many xdist workers use it: the first worker to need it
    builds it in the run's common temporary folder (the others wait on a file lock, as long as the build
    would take them), and every worker reads its own clone of it (a file copy; see clone_warehouse), so no
    DuckDB file is opened by two processes and no worker sees another's changes. Without xdist, the build
    is made in place."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build_tiny_warehouse(tmp_path_factory.mktemp(name), prepare=prepare)
    shared = tmp_path_factory.getbasetemp().parent / f"shared-{name}"
    done = shared / ".built"
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if the build fails
        if not done.exists():
            shutil.rmtree(shared, ignore_errors=True)  # a build that failed on another worker is tried again
            build_tiny_warehouse(shared, prepare=prepare)
            done.touch()
    return clone_warehouse(TinyWarehouse(shared), tmp_path_factory.mktemp(name), artifacts=True)


# The test files that take longest (minutes on 2 cores), longest first. make test runs pytest on two workers
# with --dist loadfile --no-loadscope-reorder: xdist hands whole files to the workers in collection order,
# so a long file started last would keep one worker busy while the other idles. The two shared builds are
# needed first by different files (inventory: tiny_warehouse, edge streams: edge_warehouse), so the two
# workers build them at the same time. Files not named here follow, in their usual order.
LONGEST_FIRST = (
    "test_inventory_pipeline.py",
    "test_edge_streams.py",
    "test_volume_guard.py",
    "test_bench.py",
    "test_airflow_dag.py",
    "test_build_failures.py",
    "test_pipeline.py",
    "test_build.py",
    "test_redshift_check.py",
    "test_lake_on_s3.py",
    "test_catalog_live.py",
    "test_redshift_on_postgres.py",
    "test_semantic_layer.py",
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {name: position for position, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: within a file, file order


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    """Every test leaves os.environ as it found it. Commands run in-process export their settings
    (`Settings.apply_to_environ`: `warehouse build --target redshift` sets WAREHOUSE_TARGET), so without
    this a test's target would leak into every later build of the same worker."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
