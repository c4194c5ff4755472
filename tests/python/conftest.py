"""Make the `warehouse` package importable from a checkout where the project is not pip-installed."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))


import pytest  # noqa: E402

from edge_lake import add_edge_records  # noqa: E402
from edge_streams import add_edge_streams  # noqa: E402
from tiny_warehouse import TinyWarehouse, build_tiny_warehouse, generate_docs  # noqa: E402


@pytest.fixture(scope="session")
def tiny_warehouse(tmp_path_factory: pytest.TempPathFactory) -> TinyWarehouse:
    """The tiny lake generated and built once for the whole session (about 30 s); tests must not change it
    (copy `data_dir` first, as the snapshot test does)."""
    return build_tiny_warehouse(tmp_path_factory.mktemp("tiny_warehouse"))


@pytest.fixture(scope="session")
def tiny_docs(tiny_warehouse: TinyWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dbt docs generate` over the tiny warehouse: the folder holding index.html, manifest.json, catalog.json."""
    return generate_docs(tiny_warehouse, tmp_path_factory.mktemp("tiny_docs"))


@pytest.fixture(scope="session")
def edge_warehouse(tmp_path_factory: pytest.TempPathFactory) -> TinyWarehouse:
    """The tiny lake plus the edge-value records and hostile files of edge_lake.py and the edge stream
    deliveries of edge_streams.py, built once on DuckDB (the build must pass); tests must not change it.
    The two sets use their own ids and shard, so each test's assertions stay independent of the other's."""
    return build_tiny_warehouse(tmp_path_factory.mktemp("edge_warehouse"), prepare=_add_edge_lake)


def _add_edge_lake(lake_root: Path) -> None:
    add_edge_records(lake_root)
    add_edge_streams(lake_root)


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    """Every test leaves os.environ as it found it. Commands run in-process export their settings
    (`Settings.apply_to_environ`: `warehouse build --target redshift` sets WAREHOUSE_TARGET), so without
    this a test's target would leak into every later build of the same worker."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)
