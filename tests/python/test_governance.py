"""Governance lint: each rule on small synthetic manifests, then the real project's manifest, where removing
any column description, any key test or any macro description must fail the lint and name the resource."""

from __future__ import annotations

import copy
import dataclasses
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from tiny_warehouse import TinyWarehouse, copy_project
from warehouse import cli, log
from warehouse.lint import RULES, Violation, lint_manifest
from warehouse.lint.project import load_project
from warehouse.lint.rules import UNIQUENESS_TESTS, lint_project

PROJECT = "shop"


# --- synthetic manifests ------------------------------------------------------------------------------


def model(name: str, path: str, *, columns: dict[str, str] | None = None, parents: tuple[str, ...] = (), **extra: Any):
    node = {
        "unique_id": f"model.{PROJECT}.{name}",
        "resource_type": "model",
        "package_name": PROJECT,
        "name": name,
        "original_file_path": path,
        "description": f"The {name} model.",
        "columns": {column: {"name": column, "description": text} for column, text in (columns or {}).items()},
        "depends_on": {"nodes": list(parents)},
        "config": {"contract": {"enforced": path.startswith("models/gold/")}},
        "version": None,
        "group": "shop",
        "meta": {"owner": "shop-data@example.com"},
        "access": "public" if path.startswith("models/gold/") else "protected",
    }
    node.update(extra)
    return node


def key_tests(model_id: str, column: str) -> list[dict[str, Any]]:
    return [
        {
            "unique_id": f"test.{PROJECT}.{kind}_{model_id.rsplit('.', 1)[-1]}_{column}",
            "resource_type": "test",
            "package_name": PROJECT,
            "name": f"{kind}_{column}",
            "test_metadata": {"name": kind, "kwargs": {"column_name": column}},
            "column_name": column,
            "attached_node": model_id,
            "depends_on": {"nodes": [model_id]},
        }
        for kind in ("unique", "not_null")
    ]


def source(source_name: str, table: str, **extra: Any) -> dict[str, Any]:
    node = {
        "unique_id": f"source.{PROJECT}.{source_name}.{table}",
        "resource_type": "source",
        "package_name": PROJECT,
        "name": table,
        "source_name": source_name,
        "original_file_path": f"models/bronze/{source_name}/_{source_name}__sources.yml",
        "description": "Raw rows.",
        "source_description": "The shop system.",
        "columns": {},
        "freshness": {"warn_after": {"count": 1, "period": "day"}, "error_after": {"count": None, "period": None}},
        "loaded_at_field": "loaded_at",
    }
    node.update(extra)
    return node


def manifest_of(*models: dict[str, Any], sources: tuple[dict[str, Any], ...] = (), tested: bool = True) -> dict:
    models, sources = copy.deepcopy(models), copy.deepcopy(sources)  # tests edit the result freely
    nodes: dict[str, Any] = {node["unique_id"]: node for node in models}
    if tested:
        for node in models:
            first = next(iter(node["columns"]), "id")
            nodes.update({test["unique_id"]: test for test in key_tests(node["unique_id"], first)})
    return {
        "metadata": {"project_name": PROJECT},
        "nodes": nodes,
        "sources": {node["unique_id"]: node for node in sources},
        "exposures": {},
        "metrics": {},
        "groups": {
            f"group.{PROJECT}.shop": {
                "name": "shop",
                "package_name": PROJECT,
                "owner": {"name": "Shop data", "email": "shop-data@example.com"},
            }
        },
    }


ORDERS = source("shop", "orders")
STG = model(
    "stg_shop__orders",
    "models/bronze/shop/stg_shop__orders.sql",
    columns={"order_id": "Order."},
    parents=(ORDERS["unique_id"],),
)
INT = model(
    "int_orders_deduplicated",
    "models/silver/sales/int_orders_deduplicated.sql",
    columns={"order_id": "Order."},
    parents=(STG["unique_id"],),
)
FCT = model(
    "fct_orders", "models/gold/core/fct_orders.sql", columns={"order_id": "Order."}, parents=(INT["unique_id"],)
)


def rules_of(violations: list[Violation]) -> set[tuple[str, str]]:
    return {(violation.rule, violation.subject) for violation in violations}


