"""Slim CI (docs/slim-ci.md): with production's manifest as state, `state:modified+` selects exactly the model
a change touched and everything downstream of it, and nothing else."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tiny_warehouse import BIN, TinyWarehouse, copy_project, run
from warehouse.config import PROJECT_DIR

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
    # "Production" artifacts: the manifest of the project as it is, parsed where this warehouse reads its
    # lake (the shared test build may have been made in another folder; a source whose location differs
    # counts as modified, see docs/slim-ci.md).
    state = tmp_path / "prod-artifacts"
    parse_env = tiny_warehouse.env(DBT_TARGET_PATH=str(state), DBT_LOG_PATH=str(tmp_path / "parse-logs"))
    run([str(BIN / "dbt"), "parse", "--quiet"], env=parse_env, cwd=PROJECT_DIR)
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


def test_build_changed_runs_only_the_changed_model_and_its_children_and_publishes_its_state(
    tiny_warehouse: TinyWarehouse, tmp_path: Path
) -> None:
    """`warehouse build --changed --state` on a clone of the warehouse, with one silver model changed in a
    copy of the project: dbt runs exactly that model, its descendants and their tests, deferring the rest to
    production; `--publish-state` then writes the manifest the next CI run reads."""
    from tiny_warehouse import clone_warehouse, run_warehouse

    # Production's state for this warehouse: its manifest, parsed where it reads its lake (CI on Redshift
    # reads the same S3 lake as production; a source whose location differs counts as modified).
    clone = clone_warehouse(tiny_warehouse, tmp_path / "data")
    state = tmp_path / "prod-state"
    env = tiny_warehouse.env(clone.data_dir, DBT_TARGET_PATH=str(state), DBT_LOG_PATH=str(tmp_path / "logs"))
    run([str(BIN / "dbt"), "parse", "--quiet"], env=env, cwd=PROJECT_DIR)
    production = json.loads((state / "manifest.json").read_text(encoding="utf-8"))
    project = copy_project(tmp_path / "project")
    sql = project / CHANGED_SQL
    sql.write_text(
        sql.read_text().replace("        channel_name,\n", "        trim(channel_name) as channel_name,\n", 1)
    )
    published = tmp_path / "published"

    code = run_warehouse(
        clone.data_dir,
        "build",
        "--no-progress",
        "--changed",
        "--state",
        str(state),
        "--publish-state",
        str(published),
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
    )
    assert code == 0
    results = json.loads((clone.data_dir / "target" / "run_results.json").read_text())["results"]
    ran = {result["unique_id"] for result in results if result["unique_id"].split(".")[0] in SELECTED_TYPES}
    expected = {CHANGED} | {
        unique_id
        for unique_id in _descendants(production, CHANGED)
        if production["nodes"].get(unique_id, {}).get("resource_type") in SELECTED_TYPES
    }
    assert ran == expected, "only the change and its children were built"
    tests = {result["unique_id"] for result in results if result["unique_id"].startswith("test.")}
    assert tests and all(
        set(production["nodes"][test]["depends_on"]["nodes"]) & expected
        for test in tests
        if test in production["nodes"]
    ), "every test that ran tests something that was rebuilt"
    assert (
        json.loads((published / "manifest.json").read_text())["nodes"][CHANGED]["checksum"]
        != production["nodes"][CHANGED]["checksum"]
    ), "the published state is this build's manifest"


def test_build_changed_needs_a_state_and_a_missing_state_is_named(tmp_path: Path) -> None:
    from tiny_warehouse import run_warehouse

    assert run_warehouse(tmp_path, "build", "--no-progress", "--changed") == 1
    assert run_warehouse(tmp_path, "build", "--no-progress", "--changed", "--state", str(tmp_path / "none")) == 1


def test_state_on_s3_round_trips_through_publish_and_fetch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto import mock_aws

    from warehouse.build.state import StateError, fetch_state, publish_state

    for key, value in {"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "t", "AWS_SECRET_ACCESS_KEY": "t"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"nodes": {"model.p.a": {}}}')
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="artifacts")
        assert publish_state(manifest, "s3://artifacts/dbt/prod") == "s3://artifacts/dbt/prod/manifest.json"
        fetched = fetch_state("s3://artifacts/dbt/prod/")
        assert (fetched / "manifest.json").read_text() == manifest.read_text()
        with pytest.raises(StateError, match=re.escape("s3://artifacts/dbt/ci/manifest.json: cannot read")):
            fetch_state("s3://artifacts/dbt/ci")
    with pytest.raises(StateError, match=re.escape("no manifest.json")):
        fetch_state(str(tmp_path / "empty"))
