"""Tests for `warehouse verify redshift` (scripts/warehouse/verify/redshift).

Fast tests cover the compatibility checker, the tokenizer, the function list, the dist/sort check on a
synthetic manifest and the sqlfluff parse helper. Tests marked slow run dbt in-process: on a small
project written to tmp_path, and end to end on this repository's project.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from warehouse.commands import verify
from warehouse.config import PROJECT_DIR
from warehouse.verify.redshift import (
    Check,
    VerifyConfig,
    check_physical_design,
    check_sql,
    count_unparsable,
    is_time_column,
    make_linter,
    parse_findings,
    run,
)
from warehouse.verify.redshift.check import (
    INCREMENTAL_SUFFIX,
    CheckSummary,
    VerifyReport,
    compiled_sql_files,
    drop_incremental_repeats,
)
from warehouse.verify.redshift.dbt_offline import OFFLINE_ENV, is_constant_query, offline_environment
from warehouse.verify.redshift.findings import Finding
from warehouse.verify.redshift.functions import FUNCTION_LIST, parse_function_list, redshift_functions
from warehouse.verify.redshift.report import print_report
from warehouse.verify.redshift.tokens import Kind, tokenize

MODEL = "model.globalretail.agg_daily_revenue"


def messages(sql: str) -> list[str]:
    return [finding.render() for finding in check_sql(sql, MODEL)]


# --- compatibility: forbidden constructs --------------------------------------------------------------

FORBIDDEN: list[tuple[str, str]] = [
    ("list_value(1, 2) as l", "'list_value(' is not a Redshift function"),
    ("struct_pack(a := 1) as s", "'struct_pack(' is not a Redshift function"),
    ("json_extract_string(j, '$.a') as e", "'json_extract_string(' is not a Redshift function"),
    ("regexp_extract(s, 'x') as r", "'regexp_extract(' is not a Redshift function"),
    ("strftime(ts, '%Y') as f", "'strftime(' is not a Redshift function"),
    ("epoch_ms(1) as e", "'epoch_ms(' is not a Redshift function"),
    ("string_split(s, ',') as parts", "'string_split(' is not a Redshift function"),
    ("string_agg(s, ',') as joined", "'string_agg(' is not a Redshift function"),
    ("count_if(x > 1) as n", "'count_if(' is not a Redshift function"),
    ("generate_series(1, 3) as n", "'generate_series(' is not a Redshift function"),
    ("now() as ts", "'now(' runs only on the Redshift leader node"),
    ("current_timestamp as ts", "'current_timestamp' runs only on the Redshift leader node"),
    ("unnest(l) as x", "'unnest(' is not a Redshift function here"),
    ("columns('a.*')", "'columns(' is not a Redshift function"),
    ("a::hugeint as a", "'::hugeint' is not a Redshift data type"),
    ("a::ubigint as a", "'::ubigint' is not a Redshift data type"),
    ("a::list as a", "'::list' is not a Redshift data type"),
    ("a::double as a", "'::double' is not a Redshift data type (use double precision)"),
    ("a::string as a", "'::string' is not a Redshift data type"),
    ("try_cast(a as hugeint) as a", "'hugeint' is not a Redshift data type"),
    ("a::varchar[] as a", "'varchar[]' array types are not supported by Redshift"),
    ("[1, 2] as a", "array literal '[...]' is not supported by Redshift"),
    ("{'a': 1} as s", "struct/map literal '{...}' is not supported by Redshift"),
    ("count(*) filter (where x > 1) as n", "aggregate 'filter (where ...)' is not supported"),
    ("list_transform(l, x -> x + 1) as l", "'->' (lambda or JSON arrow) is not supported"),
    ("a // 2 as half", "'//' integer division is not supported by Redshift"),
    ("a ** 2 as squared", "'**' is not supported by Redshift"),
    ("a == 1 as flag", "'==' is not supported by Redshift"),
    ("a is distinct from b as changed", "'is [not] distinct from' is not supported by Redshift"),
    ("s ilike any (array('a%')) as m", "'ilike any (...)' is not supported by Redshift"),
    ("interval 1 day as i", "unquoted 'interval 1 ...' is DuckDB syntax"),
]


@pytest.mark.parametrize(("expression", "expected"), FORBIDDEN)
def test_forbidden_expression_is_reported_with_model_and_line(expression: str, expected: str) -> None:
    sql = f"select\n    id,\n    {expression}\nfrom orders"
    assert any(message.startswith(f"{MODEL}:3: {expected}") for message in messages(sql)), messages(sql)


FORBIDDEN_STATEMENTS: list[tuple[str, str]] = [
    ("select * from read_csv('x.csv')", "'read_csv(' is not a Redshift function"),
    ("select * from read_parquet('x/*.parquet')", "'read_parquet(' is not a Redshift function"),
    ("select * from 'lake/orders.parquet'", "file scan \"from 'lake/orders.parquet'\" is DuckDB-only"),
    ("select a, sum(b) from t group by a order by all", "'order by all' is not supported by Redshift"),
    ("select distinct on (a) a, b from t", "'distinct on (...)' is not supported by Redshift"),
    ("select * replace (a + 1 as a) from t", "'* replace' is not supported by Redshift"),
    ("select * from t using sample 10%", "'using sample' is not supported by Redshift"),
    ("select * from t tablesample system (10)", "'tablesample' is not supported by Redshift"),
    ("pivot t on category using sum(amount)", "DuckDB PIVOT statement"),
    ("unpivot t on a, b into name k value v", "DuckDB UNPIVOT statement"),
    ("select * from t asof join u on t.ts >= u.ts", "'asof join' is not supported by Redshift"),
    ("select * from t positional join u", "'positional join' is not supported by Redshift"),
    ("select * from t semi join u on t.id = u.id", "'semi join' is not supported by Redshift"),
    ("select * from t anti join u on t.id = u.id", "'anti join' is not supported by Redshift"),
    ("create macro add_one(a) as a + 1", "'create macro' is DuckDB-only"),
    ("insert or replace into t values (1)", "'insert or replace' is not supported by Redshift"),
    ("select * from (values (1), (2)) as v(x)", "a VALUES list used as a table is not supported"),
    ("select * from t union by name select * from u", "'union by name' is not supported by Redshift"),
]


@pytest.mark.parametrize(("sql", "expected"), FORBIDDEN_STATEMENTS)
def test_forbidden_statement_is_reported(sql: str, expected: str) -> None:
    found = messages(f"-- header line\n{sql}")
    assert any(message.startswith(f"{MODEL}:2: {expected}") for message in found), found


def test_findings_carry_the_source_line_and_sort_by_line() -> None:
    findings = check_sql("select\n  a // 2,\n  list_value(1)\nfrom t", MODEL, path="compiled/x.sql")
    assert [(finding.line, finding.snippet) for finding in findings] == [(2, "a // 2,"), (3, "list_value(1)")]
    assert all(finding.check is Check.COMPAT and finding.path == "compiled/x.sql" for finding in findings)


def test_a_repeated_problem_on_one_line_is_reported_once() -> None:
    assert len(check_sql("select list_value(1), list_value(2) from t", MODEL)) == 1


# --- compatibility: valid Redshift SQL must pass ----------------------------------------------------

VALID_REDSHIFT: list[str] = [
    "select row_number() over (partition by a order by b desc nulls last) as rn from t",
    "select sum(x) over (partition by a order by b rows between unbounded preceding and current row) from t",
    "select lag(x, 1) ignore nulls over (order by d) as prev, ratio_to_report(x) over () as share from t",
    "select json_extract_path_text(payload, 'customer', 'id', true) as customer_id from t",
    "select datediff(day, started_at, ended_at) as days from t",
    "select dateadd(month, 1, order_date) as next_month, date_trunc('week', ordered_at) as week from t",
    "select listagg(sku, ',') within group (order by sku) as skus from t group by order_id",
    "select percentile_cont(0.5) within group (order by amount) as median_amount from t",
    "select nvl(a, 0) as a, nvl2(b, 1, 0) as has_b, coalesce(c, d) as c from t",
    "select decode(status, 'a', 'active', 'b', 'blocked', 'unknown') as status_name from t",
    "select getdate() as now_utc, sysdate as tx_start, current_date as today",
    "select convert_timezone('UTC', 'America/New_York', ordered_at) as local_ts from t",
    "select approximate count(distinct customer_id) as customers from t",
    "select a from t qualify row_number() over (partition by a order by b desc nulls last) = 1",
    "with orders as (select * from t), final as (select * from orders) select * from final",
    "with recursive chain (id, parent) as (select id, parent from t) select * from chain",
    "insert into analytics.t (a, b) values (1, 'x'), (2, 'y')",
    "insert into t (a) select a from u",
    "create external table spectrum.orders (order_id bigint, payload varchar(max)) "
    "partitioned by (dt date) stored as textfile location 's3://bucket/raw/orders/'",
    "create table if not exists silver.t (a int encode az64, b decimal(12, 2), id bigint identity(0, 1), "
    "primary key (a)) diststyle key distkey(a) compound sortkey(a, b)",
    "select cast(a as decimal(12, 2)) as a, b::numeric(5, 4) as b, c::varchar(256) as c from t",
    "select cast(a as double precision) as a, b::timestamp with time zone as b, c::super as c from t",
    "select try_cast(a as integer) as a from t",
    "select a, sum(b) from t group by all",
    "select * exclude (payload, raw_record) from t",
    "select * from (select part, price from t) pivot (avg(cast(price as double precision)) for part in ('a', 'b'))",
    "select * from t unpivot include nulls (v for n in (a, b))",
    "select grouping(a) as g, sum(b) from t group by rollup (a), cube (b), grouping sets ((a), ())",
    "select c.orders[0].id as first_order from customers as c, c.orders as o",
    "select u.x from t as c, unnest(c.items) as u (x)",
    "select json_parse(payload)[0] as first_item, split_to_array(tags, ',') as tag_list from t",
    "select trim(both ' ' from s), position('a' in s), extract(year from d), substring(s from 1 for 3) from t",
    "select md5(cast(id as varchar)) as key, fnv_hash(id) as h, s ~ '^[0-9]+$' as numeric_s from t",
    "select case when a between 1 and 2 then 'x' else 'y' end as bucket from t where b in (1, 2)",
    "select a from t where exists (select 1 from u where u.id = t.id) and not (a is null)",
    "merge into t using s on t.id = s.id when matched then update set a = s.a "
    "when not matched then insert (id, a) values (s.id, s.a)",
    "create view v (a, b) as select a, b from t",
    "create or replace function f_double (a int) returns int stable as $$ select list_value($1) $$ language sql",
    "call analytics.refresh_orders(1)",
    "select analytics.f_double(a) as doubled from t",
    "copy silver.t (a, b) from 's3://bucket/x' iam_role 'arn:aws:iam::1:role/r' format as json 'auto'",
    "unload ('select * from t') to 's3://bucket/out/' iam_role default format as parquet",
    "select 'list_value(1) [1,2] {''a'': 1} a // b' as literal, \"list_value\" as quoted from t",
    "select a -- list_value( in a comment\nfrom t /* [1, 2] a ** b { } */",
    "select date_part(dow, d) as dow, pgdate_part(month, d) as m, pow(a, 2) as sq, dec_col::dec(10, 2) from t",
]


@pytest.mark.parametrize("sql", VALID_REDSHIFT)
def test_valid_redshift_sql_passes(sql: str) -> None:
    assert messages(sql) == []


# --- tokenizer and function list --------------------------------------------------------------------


def test_tokenizer_keeps_strings_comments_and_lines_straight() -> None:
    sql = 'select \'a\nb\' as s, -- c\n  $$x\ny$$ as body, "Q""id" /* z\n */ from t'
    tokens = tokenize(sql)
    assert [(token.kind, token.text, token.line) for token in tokens if token.kind is not Kind.OP] == [
        (Kind.WORD, "select", 1),
        (Kind.STRING, "'a\nb'", 1),
        (Kind.WORD, "as", 2),
        (Kind.WORD, "s", 2),
        (Kind.STRING, "$$x\ny$$", 3),
        (Kind.WORD, "as", 4),
        (Kind.WORD, "body", 4),
        (Kind.QUOTED, '"Q""id"', 4),
        (Kind.WORD, "from", 5),
        (Kind.WORD, "t", 5),
    ]


def test_tokenizer_reads_duckdb_operators_as_single_tokens() -> None:
    ops = [token.text for token in tokenize("a::int // b ** c -> d ->> e == f") if token.kind is Kind.OP]
    assert ops == ["::", "//", "**", "->", "->>", "=="]


def test_function_list_file_has_a_source_header_and_clean_names() -> None:
    text = (PROJECT_DIR / "scripts/warehouse/verify/redshift" / FUNCTION_LIST).read_text(encoding="utf-8")
    assert text.startswith("#") and "c_SQL_functions" in text.splitlines()[3]
    names = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert names == [name.strip().lower() for name in names]
    assert redshift_functions() == frozenset(names)
    assert {"listagg", "json_extract_path_text", "dateadd", "st_distance", "current_user", "try_cast"} <= set(names)
    assert not {"list_value", "strftime", "string_agg", "now", "generate_series"} & set(names)


def test_parse_function_list_ignores_comments_and_blanks() -> None:
    assert parse_function_list("# header\n\nAVG  # aggregate\nsum\n") == frozenset({"avg", "sum"})


def test_checker_uses_a_given_function_list() -> None:
    assert check_sql("select my_udf(1)", MODEL, functions=frozenset({"my_udf"})) == []


# --- dist/sort design on a synthetic manifest -------------------------------------------------------


def node(
    name: str,
    folder: str,
    materialized: str = "table",
    columns: tuple[str, ...] = (),
    package: str = "globalretail",
    meta: dict[str, Any] | None = None,
    **config: Any,
) -> tuple[str, dict[str, Any]]:
    unique_id = f"model.{package}.{name}"
    return unique_id, {
        "resource_type": "model",
        "name": name,
        "package_name": package,
        "original_file_path": f"models/{folder}/{name}.sql",
        "path": f"{folder}/{name}.sql",
        "config": {"materialized": materialized, "meta": meta or {}, **config},
        "meta": meta or {},
        "columns": {column: {"name": column} for column in columns},
    }


@pytest.fixture
def design_manifest() -> dict[str, Any]:
    nodes = dict(
        [
            node("dim_customer", "gold/core", dist="all", sort=["customer_id"]),
            node("dim_product", "gold/core", dist="product_id", sort="product_id"),
            node("dim_big", "gold/core", dist="big_id", sort=["big_id"], meta={"dist_reason": "too big for ALL"}),
            node("fct_sales", "gold/core", dist="even", sort=["sold_at", "store_id"]),
            node("fct_returns", "gold/core", dist="even", sort=["store_id", "returned_at"]),
            node("agg_daily_revenue", "gold/finance", dist="all", sort=["date_day"]),
            node("agg_no_design", "gold/finance"),
            node("int_orders_deduplicated", "silver/sales", materialized="incremental", dist="even"),
            node("int_view", "silver/sales", materialized="view"),
            node("int_ephemeral", "silver/sales", materialized="ephemeral"),
            node("stg_shop__orders", "bronze/shop", materialized="table"),
            node("fct_documented", "gold/core", columns=("sold_at", "amount"), dist="store_id", sort=["sold_at"]),
            node("fct_other_package", "gold/core", package="other_pkg"),
        ]
    )
    return {"metadata": {"project_name": "globalretail"}, "nodes": nodes}


def test_physical_design_reports_each_problem_per_model(design_manifest: dict[str, Any]) -> None:
    designs, findings = check_physical_design(design_manifest)
    assert {design.name for design in designs} == {
        "dim_customer",
        "dim_product",
        "dim_big",
        "fct_sales",
        "fct_returns",
        "agg_daily_revenue",
        "agg_no_design",
        "int_orders_deduplicated",
        "fct_documented",
    }
    assert sorted(finding.render() for finding in findings) == sorted(
        [
            "model.globalretail.agg_no_design: materialized as table but has no `dist` config",
            "model.globalretail.agg_no_design: materialized as table but has no `sort` config",
            "model.globalretail.dim_product: dimension uses dist 'product_id': use dist 'all', "
            "or explain the key in meta.dist_reason",
            "model.globalretail.fct_returns: fact sorts by 'store_id' first: the first sort column must be a "
            "time column (*_at, *_date, *_ts, date_day, ...)",
            "model.globalretail.int_orders_deduplicated: materialized as incremental but has no `sort` config",
            "model.globalretail.fct_documented: dist/sort column 'store_id' is not among the model's "
            "documented columns",
        ]
    )
    assert all(finding.check is Check.PHYSICAL and finding.line is None for finding in findings)


@pytest.mark.parametrize(
    ("column", "is_time"),
    [
        ("ordered_at", True),
        ("order_date", True),
        ("event_ts", True),
        ("date_day", True),
        ("month", True),
        ("month_start_date", True),
        ("store_id", False),
        ("category", False),
        ("status", False),
    ],
)
def test_time_columns(column: str, is_time: bool) -> None:
    assert is_time_column(column) is is_time


# --- sqlfluff parse helper --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def linter() -> Any:
    return make_linter()


def test_parse_helper_accepts_valid_redshift(linter: Any) -> None:
    sql = "select a, listagg(b, ',') within group (order by b) from t group by a qualify count(*) > 1\n"
    assert parse_findings(sql, MODEL, linter=linter) == []
    assert count_unparsable(sql, linter) == 0


def test_parse_helper_reports_line_and_snippet_of_unparsable_sql(linter: Any) -> None:
    sql = "select a\nfrom t\nwhere a::hugeint > 1\n"
    findings = parse_findings(sql, MODEL, path="compiled/x.sql", linter=linter)
    assert [(finding.check, finding.subject, finding.line, finding.snippet) for finding in findings] == [
        (Check.PARSE, MODEL, 3, "where a::hugeint > 1")
    ]
    assert findings[0].render() == f"{MODEL}:3: sqlfluff redshift: Found unparsable section: '::hugeint > 1'"
    assert count_unparsable(sql, linter) == 1


# --- offline dbt helpers, file discovery, report, CLI -----------------------------------------------


@pytest.mark.parametrize(
    ("sql", "constant"),
    [
        ("select datediff(day, cast('2024-01-01' as date), cast('2024-12-31' as date))", True),
        ("\n  select 1 -- from a comment\n", True),
        ("select count(*) from information_schema.columns", False),
        ("insert into t values (1)", False),
    ],
)
def test_constant_queries_are_the_only_ones_answered_offline(sql: str, constant: bool) -> None:
    assert is_constant_query(sql) is constant


def test_offline_environment_fills_only_missing_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDSHIFT_HOST", "real.cluster.example")
    monkeypatch.delenv("REDSHIFT_USER", raising=False)
    with offline_environment():
        assert os.environ["REDSHIFT_HOST"] == "real.cluster.example"
        assert os.environ["REDSHIFT_USER"] == OFFLINE_ENV["REDSHIFT_USER"]
    assert "REDSHIFT_USER" not in os.environ
    assert os.environ["REDSHIFT_HOST"] == "real.cluster.example"


def test_compiled_files_are_named_by_their_manifest_node(tmp_path: Path) -> None:
    target = tmp_path / "target" / "redshift"
    model = target / "compiled/globalretail/models/gold/fct_sales.sql"
    test = target / "compiled/globalretail/models/gold/_core__models.yml/not_null_fct_sales_id.sql"
    orphan = target / "compiled/globalretail/models/gold/removed_model.sql"
    analysis = target / "compiled/globalretail/analyses/explain.sql"
    for path in (model, test, orphan, analysis):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("select 1\n", encoding="utf-8")
    manifest = {
        "nodes": {
            "model.globalretail.fct_sales": {
                "package_name": "globalretail",
                "original_file_path": "models/gold/fct_sales.sql",
                "path": "gold/fct_sales.sql",
            },
            "test.globalretail.not_null_fct_sales_id.abc": {
                "package_name": "globalretail",
                "original_file_path": "models/gold/_core__models.yml",
                "path": "not_null_fct_sales_id.sql",
            },
        }
    }
    files = compiled_sql_files(target, manifest)
    assert [sql_file.subject for sql_file in files] == [
        "test.globalretail.not_null_fct_sales_id.abc",
        "model.globalretail.fct_sales",
        "globalretail/models/gold/removed_model.sql",
    ]


def test_incremental_findings_already_seen_in_the_first_build_are_dropped() -> None:
    first = check_sql("select\n  list_value(1)\nfrom t\nunion all select\n  list_value(1)\nfrom u", MODEL)
    incremental = check_sql(
        "select\n  list_value(1)\nfrom t\nwhere a > 1\nunion all select a ** 2 from u", MODEL + INCREMENTAL_SUFFIX
    )
    seen: set[tuple[str, str, str]] = set()
    assert [finding.line for finding in drop_incremental_repeats(first, seen)] == [2, 5]
    assert [finding.render() for finding in drop_incremental_repeats(incremental, seen)] == [
        f"{MODEL}{INCREMENTAL_SUFFIX}:5: '**' is not supported by Redshift (use power(a, b))"
    ]


def test_report_lists_findings_then_the_table() -> None:
    finding = Finding(Check.COMPAT, MODEL, 12, "'list_value(' is not a Redshift function", "list_value(1) [x]")
    report = VerifyReport(
        (
            CheckSummary(Check.PARSE, 3, "files", ()),
            CheckSummary(Check.COMPAT, 3, "files", (finding,)),
        )
    )
    out = io.StringIO()
    print_report(report, Console(file=out, width=200, color_system=None))
    text = out.getvalue()
    assert f"{MODEL}:12: 'list_value(' is not a Redshift function" in text
    assert "| list_value(1) [x]" in text
    assert "FAILED" in text and "failed: 1 problem(s)" in text
    assert not report.ok


def cli_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="warehouse")
    verify.register(parser.add_subparsers(dest="command", required=True))
    return parser


def test_cli_skip_dbt_without_artifacts_fails_with_a_clear_message(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    args = cli_parser().parse_args(["verify", "redshift", "--skip-dbt", "--target-path", str(tmp_path / "none")])
    assert args.func(args) == 1
    assert "without --skip-dbt" in caplog.text


# --- dbt in-process (slow) --------------------------------------------------------------------------

PROFILES = """\
checkproj:
  target: redshift
  outputs:
    redshift:
      type: redshift
      method: iam
      host: "{{ env_var('REDSHIFT_HOST', 'redshift.invalid') }}"
      port: 5439
      dbname: dev
      user: dbt
      cluster_id: ""
      region: us-east-1
      schema: analytics
      threads: 2