def test_a_project_that_follows_the_conventions_has_no_violation() -> None:
    assert lint_manifest(manifest_of(STG, INT, FCT, sources=(ORDERS,))) == []


def test_names_follow_the_layer() -> None:
    bad = [
        model("orders", "models/bronze/shop/orders.sql", columns={"id": "Id."}),
        model("stg_shop__order", "models/bronze/shop/stg_shop__order.sql", columns={"id": "Id."}),
        model("stg_crm__orders", "models/bronze/shop/stg_crm__orders.sql", columns={"id": "Id."}),
        model("orders_clean", "models/silver/sales/orders_clean.sql", columns={"id": "Id."}),
        model("orders_mart", "models/gold/core/orders_mart.sql", columns={"id": "Id."}),
        model("stg_shop__orders_typed", "models/bronze/shop/stg_shop__orders_typed.sql", columns={"id": "Id."}),
    ]
    found = rules_of(lint_manifest(manifest_of(*bad), rules=["naming"]))
    assert found == {
        ("naming", "model orders"),
        ("naming", "model stg_shop__order"),
        ("naming", "model stg_crm__orders"),  # named for another source than its folder
        ("naming", "model orders_clean"),
        ("naming", "model orders_mart"),
    }
    outside = model("fct_x", "models/marts/fct_x.sql", columns={"id": "Id."})
    assert rules_of(lint_manifest(manifest_of(outside), rules=["layer-folder"])) == {("layer-folder", "model fct_x")}


def test_the_dag_flows_one_way() -> None:
    gold_reads_bronze = model(
        "fct_shortcut", "models/gold/core/fct_shortcut.sql", columns={"id": "Id."}, parents=(STG["unique_id"],)
    )
    silver_reads_source = model(
        "int_raw", "models/silver/sales/int_raw.sql", columns={"id": "Id."}, parents=(ORDERS["unique_id"],)
    )
    violations = lint_manifest(
        manifest_of(STG, gold_reads_bronze, silver_reads_source, sources=(ORDERS,)),
        rules=["sources-only-in-bronze", "layer-dependencies"],
    )
    assert rules_of(violations) == {
        ("layer-dependencies", "model fct_shortcut"),
        ("sources-only-in-bronze", "model int_raw"),
    }
    message = next(v.render() for v in violations if v.subject == "model fct_shortcut")
    assert "reads bronze model stg_shop__orders" in message and "models/gold/core/fct_shortcut.sql" in message


def test_documentation_keys_freshness_and_contracts_are_required() -> None:
    undocumented = model("int_orders_x", "models/silver/sales/int_orders_x.sql", columns={"order_id": ""})
    undocumented["description"] = " "
    no_contract = model("dim_thing", "models/gold/core/dim_thing.sql", columns={"thing_id": "Thing."})
    no_contract["config"] = {"contract": {"enforced": False}}
    stale = source("shop", "carts", freshness={"warn_after": {"count": None, "period": None}}, loaded_at_field=None)
    manifest = manifest_of(undocumented, no_contract, sources=(stale,))
    untested = model("int_untested", "models/silver/sales/int_untested.sql", columns={"id": "Id."})
    manifest["nodes"][untested["unique_id"]] = untested
    found = [violation.render() for violation in lint_manifest(manifest)]
    assert "[documented] model int_orders_x (models/silver/sales/int_orders_x.sql): has no description" in found
    assert (
        "[columns-documented] model int_orders_x (models/silver/sales/int_orders_x.sql): "
        "column order_id has no description"
    ) in found
    assert any(line.startswith("[key-tested] model int_untested ") for line in found)
    assert any(line.startswith("[gold-contract] model dim_thing ") for line in found)
    assert sum(line.startswith("[source-freshness] source shop.carts ") for line in found) == 2


def test_a_combination_test_is_a_key_test_and_unique_alone_is_not() -> None:
    lines = model("int_lines", "models/silver/sales/int_lines.sql", columns={"order_id": "O.", "line": "L."})
    manifest = manifest_of(lines, tested=False)
    unique_only = key_tests(lines["unique_id"], "order_id")[0]
    manifest["nodes"][unique_only["unique_id"]] = unique_only
    assert rules_of(lint_manifest(manifest, rules=["key-tested"])) == {("key-tested", "model int_lines")}
    combination = {
        **unique_only,
        "unique_id": f"test.{PROJECT}.combination",
        "test_metadata": {"name": "unique_combination_of_columns", "kwargs": {}},
        "column_name": None,
    }
    manifest["nodes"][combination["unique_id"]] = combination
    assert lint_manifest(manifest, rules=["key-tested"]) == []


