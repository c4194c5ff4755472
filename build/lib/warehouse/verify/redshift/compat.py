"""Project-owned check that compiled SQL uses only functions and constructs Redshift has.

It works on tokens (see tokens.py), so strings and comments never trigger it. Three kinds of rule:

- every `name(` must be a Redshift function from redshift_functions.txt, unless the position shows it is
  not a call (a keyword such as `in (` or `over (`, a type such as `decimal(12, 2)`, a relation such as
  `insert into t (a, b)` or a CTE `t (a, b) as (`, a schema-qualified UDF `schema.f(`, an alias column list);
- casts (`::type`, `cast(x as type)`) must name a Redshift data type, and never an array type `type[]`;
- constructs DuckDB has and Redshift lacks (`order by all`, `filter (where ...)`, `distinct on`, `* replace`,
  lambdas, `using sample`, the PIVOT statement, `//`, `**`, `==`, ASOF/POSITIONAL/SEMI/ANTI joins,
  `create macro`, `insert or replace`, array and struct literals, `interval 1 day`, file scans...).

Two rules catch SQL that runs on both engines but returns different results:

- `order by ... desc` without `nulls first|last`: Redshift sorts NULLs first in descending order
  (r_ORDER_BY_clause: "sorted and ranked first in DESC ordering"), DuckDB last;
- `avg(x)` whose argument is not an explicit cast to double precision/float/real: Redshift
  returns the argument's type (BIGINT for integers, the argument's scale for DECIMAL: r_AVG, "Data types"),
  DuckDB returns DOUBLE.

Redshift does have QUALIFY, GROUP BY ALL, SELECT * EXCLUDE, PIVOT/UNPIVOT (...) in FROM, TRY_CAST and
UNNEST in FROM over SUPER arrays; those pass.
"""

from __future__ import annotations

from collections.abc import Callable

from warehouse.verify.redshift.findings import Check, Finding
from warehouse.verify.redshift.functions import redshift_functions
from warehouse.verify.redshift.keywords import (
    DATA_TYPES,
    FUNCTION_HINTS,
    KEYWORDS,
    LEADER_NODE_ONLY,
    LEADER_NODE_ONLY_KEYWORDS,
    PARAMETERISED_TYPES,
    PAREN_KEYWORDS,
    RELATION_INTRODUCERS,
    TYPE_HINTS,
)
from warehouse.verify.redshift.tokens import Kind, Token, matching_parens, tokenize

_CLAUSE_MARKERS = frozenset(
    {"select", "from", "join", "where", "group", "having", "order", "qualify", "on", "using", "limit"}
    | {"union", "with", "set", "values", "window"}
)


class _Scan:
    """The tokens of one SQL text plus the findings collected while walking them."""

    def __init__(self, sql: str, subject: str, path: str, functions: frozenset[str]) -> None:
        self.tokens = tokenize(sql)
        self.parens = matching_parens(self.tokens)
        self.lines = sql.splitlines()
        self.subject = subject
        self.path = path
        self.functions = functions
        self.findings: dict[tuple[int, str], Finding] = {}
        self.heads = self._statement_heads()

    def _statement_heads(self) -> list[str]:
        """For each token, the first word of the statement it belongs to."""
        heads: list[str] = []
        head = ""
        for token in self.tokens:
            if token.is_op(";"):
                heads.append(head)
                head = ""
                continue
            if not head and token.kind is Kind.WORD:
                head = token.lower
            heads.append(head)
        return heads

    def tok(self, i: int) -> Token | None:
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def is_word(self, i: int, *words: str) -> bool:
        token = self.tok(i)
        return token is not None and token.is_word(*words)

    def is_op(self, i: int, *ops: str) -> bool:
        token = self.tok(i)
        return token is not None and token.is_op(*ops)

    def clause_of(self, i: int) -> str | None:
        """The clause keyword (`select`, `from`, ...) that token `i` sits in, at its own paren depth."""
        depth = 0
        for j in range(i - 1, -1, -1):
            token = self.tokens[j]
            if token.is_op(")"):
                depth += 1
            elif token.is_op("("):
                if depth == 0:
                    return None
                depth -= 1
            elif depth == 0 and token.is_word(*_CLAUSE_MARKERS):
                return token.lower
        return None

    def report(self, i: int, message: str) -> None:
        line = self.tokens[i].line
        snippet = self.lines[line - 1].strip() if line - 1 < len(self.lines) else ""
        key = (line, message)
        if key not in self.findings:
            self.findings[key] = Finding(Check.COMPAT, self.subject, line, message, snippet, self.path)


