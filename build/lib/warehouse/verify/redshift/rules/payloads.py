"""Inputs that can exceed the documented size limits of the VARCHAR-based JSON functions.

A Kinesis record reaches Redshift as the VARBYTE column `kinesis_data`, up to 1 MB (a VARBYTE holds up to
1,024,000 bytes: r_VARBYTE_type). FROM_VARBYTE returns a VARCHAR, which holds at most 65,535 bytes
(r_Character_types), and JSON_EXTRACT_PATH_TEXT has a 64 KB data-size maximum (JSON_EXTRACT_PATH_TEXT;
the streaming ingestion page says the same for streamed records). So a record converted with FROM_VARBYTE,
or handed to a VARCHAR JSON function, must be guarded by its length first:
`case when len(kinesis_data) <= 65535 then from_varbyte(kinesis_data, 'utf-8') end`.
JSON_PARSE and CAN_JSON_PARSE on `kinesis_data` itself are what AWS's streaming examples do (SUPER holds
up to 16 MB: r_SUPER_type), so they pass.
"""

from __future__ import annotations

from warehouse.verify.redshift.rules.base import Rule, RuleContext, RuleOutcome, aws, subject_of
from warehouse.verify.redshift.tokens import Kind, Token, matching_parens

VARCHAR_MAX = 65535
# JSON functions that take a VARCHAR (json-functions.html) and so see at most 64 KB.
VARCHAR_JSON_FUNCTIONS = frozenset(
    {"json_extract_path_text", "json_extract_array_element_text", "json_array_length", "is_valid_json"}
    | {"is_valid_json_array"}
)
PAYLOAD_COLUMNS = frozenset({"kinesis_data"})
_LENGTH_FUNCTIONS = frozenset({"len", "length", "octet_length", "char_length", "character_length"})


def _case_spans(tokens: list[Token]) -> list[tuple[int, int]]:
    """(case index, end index) of every CASE ... END expression."""
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.is_word("case"):
            stack.append(index)
        elif token.is_word("end") and stack:
            spans.append((stack.pop(), index))
    return spans


def _guards(tokens: list[Token], start: int, end: int) -> bool:
    """Whether tokens start..end hold a length test `len(...) <= n` / `< n` with n <= 65535."""
    for j in range(start, end):
        if (
            tokens[j].kind is Kind.WORD
            and tokens[j].lower in _LENGTH_FUNCTIONS
            and j + 1 < end
            and tokens[j + 1].is_op("(")
        ):
            depth, k = 0, j + 1
            while k < end:
                if tokens[k].is_op("("):
                    depth += 1
                elif tokens[k].is_op(")"):
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            if k + 2 <= end and tokens[k + 1].is_op("<=", "<") and tokens[k + 2].kind is Kind.NUMBER:
                try:
                    if float(tokens[k + 2].text) <= VARCHAR_MAX:
                        return True
                except ValueError:
                    continue
    return False


def _guarded(tokens: list[Token], call: int) -> bool:
    """Whether the call at `call` sits in the THEN of a CASE whose WHEN tests the payload's length."""
    for case, end in _case_spans(tokens):
        if not case < call < end:
            continue
        then = next((j for j in range(call, case, -1) if tokens[j].is_word("then")), None)
        when = next((j for j in range(then or case, case, -1) if tokens[j].is_word("when")), None) if then else None
        if when is not None and then is not None and _guards(tokens, when, then):
            return True
    return False


def _payload_argument(tokens: list[Token], open_paren: int, close: int) -> bool:
    for j in range(open_paren + 1, close):
        token = tokens[j]
        if token.kind is Kind.WORD and token.lower in PAYLOAD_COLUMNS:
            return True
        if token.is_word("from_varbyte") and j + 1 < close and tokens[j + 1].is_op("("):
            return True
    return False


def _problems(tokens: list[Token]) -> list[str]:
    parens = matching_parens(tokens)
    problems: list[str] = []
    for index, token in enumerate(tokens):
        if token.kind is not Kind.WORD or index + 1 >= len(tokens) or not tokens[index + 1].is_op("("):
            continue
        name = token.lower
        close = parens.get(index + 1)
        if close is None or not (name == "from_varbyte" or name in VARCHAR_JSON_FUNCTIONS):
            continue
        if name == "from_varbyte" and not any(
            t.kind is Kind.WORD and t.lower in PAYLOAD_COLUMNS for t in tokens[index + 2 : close]
        ):
            continue
        if name != "from_varbyte" and not _payload_argument(tokens, index + 1, close):
            continue
        if _guarded(tokens, index):
            continue
        if name == "from_varbyte":
            problems.append(
                "from_varbyte(kinesis_data, ...) without a length guard: a Kinesis record holds up to 1 MB but the "
                f"VARCHAR it returns holds at most {VARCHAR_MAX} bytes; wrap it in "
                f"`case when len(kinesis_data) <= {VARCHAR_MAX} then ... end`"
            )
        else:
            problems.append(
                f"{name}() on a Kinesis payload without a length guard: it takes at most 64 KB; guard it with "
                f"`case when len(kinesis_data) <= {VARCHAR_MAX} then ... end` or parse with json_parse (SUPER)"
            )
    return problems


def check_json_sizes(context: RuleContext) -> RuleOutcome:
    findings = []
    checked = 0
    for statement in context.statements:
        tokens = context.tokens[statement.index]
        if not any(t.kind is Kind.WORD and (t.lower in PAYLOAD_COLUMNS or t.lower == "from_varbyte") for t in tokens):
            continue
        checked += 1
        findings += [
            RULE.finding(subject_of(statement), problem, statement) for problem in dict.fromkeys(_problems(tokens))
        ]
    return RuleOutcome(checked, "payload reads", tuple(findings))


RULE = Rule(
    "json-size",
    "a Kinesis VARBYTE payload (up to 1 MB) converted with from_varbyte or fed to a VARCHAR JSON function unguarded",
    aws("JSON_EXTRACT_PATH_TEXT"),
    check_json_sizes,
)
