"""`warehouse doctor` and the commands' up-front settings check: every missing setting in one message,
secrets never printed, the deprecated REDSHIFT_DB_USER still read, and one registry behind code and docs."""

from __future__ import annotations

import logging
import os
import re
import uuid
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from moto import mock_aws

from warehouse import cli
from warehouse.aws.settings import RedshiftTarget
from warehouse.build.dbt_runner import BuildOptions
from warehouse.commands.build import run_build
from warehouse.config import PROJECT_DIR
from warehouse.doctor import docs_table, registry
from warehouse.doctor.registry import ALIASES, SETTINGS, SETTINGS_LIST, TARGET_USES, Use
from warehouse.doctor.requirements import SettingsError, problems, require, required_names
from warehouse.generate.generator import generate_lake
from warehouse.generate.lake_manifest import MANIFEST_PATH
from warehouse.generate.scales import SCALES

REDSHIFT_USES = TARGET_USES["redshift"]
_PROBLEM_LINE = re.compile(r"^  problem  (?P<subject>[^:]+): ", re.MULTILINE)


@pytest.fixture
def empty_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No registered setting (nor alias) set; HOME without ~/.aws; the data folder under tmp_path."""
    for name in [*SETTINGS, *ALIASES]:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(registry, "_noticed", set())
    return tmp_path


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = cli.main(["doctor", *args])
    return code, capsys.readouterr().out


def problem_names(output: str) -> set[str]:
    return {name for match in _PROBLEM_LINE.finditer(output) for name in match["subject"].split(" or ")}


# --- redshift ----------------------------------------------------------------------------------------------


def test_redshift_doctor_lists_every_required_setting_in_one_run(
    empty_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = doctor(capsys, "--target", "redshift")
    assert code == 1
    expected = required_names(REDSHIFT_USES, {})
    assert len(expected) > 10  # the profile, the hooks and the Data API commands
    assert problem_names(out) == expected
    for name in expected:  # and the listing says which ones are missing
        if not SETTINGS[name].default:
            assert re.search(rf"^  {name} +missing$", out, re.MULTILINE), name


def _full_redshift_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every setting with a well-formed fake value; each secret a unique string that must never be printed."""
    secrets = {}
    for setting in SETTINGS_LIST:
        if setting.secret:
            secrets[setting.name] = f"s3cr3t-{uuid.uuid4().hex}"
            monkeypatch.setenv(setting.name, secrets[setting.name])
        elif setting.example and setting.name != "REDSHIFT_WORKGROUP":  # a provisioned cluster
            monkeypatch.setenv(setting.name, setting.example)
    monkeypatch.setenv("REDSHIFT_AUTH_METHOD", "database")  # the password is needed and set
    monkeypatch.setenv("REDSHIFT_CATALOG_PG_URI", "catalog.cluster-abc.us-east-1.rds.amazonaws.com")
    return secrets


