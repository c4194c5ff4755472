"""A small SQL tokenizer: enough to find function calls and operators without looking inside strings.

Comments are dropped. String literals ('...', with '' as an escaped quote), dollar-quoted bodies
($$...$$, $tag$...$tag$) and quoted identifiers ("...") each become one token, so nothing inside them is
ever mistaken for code. Every token carries the 1-based line it starts on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    WORD = "word"  # unquoted identifier or keyword
    QUOTED = "quoted"  # "quoted identifier"
    STRING = "string"  # 'literal' or $$body$$
    NUMBER = "number"
    OP = "op"  # punctuation and operators


# Longest first, so '->>' wins over '->' and '::' over ':'.
_OPERATORS: tuple[str, ...] = ("->>", "::", "->", "||", "<=", ">=", "<>", "!=", "==", "**", "//", "=>")


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str
    line: int

    @property
    def lower(self) -> str:
        return self.text.lower()

    def is_word(self, *words: str) -> bool:
        return self.kind is Kind.WORD and (not words or self.text.lower() in words)

    def is_op(self, *ops: str) -> bool:
        return self.kind is Kind.OP and self.text in ops


def _is_word_start(ch: str) -> bool:
    return ch.isalpha() or ch == "_"


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


def _scan_quoted(sql: str, start: int, quote: str) -> int:
    """Index just past the closing quote of the literal opened at `start` (doubled quotes escape)."""
    i = start + 1
    while i < len(sql):
        if sql[i] == quote:
            if i + 1 < len(sql) and sql[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return len(sql)  # unterminated: the rest of the text is the literal


def _dollar_tag(sql: str, start: int) -> str | None:
    """The `$tag$` opening a dollar-quoted string at `start`, if there is one."""
    end = start + 1
    while end < len(sql) and _is_word_char(sql[end]) and sql[end] != "$":
        end += 1
    if end < len(sql) and sql[end] == "$":
        return sql[start : end + 1]
    return None


def _scan_number(sql: str, i: int) -> int:
    n = len(sql)
    while i < n and (sql[i].isdigit() or sql[i] == "."):
        i += 1
    if i < n and sql[i] in "eE" and i + 1 < n and (sql[i + 1].isdigit() or sql[i + 1] in "+-"):
        i += 2
        while i < n and sql[i].isdigit():
            i += 1
    return i


def tokenize(sql: str) -> list[Token]:
    """Split `sql` into tokens, dropping whitespace and comments."""
    tokens: list[Token] = []
    i, line, n = 0, 1, len(sql)
    while i < n:
        ch = sql[i]
        start, start_line = i, line
        if ch.isspace():
            i += 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end == -1 else end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end == -1 else end + 2
        elif ch in "'\"":
            i = _scan_quoted(sql, i, ch)
            tokens.append(Token(Kind.STRING if ch == "'" else Kind.QUOTED, sql[start:i], start_line))
        elif ch == "$" and (tag := _dollar_tag(sql, i)) is not None:
            end = sql.find(tag, i + len(tag))
            i = n if end == -1 else end + len(tag)
            tokens.append(Token(Kind.STRING, sql[start:i], start_line))
        elif ch.isdigit() or (ch == "." and i + 1 < n and sql[i + 1].isdigit()):
            i = _scan_number(sql, i)
            tokens.append(Token(Kind.NUMBER, sql[start:i], start_line))
        elif _is_word_start(ch):
            while i < n and _is_word_char(sql[i]):
                i += 1
            tokens.append(Token(Kind.WORD, sql[start:i], start_line))
        else:
            op = next((o for o in _OPERATORS if sql.startswith(o, i)), ch)
            i += len(op)
            tokens.append(Token(Kind.OP, op, start_line))
        line += sql.count("\n", start, i)
    return tokens


def matching_parens(tokens: list[Token]) -> dict[int, int]:
    """Map each '(' index to its ')' index and back. Unbalanced parentheses are left out."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.is_op("("):
            stack.append(index)
        elif token.is_op(")") and stack:
            opening = stack.pop()
            pairs[opening] = index
            pairs[index] = opening
    return pairs