def test_an_import_cte_read_twice_must_be_inlined() -> None:
    """DuckDB copies a CTE that is read twice: an import CTE read twice without inline_cte() is reported."""
    twice = """
with

orders as{marker} (

    select * from {{{{ ref('stg_shop__orders') }}}}

),

recent as (

    select order_id from orders where ordered_at > current_date

),

final as (

    select orders.* from orders inner join recent on orders.order_id = recent.order_id

)

select * from final
"""
    reported = manifest_of(STG, {**INT, "raw_code": twice.format(marker="")}, sources=(ORDERS,))
    assert rules_of(lint_manifest(reported)) == {("import-cte-inlined", "model int_orders_deduplicated")}
    message = next(v.message for v in lint_manifest(reported))
    assert "`orders` is read 2 times in one run" in message and "inline_cte()" in message
    inlined = manifest_of(STG, {**INT, "raw_code": twice.format(marker=" {{ inline_cte() }}")}, sources=(ORDERS,))
    assert lint_manifest(inlined) == []
    once = twice.replace("inner join recent on orders.order_id = recent.order_id", "")
    once = once.replace("select orders.* from orders", "select * from recent")
    assert lint_manifest(manifest_of(STG, {**INT, "raw_code": once.format(marker="")}, sources=(ORDERS,))) == []
    # Read once by an incremental run and once by a full refresh: one read per run, nothing to report; the
    # same two reads outside the is_incremental() branches are two reads in every run.
    per_branch = """
with

orders as (

    select * from {{ ref('stg_shop__orders') }}

),

final as (

    {% if is_incremental() %}
    select * from orders where ordered_at > current_date
    {% else %}
    select * from orders
    {% endif %}

)

select * from final
"""
    assert lint_manifest(manifest_of(STG, {**INT, "raw_code": per_branch}, sources=(ORDERS,))) == []
    both = per_branch.replace("{% if is_incremental() %}", "{% if var('recent', false) %}")
    found = rules_of(lint_manifest(manifest_of(STG, {**INT, "raw_code": both}, sources=(ORDERS,))))
    assert found == {("import-cte-inlined", "model int_orders_deduplicated")}


def test_every_model_has_an_owner_and_the_access_of_its_layer() -> None:
    no_group = model("fct_returns", "models/gold/core/fct_returns.sql", columns={"id": "Id."}, group=None)
    unknown = model("fct_refunds", "models/gold/core/fct_refunds.sql", columns={"id": "Id."}, group="finance")
    protected_gold = model("fct_sales", "models/gold/core/fct_sales.sql", columns={"id": "Id."}, access="protected")
    public_silver = model("int_sales_x", "models/silver/sales/int_sales_x.sql", columns={"id": "Id."}, access="public")
    manifest = manifest_of(no_group, unknown, protected_gold, public_silver)
    found = {(v.subject, v.message) for v in lint_manifest(manifest) if v.rule == "owned"}
    assert found == {
        ("model fct_returns", "belongs to no group: set +group for its folder (models/groups.yml)"),
        ("model fct_refunds", "group 'finance' is not defined in models/groups.yml"),
        ("model fct_sales", "gold models are access: public, not protected"),
        ("model int_sales_x", "silver models are protected or private, not public"),
    }
    other_owner = model("fct_returns_x", "models/gold/core/fct_returns_x.sql", columns={"id": "Id."}, meta={})
    wrong_owner = model(
        "fct_refunds_x", "models/gold/core/fct_refunds_x.sql", columns={"id": "Id."}, meta={"owner": "me@x.example"}
    )
    owners = {(v.subject, v.message.split(",")[0]) for v in lint_manifest(manifest_of(other_owner, wrong_owner))}
    assert owners == {
        ("model fct_returns_x", "meta.owner is unset"),
        ("model fct_refunds_x", "meta.owner is me@x.example"),
    }
    manifest["groups"][f"group.{PROJECT}.shop"]["owner"] = {"name": "Nobody in particular"}
    assert ("owned", "model fct_sales") in rules_of(lint_manifest(manifest))
    assert sum(v.message.endswith("without an email address") for v in lint_manifest(manifest)) == 2


