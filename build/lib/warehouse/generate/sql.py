"""The DuckDB connection the generator works in, the SQL helpers every dataset uses, and its SQL templates.

Randomness is a pure function of (key, seed, salt): `rnd(k, salt)` hashes the key XOR-ed with a constant
derived from (seed, salt) and scales the hash to [0, 1). DuckDB is pinned, so the same key, seed and salt give
the same number on every machine, and rows can be generated in any order or chunk without a random state.

Why not `hash(k, seed, salt)`: DuckDB combines the hashes of its arguments cheaply, so draws with different
salts for the same key come out strongly correlated (r = 0.6). Mixing the salt into the key before the one
hash makes them independent (|r| < 0.002 over a million keys).

The datasets' statements, and the macros `connect` creates, are Jinja templates, `sql/<name>.sql` next to this
module (linted by sqlfluff: the `sqlfluff-generator` hook), rendered by `render(name, **params)`: Python passes
numbers, dates, lists and the expressions the helpers build from their tables of weights and fields (`choice`
below, `defects.defect_sql`, `kinesis.record_sql`). A parameter the template names but the call does not pass
fails (StrictUndefined). `{{ param('chunk') }}` writes the DuckDB prepared-statement parameter `$chunk`, bound
when the statement runs: sqlfluff cannot lex `$chunk`, so its configuration (sql/.sqlfluff) renders the call as
a plain name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import duckdb
import jinja2

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# The "wrong type" timestamp: day-first, no seconds, no zone (`31/12/2024 10:00`).
WRONG_TIMESTAMP_FORMAT = "%d/%m/%Y %H:%M"
UNKNOWN_ID_BASE = 900_000_000


GENERATOR_MEMORY_LIMIT = "8GB"  # beyond it, the in-memory tables spill to the system temp folder


def connect(seed: int) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the generator's macros (sql/macros.sql), seeded with `seed`.

    What does not fit in GENERATOR_MEMORY_LIMIT spills to a folder of this process under the system temp
    folder (DuckDB's default, `.tmp` in the working directory, would land in the repository).
    """
    con = duckdb.connect(":memory:")
    con.execute("set preserve_insertion_order = true")
    spill = Path(tempfile.gettempdir()) / f"warehouse-generate-{os.getpid()}"
    con.execute(f"set temp_directory = '{spill.as_posix()}'")
    con.execute(f"set memory_limit = '{GENERATOR_MEMORY_LIMIT}'")
    con.execute(
        render(
            "macros",
            seed=int(seed),
            timestamp_format=TIMESTAMP_FORMAT,
            wrong_timestamp_format=WRONG_TIMESTAMP_FORMAT,
        )
    )
    return con


def _param(name: str) -> str:
    """A DuckDB prepared-statement parameter (`$name`), bound when the statement runs."""
    return f"${name}"


_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("sql")),
    undefined=jinja2.StrictUndefined,
    autoescape=False,
)
_TEMPLATES.globals["param"] = _param


def render(name: str, **params: object) -> str:
    """The statement of `sql/<name>.sql` with `params` filled in."""
    return _TEMPLATES.get_template(f"{name}.sql").render(**params)


def literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def choice(u_sql: str, options: Sequence[tuple[str, float]]) -> str:
    """A CASE expression picking one of `options` (SQL expression, weight) with the uniform `u_sql`."""
    total = sum(weight for _, weight in options)
    branches: list[str] = []
    cumulative = 0.0
    for value, weight in options[:-1]:
        cumulative += weight / total
        branches.append(f"when {u_sql} < {cumulative!r} then {value}")
    return f"(case {' '.join(branches)} else {options[-1][0]} end)"


def permutation_multiplier(n: int) -> int:
    """A multiplier m coprime with n, so that k -> (k * m) % n shuffles 0..n-1 without repeats.

    The generator uses it to scatter popular customers and products over the id range.
    """
    m = 1_000_003
    while _gcd(m, n) != 1:
        m += 2
    return m


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a
