"""The Redshift DDL the project generates for its external sources, split into statements and checked.

`analyses/redshift_ddl.sql` renders, through the same macros the on-run-start hook runs, every statement
for the Spectrum, Kinesis and federated schemas and tables. After the offline compile this module splits
the compiled file into one file per statement under `target/redshift/ddl/` (which the parse and
compatibility checks then read), and keeps the copy in docs/redshift.md identical to it.

sqlfluff's redshift dialect has two gaps that matter here (gaps in sqlfluff, not in Redshift):
- no grammar for `ALTER TABLE ... ADD [IF NOT EXISTS] PARTITION`: those statements are checked against the
  project's own grammar of the form the macros generate and AWS documents, instead of by sqlfluff;
- no Spectrum nested types (`array<...>`, `struct<...>`, `map<...>`) in `CREATE EXTERNAL TABLE`: each nested
  type is checked by the small type grammar below, then replaced by a scalar type so sqlfluff parses the
  rest of the statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from warehouse.verify.redshift.findings import Check, Finding

ANALYSIS = Path("analyses") / "redshift_ddl.sql"
DOCS_BEGIN = "<!-- BEGIN GENERATED DDL: warehouse verify redshift --write-docs -->"
DOCS_END = "<!-- END GENERATED DDL -->"

_IDENT = r"[a-z_][a-z0-9_]*"
ADD_PARTITION_RE = re.compile(
    rf"alter table {_IDENT}\.{_IDENT} add if not exists"
    rf"(?:\s+partition \({_IDENT} = '[^']+'\) location 's3://[a-z0-9.\-]+/[^'\s]*/')+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DdlStatement:
    number: int
    comment: str
    sql: str

    @property
    def is_add_partition(self) -> bool:
        return bool(re.match(r"alter table \S+ add (if not exists\s+)?partition", self.sql, re.IGNORECASE))

    @property
    def file_name(self) -> str:
        words = re.findall(r"[a-z0-9]+", " ".join(self.sql.lower().split()[:4]))
        return f"{self.number:03d}_{'_'.join(words)[:48]}.sql"


_SCALAR_RE = re.compile(r"(double precision|[a-z_][a-z0-9_]*)(\(\s*\d+\s*(,\s*\d+\s*)?\))?", re.IGNORECASE)
_FIELD_RE = re.compile(r"\s*([a-z_][a-z0-9_]*)\s*:\s*", re.IGNORECASE)
_NESTED_START_RE = re.compile(r"\b(array|struct|map)\s*<", re.IGNORECASE)


class NestedTypeError(ValueError):
    """A nested Spectrum type that does not follow the grammar."""


def _parse_type(text: str, pos: int) -> int:
    """Parse one Spectrum column type starting at `pos`; return the position after it."""
    match = _NESTED_START_RE.match(text, pos)
    if match:
        kind = match.group(1).lower()
        pos = match.end()
        if kind == "array":
            pos = _parse_type(text, _skip(text, pos))
        elif kind == "map":
            pos = _parse_type(text, _skip(text, pos))
            pos = _expect(text, _skip(text, pos), ",")
            pos = _parse_type(text, _skip(text, pos))
        else:
            while True:
                field = _FIELD_RE.match(text, pos)
                if not field:
                    raise NestedTypeError(f"expected 'name:type' in struct at {text[pos : pos + 30]!r}")
                pos = _skip(text, _parse_type(text, field.end()))
                if text.startswith(",", pos):
                    pos += 1
                    continue
                break
        return _expect(text, _skip(text, pos), ">")
    scalar = _SCALAR_RE.match(text, pos)
    if not scalar:
        raise NestedTypeError(f"expected a type at {text[pos : pos + 30]!r}")
    return scalar.end()


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def _expect(text: str, pos: int, token: str) -> int:
    if not text.startswith(token, pos):
        raise NestedTypeError(f"expected {token!r} at {text[pos : pos + 30]!r}")
    return pos + len(token)


def replace_nested_types(sql: str, placeholder: str = "varchar(65535)") -> str:
    """`sql` with every nested type checked and replaced by `placeholder`; raises NestedTypeError."""
    out: list[str] = []
    pos = 0
    while True:
        match = _NESTED_START_RE.search(sql, pos)
        if not match:
            out.append(sql[pos:])
            return "".join(out)
        end = _parse_type(sql, match.start())
        out.append(sql[pos : match.start()] + placeholder)
        pos = end


def compiled_analysis(target_path: Path, package: str = "globalretail") -> Path:
    return target_path / "compiled" / package / ANALYSIS


def split_statements(text: str) -> list[DdlStatement]:
    """Statements of the compiled analysis, each with the `--` comment lines just above it.

    The generated DDL has no semicolons inside string literals, so a `;` at the end of a line ends a
    statement.
    """
    statements: list[DdlStatement] = []
    comment: list[str] = []
    body: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not body and stripped.startswith("--"):
            comment.append(stripped.removeprefix("--").strip())
            continue
        if not body and not stripped:
            continue
        body.append(line.rstrip())
        if stripped.endswith(";"):
            sql = "\n".join(body).rstrip(";").strip()
            statements.append(DdlStatement(len(statements) + 1, " ".join(comment), sql))
            comment, body = [], []
    if body:
        sql = "\n".join(body).strip()
        statements.append(DdlStatement(len(statements) + 1, " ".join(comment), sql))
    return statements


def write_statement_files(statements: list[DdlStatement], ddl_dir: Path) -> list[Path]:
    """One file per statement in `ddl_dir` (emptied first), in order."""
    ddl_dir.mkdir(parents=True, exist_ok=True)
    for old in ddl_dir.glob("*.sql"):  # .flat.sql copies included
        old.unlink()
    paths = []
    for statement in statements:
        path = ddl_dir / statement.file_name
        path.write_text(statement.sql + ";\n", encoding="utf-8")
        paths.append(path)
    return paths


def check_add_partition(statement: DdlStatement, subject: str) -> list[Finding]:
    """The project's grammar for the partition statements sqlfluff cannot parse."""
    if ADD_PARTITION_RE.fullmatch(" ".join(statement.sql.split())):
        return []
    first = statement.sql.splitlines()[0] if statement.sql else ""
    message = "not of the form 'alter table s.t add if not exists partition (c = 'v') location 's3://.../' ...'"
    return [Finding(Check.PARSE, subject, 1, message, first)]


def docs_section(text: str) -> str:
    """The docs block for the compiled DDL: the SQL inside a fenced block."""
    return f"{DOCS_BEGIN}\n```sql\n{text.strip()}\n```\n{DOCS_END}"


def docs_are_current(docs: Path, text: str) -> bool:
    return docs_section(text) in docs.read_text(encoding="utf-8")


def write_docs(docs: Path, text: str) -> None:
    """Replace the generated block in `docs` (between the markers) with the compiled DDL."""
    current = docs.read_text(encoding="utf-8")
    start, end = current.find(DOCS_BEGIN), current.find(DOCS_END)
    if start < 0 or end < 0:
        raise ValueError(f"{docs} has no generated DDL block ({DOCS_BEGIN} ... {DOCS_END})")
    docs.write_text(current[:start] + docs_section(text) + current[end + len(DOCS_END) :], encoding="utf-8")
