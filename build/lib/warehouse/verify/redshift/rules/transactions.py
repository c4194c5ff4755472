"""Statements Redshift refuses inside a transaction block (BEGIN ... END), recorded with in_transaction true."""

from __future__ import annotations

from collections.abc import Callable

from warehouse.verify.redshift.recording import Statement
from warehouse.verify.redshift.rules.base import Rule, RuleContext, RuleOutcome, aws, subject_of
from warehouse.verify.redshift.sqltext import dotted_name


def _target_schema(context: RuleContext, statement: Statement, start: int) -> str:
    tokens = context.tokens[statement.index]
    i = start
    while i < len(tokens) and tokens[i].is_word("if", "not", "exists"):
        i += 1
    parts, _ = dotted_name(tokens, i)
    return parts[-2] if len(parts) >= 2 else ""


def _on_external(context: RuleContext, statement: Statement, start: int) -> bool:
    return _target_schema(context, statement, start) in context.external_schemas


# (what, page, predicate over the statement's first words): each page says the command can't run in a block.
Restriction = tuple[str, str, Callable[[RuleContext, Statement, list[str]], bool]]
RESTRICTED: tuple[Restriction, ...] = (
    ("CREATE EXTERNAL TABLE", "r_CREATE_EXTERNAL_TABLE", lambda c, s, w: w[:3] == ["create", "external", "table"]),
    (
        "ALTER TABLE on an external table",
        "r_ALTER_TABLE",
        lambda c, s, w: w[:2] == ["alter", "table"] and _on_external(c, s, 2),
    ),
    (
        "DROP TABLE of an external table",
        "r_DROP_TABLE",
        lambda c, s, w: w[:2] == ["drop", "table"] and _on_external(c, s, 2),
    ),
    (
        "INSERT into an external table",
        "r_INSERT_external_table",
        lambda c, s, w: w[:2] == ["insert", "into"] and _on_external(c, s, 2),
    ),
    ("ALTER TABLE APPEND", "r_ALTER_TABLE_APPEND", lambda c, s, w: w[:2] == ["alter", "table"] and "append" in w),
    ("VACUUM", "r_VACUUM_command", lambda c, s, w: w[:1] == ["vacuum"]),
    ("CREATE DATABASE", "r_CREATE_DATABASE", lambda c, s, w: w[:2] == ["create", "database"]),
    ("DROP DATABASE", "r_DROP_DATABASE", lambda c, s, w: w[:2] == ["drop", "database"]),
    (
        "CREATE LIBRARY",
        "r_CREATE_LIBRARY",
        lambda c, s, w: w[:2] == ["create", "library"] or w[:4] == ["create", "or", "replace", "library"],
    ),
    ("DROP LIBRARY", "r_DROP_LIBRARY", lambda c, s, w: w[:2] == ["drop", "library"]),
    ("GRANT on an external resource", "r_GRANT", lambda c, s, w: w[:1] == ["grant"] and "external" in w),
)


def check_transactions(context: RuleContext) -> RuleOutcome:
    findings = []
    checked = 0
    for statement in context.statements:
        words = context.heads(statement, 8)
        for what, page, applies in RESTRICTED:
            if not applies(context, statement, words):
                continue
            checked += 1
            if statement.in_transaction:
                findings.append(
                    RULE.finding(
                        subject_of(statement),
                        f"{what} runs inside a transaction block (after BEGIN): Redshift refuses it there "
                        f"({aws(page)}); run it on its own with autocommit, outside any BEGIN ... COMMIT",
                        statement,
                    )
                )
            break
    return RuleOutcome(checked, "restricted statements", tuple(findings))


RULE = Rule(
    "transaction-block",
    "CREATE EXTERNAL TABLE, ALTER/DROP/INSERT on external tables, VACUUM, ALTER TABLE APPEND, ... inside BEGIN",
    aws("r_SVL_MULTI_STATEMENT_VIOLATIONS"),
    check_transactions,
)
