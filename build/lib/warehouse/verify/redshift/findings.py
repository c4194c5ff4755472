"""One problem found by a check, rendered as `subject:line: message`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Check(str, Enum):
    """The checks `warehouse verify redshift` runs, in the order it reports them."""

    DBT = "dbt compile"
    PARSE = "sqlfluff parse"
    COMPAT = "redshift compatibility"
    PHYSICAL = "dist/sort design"
    RECORDED = "recorded dbt build"
    RULES = "statement rules"


@dataclass(frozen=True, order=True)
class Finding:
    """A single failure.

    `subject` names what failed: a dbt unique_id (`model.globalretail.fct_orders`) or, for SQL that no
    manifest node owns, a path relative to the target directory (`ddl/001_schemas.sql`). `line` counts in
    the compiled SQL, which is the file shown in `path`.
    """

    check: Check
    subject: str
    line: int | None
    message: str
    snippet: str = ""
    path: str = ""

    def render(self) -> str:
        where = self.subject if self.line is None else f"{self.subject}:{self.line}"
        return f"{where}: {self.message}"
