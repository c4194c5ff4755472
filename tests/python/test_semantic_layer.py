"""The semantic layer, queried as an analyst queries it: `mf query` (dbt-metricflow) on the tiny warehouse,
compared with the same numbers computed in plain SQL on the DuckDB file.

`mf` reads `<project>/target/semantic_manifest.json` whatever DBT_TARGET_PATH says, so the tests run it in
a copy of the project, never in the repository's target/.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from tiny_warehouse import BIN, TinyWarehouse, copy_project, require_tool, run

pytestmark = pytest.mark.slow


def _number(text: str) -> Decimal | None:
    return Decimal(text) if text not in {"", "None", "nan"} else None


def _close(a: Decimal | None, b: Decimal | None, tolerance: str = "0.005") -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= Decimal(tolerance) * max(Decimal(1), abs(b)) / 100 or abs(a - b) < Decimal("0.01")


class MetricFlow:
    """`mf` in a parsed copy of the project, against the tiny warehouse."""

    def __init__(self, warehouse: TinyWarehouse, project: Path, mf: str) -> None:
        self.warehouse, self.project, self.mf = warehouse, project, mf
        self.env = warehouse.env(project_dir=project)

    def query(self, out: Path, *args: str) -> list[dict[str, str]]:
        run([self.mf, "query", *args, "--csv", str(out)], env=self.env, cwd=self.project)
        with out.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def metricflow(tiny_warehouse: TinyWarehouse, tmp_path_factory: pytest.TempPathFactory) -> MetricFlow:
    mf = require_tool("mf", "mf")
    project = copy_project(tmp_path_factory.mktemp("mf_project"))
    flow = MetricFlow(tiny_warehouse, project, mf)
    run([str(BIN / "dbt"), "parse", "--quiet"], env=flow.env, cwd=project)  # writes target/semantic_manifest.json
    return flow


def test_semantic_manifest_validates(metricflow: MetricFlow) -> None:
    result = run([metricflow.mf, "validate-configs", "--skip-dw"], env=metricflow.env, cwd=metricflow.project)
    assert "ERRORS: 0" in result.stdout


def test_monthly_revenue_orders_and_average_order_value_match_sql(
    metricflow: MetricFlow, tiny_warehouse: TinyWarehouse, tmp_path: Path
) -> None:
    rows = metricflow.query(
        tmp_path / "monthly.csv",
        "--metrics",
        "revenue,orders,sales_lines,average_order_value",
        "--group-by",
        "metric_time__month,sales_line__sales_source",
    )
    expected = {
        (str(month)[:10], source): (revenue, orders, lines)
        for month, source, revenue, orders, lines in tiny_warehouse.query(
            """
            select
                date_trunc('month', sold_date) as month_start,
                sales_source,
                sum(revenue_amount),
                sum(case when is_revenue then 1 else 0 end),
                count(*)
            from gold.fct_sales
            group by 1, 2
            """
        )
    }
    got = {(row["metric_time__month"][:10], row["sales_line__sales_source"]): row for row in rows}
    assert set(got) == set(expected) and len(expected) >= 6  # 3 months x online/store
    for key, (revenue, orders, lines) in expected.items():
        row = got[key]
        assert _close(_number(row["revenue"]), Decimal(revenue)), (key, row)
        assert int(row["orders"]) == orders and int(row["sales_lines"]) == lines, (key, row)
        assert _close(_number(row["average_order_value"]), Decimal(revenue) / orders), (key, row)
    # The same revenue as the gold aggregate the BI export reads.
    (agg_revenue,) = tiny_warehouse.query("select sum(revenue_amount) from gold.agg_daily_revenue")[0]
    assert _close(sum((_number(row["revenue"]) or Decimal(0)) for row in rows), Decimal(agg_revenue))


def test_growth_metrics_match_sql_and_joins_reach_the_dimensions(
    metricflow: MetricFlow, tiny_warehouse: TinyWarehouse, tmp_path: Path
) -> None:
    rows = metricflow.query(
        tmp_path / "growth.csv",
        "--metrics",
        "revenue,revenue_mom_growth_pct,revenue_yoy_growth_pct",
        "--group-by",
        "metric_time__month",
        "--order",
        "metric_time__month",
    )
    monthly = [
        (str(month)[:10], Decimal(revenue))
        for month, revenue in tiny_warehouse.query(
            "select date_trunc('month', sold_date), sum(revenue_amount) from gold.fct_sales group by 1 order by 1"
        )
    ]
    got = {row["metric_time__month"][:10]: row for row in rows}
    # Offset metrics also return the months after the data, where only the offset revenue exists.
    assert all(_number(row["revenue"]) is None for month, row in got.items() if month > monthly[-1][0])
    previous: Decimal | None = None
    for month, revenue in monthly:
        row = got[month]
        assert _close(_number(row["revenue"]), revenue), (month, row)
        expected_mom = None if previous in (None, 0) else 100 * (revenue - previous) / previous
        assert _close(_number(row["revenue_mom_growth_pct"]), expected_mom), (month, row)
        # Tiny data spans three months: no month has a year-earlier month, so YoY is null throughout.
        assert _number(row["revenue_yoy_growth_pct"]) is None, (month, row)
        previous = revenue

    by_tier = metricflow.query(tmp_path / "tier.csv", "--metrics", "revenue", "--group-by", "customer__loyalty_tier")
    expected_tiers = dict(
        tiny_warehouse.query(
            "select c.loyalty_tier, sum(f.revenue_amount) from gold.fct_sales as f "
            "inner join gold.dim_customer as c using (customer_id) group by 1"
        )
    )
    got_tiers = {row["customer__loyalty_tier"]: _number(row["revenue"]) for row in by_tier}
    assert set(got_tiers) == set(expected_tiers)
    assert all(_close(got_tiers[tier], Decimal(value)) for tier, value in expected_tiers.items())


def test_inventory_value_and_its_yoy_growth_match_sql(
    metricflow: MetricFlow, tiny_warehouse: TinyWarehouse, tmp_path: Path
) -> None:
    """Inventory is a stock: a quarter's value is its last month's, and YoY compares with a year earlier."""
    rows = metricflow.query(
        tmp_path / "inventory.csv",
        "--metrics",
        "inventory_value,inventory_value_yoy_growth_pct",
        "--group-by",
        "metric_time__quarter",
    )
    monthly = {
        str(month)[:10]: value
        for month, value in tiny_warehouse.query(
            "select month_start_date, sum(inventory_value) from gold.fct_inventory_monthly_snapshot group by 1"
        )
    }
    assert len(monthly) >= 24
    quarters: dict[str, str] = {}
    for month in sorted(monthly):
        year, number = int(month[:4]), int(month[5:7])
        quarters[f"{year}-{(number - 1) // 3 * 3 + 1:02d}-01"] = month  # the quarter's last month present
    by_quarter = {row["metric_time__quarter"][:10]: row for row in rows if row["inventory_value"] not in ("", "None")}
    assert set(by_quarter) == set(quarters)
    for quarter, last_month in quarters.items():
        assert _close(_number(by_quarter[quarter]["inventory_value"]), monthly[last_month]), quarter
        prior = f"{int(quarter[:4]) - 1}{quarter[4:]}"
        expected_growth = None
        if prior in quarters and monthly[quarters[prior]]:
            previous = monthly[quarters[prior]]
            expected_growth = Decimal(100) * (monthly[last_month] - previous) / previous
        assert _close(_number(by_quarter[quarter]["inventory_value_yoy_growth_pct"]), expected_growth), quarter