def test_personal_data_columns_declare_their_pii_kind() -> None:
    customers = model(
        "dim_customer",
        "models/gold/core/dim_customer.sql",
        columns={"customer_id": "Id.", "email": "Email.", "first_name": "Name.", "city": "City."},
    )
    crm = source("crm", "customers", columns={"phone_number": {"name": "phone_number", "description": "Phone."}})
    manifest = manifest_of(customers, sources=(crm,))
    found = {(v.subject, v.message) for v in lint_manifest(manifest) if v.rule == "pii-classified"}
    assert found == {
        ("model dim_customer", "column email holds personal data: declare meta: {pii: <kind>}"),
        ("model dim_customer", "column first_name holds personal data: declare meta: {pii: <kind>}"),
        ("source crm.customers", "column phone_number holds personal data: declare meta: {pii: <kind>}"),
    }
    columns = manifest["nodes"]["model.shop.dim_customer"]["columns"]
    columns["email"]["meta"] = {"pii": "email"}
    columns["first_name"]["config"] = {"meta": {"pii": "secret"}}
    manifest["sources"]["source.shop.crm.customers"]["columns"]["phone_number"]["meta"] = {"pii": "phone"}
    found = {(v.subject, v.message) for v in lint_manifest(manifest) if v.rule == "pii-classified"}
    assert found == {
        (
            "model dim_customer",
            "column first_name: meta.pii 'secret' is not one of address, birth_date, email, name, phone",
        )
    }


def macro(name: str, path: str, description: str, package: str = PROJECT) -> dict[str, Any]:
    return {
        "unique_id": f"macro.{package}.{name}",
        "resource_type": "macro",
        "package_name": package,
        "name": name,
        "original_file_path": path,
        "description": description,
        "arguments": [],
    }


def test_every_macro_of_the_project_is_documented() -> None:
    """macro-documented: a macro of the project (macros/ or a generic test) without a description is reported
    with the YAML file to describe it in; a package's macros (dbt's own) are not the project's business."""
    manifest = manifest_of(STG, sources=(ORDERS,))
    manifest["macros"] = {
        node["unique_id"]: node
        for node in (
            macro("inline_cte", "macros/cross_database/inline_cte.sql", "Not materialized on DuckDB."),
            macro("default__inline_cte", "macros/cross_database/inline_cte.sql", " "),
            macro("test_volume_guard", "tests/generic/volume_guard.sql", ""),
            macro("generate_schema_name", "macros/generate_schema_name.sql", ""),
            macro("is_incremental", "macros/materializations/models/incremental/is_incremental.sql", "", "dbt"),
        )
    }
    assert [v.render() for v in lint_manifest(manifest)] == [
        "[macro-documented] macro default__inline_cte (macros/cross_database/inline_cte.sql): has no description: "
        "describe it and its arguments in macros/cross_database/_cross_database__macros.yml",
        "[macro-documented] macro generate_schema_name (macros/generate_schema_name.sql): has no description: "
        "describe it and its arguments in a macros: property file beside it",
        "[macro-documented] macro test_volume_guard (tests/generic/volume_guard.sql): has no description: "
        "describe it and its arguments in tests/generic/_generic__tests.yml",
    ]
    for node in manifest["macros"].values():
        node["description"] = node["description"].strip() or "Documented."
    assert lint_manifest(manifest) == []


def test_catalog_columns_missing_from_the_yaml_are_reported() -> None:
    catalog = {"nodes": {INT["unique_id"]: {"columns": {"ORDER_ID": {"name": "ORDER_ID"}, "extra": {"name": "extra"}}}}}
    violations = lint_manifest(manifest_of(INT), catalog, rules=["columns-documented"])
    assert [v.render() for v in violations] == [
        "[columns-documented] model int_orders_deduplicated (models/silver/sales/int_orders_deduplicated.sql): "
        "column extra is in the warehouse but not documented in YAML"
    ]