# --- function calls ---------------------------------------------------------------------------------


def _is_not_a_call(s: _Scan, i: int, name: str) -> bool:
    prev = s.tok(i - 1)
    if prev is not None:
        if prev.is_op(".", "::", ")") or prev.kind is Kind.QUOTED:
            return True  # schema.udf(, ::decimal(12, 2), alias column list after a subquery
        if prev.kind is Kind.WORD and (
            prev.lower == "as" or prev.lower in RELATION_INTRODUCERS or prev.lower not in KEYWORDS
        ):
            return True  # cast type or alias, `insert into t (`, column definition `amount decimal(`
    if name in PAREN_KEYWORDS or name in DATA_TYPES:
        return True
    close = s.parens.get(i + 1)
    return close is not None and s.is_word(close + 1, "as") and s.is_op(close + 2, "(")  # cte (cols) as (


def _check_call(s: _Scan, i: int, token: Token) -> None:
    if token.kind is not Kind.WORD or not s.is_op(i + 1, "("):
        return
    name = token.lower
    if name == "unnest":
        if s.clause_of(i) not in {"from", "join"}:
            s.report(i, f"'unnest(' is not a Redshift function here ({FUNCTION_HINTS['unnest']})")
        return
    if name in s.functions or _is_not_a_call(s, i, name):
        return
    if name in LEADER_NODE_ONLY:
        s.report(i, f"'{name}(' runs only on the Redshift leader node, so it fails on tables (use getdate())")
        return
    hint = FUNCTION_HINTS.get(name)
    s.report(i, f"'{name}(' is not a Redshift function" + (f" ({hint})" if hint else ""))


# --- data types in casts ----------------------------------------------------------------------------


def _check_type(s: _Scan, i: int, prefix: str) -> None:
    token = s.tok(i)
    if token is None or token.kind is not Kind.WORD:
        return
    name, last = token.lower, i
    if name == "double" and s.is_word(i + 1, "precision"):
        name, last = "double precision", i + 1
    elif name in {"character", "binary"} and s.is_word(i + 1, "varying"):
        last = i + 1
    elif name in {"time", "timestamp"} and s.is_word(i + 1, "with", "without"):
        last = i + 3
    if name != "double precision" and name not in DATA_TYPES:
        hint = TYPE_HINTS.get(name)
        suffix = f" (use {hint})" if hint else ""
        s.report(i, f"'{prefix}{name}' is not a Redshift data type{suffix}")
        return
    after = last + 1
    if s.is_op(after, "(") and name in PARAMETERISED_TYPES:
        after = s.parens.get(after, after) + 1
    if s.is_op(after, "["):
        s.report(after, f"'{name}[]' array types are not supported by Redshift (use super)")


def _check_casts(s: _Scan, i: int, token: Token) -> None:
    if token.is_op("::"):
        _check_type(s, i + 1, "::")
        return
    if not (token.is_word("cast", "try_cast") and s.is_op(i + 1, "(")):
        return
    close = s.parens.get(i + 1)
    if close is None:
        return
    depth = 0
    for j in range(i + 2, close):
        if s.is_op(j, "("):
            depth += 1
        elif s.is_op(j, ")"):
            depth -= 1
        elif depth == 0 and s.is_word(j, "as"):
            _check_type(s, j + 1, "")
            return


# --- constructs -------------------------------------------------------------------------------------