"""

PROJECT = """\
name: checkproj
version: "1.0.0"
config-version: 2
profile: checkproj
models:
  checkproj:
    silver:
      +materialized: table
    gold:
      +materialized: table
"""

MODELS = {
    "models/bronze/_shop__sources.yml": """\
        sources:
          - name: shop
            schema: spectrum_raw
            tables:
              - name: orders
        """,
    "models/bronze/stg_shop__orders.sql": """\
        select order_id, customer_id, cast(order_ts as timestamp) as ordered_at, updated_at
        from {{ source('shop', 'orders') }}
        """,
    "models/silver/int_orders_deduplicated.sql": """\
        {{ config(materialized='incremental', unique_key='order_id', dist='even', sort=['ordered_at']) }}
        select * from {{ ref('stg_shop__orders') }}
        {% if is_incremental() %}
        where updated_at > (select max(updated_at) from {{ this }})
        {% endif %}
        qualify row_number() over (partition by order_id order by updated_at desc nulls last) = 1
        """,
    "models/gold/dim_date.sql": """\
        {{ config(dist='all', sort=['date_day']) }}
        {{ dbt.date_spine('day', "cast('2024-01-01' as date)", "cast('2024-12-31' as date)") }}
        """,
    "models/gold/dim_customer.sql": """\
        {{ config(dist='customer_id', sort=['customer_id']) }}
        select distinct customer_id from {{ ref('int_orders_deduplicated') }}
        """,
    "models/gold/agg_daily_orders.sql": """\
        {{ config(dist='all', sort=['date_day']) }}
        select
            date_trunc('day', ordered_at) as date_day,
            list_value(1, 2) as duckdb_only,
            count(*) as orders
        from {{ ref('int_orders_deduplicated') }}
        group by all
        """,
}


def write_project(root: Path, extra: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "dbt_project.yml").write_text(PROJECT, encoding="utf-8")
    (root / "profiles.yml").write_text(PROFILES, encoding="utf-8")
    for relative, text in {**MODELS, **(extra or {})}.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.mark.slow
def test_offline_compile_checks_a_small_project_without_any_connection(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project")
    config = VerifyConfig.for_project(project, jobs=1)
    report = run(config)

    rendered = [finding.render() for finding in report.findings]
    assert rendered == [
        "model.checkproj.agg_daily_orders:4: 'list_value(' is not a Redshift function "
        "(use array(...) on a SUPER value, or avoid arrays in models)",
        "model.checkproj.dim_customer: dimension uses dist 'customer_id': use dist 'all', "
        "or explain the key in meta.dist_reason",
    ]
    compiled = config.target_path / "compiled/checkproj/models"
    first_build = (compiled / "silver/int_orders_deduplicated.sql").read_text(encoding="utf-8")
    incremental = (
        config.incremental_target_path / "compiled/checkproj/models/silver/int_orders_deduplicated.sql"  # type: ignore[operator]
    ).read_text(encoding="utf-8")
    assert "where updated_at >" not in first_build
    assert 'where updated_at > (select max(updated_at) from "dev"."analytics"."int_orders_deduplicated")' in (
        incremental
    )
    assert "generated_number" in (compiled / "gold/dim_date.sql").read_text(encoding="utf-8")
    manifest = json.loads((config.target_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["metadata"]["adapter_type"] == "redshift"


@pytest.mark.slow
def test_a_model_that_queries_tables_at_compile_time_is_reported(tmp_path: Path) -> None:
    introspecting = {
        "models/gold/agg_columns.sql": """\
            {{ config(dist='all', sort=['date_day']) }}
            {% set columns = run_query("select column_name from information_schema.columns") %}
            select current_date as date_day
            """
    }
    project = write_project(tmp_path / "project", introspecting)
    report = run(VerifyConfig.for_project(project, incremental=False, jobs=1, record=False))
    dbt_findings = [finding for finding in report.findings if finding.check is Check.DBT]
    assert len(dbt_findings) == 1
    assert dbt_findings[0].subject == "model.checkproj.agg_columns"
    assert "needs the database" in dbt_findings[0].message
    assert "select column_name from information_schema.columns" in dbt_findings[0].message


@pytest.mark.slow
def test_a_duckdb_construct_in_a_gold_model_fails_verification_naming_it(tmp_path: Path) -> None:
    """The gate `make test` runs (`warehouse verify redshift`, which passes on the real project) must fail,
    naming the model and the construct, once a DuckDB-only function is put into a gold model."""
    project = tmp_path / "project"
    for name in ("models", "macros", "seeds", "tests", "analyses", "snapshots", "docs"):
        if (PROJECT_DIR / name).exists():
            shutil.copytree(PROJECT_DIR / name, project / name, ignore=shutil.ignore_patterns("python"))
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy(PROJECT_DIR / name, project / name)
    model = project / "models" / "gold" / "finance" / "agg_monthly_sales.sql"
    text = model.read_text(encoding="utf-8")
    injected = "        category,\n        list_value(1, 2) as sample_ids,\n"
    model.write_text(text.replace("        category,\n", injected, 1), encoding="utf-8")
    report = run(
        VerifyConfig.for_project(project, target_path=tmp_path / "redshift", incremental=False, jobs=1, record=False)
    )
    compat = [f for f in report.findings if f.check is Check.COMPAT]
    assert not report.ok
    assert [f.subject for f in compat] == ["model.globalretail.agg_monthly_sales"]
    assert "list_value(" in compat[0].render()


@pytest.mark.slow
def test_the_offline_compile_gives_dim_date_its_real_calendar(tmp_path: Path) -> None:
    """dbt.date_spine asks the warehouse for the number of days; offline it is answered for real, so the
    compiled dim_date spans the calendar a cluster would build (not one day)."""
    import datetime as dt

    import yaml
    from dbt.cli.main import dbtRunner

    from warehouse.config import PROJECT_DIR
    from warehouse.verify.redshift.dbt_offline import dbt_args, offline_environment, offline_redshift_adapter

    target = tmp_path / "target"
    args = ["compile", *dbt_args(PROJECT_DIR, "redshift", target, verbose=False), "--no-introspect"]
    with offline_environment(), offline_redshift_adapter(relations_exist=False):
        assert dbtRunner().invoke([*args, "--no-populate-cache", "--select", "dim_date"]).success
    sql = next(target.glob("compiled/*/models/gold/core/dim_date.sql")).read_text(encoding="utf-8")
    calendar = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    days = (dt.date.fromisoformat(calendar["calendar_end"]) - dt.date.fromisoformat(calendar["calendar_start"])).days
    assert f"where generated_number <= {days}" in sql
