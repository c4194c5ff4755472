"""Provisioned-cluster system views (STL_, SVL_, STV_, SVCS_) mixed with SYS_ monitoring views.

The query ids differ: STL/SVL views number a query in `query` (what pg_last_copy_id() and pg_last_query_id()
return on a provisioned cluster), SYS views in `query_id`, a different identifier (sys_view_migration.html).
A statement that joins or filters both kinds by one id reads another query's rows, or none.

These statements are not dbt's: besides the recording, `sql_from_python` collects the SQL string literals
of the warehouse's AWS code (scripts/warehouse/aws) and `check_sql_texts` checks any given SQL.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

from warehouse.verify.redshift.findings import Finding
from warehouse.verify.redshift.recording import Statement
from warehouse.verify.redshift.rules.base import Rule, RuleContext, RuleOutcome, aws, subject_of
from warehouse.verify.redshift.tokens import Kind, tokenize

PROVISIONED_PREFIXES = ("stl_", "svl_", "stv_", "svcs_")
STL_ID_FUNCTIONS = frozenset({"pg_last_copy_id", "pg_last_query_id", "pg_last_unload_id"})
_SQL_STARTS = ("select", "with", "insert", "update", "delete", "create", "unload", "copy", "merge")


def system_view_problem(sql: str) -> str | None:
    """Why `sql` mixes query ids of provisioned-only views and SYS views, or None."""
    words = [token.lower for token in tokenize(sql) if token.kind is Kind.WORD]
    provisioned = sorted({word for word in words if word.startswith(PROVISIONED_PREFIXES)})
    sys_views = sorted({word for word in words if word.startswith("sys_")})
    stl_ids = sorted({word for word in words if word in STL_ID_FUNCTIONS})
    if sys_views and provisioned:
        return (
            f"joins {', '.join(provisioned)} with {', '.join(sys_views)}: STL/SVL `query` and SYS `query_id` are "
            "different ids; use only SYS views (query_id) or only STL/SVL views (query)"
        )
    if sys_views and stl_ids:
        return (
            f"matches {', '.join(stl_ids)}() (an STL query id) against {', '.join(sys_views)}: SYS views number "
            "queries with their own query_id; read the STL views on a provisioned cluster"
        )
    return None


def check_system_views(context: RuleContext) -> RuleOutcome:
    findings = []
    checked = 0
    for statement in context.statements:
        lowered = statement.sql.lower()
        if "sys_" not in lowered and not any(prefix in lowered for prefix in PROVISIONED_PREFIXES):
            continue
        checked += 1
        problem = system_view_problem(statement.sql)
        if problem:
            findings.append(RULE.finding(subject_of(statement), problem, statement))
    extra_checked, extra = check_sql_texts(context.extra_sql)
    unit = f"statements + {extra_checked} SQL texts"
    return RuleOutcome(checked + extra_checked, unit, (*findings, *extra))


def _literal_text(node: ast.AST) -> str | None:
    """The text of a string constant or f-string (placeholders become `0`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            parts.append(value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else "0")
        return "".join(parts)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal_text(node.left), _literal_text(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def sql_from_python(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """(`file:line`, SQL) for every string literal in the files that reads a system view."""
    found: list[tuple[str, str]] = []
    for path in sorted(paths):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError):
            continue
        seen: set[int] = set()
        for node in ast.walk(tree):
            if id(node) in seen:
                continue
            text = _literal_text(node)
            if text is None:
                continue
            for child in ast.walk(node):
                seen.add(id(child))
            lowered = text.lower()
            if not lowered.lstrip().startswith(_SQL_STARTS):
                continue  # prose (a docstring, a message), not a statement
            if "sys_" in lowered or any(prefix in lowered for prefix in PROVISIONED_PREFIXES):
                found.append((f"{path}:{getattr(node, 'lineno', 0)}", text))
    return found


def check_sql_texts(texts: Iterable[tuple[str, str]]) -> tuple[int, list[Finding]]:
    """Check (subject, SQL) pairs that are not dbt statements; returns how many were checked."""
    findings = []
    checked = 0
    for subject, sql in texts:
        checked += 1
        problem = system_view_problem(sql)
        if problem:
            statement = Statement(0, "sql", subject, sql, False)
            findings.append(RULE.finding(subject, problem, statement, snippet=" ".join(sql.split())[:160]))
    return checked, findings


def sql_files(paths: Iterable[Path]) -> list[tuple[str, str]]:
    """(path, text) of SQL files, and the SQL literals of Python files, among `paths` (files or folders)."""
    texts: list[tuple[str, str]] = []
    python: list[Path] = []
    for path in paths:
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if file.suffix == ".py":
                python.append(file)
            elif file.suffix == ".sql" and file.is_file():
                texts.append((str(file), file.read_text(encoding="utf-8")))
    return texts + sql_from_python(python)


RULE = Rule(
    "system-view-ids",
    "a query mixing STL_/SVL_ query ids (or pg_last_copy_id()) with SYS_ views",
    aws("sys_view_migration"),
    check_system_views,
)