def _check_clauses(s: _Scan, i: int, token: Token) -> None:
    if token.is_word("order") and s.is_word(i + 1, "by") and s.is_word(i + 2, "all"):
        s.report(i, "'order by all' is not supported by Redshift (list the columns or ordinals)")
    elif token.is_word("filter") and s.is_op(i + 1, "(") and s.is_word(i + 2, "where"):
        s.report(i, "aggregate 'filter (where ...)' is not supported by Redshift (use case when inside it)")
    elif token.is_word("distinct") and s.is_word(i + 1, "on") and s.is_op(i + 2, "("):
        s.report(i, "'distinct on (...)' is not supported by Redshift (use row_number() ... qualify)")
    elif (token.is_word("using") and s.is_word(i + 1, "sample")) or token.is_word("tablesample"):
        construct = "using sample" if token.is_word("using") else "tablesample"
        s.report(i, f"'{construct}' is not supported by Redshift")
    elif token.is_word("union") and (
        (s.is_word(i + 1, "by") and s.is_word(i + 2, "name"))
        or (s.is_word(i + 1, "all") and s.is_word(i + 2, "by") and s.is_word(i + 3, "name"))
    ):
        s.report(i, "'union by name' is not supported by Redshift (align the columns explicitly)")
    elif token.is_word("like", "ilike") and s.is_word(i + 1, "any", "all", "some"):
        s.report(i, f"'{token.lower} {s.tokens[i + 1].lower} (...)' is not supported by Redshift")
    elif token.is_word("is") and (
        (s.is_word(i + 1, "distinct") and s.is_word(i + 2, "from"))
        or (s.is_word(i + 1, "not") and s.is_word(i + 2, "distinct") and s.is_word(i + 3, "from"))
    ):
        s.report(i, "'is [not] distinct from' is not supported by Redshift (use dbt.equals or null checks)")
    elif token.is_word("values") and s.is_op(i - 1, "(") and s.is_word(i - 2, "from", "join"):
        s.report(i, "a VALUES list used as a table is not supported by Redshift (use select ... union all)")


def _check_statements(s: _Scan, i: int, token: Token) -> None:
    if token.is_word("macro") and s.is_word(i - 1, "create", "replace", "temp", "temporary"):
        s.report(i, "'create macro' is DuckDB-only (write a dbt macro instead)")
    elif token.is_word("insert") and s.is_word(i + 1, "or"):
        action = s.tokens[i + 2].lower if s.tok(i + 2) else ""
        s.report(i, f"'insert or {action}' is not supported by Redshift (use merge or delete+insert)")
    elif token.is_word("pivot_wider", "pivot_longer") or (token.is_word("pivot") and not s.is_op(i + 1, "(")):
        s.report(i, "DuckDB PIVOT statement: Redshift supports only `from t pivot (agg for col in (...))`")
    elif token.is_word("unpivot") and not s.is_op(i + 1, "(") and not s.is_word(i + 1, "include", "exclude"):
        for j in range(i + 1, min(i + 9, len(s.tokens))):
            if s.is_word(j, "as"):
                break  # Redshift's UNPIVOT over a SUPER object: `unpivot c.obj as value at key`
            if s.is_word(j, "on", "into"):
                s.report(i, "DuckDB UNPIVOT statement: Redshift supports only `unpivot (v for n in (...))`")
                break
    elif token.is_word("asof", "positional", "anti", "semi") and (
        s.is_word(i + 1, "join") or (s.is_word(i + 1, "left", "inner") and s.is_word(i + 2, "join"))
    ):
        s.report(i, f"'{token.lower} join' is not supported by Redshift")
    elif (
        token.is_word("from", "join")
        and (nxt := s.tok(i + 1)) is not None
        and nxt.kind is Kind.STRING
        and s.heads[i] != "copy"
    ):
        s.report(i, f'file scan "{token.lower} {nxt.text}" is DuckDB-only (read the lake via source())')


def _check_operators(s: _Scan, i: int, token: Token) -> None:
    messages = {
        "//": "'//' integer division is not supported by Redshift (divide integers with /, or use floor())",
        "**": "'**' is not supported by Redshift (use power(a, b))",
        "==": "'==' is not supported by Redshift (use =)",
        "->": "'->' (lambda or JSON arrow) is not supported by Redshift",
        "->>": "'->>' (JSON arrow) is not supported by Redshift (use json_extract_path_text)",
        "{": "struct/map literal '{...}' is not supported by Redshift (use object(...) on SUPER)",
    }
    if token.kind is Kind.OP and token.text in messages:
        s.report(i, messages[token.text])
    elif token.is_op("*") and s.is_word(i + 1, "replace", "rename"):
        prev = s.tok(i - 1)
        if prev is None or prev.is_op(",", ".") or prev.is_word("select", "distinct", "all"):
            s.report(i, f"'* {s.tokens[i + 1].lower}' is not supported by Redshift (only '* exclude')")
    elif token.is_op("["):
        prev = s.tok(i - 1)
        subscript = prev is not None and (
            prev.is_op(")", "]") or prev.kind is Kind.QUOTED or (prev.kind is Kind.WORD and prev.lower not in KEYWORDS)
        )
        if not subscript:
            s.report(i, "array literal '[...]' is not supported by Redshift (use array(...) on SUPER)")


