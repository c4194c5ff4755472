"""Token-level rewrites that make Redshift SQL run on PostgreSQL 15, and the constructs that cannot.

Each rewrite is listed in `REWRITES` (and in docs/redshift.md, "Executed on PostgreSQL"). They work on
tokens, so string literals, quoted identifiers and comments are never touched, and each one is as narrow as
possible: the goal is to run the Redshift SQL, not to make PostgreSQL more lenient than Redshift. Types keep
Redshift's widths (`varchar` without a length is Redshift's varchar(256), not PostgreSQL's unbounded one).

Constructs with no faithful token-level translation (QUALIFY, PIVOT, SELECT TOP, LISTAGG, DECODE, ...) are
reported by `unsupported()` instead, and the node is listed as not executable rather than run wrongly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    SPACE = "space"
    COMMENT = "comment"
    WORD = "word"
    QUOTED = "quoted"
    STRING = "string"
    NUMBER = "number"
    OP = "op"


@dataclass(frozen=True)
class Tok:
    kind: Kind
    text: str

    @property
    def lower(self) -> str:
        return self.text.lower()

    def is_word(self, *words: str) -> bool:
        return self.kind is Kind.WORD and (not words or self.text.lower() in words)

    def is_op(self, *ops: str) -> bool:
        return self.kind is Kind.OP and self.text in ops

    @property
    def is_code(self) -> bool:
        return self.kind not in (Kind.SPACE, Kind.COMMENT)


@dataclass(frozen=True)
class Rewrite:
    name: str
    what: str


REWRITES: tuple[Rewrite, ...] = (
    Rewrite(
        "three-part names",
        '"<target database>"."schema"."relation" -> "schema"."relation": PostgreSQL resolves a database '
        "qualifier only for the current database, and the harness runs in a throwaway database of its own",
    ),
    Rewrite(
        "datepart keywords",
        "dateadd(day, ...), datediff(month, ...), date_part(year, ...): the bare datepart keyword becomes a "
        "string literal ('day'), which the shim functions resolve with Redshift's datepart names",
    ),
    Rewrite("nvl", "nvl(a, b, ...) -> coalesce(a, b, ...): synonyms in Redshift (r_NVL_function.md)"),
    Rewrite(
        "sysdate",
        "sysdate -> (transaction_timestamp() at time zone 'UTC'): Redshift's SYSDATE is the transaction start "
        "as TIMESTAMP (r_SYSDATE.md)",
    ),
    Rewrite(
        "string types",
        "in a type position (after ::, in cast(... as <type>), try_cast): varchar/character varying/nvarchar "
        "without a length -> varchar(256), varchar(max) -> varchar(65535), text -> varchar(256), "
        "char/nchar without a length -> char(1): Redshift's defaults (r_Character_types.md)",
    ),
    Rewrite(
        "extract",
        "extract(<part> from x) -> cast(trunc(extract(<part> from x)) as integer) for every part but epoch: "
        "Redshift's EXTRACT returns an integer of that part only (seconds without their fraction; "
        "r_Dateparts_for_datetime_functions.md), PostgreSQL's a numeric",
    ),
    Rewrite("varbyte and super", "varbyte(n) -> bytea, super -> jsonb, in a type position"),
    Rewrite(
        "try_cast",
        "try_cast(x as t) -> cast(rs_shim.try_cast_<t>((x)::pg_catalog.text) as t) (decimals with their precision "
        "and scale, other types through the generic rs_shim.try_cast): null when the text is not a valid literal "
        "of t (r_TRY_CAST.md)",
    ),
)

# Constructs PostgreSQL lacks and no token rewrite can express faithfully: (regex over the code tokens'
# lowercased text joined by single spaces, description).
_UNSUPPORTED: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bqualify\b"), "QUALIFY"),
    (re.compile(r"\b(pivot|unpivot) \("), "PIVOT/UNPIVOT"),
    (re.compile(r"\bselect (distinct )?top \d"), "SELECT TOP n"),
    (re.compile(r"\* exclude\b"), "SELECT * EXCLUDE"),
    (re.compile(r"\bgroup by all\b"), "GROUP BY ALL"),
    (re.compile(r"\blistagg \("), "LISTAGG"),
    (re.compile(r"\bdecode \("), "DECODE (Redshift's conditional, PostgreSQL's is a bytea decoder)"),
    (re.compile(r"\bconvert_timezone \("), "CONVERT_TIMEZONE"),
    (re.compile(r"\bunload \("), "UNLOAD"),
)

DATEPARTS: frozenset[str] = frozenset(
    [
        "millennium",
        "millennia",
        "mil",
        "mils",
        "century",
        "centuries",
        "c",
        "cent",
        "cents",
        "decade",
        "decades",
        "dec",
        "decs",
        "epoch",
        "year",
        "years",
        "y",
        "yr",
        "yrs",
        "quarter",
        "quarters",
        "qtr",
        "qtrs",
        "month",
        "months",
        "mon",
        "mons",
        "week",
        "weeks",
        "w",
        "dayofweek",
        "dow",
        "dw",
        "weekday",
        "dayofyear",
        "doy",
        "dy",
        "yearday",
        "day",
        "days",
        "d",
        "hour",
        "hours",
        "h",
        "hr",
        "hrs",
        "minute",
        "minutes",
        "m",
        "min",
        "mins",
        "second",
        "seconds",
        "s",
        "sec",
        "secs",
        "millisecond",
        "milliseconds",
        "ms",
        "msec",
        "msecs",
        "msecond",
        "mseconds",
        "millisec",
        "millisecs",
        "millisecon",
        "microsecond",
        "microseconds",
        "microsec",
        "microsecs",
        "usecond",
        "useconds",
        "us",
        "usec",
        "usecs",
        "timezone",
        "timezone_hour",
        "timezone_minute",
    ]
)
_DATEPART_FUNCTIONS = frozenset({"dateadd", "datediff", "date_part", "datepart"})

_OPERATORS = ("::", "||", "<=", ">=", "<>", "!=", "->>", "->", "=>")


def tokenize(sql: str) -> list[Tok]:
    """Every character of `sql` in exactly one token (whitespace and comments included), so joining the
    tokens' text gives `sql` back."""
    tokens: list[Tok] = []
    i, n = 0, len(sql)
    while i < n:
        ch, start = sql[i], i
        if ch.isspace():
            while i < n and sql[i].isspace():
                i += 1
            kind = Kind.SPACE
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i, kind = (n if end == -1 else end), Kind.COMMENT
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i, kind = (n if end == -1 else end + 2), Kind.COMMENT
        elif ch in "'\"":
            i = start + 1
            while i < n:
                if sql[i] == ch:
                    if i + 1 < n and sql[i + 1] == ch:
                        i += 2
                        continue
                    i += 1
                    break
                i += 1
            else:
                i = n
            kind = Kind.STRING if ch == "'" else Kind.QUOTED
        elif ch.isdigit() or (ch == "." and i + 1 < n and sql[i + 1].isdigit()):
            while i < n and (sql[i].isdigit() or sql[i] == "."):
                i += 1
            kind = Kind.NUMBER
        elif ch.isalpha() or ch == "_":
            while i < n and (sql[i].isalnum() or sql[i] in "_$"):
                i += 1
            kind = Kind.WORD
        else:
            op = next((o for o in _OPERATORS if sql.startswith(o, i)), ch)
            i += len(op)
            kind = Kind.OP
        tokens.append(Tok(kind, sql[start:i]))
    return tokens


