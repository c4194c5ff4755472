"""Slim CI (docs/slim-ci.md): with production's manifest as state, `state:modified+` selects exactly the model
a change touched and everything downstream of it, and nothing else."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tiny_warehouse import BIN, TinyWarehouse, copy_project, run

pytestmark = pytest.mark.slow

CHANGED = "model.globalretail.int_channels_deduplicated"
CHANGED_SQL = Path("models/silver/marketing/int_channels_deduplicated.sql")
SELECTED_TYPES = ("model", "snapshot")


def _descendants(manifest: dict, unique_id: str) -> set[str]:
    children, found, todo = manifest["child_map"], set(), [unique_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def test_state_modified_selects_the_changed_model_and_its_children(
    tiny_warehouse: TinyWarehouse, tmp_path: Path
) -> None:
    # "Production" artifacts: the manifest of the build that made the warehouse.
    state = tmp_path / "prod-artifacts"
    state.mkdir()
    shutil.copy2(tiny_warehouse.target_dir / "manifest.json", state / "manifest.json")
    production = json.loads((state / "manifest.json").read_text(encoding="utf-8"))

    # A pull request: one silver model's SQL changes (channel names trimmed), in a copy of the project.
    project = copy_project(tmp_path / "project")
    sql = project / CHANGED_SQL
    original = sql.read_text(encoding="utf-8")
    assert "        channel_name,\n" in original
    sql.write_text(original.replace("        channel_name,\n", "        trim(channel_name) as channel_name,\n", 1))

    env = tiny_warehouse.env(
        project_dir=project, DBT_TARGET_PATH=str(tmp_path / "target"), DBT_LOG_PATH=str(tmp_path / "logs")
    )
    listed = run(
        [
            str(BIN / "dbt"),
            "ls",
            "--quiet",
            "--select",
            "state:modified+",
            "--state",
            str(state),
            "--resource-type",
            *SELECTED_TYPES,
            "--output",
            "json",
            "--output-keys",
            "unique_id",
        ],
        env=env,
        cwd=project,
    )
    selected = {json.loads(line)["unique_id"] for line in listed.stdout.splitlines() if line.startswith("{")}

    expected = {CHANGED} | {
        unique_id
        for unique_id in _descendants(production, CHANGED)
        if production["nodes"].get(unique_id, {}).get("resource_type") in SELECTED_TYPES
    }
    assert selected == expected
    # A real slice of the DAG: the change and its children, not the whole project.
    assert {"model.globalretail.dim_channel", "model.globalretail.fct_sales.v1"} <= selected
    assert "model.globalretail.dim_customer" not in selected
    assert not any(".stg_" in unique_id for unique_id in selected)
