"""Which records carry which defect, as documented in docs/lake.md ("Dirty data").

Each business record (an order, a sale, a customer) draws one uniform number; consecutive slices of [0, 1)
map to the defect kinds, so a record carries at most one defect. On top of the random draw, one record per
kind at evenly spaced positions is forced to carry it, so every kind occurs at every scale.
"""

from __future__ import annotations

from collections.abc import Sequence

DEFECT_KINDS: tuple[str, ...] = (
    "malformed",
    "missing_field",
    "wrong_type",
    "negative_quantity",
    "unknown_fk",
    "duplicate",
    "late",
    "update",
)

ORDER_RATES: tuple[tuple[str, float], ...] = (
    ("malformed", 0.0005),
    ("missing_field", 0.0010),
    ("wrong_type", 0.0005),
    ("negative_quantity", 0.0005),
    ("unknown_fk", 0.0010),
    ("duplicate", 0.0050),
    ("late", 0.0100),
    ("update", 0.0500),
)
STORE_SALES_RATES: tuple[tuple[str, float], ...] = (
    ("missing_field", 0.0010),
    ("wrong_type", 0.0005),
    ("negative_quantity", 0.0005),
    ("unknown_fk", 0.0010),
    ("duplicate", 0.0050),
    ("late", 0.0100),
)
CUSTOMER_RATES: tuple[tuple[str, float], ...] = (
    ("missing_field", 0.0020),
    ("wrong_type", 0.0010),
    ("duplicate", 0.0050),
    ("update", 0.0500),
)
CUSTOMER_MALFORMED_PAGE_RATE = 1 / 200

ORDER_MISSING_FIELDS = ("order_id", "order_ts", "customer_id", "product_id", "quantity", "unit_price")
ORDER_WRONG_TYPE_FIELDS = ("quantity", "unit_price", "order_ts")
STORE_SALES_MISSING_FIELDS = ("sale_id", "sold_at", "product_id", "quantity", "unit_price")
STORE_SALES_WRONG_TYPE_FIELDS = ("quantity", "sold_at")
CUSTOMER_MISSING_FIELDS = ("customer_id", "email")
CUSTOMER_WRONG_TYPE_FIELDS = ("signup_date", "customer_id")
LATE_DAYS = (1, 10)


def forced_positions(n: int, kinds: Sequence[str]) -> dict[int, str]:
    """Evenly spaced 0-based positions in 0..n-1, one per kind, that always carry that kind."""
    return {(2 * j + 1) * n // (2 * len(kinds)): kind for j, kind in enumerate(kinds)}


def defect_sql(index_sql: str, u_sql: str, n: int, rates: Sequence[tuple[str, float]]) -> str:
    """SQL for the defect kind (or NULL) of the record at 0-based `index_sql` out of `n`.

    `u_sql` is the record's uniform draw, computed once in an earlier CTE.
    """
    forced = forced_positions(n, [kind for kind, _ in rates])
    forced_sql = " ".join(f"when {pos} then '{kind}'" for pos, kind in forced.items())
    branches: list[str] = []
    cumulative = 0.0
    for kind, rate in rates:
        cumulative += rate
        branches.append(f"when {u_sql} < {cumulative!r} then '{kind}'")
    return f"coalesce(case {index_sql} {forced_sql} end, case {' '.join(branches)} end)"


def field_sql(index_sql: str, salt: str, fields: Sequence[str]) -> str:
    """SQL picking which field a defect applies to, uniformly among `fields`."""
    items = ", ".join(f"'{f}'" for f in fields)
    return f"[{items}][1 + floor(rnd({index_sql}, '{salt}') * {len(fields)})::integer]"