def _code_indexes(tokens: list[Tok]) -> list[int]:
    return [index for index, token in enumerate(tokens) if token.is_code]


def unsupported(sql: str) -> list[str]:
    """The constructs in `sql` that cannot run on PostgreSQL (an empty list when it can)."""
    text = " ".join(token.lower if token.kind is Kind.WORD else token.text for token in tokenize(sql) if token.is_code)
    text = re.sub(r"'(?:[^']|'')*'", "''", text)
    return [label for pattern, label in _UNSUPPORTED if pattern.search(text)]


class _Rewriter:
    def __init__(self, sql: str, database: str | None) -> None:
        self.tokens = tokenize(sql)
        self.code = _code_indexes(self.tokens)
        self.database = database.lower() if database else None
        self.applied: set[str] = set()

    def tok(self, position: int) -> Tok | None:
        """The code token at `position` in the code-token sequence, or None past either end."""
        if 0 <= position < len(self.code):
            return self.tokens[self.code[position]]
        return None

    def set(self, position: int, text: str, rule: str) -> None:
        index = self.code[position]
        self.tokens[index] = Tok(self.tokens[index].kind, text)
        self.applied.add(rule)

    def text(self) -> str:
        return "".join(token.text for token in self.tokens)

    def run(self) -> str:
        cast_depths: list[int] = []  # paren depths of open cast( ... ) calls
        depth = 0
        for position in range(len(self.code)):
            token = self.tok(position)
            previous, following = self.tok(position - 1), self.tok(position + 1)
            assert token is not None
            if token.is_op("("):
                depth += 1
                if previous is not None and previous.is_word("cast"):
                    cast_depths.append(depth)
                continue
            if token.is_op(")"):
                if cast_depths and cast_depths[-1] == depth:
                    cast_depths.pop()
                depth -= 1
                continue
            self._three_part_name(position, token, following)
            if previous is not None and previous.is_op("."):
                continue  # a qualified name's part: never a keyword, type or function
            if token.is_word() and following is not None and following.is_op("("):
                self._function(position, token)
            elif token.is_word("sysdate"):
                self.set(position, "(transaction_timestamp() at time zone 'UTC')", "sysdate")
            in_cast_type = bool(cast_depths) and cast_depths[-1] == depth and previous is not None
            in_cast_type = in_cast_type and previous.is_word("as")  # type: ignore[union-attr]
            if (previous is not None and previous.is_op("::")) or in_cast_type:
                self._type(position, token)
        return "".join(token.text for token in self.tokens)

    def _three_part_name(self, position: int, token: Tok, following: Tok | None) -> None:
        """Drop a leading `"<database>".` when two more name parts follow it."""
        if self.database is None or following is None or not following.is_op("."):
            return
        name = token.text[1:-1].replace('""', '"') if token.kind is Kind.QUOTED else token.text
        if token.kind not in (Kind.QUOTED, Kind.WORD) or name.lower() != self.database:
            return
        third, fourth = self.tok(position + 2), self.tok(position + 3)
        if third is None or fourth is None or not fourth.is_op(".") or third.kind not in (Kind.QUOTED, Kind.WORD):
            return
        previous = self.tok(position - 1)
        if previous is not None and previous.is_op("."):
            return
        self.set(position, "", "three-part names")
        self.set(position + 1, "", "three-part names")

    def _close_paren(self, opening: int) -> int | None:
        depth = 0
        for position in range(opening, len(self.code)):
            token = self.tok(position)
            assert token is not None
            if token.is_op("("):
                depth += 1
            elif token.is_op(")"):
                depth -= 1
                if depth == 0:
                    return position
        return None

    def _function(self, position: int, token: Tok) -> None:
        name = token.lower
        if name == "extract":
            part, keyword = self.tok(position + 2), self.tok(position + 3)
            close = self._close_paren(position + 1)
            if part is None or keyword is None or close is None or not keyword.is_word("from"):
                return
            if part.kind is Kind.WORD and part.lower != "epoch":
                self.set(position, "cast(trunc(" + token.text, "extract")
                self.set(close, ")) as integer)", "extract")
        elif name == "nvl":
            self.set(position, "coalesce", "nvl")
        elif name in _DATEPART_FUNCTIONS:
            argument, comma = self.tok(position + 2), self.tok(position + 3)
            is_part = argument is not None and argument.is_word() and argument.lower in DATEPARTS
            if is_part and comma is not None and comma.is_op(","):
                self.set(position + 2, f"'{argument.lower}'", "datepart keywords")  # type: ignore[union-attr]

    def _type(self, position: int, token: Tok) -> None:
        """Redshift's meaning of a type name in a type position."""
        if token.kind is not Kind.WORD:
            return
        following = self.tok(position + 1)
        has_length = following is not None and following.is_op("(")
        name = token.lower
        if name == "character" and following is not None and following.is_word("varying"):
            after = self.tok(position + 2)
            if after is None or not after.is_op("("):
                self.set(position + 1, "varying(256)", "string types")
        elif name in ("varchar", "nvarchar"):
            if not has_length:
                self.set(position, "varchar(256)", "string types")
                return
            if name == "nvarchar":
                self.set(position, "varchar", "string types")
            size = self.tok(position + 2)
            if size is not None and size.is_word("max"):
                self.set(position + 2, "65535", "string types")
        elif name == "text":
            self.set(position, "varchar(256)", "string types")
        elif name == "nchar":
            self.set(position, "char", "string types")
        elif name in ("varbyte", "varbinary"):
            self.set(position, "bytea", "varbyte and super")
            if has_length:
                self._drop_parenthesised(position + 1)
        elif name == "super":
            self.set(position, "jsonb", "varbyte and super")

    def _drop_parenthesised(self, position: int) -> None:
        depth = 0
        while (token := self.tok(position)) is not None:
            if token.is_op("("):
                depth += 1
            elif token.is_op(")"):
                depth -= 1
            self.set(position, "", "varbyte and super")
            if depth == 0:
                return
            position += 1

    def try_casts(self) -> str:
        """try_cast(x as t) -> cast(rs_shim.try_cast_<t>((x)::pg_catalog.text) as t)."""
        for position in range(len(self.code)):
            token, following = self.tok(position), self.tok(position + 1)
            previous = self.tok(position - 1)
            if token is None or not token.is_word("try_cast") or following is None or not following.is_op("("):
                continue
            if previous is not None and previous.is_op("."):
                continue
            depth, split, close = 0, None, None
            for inner in range(position + 1, len(self.code)):
                current = self.tok(inner)
                assert current is not None
                if current.is_op("("):
                    depth += 1
                elif current.is_op(")"):
                    depth -= 1
                    if depth == 0:
                        close = inner
                        break
                elif depth == 1 and current.is_word("as"):
                    split = inner
            if split is None or close is None:
                continue
            type_text = "".join(self.tokens[i].text for i in range(self.code[split] + 1, self.code[close])).strip()
            function, extra = _try_cast_function(type_text)
            self.set(position, f"cast({function}", "try_cast")
            self.set(position + 1, "((", "try_cast")
            self.set(split, f")::pg_catalog.text{extra}) as", "try_cast")
        return self.text()