def _check_words(s: _Scan, i: int, token: Token) -> None:
    if token.is_word("interval") and (nxt := s.tok(i + 1)) is not None and nxt.kind is Kind.NUMBER:
        s.report(i, f"unquoted 'interval {nxt.text} ...' is DuckDB syntax (write interval '{nxt.text} day')")
    elif (
        token.kind is Kind.WORD
        and token.lower in LEADER_NODE_ONLY_KEYWORDS
        and not s.is_op(i + 1, "(")
        and not s.is_op(i - 1, ".")
    ):
        s.report(i, f"'{token.lower}' runs only on the Redshift leader node (use getdate() or sysdate)")


# --- results that differ between the engines ---------------------------------------------------------

# Only a float argument makes AVG return the same type on both engines: over a DECIMAL, even one cast with its
# precision and scale, Redshift keeps the scale and DuckDB returns DOUBLE.
_AVG_CAST_TYPES = frozenset({"double", "float", "float4", "float8", "real"})


def _check_desc_nulls(s: _Scan, i: int, token: Token) -> None:
    if token.is_word("desc") and not s.is_word(i + 1, "nulls") and s.clause_of(i) == "order":
        s.report(
            i,
            "'desc' without 'nulls first' or 'nulls last': Redshift sorts NULLs first in descending order, DuckDB "
            "last (write 'desc nulls last' to get DuckDB's order on both)",
        )


def _first_top_level(s: _Scan, start: int, end: int, match: Callable[[int], bool]) -> int | None:
    """The first index in start..end (inclusive) outside any parentheses opened in that range where
    `match` holds."""
    depth = 0
    for j in range(start, end + 1):
        if s.is_op(j, "("):
            depth += 1
        elif s.is_op(j, ")"):
            depth -= 1
        elif depth == 0 and match(j):
            return j
    return None


def _is_cast_to(s: _Scan, start: int, end: int, types: frozenset[str]) -> bool:
    """Whether tokens start..end (inclusive) are exactly one cast to one of `types` (`cast(x as t)`, `x::t`)."""
    first = s.tok(start)
    if first is not None and first.is_word("cast") and s.is_op(start + 1, "(") and s.parens.get(start + 1) == end:
        keyword = _first_top_level(s, start + 2, end - 1, lambda j: s.is_word(j, "as"))
    else:
        keyword = _first_top_level(s, start, end, lambda j: s.is_op(j, "::"))
    type_token = None if keyword is None else s.tok(keyword + 1)
    return type_token is not None and type_token.lower in types


def _check_avg(s: _Scan, i: int, token: Token) -> None:
    if not (token.is_word("avg") and s.is_op(i + 1, "(")) or s.is_op(i - 1, "."):
        return
    close = s.parens.get(i + 1)
    if close is None:
        return
    start = i + 2
    if s.is_word(start, "distinct", "all"):
        start += 1
    if start < close and _is_cast_to(s, start, close - 1, _AVG_CAST_TYPES):
        return
    s.report(
        i,
        "'avg(' of an argument that is not cast: Redshift returns the argument's type (BIGINT for integers, the "
        "same scale for DECIMAL), DuckDB returns DOUBLE (write avg(cast(x as double precision)), or an exact "
        "sum and count with exact_ratio())",
    )


_RULES: tuple[Callable[[_Scan, int, Token], None], ...] = (
    _check_call,
    _check_casts,
    _check_clauses,
    _check_statements,
    _check_operators,
    _check_words,
    _check_desc_nulls,
    _check_avg,
)


def check_sql(sql: str, subject: str, *, path: str = "", functions: frozenset[str] | None = None) -> list[Finding]:
    """Findings for one SQL text, in line order. `subject` names it in messages (a unique_id or a path)."""
    scan = _Scan(sql, subject, path, redshift_functions() if functions is None else functions)
    for index, token in enumerate(scan.tokens):
        for rule in _RULES:
            rule(scan, index, token)
    return sorted(scan.findings.values(), key=lambda finding: (finding.line or 0, finding.message))