# --- the real project ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_manifest(tiny_warehouse: TinyWarehouse) -> dict[str, Any]:
    return tiny_warehouse.manifest


def _keyed_resources(manifest: dict[str, Any]) -> list[str]:
    project = manifest["metadata"]["project_name"]
    return sorted(
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in {"model", "snapshot", "seed"} and node["package_name"] == project
    )


def _subject(node: dict[str, Any]) -> str:
    version = f".v{node['version']}" if node.get("version") is not None else ""
    return f"{node['resource_type']} {node['name']}{version}"


@pytest.mark.slow
def test_the_project_follows_its_conventions(real_manifest: dict[str, Any], tiny_docs: Path) -> None:
    catalog = json.loads((tiny_docs / "catalog.json").read_text(encoding="utf-8"))
    violations = lint_manifest(real_manifest, catalog)
    assert violations == [], "\n".join(violation.render() for violation in violations)


@pytest.mark.slow
def test_removing_any_column_description_fails_and_names_the_model(real_manifest: dict[str, Any]) -> None:
    manifest = copy.deepcopy(real_manifest)
    baseline = set(lint_manifest(manifest, rules=["columns-documented"]))
    checked = 0
    for unique_id in _keyed_resources(manifest):
        node = manifest["nodes"][unique_id]
        if not node["columns"]:
            continue
        column = next(iter(node["columns"].values()))
        saved, column["description"] = column["description"], ""
        try:
            new = set(lint_manifest(manifest, rules=["columns-documented"])) - baseline
        finally:
            column["description"] = saved
        assert {(v.rule, v.subject) for v in new} == {("columns-documented", _subject(node))}, unique_id
        assert f"column {column['name']} has no description" in next(iter(new)).render()
        checked += 1
    assert checked >= 50  # every model, snapshot and seed of the project


@pytest.mark.slow
def test_removing_any_key_test_fails_and_names_the_model(real_manifest: dict[str, Any]) -> None:
    manifest = copy.deepcopy(real_manifest)
    baseline = set(lint_manifest(manifest, rules=["key-tested"]))
    nodes = manifest["nodes"]
    checked = 0
    for unique_id in _keyed_resources(manifest):
        key_test_ids = [
            test_id
            for test_id, test in nodes.items()
            if test["resource_type"] == "test"
            and test.get("attached_node") == unique_id
            and (test.get("test_metadata") or {}).get("name") in {"unique", *UNIQUENESS_TESTS}
        ]
        assert key_test_ids, f"{unique_id} has no key test to remove"
        removed = {test_id: nodes.pop(test_id) for test_id in key_test_ids}
        try:
            new = set(lint_manifest(manifest, rules=["key-tested"])) - baseline
        finally:
            nodes.update(removed)
        assert {(v.rule, v.subject) for v in new} == {("key-tested", _subject(nodes[unique_id]))}, unique_id
        checked += 1
    assert checked >= 50


@pytest.mark.slow
def test_removing_any_macro_description_fails_and_names_the_macro(real_manifest: dict[str, Any]) -> None:
    """The real manifest passes macro-documented; with any one of the project's macros (macros/ and
    tests/generic/) undocumented in a copy, the lint fails and names that macro alone."""
    assert lint_manifest(real_manifest, rules=["macro-documented"]) == []
    # The rule reads only the macros: each case lints a copy holding just them, not the whole manifest.
    manifest = copy.deepcopy({"metadata": real_manifest["metadata"], "macros": real_manifest["macros"]})
    project = manifest["metadata"]["project_name"]
    ours = sorted(key for key, node in manifest["macros"].items() if node["package_name"] == project)
    for unique_id in ours:
        node = manifest["macros"][unique_id]
        saved, node["description"] = node["description"], ""
        try:
            found = lint_manifest(manifest, rules=["macro-documented"])
        finally:
            node["description"] = saved
        assert [(v.rule, v.subject, v.path) for v in found] == [
            ("macro-documented", f"macro {node['name']}", node["original_file_path"])
        ], unique_id
    paths = {manifest["macros"][unique_id]["original_file_path"].split("/")[0] for unique_id in ours}
    assert len(ours) >= 150 and paths == {"macros", "tests"}  # every macro folder and the generic tests