_TRY_CASTS: dict[str, str] = {
    "bigint": "bigint",
    "int8": "bigint",
    "integer": "integer",
    "int": "integer",
    "int4": "integer",
    "smallint": "smallint",
    "int2": "smallint",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp without time zone": "timestamp",
    "boolean": "boolean",
    "bool": "boolean",
    "double precision": "double",
    "float8": "double",
    "float": "double",
}


def _try_cast_function(type_text: str) -> tuple[str, str]:
    """The shim function for try_cast to `type_text` and the extra arguments after the value."""
    normal = " ".join(type_text.lower().split())
    if normal in _TRY_CASTS:
        return f"rs_shim.try_cast_{_TRY_CASTS[normal]}", ""
    decimal = re.fullmatch(r"(?:decimal|numeric)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)", normal)
    if decimal:
        return "rs_shim.try_cast_decimal", f", {decimal.group(1)}, {decimal.group(2) or 0}"
    return "rs_shim.try_cast", f", null::{type_text}"


def rewrite(sql: str, database: str | None = None) -> tuple[str, list[str]]:
    """`sql` rewritten for PostgreSQL, and the names of the rewrites that changed it.

    `database` is the target database of three-part names (dropped); None keeps them."""
    first = _Rewriter(sql, database)
    second = _Rewriter(first.try_casts(), database)
    text = second.run()
    return text, sorted(first.applied | second.applied)


def describe(names: Iterable[str]) -> list[str]:
    wanted = set(names)
    return [f"{r.name}: {r.what}" for r in REWRITES if r.name in wanted]


__all__ = ["DATEPARTS", "REWRITES", "Rewrite", "describe", "rewrite", "tokenize", "unsupported"]
