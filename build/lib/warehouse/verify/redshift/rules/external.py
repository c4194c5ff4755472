"""CREATE EXTERNAL TABLE statements read back: name, columns, partitions, SerDe and properties."""

from __future__ import annotations

from dataclasses import dataclass, field

from warehouse.verify.redshift.sqltext import dotted_name, quoted_pairs, string_value
from warehouse.verify.redshift.tokens import Kind, Token, matching_parens, tokenize

NESTED_TYPES = ("array", "struct", "map")


@dataclass(frozen=True)
class ExternalTable:
    schema: str
    name: str
    columns: dict[str, str]
    partitions: dict[str, str] = field(default_factory=dict)
    serde: str = ""
    serde_properties: tuple[tuple[str, str], ...] = ()
    table_properties: tuple[tuple[str, str], ...] = ()

    @property
    def nested_columns(self) -> list[str]:
        """Columns of a nested type (array<...>, struct<...>, map<...>)."""
        return [name for name, data_type in self.columns.items() if data_type.split("<", 1)[0] in NESTED_TYPES]

    @property
    def all_columns(self) -> set[str]:
        return set(self.columns) | set(self.partitions)


def _column_list(tokens: list[Token], open_index: int, parens: dict[int, int]) -> dict[str, str]:
    """`name type, ...` inside the parentheses at `open_index`; commas inside <...> or (...) do not split."""
    close = parens.get(open_index, open_index)
    columns: dict[str, str] = {}
    current: list[Token] = []
    angle = 0
    j = open_index + 1
    while j < close:
        token = tokens[j]
        if token.is_op("(") and j in parens:
            current.extend(tokens[j : parens[j] + 1])
            j = parens[j] + 1
            continue
        if token.is_op("<"):
            angle += 1
        elif token.is_op(">"):
            angle -= 1
        if token.is_op(",") and angle == 0:
            _add_column(columns, current)
            current = []
        else:
            current.append(token)
        j += 1
    _add_column(columns, current)
    return columns


def _add_column(columns: dict[str, str], tokens: list[Token]) -> None:
    if len(tokens) < 2 or tokens[0].kind not in (Kind.WORD, Kind.QUOTED):
        return
    name = tokens[0].text.strip('"').lower()
    columns[name] = "".join(token.text if token.kind is not Kind.WORD else token.lower for token in tokens[1:])


def parse_external_table(sql: str) -> ExternalTable | None:
    """The table a `create external table` statement defines, or None when it is not one."""
    tokens = tokenize(sql)
    parens = matching_parens(tokens)
    words = [t.lower for t in tokens[:3] if t.kind is Kind.WORD]
    if words != ["create", "external", "table"]:
        return None
    i = 3
    while i < len(tokens) and tokens[i].is_word("if", "not", "exists"):
        i += 1
    parts, i = dotted_name(tokens, i)
    if len(parts) < 2 or i >= len(tokens) or not tokens[i].is_op("("):
        return None
    columns = _column_list(tokens, i, parens)
    partitions: dict[str, str] = {}
    serde = ""
    serde_properties: list[tuple[str, str]] = []
    table_properties: list[tuple[str, str]] = []
    j = parens.get(i, i) + 1
    while j < len(tokens):
        token = tokens[j]
        if token.is_word("partitioned") and j + 2 < len(tokens) and tokens[j + 2].is_op("("):
            partitions = _column_list(tokens, j + 2, parens)
            j = parens.get(j + 2, j + 2) + 1
            continue
        if token.is_word("serde") and j + 1 < len(tokens) and tokens[j + 1].kind is Kind.STRING:
            serde = string_value(tokens[j + 1].text)
        elif token.is_word("serdeproperties") and j + 1 < len(tokens) and tokens[j + 1].is_op("("):
            serde_properties = quoted_pairs(tokens, j + 1, parens)
        elif token.is_word("properties") and j > 0 and tokens[j - 1].is_word("table") and tokens[j + 1].is_op("("):
            table_properties = quoted_pairs(tokens, j + 1, parens)
        j += 1
    return ExternalTable(
        schema=parts[-2],
        name=parts[-1],
        columns=columns,
        partitions=partitions,
        serde=serde,
        serde_properties=tuple(serde_properties),
        table_properties=tuple(table_properties),
    )