@pytest.mark.slow
def test_every_rule_is_exercised_on_the_real_manifest(real_manifest: dict[str, Any]) -> None:
    """Breaking each rule once in a copy of the real manifest is caught, and the message names the resource."""
    manifest = copy.deepcopy(real_manifest)
    nodes, sources = manifest["nodes"], manifest["sources"]
    fct = nodes["model.globalretail.fct_sales.v1"]
    fct["depends_on"]["nodes"].append("model.globalretail.stg_pos__store_sales")  # gold reading bronze
    fct["config"]["contract"]["enforced"] = False
    nodes["model.globalretail.dim_channel"]["description"] = ""
    nodes["model.globalretail.int_sales_lines_conformed"]["depends_on"]["nodes"].append(
        "source.globalretail.pos.stores"
    )
    nodes["model.globalretail.int_stores_deduplicated"]["name"] = "stores_clean"
    sources["source.globalretail.crm.customers"]["freshness"] = {"warn_after": {}, "error_after": {}}
    # The sales line's category and the product's own one compute different values (they differ on sales of
    # products missing from the catalog): one description for both is caught.
    semantic = manifest["semantic_models"]
    products = next(dim for dim in semantic["semantic_model.globalretail.products"]["dimensions"])
    sales = semantic["semantic_model.globalretail.sales"]
    next(dim for dim in sales["dimensions"] if dim["name"] == "category")["description"] = products["description"]
    dedup = nodes["model.globalretail.int_orders_deduplicated"]
    assert "{{ inline_cte() }}" in dedup["raw_code"]
    dedup["raw_code"] = dedup["raw_code"].replace("{{ inline_cte() }}", "")
    revenue = nodes["model.globalretail.agg_daily_revenue"]
    revenue["group"] = revenue["config"]["group"] = None
    nodes["model.globalretail.dim_customer"]["columns"]["email"]["meta"] = {}
    nodes["model.globalretail.dim_customer"]["columns"]["email"]["config"] = {}
    assert any(
        "protect_relation" in hook["sql"] for hook in nodes["model.globalretail.dim_customer"]["config"]["post-hook"]
    )
    nodes["model.globalretail.dim_customer"]["config"]["post-hook"] = []
    manifest["macros"]["macro.globalretail.inline_cte"]["description"] = ""
    found = rules_of(lint_manifest(manifest))
    assert found >= {
        ("import-cte-inlined", "model int_orders_deduplicated"),
        ("layer-dependencies", "model fct_sales.v1"),
        ("gold-contract", "model fct_sales.v1"),
        ("documented", "model dim_channel"),
        ("sources-only-in-bronze", "model int_sales_lines_conformed"),
        ("naming", "model stores_clean"),
        ("source-freshness", "source crm.customers"),
        ("distinct-dimensions", "dimension sales.category"),
        ("distinct-dimensions", "dimension products.product_category"),
        ("owned", "model agg_daily_revenue"),
        ("pii-classified", "model dim_customer"),
        ("pii-masked", "model dim_customer"),
        ("macro-documented", "macro inline_cte"),
    }
    assert {rule for rule, _ in found} | {"layer-folder", "columns-documented", "key-tested"} == set(RULES)


# --- the command --------------------------------------------------------------------------------------


