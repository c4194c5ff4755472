"""A lake of values that one engine accepts and the other rejects, unless bronze makes them agree.

`add_edge_records(lake_root)` writes, next to a generated lake's files, one extra file per dataset whose
records each carry one such value: a calendar date that does not exist, a decimal that does not fit its
column, a fractional integer, a timestamp with a UTC offset, too many digits, text longer than its column.
Each record is marked with a unique token so a test can find it in quarantine; `EXPECTED` says which
rejection reason bronze must give it on every engine.

It also writes files of the kinds real buckets collect (HOSTILE_FILES): a byte order mark, CRLF line ends,
blank and whitespace-only lines, a line that is not UTF-8, a duplicated JSON key, an unterminated CSV quote,
a truncated last line, empty files. `HostileFile` says which records of each file bronze must accept and
which reasons it must quarantine the others with.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ARRIVAL = "2025-10-15"  # a day inside the tiny lake's business dates


@dataclass(frozen=True)
class EdgeRecord:
    dataset: str
    token: str
    reason: str


def _order(token: str, **changes: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "order_id": 990000 + len(token),
        "order_ts": "2025-10-15T10:00:00Z",
        "updated_at": "2025-10-15T10:00:00Z",
        "customer_id": 1,
        "product_id": 1,
        "category": token,
        "region": "Europe",
        "country_code": "DE",
        "channel": "web",
        "quantity": 1,
        "unit_price": 10.5,
        "discount": 0.1,
        "campaign_id": None,
        "status": "placed",
    }
    order.update(changes)
    return order


# Each order's `category` holds its token (it is echoed in raw_record, which quarantine keeps).
ORDER_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "edge-order-feb30": ({"order_ts": "2024-02-30T10:00:00Z"}, "invalid_ordered_at"),
    "edge-order-offset": ({"order_ts": "2025-10-15T10:00:00+02:00"}, "invalid_ordered_at"),
    "edge-order-fraction-qty": ({"quantity": 2.5}, "invalid_quantity"),
    "edge-order-discount-12.5": ({"discount": 12.5}, "invalid_discount"),
    "edge-order-discount-digits": ({"discount": 0.12345}, "invalid_discount"),
    "edge-order-price-overflow": ({"unit_price": 12345678901.25}, "invalid_unit_price"),
    "edge-order-id-20-digits": ({"order_id": 12345678901234567890}, "invalid_order_id"),
    "edge-order-fraction-customer": ({"customer_id": 1.5}, "invalid_customer_id"),
    "edge-order-long-status": ({"status": "s" * 40}, "value_too_long"),
    "edge-order-long-region": ({"region": "r" * 33}, "value_too_long"),
    "edge-order-year-1900": ({"order_ts": "1900-01-01T00:00:00Z"}, "invalid_ordered_at"),
    "edge-order-infinity": ({"order_ts": "infinity"}, "invalid_ordered_at"),
    "edge-order-epoch": ({"order_ts": "epoch"}, "invalid_ordered_at"),
    "edge-order-updated-2999": ({"updated_at": "2999-01-01T00:00:00Z"}, "invalid_updated_at"),
    "edge-order-array-line": ({"__array__": True}, "malformed_json"),
    "edge-order-unknown-status": ({"status": "lost_in_transit"}, "invalid_order_status"),
}

SALE_HEADER = "sale_id,store_id,customer_id,product_id,sold_at,quantity,unit_price,discount_amount,payment_method"
# A sale's token is its payment method's prefix where the rule allows, else the raw row is matched whole.
SALE_CASES: dict[str, tuple[str, str]] = {
    "edge-sale-feb30": ("990001,1,,1,2024-02-30T10:00:00Z,1,9.99,0.00,card", "invalid_sold_at"),
    "edge-sale-fraction-qty": ("990002,1,,1,2025-10-15T10:00:00Z,2.5,9.99,0.00,card", "invalid_quantity"),
    "edge-sale-offset": ("990003,1,,1,2025-10-15T10:00:00-05:00,1,9.99,0.00,card", "invalid_sold_at"),
    "edge-sale-long-payment": ("990004,1,,1,2025-10-15T10:00:00Z,1,9.99,0.00," + "p" * 33, "value_too_long"),
    "edge-sale-discount-digits": ("990005,1,,1,2025-10-15T10:00:00Z,1,9.99,0.001,card", "invalid_discount_amount"),
    "edge-sale-year-2999": ("990006,1,,1,2999-10-15T10:00:00Z,1,9.99,0.00,card", "invalid_sold_at"),
}


def _customer(token: str, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "customer_id": 990000 + len(token),
        "first_name": token,
        "last_name": "Edge",
        "email": f"{token}@example.com",
        "country_code": "DE",
        "city": "Berlin",
        "signup_date": "2020-01-01",
        "loyalty_tier": "bronze",
        "updated_at": "2025-10-15T02:00:00Z",
    }
    record.update(changes)
    return record


CUSTOMER_CASES: dict[str, tuple[dict[str, Any], str]] = {
    "edge-customer-feb30": ({"signup_date": "2023-02-30"}, "invalid_signup_date"),
    "edge-customer-offset": ({"updated_at": "2025-10-15T02:00:00+01:00"}, "invalid_updated_at"),
    "edge-customer-long-city": ({"city": "c" * 129}, "value_too_long"),
    "edge-customer-fraction-id": ({"customer_id": 7.5}, "invalid_customer_id"),
}


@dataclass(frozen=True)
class HostileFile:
    dataset: str
    relative: str  # under the lake root
    content: bytes
    accepted: tuple[int, ...]  # the ids (order_id, sale_id, customer_id) bronze must accept from this file
    quarantined: Counter[str] = field(default_factory=Counter)  # rejection reason -> records


def _json_line(record: dict[str, Any]) -> bytes:
    return json.dumps(record, separators=(",", ":")).encode("utf-8")


def _hostile_orders() -> bytes:
    bom = b"\xef\xbb\xbf" + _json_line(_order("hostile-bom", order_id=990101))
    crlf = _json_line(_order("hostile-crlf", order_id=990102))
    after = _json_line(_order("hostile-after-bad-bytes", order_id=990103))
    # The same key twice: parsers disagree on which value counts (quantity 1 or 7).
    duplicated = _json_line(_order("hostile-duplicate-key", order_id=990104))[:-1] + b',"quantity":7}'
    not_utf8 = b"\xff\xfe" + _json_line(_order("hostile-not-utf8", order_id=990105))
    truncated = _json_line(_order("hostile-truncated", order_id=990106))[:40]
    return b"\n".join([bom, crlf + b"\r", b"", b"   ", not_utf8, after, duplicated, truncated])


def _hostile_sales() -> bytes:
    rows = [
        b"\xef\xbb\xbf" + SALE_HEADER.encode(),
        b"990101,1,,1,2025-10-15T10:00:00Z,1,9.99,0.00,card\r",
        b"",
        b"   ",
        b",,,,,,,,",
        b'990102,1,,1,"2025-10-15T10:00:00Z,1,9.99,0.00,card',  # unterminated quote: the rest of the line is lost
        b"990103,1,,1,2025-10-15T10:00:00Z,1,9.99,0.00,card",  # ...and only that line: this one loads
        b'990104,1,,1,"2025-10-15T10:00:00Z",2,"9.99",0.00,"card"',  # quoted fields
        b"990105,1,,1,2025-10-15T10:00:00Z,1,9.99,0.00,\xe9card",  # latin-1, not UTF-8
        b"990106,1,,1,2025-10-15T10:00:00Z,1",  # truncated last line, no line end
    ]
    return b"\n".join(rows)


def _hostile_customers() -> bytes:
    first = _json_line(_customer("hostile-customer", customer_id=990201))
    twice = _json_line(_customer("hostile-customer-twice", customer_id=990202))[:-1] + b',"email":"other@example.com"}'
    return first + b"\r\n" + twice + b"\r\n\r\n"


HOSTILE_FILES: tuple[HostileFile, ...] = (
    HostileFile(
        "orders",
        f"raw/orders/dt={ARRIVAL}/part-9001.ndjson",
        _hostile_orders(),
        accepted=(990101, 990102, 990103),
        quarantined=Counter({"empty_record": 3, "duplicate_key": 1, "malformed_json": 1}),
    ),
    HostileFile("orders", f"raw/orders/dt={ARRIVAL}/part-9002.ndjson", b"", accepted=()),
    HostileFile(
        "store_sales",
        f"raw/store_sales/dt={ARRIVAL}/part-9001.csv",
        _hostile_sales(),
        accepted=(990101, 990103, 990104),
        quarantined=Counter({"empty_record": 4, "missing_sold_at": 1, "missing_unit_price": 1}),
    ),
    HostileFile("store_sales", f"raw/store_sales/dt={ARRIVAL}/part-9002.csv", b"", accepted=()),
    HostileFile(
        "customers",
        f"raw/customers/dt={ARRIVAL}/part-9001.ndjson",
        _hostile_customers(),
        accepted=(990201,),
        quarantined=Counter({"duplicate_key": 1, "empty_record": 1}),
    ),
)


def expected() -> list[EdgeRecord]:
    records = [EdgeRecord("orders", token, reason) for token, (_, reason) in ORDER_CASES.items()]
    records += [EdgeRecord("store_sales", token, reason) for token, (_, reason) in SALE_CASES.items()]
    records += [EdgeRecord("customers", token, reason) for token, (_, reason) in CUSTOMER_CASES.items()]
    return records


def sale_row(token: str) -> str:
    return SALE_CASES[token][0]


def add_edge_records(lake_root: Path) -> list[EdgeRecord]:
    """Write the edge records into `lake_root` (a generated lake) and return what bronze must make of them."""
    orders = [_order_line(token, changes) for token, (changes, _) in ORDER_CASES.items()]
    _write(lake_root / "raw" / "orders" / f"dt={ARRIVAL}" / "part-9000.ndjson", orders)
    _write(
        lake_root / "raw" / "store_sales" / f"dt={ARRIVAL}" / "part-9000.csv",
        [SALE_HEADER, *(row for row, _ in SALE_CASES.values())],
    )
    customers = [json.dumps(_customer(token, **changes)) for token, (changes, _) in CUSTOMER_CASES.items()]
    _write(lake_root / "raw" / "customers" / f"dt={ARRIVAL}" / "part-9000.ndjson", customers)
    # Files a real bucket collects, which Spectrum ignores (a leading '.', '_' or '#'): a macOS AppleDouble
    # file that is not even UTF-8, a job's success marker. Every local reader ignores them too.
    for dataset, name in (("orders", "._part-9000.ndjson"), ("store_sales", "._part-9000.csv")):
        (lake_root / "raw" / dataset / f"dt={ARRIVAL}" / name).write_bytes(b"\x00\x05\x16\x07\xff\xfe Mac OS X")
    (lake_root / "raw" / "orders" / f"dt={ARRIVAL}" / "_SUCCESS").write_bytes(b"")
    for hostile in HOSTILE_FILES:
        (lake_root / hostile.relative).write_bytes(hostile.content)
    return expected()


def _order_line(token: str, changes: dict[str, Any]) -> str:
    """The order as a JSON line; `__array__` wraps it in a JSON array (valid JSON, but not an object)."""
    wrap = bool(changes.get("__array__", False))
    line = json.dumps(_order(token, **{k: v for k, v in changes.items() if k != "__array__"}), separators=(",", ":"))
    return f"[{line}]" if wrap else line


def _write(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
