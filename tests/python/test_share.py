"""`warehouse share`: the local equivalent of a masked reader (macros/access/share_masked.sql).

The share of a role holds exactly the models its grants name, every row, the personal-data columns masked
as the Redshift masking policies mask them and every other column unchanged; the roles it must refuse and
the destinations that would lose data are refused, leaving the files as they were.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from tiny_warehouse import TinyWarehouse, clone_warehouse, run_warehouse

CUSTOMER_COLUMNS = "customer_id, first_name, last_name, email"


@pytest.fixture(scope="module")
def shared(tiny_warehouse: TinyWarehouse, tmp_path_factory: pytest.TempPathFactory) -> tuple[TinyWarehouse, Path]:
    copy = clone_warehouse(tiny_warehouse, tmp_path_factory.mktemp("share"), artifacts=True)
    out = copy.data_dir / "shares" / "analyst.duckdb"
    assert run_warehouse(copy.data_dir, "share", "--out", str(out)) == 0
    return copy, out


def _readers(manifest: dict, role: str) -> set[str]:
    found = set()
    for node in manifest["nodes"].values():
        grants = (node.get("config") or {}).get("grants") or {}
        if node["resource_type"] in ("model", "seed", "snapshot") and f"role:{role}" in grants.get("select", []):
            found.add(f"{node['schema']}.{node['alias']}")
    return found


def _tables(database: Path) -> set[str]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables where table_schema <> 'main'"
        ).fetchall()
    finally:
        con.close()
    return {row[0] for row in rows}


def test_the_share_holds_what_the_role_reads_with_personal_data_masked(shared: tuple[TinyWarehouse, Path]) -> None:
    warehouse, out = shared
    expected = _readers(warehouse.manifest, "globalretail_analyst")
    assert "gold.dim_customer" in expected and not any(name.startswith(("bronze.", "silver.")) for name in expected)
    assert _tables(out) == expected

    manifest = dict(
        (relation, (rows, masked))
        for relation, rows, masked in warehouse.query("select * exclude (role, shared_at) from share_manifest", out)
    )
    assert set(manifest) == expected
    for relation, (rows, _masked) in manifest.items():
        assert warehouse.query(f"select count(*) from {relation}")[0][0] == rows, relation
    assert sorted(manifest["gold.dim_customer"][1]) == ["email", "first_name", "last_name"]

    clear = {row[0]: row[1:] for row in warehouse.query(f"select {CUSTOMER_COLUMNS} from gold.dim_customer")}
    masked = {row[0]: row[1:] for row in warehouse.query(f"select {CUSTOMER_COLUMNS} from gold.dim_customer", out)}
    assert masked.keys() == clear.keys()
    emails = {email for _, _, email in clear.values() if email}
    assert len(emails) > 100
    for customer, (first, last, email) in clear.items():
        assert masked[customer] == (
            first[:1] + "***" if first is not None else None,
            last[:1] + "***" if last is not None else None,
            "***" + email[email.index("@") :] if email is not None else None,
        ), customer
    assert not emails & {email for _, _, email in masked.values()}


def _checksum(warehouse: TinyWarehouse, database: Path, relation: str, exclude: list[str]) -> str:
    columns = f"* exclude ({', '.join(exclude)})" if exclude else "*"
    rows = warehouse.query(f"select {columns} from {relation} order by all", database)
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_every_other_column_is_unchanged(shared: tuple[TinyWarehouse, Path]) -> None:
    warehouse, out = shared
    for relation, masked in warehouse.query("select relation, masked_columns from share_manifest", out):
        assert _checksum(warehouse, out, relation, masked) == _checksum(
            warehouse, warehouse.database, relation, masked
        ), relation


def test_the_bi_export_share_holds_the_finance_marts_only(shared: tuple[TinyWarehouse, Path]) -> None:
    warehouse, _ = shared
    out = warehouse.data_dir / "shares" / "bi.duckdb"
    assert run_warehouse(warehouse.data_dir, "share", "--out", str(out), "--role", "globalretail_bi_export") == 0
    assert (
        _tables(out)
        == _readers(warehouse.manifest, "globalretail_bi_export")
        == {
            "gold.agg_daily_revenue",
            "gold.agg_monthly_sales",
        }
    )


def _said(capsys: pytest.CaptureFixture[str]) -> str:
    """What the command printed (dbt on stdout, the log on stderr), its line wrapping undone."""
    said = capsys.readouterr()
    return " ".join((said.out + said.err).split())


def test_refused_roles_and_destinations_change_no_file(
    shared: tuple[TinyWarehouse, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse, out = shared
    before = {path: path.read_bytes() for path in (out, warehouse.database)}
    share = ("share", "--out")
    for role, reason in (
        ("globalretail_engineer", "reads personal data in clear"),
        ("globalretail_regional_analyst", "row-access lookup"),
        ("globalretail_typo", "reads no model"),
    ):
        fresh = warehouse.data_dir / "shares" / f"{role}.duckdb"
        assert run_warehouse(warehouse.data_dir, *share, str(fresh), "--role", role) == 1, role
        assert reason in _said(capsys), role
        assert not fresh.exists() and not fresh.with_name(fresh.name + ".partial").exists(), role
    assert run_warehouse(warehouse.data_dir, *share, str(warehouse.database), "--force") == 1
    assert "is the warehouse file itself" in _said(capsys)
    assert run_warehouse(warehouse.data_dir, *share, str(out)) == 1
    assert "exists: pass --force to replace it" in _said(capsys)
    assert {path: path.read_bytes() for path in before} == before