@contextmanager
def lint_command(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[io.StringIO]:
    """`warehouse lint` only (cli.COMMAND_MODULES patched); yields what it printed on stdout, once it is done."""
    monkeypatch.setattr(cli, "COMMAND_MODULES", ("warehouse.commands.lint",))
    monkeypatch.setattr(log, "console", Console(file=io.StringIO(), width=200, color_system=None))
    capsys.readouterr()
    output = io.StringIO()
    yield output
    output.write(capsys.readouterr().out)


def test_lint_command_exits_1_and_names_rule_and_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = manifest_of(STG, INT, FCT, sources=(ORDERS,))
    broken["nodes"][INT["unique_id"]]["columns"]["order_id"]["description"] = ""
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    with lint_command(monkeypatch, capsys) as output:
        assert cli.main(["lint", "--manifest", str(path)]) == 1
    text = output.getvalue()
    assert "[columns-documented] model int_orders_deduplicated" in text and "column order_id has no description" in text
    assert "governance lint failed: 1 violation(s)" in text

    path.write_text(json.dumps(manifest_of(STG, INT, FCT, sources=(ORDERS,))), encoding="utf-8")
    with lint_command(monkeypatch, capsys) as output:
        assert cli.main(["lint", "--manifest", str(path)]) == 0
    assert "every rule holds" in output.getvalue()
    with lint_command(monkeypatch, capsys):
        assert cli.main(["lint", "--manifest", str(tmp_path / "missing.json")]) == 2


@pytest.mark.slow
def test_lint_command_parses_the_project_and_catches_yaml_edits(
    tiny_warehouse: TinyWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end: a column description, a key test and a macro description deleted from the YAML fail
    `warehouse lint`."""
    project = copy_project(tmp_path / "project")
    finance = project / "models" / "gold" / "finance" / "_finance__models.yml"
    text = finance.read_text(encoding="utf-8")
    assert "        description: Units sold that day.\n" in text
    finance.write_text(text.replace("        description: Units sold that day.\n", "", 1), encoding="utf-8")
    core = project / "models" / "gold" / "core" / "_core__models.yml"
    text = core.read_text(encoding="utf-8")
    channel_key = "      - name: channel_code\n        description: \"{{ doc('channel_code') }}\"\n"
    start = text.index("  - name: dim_channel\n")
    key = text.index(channel_key, start)
    tests_line = text.index("        data_tests: [unique, not_null]\n", key)
    core.write_text(text[:tests_line] + text[tests_line + len("        data_tests: [unique, not_null]\n") :])
    macros = project / "macros" / "access" / "_access__macros.yml"
    text = macros.read_text(encoding="utf-8")
    described = "  - name: reader_roles\n    description: The roles (lowercased, without `role:`) that a node's grants"
    assert described in text
    start = text.index(described) + len("  - name: reader_roles\n")
    macros.write_text(text[:start] + text[text.index("\n", start) + 1 :], encoding="utf-8")

    for key_name, value in tiny_warehouse.env(project_dir=project).items():
        monkeypatch.setenv(key_name, value)
    with lint_command(monkeypatch, capsys) as output:
        code = cli.main(["lint", "--project-dir", str(project), "--target-path", str(tmp_path / "target")])
    text = output.getvalue()
    assert code == 1, text
    assert "[columns-documented] model agg_daily_revenue" in text and "column units_sold has no description" in text
    assert "[key-tested] model dim_channel" in text
    assert "[macro-documented] macro reader_roles (macros/access/protect_relation.sql)" in text


def test_personal_data_readable_by_a_masked_role_must_be_masked() -> None:
    """pii-masked: an email an analyst may read is in a table whose post-hook attaches the masking policy;
    in a view, or without the post-hook, it is caught; a model only the clear roles read needs neither."""
    columns = {"customer_id": {"name": "customer_id", "description": "Id."}}
    columns["email"] = {"name": "email", "description": "Email.", "meta": {"pii": "email"}}
    hook = [{"sql": "{{ globalretail.protect_relation() }}", "transaction": True}]

    def customers(materialized: str, readers: list[str], hooks: list[dict[str, Any]]) -> dict[str, Any]:
        node = model("dim_customer", "models/gold/core/dim_customer.sql")
        node["columns"] = columns
        grants = {"select": [f"role:{role}" for role in readers]}
        node["config"].update(materialized=materialized, grants=grants, **{"post-hook": hooks})
        return node

    def found(node: dict[str, Any]) -> list[str]:
        project = load_project(manifest_of(node))
        project = dataclasses.replace(project, clear_pii_roles=frozenset({"engineer"}))
        return [v.message for v in lint_project(project, ["pii-masked"])]

    assert found(customers("table", ["engineer", "analyst"], hook)) == []
    assert found(customers("view", ["engineer"], [])) == []
    assert found(customers("table", ["engineer", "analyst"], [])) == [
        "email (personal data) readable by analyst without the post-hook protect_relation() that masks them"
    ]
    (message,) = found(customers("view", ["engineer", "analyst"], hook))
    assert message.startswith("email (personal data) readable by analyst in a view: a masking policy attaches")