def test_redshift_doctor_passes_with_everything_set_and_prints_no_secret(
    empty_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secrets = _full_redshift_env(monkeypatch)
    code, out = doctor(capsys, "--target", "redshift")
    assert code == 0, out
    assert not problem_names(out)
    for name, secret in secrets.items():
        assert secret not in out, name
    assert re.search(r"^  DBT_ENV_SECRET_REDSHIFT_PASSWORD +set$", out, re.MULTILINE)
    assert SETTINGS["REDSHIFT_HOST"].example in out  # values that are not secret are shown
    assert "\x1b[" not in out  # plain text


def test_redshift_doctor_reports_wrong_values_and_conflicts(
    empty_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _full_redshift_env(monkeypatch)
    monkeypatch.setenv("REDSHIFT_PORT", "fifty")
    monkeypatch.setenv("REDSHIFT_SPECTRUM_ROLE_ARN", "globalretail-spectrum")
    monkeypatch.setenv("REDSHIFT_WORKGROUP", "wg")
    code, out = doctor(capsys, "--target", "redshift")
    assert code == 1
    assert problem_names(out) == {
        "REDSHIFT_PORT",
        "REDSHIFT_SPECTRUM_ROLE_ARN",
        "REDSHIFT_CLUSTER_ID",
        "REDSHIFT_WORKGROUP",
    }
    assert "must be a port number" in out and "both are set" in out


def test_password_is_required_only_with_database_authentication(empty_env: Path) -> None:
    assert "DBT_ENV_SECRET_REDSHIFT_PASSWORD" not in required_names({Use.REDSHIFT}, {})
    assert "DBT_ENV_SECRET_REDSHIFT_PASSWORD" in required_names({Use.REDSHIFT}, {"REDSHIFT_AUTH_METHOD": "database"})
    serverless = {"REDSHIFT_HOST": "wg.111122223333.us-east-1.redshift-serverless.amazonaws.com"}
    assert "REDSHIFT_CLUSTER_ID" not in required_names({Use.REDSHIFT}, serverless)


# --- the deprecated REDSHIFT_DB_USER ------------------------------------------------------------------------


def test_redshift_db_user_still_works_with_one_notice(
    empty_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("REDSHIFT_CLUSTER_ID", "globalretail")
    monkeypatch.setenv("REDSHIFT_DB_USER", "ops")
    with caplog.at_level(logging.WARNING):
        assert RedshiftTarget.from_env().request_params()["DbUser"] == "ops"
        RedshiftTarget.from_env()
    notices = [r.getMessage() for r in caplog.records if "REDSHIFT_DB_USER" in r.getMessage()]
    assert notices == ["REDSHIFT_DB_USER is deprecated: rename it to REDSHIFT_USER (one name for dbt and the Data API)"]
    assert "REDSHIFT_USER" not in {name for p in problems({Use.REDSHIFT}, os.environ) for name in p.names}


def test_redshift_db_user_reaches_dbt_and_the_doctor(
    empty_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDSHIFT_DB_USER", "ops")
    profile = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    user = profile["globalretail"]["outputs"]["redshift"]["user"]

    def env_var(name: str, default: str = "") -> str:
        return os.environ.get(name, default)

    assert jinja2.Template(user).render(env_var=env_var) == "ops"
    _, out = doctor(capsys, "--target", "redshift")
    assert re.search(r"^  REDSHIFT_USER +ops \(from the deprecated REDSHIFT_DB_USER\)$", out, re.MULTILINE)
    assert "warning  REDSHIFT_DB_USER: REDSHIFT_DB_USER is deprecated" in out
    monkeypatch.setenv("REDSHIFT_USER", "dbt")  # two names, two values: which one is meant?
    code, out = doctor(capsys, "--target", "redshift")
    assert code == 1 and "REDSHIFT_DB_USER='ops' and REDSHIFT_USER='dbt' differ" in out


def test_the_data_api_user_gives_way_to_a_secret_and_to_serverless(empty_env: Path) -> None:
    secret = SETTINGS["REDSHIFT_SECRET_ARN"].example
    cluster = {"REDSHIFT_CLUSTER_ID": "c", "REDSHIFT_USER": "dbt", "REDSHIFT_SECRET_ARN": secret}
    assert RedshiftTarget.from_env(cluster).request_params() == {
        "Database": "globalretail",
        "ClusterIdentifier": "c",
        "SecretArn": secret,
    }
    serverless = {"REDSHIFT_WORKGROUP": "wg", "REDSHIFT_USER": "dbt"}
    assert RedshiftTarget.from_env(serverless).request_params() == {"Database": "globalretail", "WorkgroupName": "wg"}


# --- duckdb ------------------------------------------------------------------------------------------------


def test_duckdb_doctor_on_a_missing_lake_names_it_and_says_to_generate(
    empty_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = doctor(capsys, "--target", "duckdb")
    assert code == 1
    lake = empty_env / "data" / "lake"
    assert f"problem  {lake}: there is no lake here" in out
    assert "warehouse generate" in out


@pytest.fixture
def tiny_lake(empty_env: Path) -> Path:
    lake = empty_env / "data" / "lake"
    generate_lake(lake, SCALES["tiny"], seed=42)
    return lake


def test_duckdb_doctor_passes_on_a_tiny_lake(tiny_lake: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = doctor(capsys, "--target", "duckdb")
    assert code == 0, out
    assert "lake manifest: scale tiny, seed 42" in out
    assert "no DuckDB file yet" in out


def test_duckdb_doctor_finds_every_local_problem_at_once(
    tiny_lake: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tiny_lake / MANIFEST_PATH).write_text("{not json", encoding="utf-8")
    empty_orders = sorted((tiny_lake / "raw" / "orders").glob("dt=*"))
    for partition in empty_orders:
        for path in partition.iterdir():
            path.unlink()
    monkeypatch.setenv("WAREHOUSE_DUCKDB_MEMORY_LIMIT", "lots")
    monkeypatch.setenv("WAREHOUSE_CATALOG_DSN", "host=127.0.0.1 dbname=catalog user=warehouse password=pw-never-shown")
    monkeypatch.setenv("WAREHOUSE_TARGET", "prod")
    code, out = doctor(capsys, "--target", "duckdb")
    assert code == 1
    problems_found = problem_names(out)
    assert str(tiny_lake / MANIFEST_PATH) in problems_found
    assert str(tiny_lake / "raw" / "orders") in problems_found
    assert {"WAREHOUSE_DUCKDB_MEMORY_LIMIT", "WAREHOUSE_TARGET"} <= problems_found
    assert "ok       duckdb-extension-postgres-scanner: postgres_scanner for duckdb" in out
    assert "pw-never-shown" not in out


def test_duckdb_doctor_names_a_missing_extension_wheel(
    tiny_lake: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "duckdb_extension_httpfs" else real(name, *a)
    )
    monkeypatch.setenv("WAREHOUSE_DUCKDB_S3", "1")
    code, out = doctor(capsys, "--target", "duckdb")
    assert code == 1
    assert "problem  duckdb-extension-httpfs: not installed" in out


# --- the commands stop up front with the whole list ---------------------------------------------------------


def _names_in(message: str) -> set[str]:
    """The names of the `- set A or B: ...` lines of a settings error."""
    pattern = re.compile(r"^\s*- set ([A-Z0-9_]+(?: or [A-Z0-9_]+)*):", re.MULTILINE)
    return {name for match in pattern.finditer(message) for name in match[1].split(" or ")}


@pytest.mark.parametrize(
    ("argv", "use", "flags"),
    [
        (["copy", "orders", "--table", "bronze.orders"], Use.COPY, frozenset()),
        (["spectrum", "setup"], Use.SPECTRUM, frozenset()),
        (["unload", "--target", "redshift", "--encrypt"], Use.UNLOAD, frozenset({"encrypt"})),
        (["ops", "monitor"], Use.OPS, frozenset()),
        (["ops", "maintain"], Use.OPS, frozenset()),
    ],
)
def test_aws_commands_print_every_missing_setting_at_once(
    empty_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    use: Use,
    flags: frozenset[str],
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        assert cli.main(argv) == 1
    message = " ".join(capsys.readouterr().err.split())
    expected = required_names({use}, {}, flags)
    assert len(expected) >= 3
    with pytest.raises(SettingsError) as caught:
        require(use, {}, flags)
    assert _names_in(str(caught.value)) == expected
    for name in expected:
        assert name in message, name
    assert message.count("cannot start") == 1


def test_copy_with_source_needs_no_lake_root(empty_env: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        require(Use.COPY, {}, frozenset({"source"}))
    assert "WAREHOUSE_S3_LAKE_ROOT" not in str(caught.value)
    assert "REDSHIFT_COPY_UNLOAD_ROLE_ARN" in str(caught.value)


def test_redshift_build_stops_before_dbt_with_every_missing_setting(
    empty_env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_dbt(*_args: Any) -> Any:
        raise AssertionError("dbt must not run")

    monkeypatch.setattr("warehouse.commands.build.invoke_dbt", no_dbt)
    assert run_build(BuildOptions(target="redshift", progress=False)) == 1
    assert _names_in(caplog.text) == required_names({Use.REDSHIFT}, {})


# --- one registry: code, profiles.yml, macros, stack outputs and the docs ------------------------------------

_ENV_VAR = re.compile(r"env_var\(\s*'([A-Z][A-Z0-9_]*)'")
_PY_NAME = re.compile(r"[\"']((?:WAREHOUSE|REDSHIFT|GLUE|SPECTRUM|AWS|PG)[A-Z0-9]*_[A-Z0-9_]+|PGPASSWORD)[\"']")


def names_read(root: Path) -> set[str]:
    """Every environment name profiles.yml, the models, the macros and the Python package read."""
    found: set[str] = set()
    for pattern in ("profiles.yml", "models/**/*.yml", "macros/**/*.sql", "models/**/*.sql"):
        for path in root.glob(pattern):
            found |= set(_ENV_VAR.findall(path.read_text(encoding="utf-8")))
    for path in (root / "scripts" / "warehouse").rglob("*.py"):
        if "doctor" not in path.parts:
            found |= set(_PY_NAME.findall(path.read_text(encoding="utf-8")))
    return found - {"DBT_SEND_ANONYMOUS_USAGE_STATS"}


def test_every_name_the_project_reads_is_registered() -> None:
    read = names_read(PROJECT_DIR)
    assert {"REDSHIFT_HOST", "REDSHIFT_USER", "REDSHIFT_SPECTRUM_ROLE_ARN", "WAREHOUSE_CATALOG_DSN"} <= read
    assert read - set(SETTINGS) - set(ALIASES) == set()


def test_the_registry_check_finds_an_unregistered_name(tmp_path: Path) -> None:
    (tmp_path / "profiles.yml").write_text("user: \"{{ env_var('REDSHIFT_DB_USERNAME', '') }}\"\n")
    assert names_read(tmp_path) - set(SETTINGS) == {"REDSHIFT_DB_USERNAME"}


def test_stack_outputs_name_registered_settings() -> None:
    template = (PROJECT_DIR / "infra" / "cloudformation" / "globalretail.yaml").read_text(encoding="utf-8")
    outputs = template[template.index("\nOutputs:") :]
    named = dict(re.findall(r"^  (\w+):\n(?:    Condition: \w+\n)?    Description: ([A-Z][A-Z0-9_]+)$", outputs, re.M))
    assert len(named) >= 10
    assert {output: SETTINGS[name].stack_output for output, name in named.items()} == {o: o for o in named}


def test_the_docs_table_is_the_registry(tmp_path: Path) -> None:
    assert docs_table.documented_table() == docs_table.render_table()
    for setting in SETTINGS_LIST:  # every setting has its row; secrets are marked
        row = next(line for line in docs_table.render_table().splitlines() if line.startswith(f"| `{setting.name}`"))
        assert ("**Secret**" in row) is setting.secret
    stale = tmp_path / "settings.md"
    text = docs_table.DOC_PATH.read_text(encoding="utf-8")
    stale.write_text(text.replace("| `REDSHIFT_USER`", "| `REDSHIFT_DB_USER`"), encoding="utf-8")
    assert docs_table.documented_table(stale) != docs_table.render_table()


def test_every_example_is_a_valid_value() -> None:
    env = {s.name: s.example for s in SETTINGS_LIST if s.example and s.name != "REDSHIFT_WORKGROUP"}
    assert [p.line() for p in problems(set(Use), env) if p.kind == "invalid"] == []
