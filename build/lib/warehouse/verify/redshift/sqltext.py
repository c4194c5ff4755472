"""Small helpers over SQL text shared by the recorder and the statement rules.

They work on the tokens of tokens.py, so strings and comments never match; `normalized()` is the lowercased,
comment-free, single-spaced text used to recognise the shape of an introspection query.
"""

from __future__ import annotations

import re

from warehouse.verify.redshift.tokens import Kind, Token, matching_parens, tokenize

_COMMENT = re.compile(r"/\*.*?\*/|--[^\n]*", re.DOTALL)


def normalized(sql: str) -> str:
    """Lowercased, comment-free, single-spaced SQL: for matching the shape of a query."""
    return " ".join(_COMMENT.sub(" ", sql).lower().split())


def words(tokens: list[Token]) -> list[str]:
    return [token.lower for token in tokens if token.kind is Kind.WORD]


_HEAD_CHARS = 4000


def first_words(sql: str, count: int = 4) -> list[str]:
    """The first `count` words of a statement, lowercased (`['create', 'external', 'table']`). Only the
    start of the text is tokenized, so this is cheap on long statements."""
    found: list[str] = []
    for token in tokenize(sql[:_HEAD_CHARS]):
        if token.kind is Kind.WORD:
            found.append(token.lower)
            if len(found) == count:
                break
    return found


def unquote(text: str) -> str:
    """An identifier without its double quotes (`"a""b"` -> `a"b`), lowercased when it was unquoted."""
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        return text[1:-1].replace('""', '"')
    return text.lower()


def string_value(text: str) -> str:
    """The value of a '...' literal token."""
    if text.startswith("'") and text.endswith("'") and len(text) >= 2:
        return text[1:-1].replace("''", "'")
    return text


def dotted_name(tokens: list[Token], start: int) -> tuple[list[str], int]:
    """The parts of a possibly qualified, possibly quoted name starting at `start`, and the index after it."""
    parts: list[str] = []
    i = start
    while i < len(tokens) and tokens[i].kind in (Kind.WORD, Kind.QUOTED):
        parts.append(unquote(tokens[i].text))
        if i + 1 < len(tokens) and tokens[i + 1].is_op("."):
            i += 2
            continue
        i += 1
        break
    return parts, i


def select_items(sql: str) -> list[list[Token]]:
    """The items of the outermost SELECT list of `sql`, each as its tokens (empty when there is none)."""
    tokens = tokenize(sql)
    parens = matching_parens(tokens)
    i = 0
    while i < len(tokens) and not tokens[i].is_word("select"):
        if tokens[i].is_op("("):
            i = parens.get(i, i)
        i += 1
    items: list[list[Token]] = []
    current: list[Token] = []
    j = i + 1
    while j < len(tokens):
        token = tokens[j]
        if token.is_op("(") and j in parens:
            current.extend(tokens[j : parens[j] + 1])
            j = parens[j] + 1
            continue
        if token.is_word("from", "where", "group", "order", "limit", "union") or token.is_op(";"):
            break
        if token.is_op(","):
            items.append(current)
            current = []
        else:
            current.append(token)
        j += 1
    if current:
        items.append(current)
    return items


def excerpt(sql: str, width: int = 160) -> str:
    """The statement on one line, cut to `width` characters, for a finding's snippet."""
    flat = " ".join(_COMMENT.sub(" ", sql).split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def qualified_names(tokens: list[Token]) -> list[tuple[int, list[str]]]:
    """Every dotted name of two or more parts (`schema.table`, `"db"."schema"."table"`), with its start index.

    The parts are unquoted (and lowercased when they were not quoted)."""
    found: list[tuple[int, list[str]]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind in (Kind.WORD, Kind.QUOTED) and not (i > 0 and tokens[i - 1].is_op(".")):
            parts, after = dotted_name(tokens, i)
            if len(parts) >= 2:
                found.append((i, parts))
            i = max(after, i + 1)
            continue
        i += 1
    return found


def quoted_pairs(tokens: list[Token], open_index: int, parens: dict[int, int]) -> list[tuple[str, str]]:
    """The `'name' = 'value'` pairs inside the parentheses opened at `open_index`."""
    close = parens.get(open_index)
    if close is None:
        return []
    pairs: list[tuple[str, str]] = []
    j = open_index + 1
    while j + 2 < close + 1:
        if tokens[j].kind is Kind.STRING and tokens[j + 1].is_op("=") and tokens[j + 2].kind is Kind.STRING:
            pairs.append((string_value(tokens[j].text), string_value(tokens[j + 2].text)))
            j += 3
            continue
        j += 1
    return pairs


_TRANSACTION_CONTROL = {
    "begin": "begin",
    "start": "begin",
    "commit": "commit",
    "end": "commit",
    "rollback": "rollback",
    "abort": "rollback",
}


def transaction_control(sql: str) -> str | None:
    """'begin', 'commit' or 'rollback' for a statement that opens or ends a transaction block (BEGIN or START
    TRANSACTION; COMMIT or END; ROLLBACK or ABORT; with or without WORK/TRANSACTION and options), else None."""
    head = first_words(sql, 1)
    return _TRANSACTION_CONTROL.get(head[0]) if head else None
