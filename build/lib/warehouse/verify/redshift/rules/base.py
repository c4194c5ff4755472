"""What every statement rule shares: the rule record, its outcome, and the context it reads.

A rule is a small function over a `RuleContext` (the recorded statements, the manifest, the external
schemas and tables the recording created) returning a `RuleOutcome`: how much it checked and its findings.
Every finding names the node that sent the statement (or the phase), says what to do in one line and ends
with the page that states the limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from warehouse.verify.redshift.findings import Check, Finding
from warehouse.verify.redshift.recording import PHASE_FIRST_BUILD, Statement
from warehouse.verify.redshift.rules.external import ExternalTable, parse_external_table
from warehouse.verify.redshift.simulated import Relation, project_relations, source_relations
from warehouse.verify.redshift.sqltext import excerpt, first_words, qualified_names
from warehouse.verify.redshift.tokens import Kind, tokenize

AWS_DG = "https://docs.aws.amazon.com/redshift/latest/dg/"


def aws(page: str) -> str:
    """The URL of a page of the Amazon Redshift Database Developer Guide."""
    return f"{AWS_DG}{page}.html"


@dataclass(frozen=True)
class RuleOutcome:
    checked: int
    unit: str
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One check over the recorded statements. `citation` is the page that states the limit."""

    name: str
    catches: str
    citation: str
    check: Callable[[RuleContext], RuleOutcome]

    def finding(self, subject: str, message: str, statement: Statement | None = None, snippet: str = "") -> Finding:
        if statement is not None and not snippet:
            snippet = f"#{statement.index} [{statement.phase}] {excerpt(statement.sql)}"
        return Finding(Check.RULES, subject, None, f"[{self.name}] {message} (see {self.citation})", snippet)


def subject_of(statement: Statement) -> str:
    return statement.node or f"({statement.phase})"


@dataclass(frozen=True)
class RuleContext:
    """The recording plus what the rules derive from it and from the manifest."""

    statements: tuple[Statement, ...]
    manifest: Mapping[str, Any] = field(default_factory=dict)
    kinesis_schemas: frozenset[str] = frozenset({"kinesis"})
    # Phases that started with no project relation (everything else started with all of them).
    empty_phases: frozenset[str] = frozenset({PHASE_FIRST_BUILD})
    # SQL that dbt does not send but the warehouse code does: (subject, SQL), checked by the SQL-text rules.
    extra_sql: tuple[tuple[str, str], ...] = ()
    # dbt_project.yml's access vars (rules/access.py): roles that read personal data in clear.
    clear_pii_roles: frozenset[str] = frozenset()

    @cached_property
    def tokens(self) -> dict[int, list[Any]]:
        return {statement.index: tokenize(statement.sql) for statement in self.statements}

    @cached_property
    def _heads(self) -> dict[int, list[str]]:
        return {s.index: first_words(s.sql, 8) for s in self.statements}

    def heads(self, statement: Statement, count: int = 4) -> list[str]:
        """The statement's first `count` (at most 8) words, lowercased."""
        words = self._heads.get(statement.index)
        return (words if words is not None else first_words(statement.sql, 8))[:count]

    @cached_property
    def external_tables(self) -> dict[tuple[str, str], ExternalTable]:
        """(schema, table) -> the external table as the recording created it."""
        tables: dict[tuple[str, str], ExternalTable] = {}
        for statement in self.statements:
            if self.heads(statement, 3) == ["create", "external", "table"]:
                table = parse_external_table(statement.sql)
                if table is not None:
                    tables[(table.schema, table.name)] = table
        return tables

    @cached_property
    def external_schemas(self) -> frozenset[str]:
        """Every external schema: created by the recording, the Kinesis schemas, Spectrum source schemas."""
        names = set(self.kinesis_schemas) | {schema for schema, _ in self.external_tables}
        for statement in self.statements:
            words = self.heads(statement, 8)
            if words[:3] == ["create", "external", "schema"]:
                name_at = 6 if words[3:5] == ["if", "not"] else 3
                names.add(words[name_at] if len(words) > name_at else "")
        names |= {rel.schema.lower() for rel in self.sources if rel.materialized == "external"}
        return frozenset(name for name in names if name)

    @cached_property
    def relations(self) -> list[Relation]:
        return project_relations(self.manifest)

    @cached_property
    def sources(self) -> list[Relation]:
        return source_relations(self.manifest)

    @cached_property
    def relation_by_name(self) -> dict[tuple[str, str], Relation]:
        return {(rel.schema.lower(), rel.identifier.lower()): rel for rel in self.relations}

    @cached_property
    def nodes(self) -> Mapping[str, Any]:
        return self.manifest.get("nodes") or {}

    def dependents(self, unique_id: str) -> list[str]:
        """Project nodes (models) whose SQL depends on `unique_id`."""
        return [
            uid
            for uid, node in self.nodes.items()
            if node.get("resource_type") == "model" and unique_id in ((node.get("depends_on") or {}).get("nodes") or [])
        ]

    @cached_property
    def materialized_views(self) -> list[Relation]:
        return [rel for rel in self.relations if rel.materialized == "materialized_view"]

    @cached_property
    def streaming_views(self) -> list[Relation]:
        """Materialized views whose SQL reads a Kinesis external schema (streaming ingestion)."""
        kinesis_sources = {rel.unique_id for rel in self.sources if rel.schema.lower() in self.kinesis_schemas}
        streaming = []
        for rel in self.materialized_views:
            depends = set((self.nodes.get(rel.unique_id, {}).get("depends_on") or {}).get("nodes") or [])
            if depends & kinesis_sources or self._creates_from_kinesis(rel):
                streaming.append(rel)
        return streaming

    def _creates_from_kinesis(self, relation: Relation) -> bool:
        for statement in self.statements:
            creates = statement.node == relation.unique_id and self.heads(statement, 3) == [
                "create",
                "materialized",
                "view",
            ]
            if creates and self.reads_schemas(statement, self.kinesis_schemas):
                return True
        return False

    def referenced(self, statement: Statement) -> list[tuple[int, tuple[str, str]]]:
        """(token index, (schema, name)) of every schema-qualified relation name in the statement."""
        return [(index, (parts[-2], parts[-1])) for index, parts in qualified_names(self.tokens[statement.index])]

    def reads_schemas(self, statement: Statement, schemas: Iterable[str]) -> bool:
        wanted = {schema.lower() for schema in schemas}
        return any(key[0] in wanted for _, key in self.referenced(statement))

    def project_relation(self, schema: str, name: str) -> Relation | None:
        return self.relation_by_name.get((schema.lower(), name.lower()))


def words_of(tokens: Sequence[Any]) -> list[str]:
    return [token.lower for token in tokens if token.kind is Kind.WORD]


def kinesis_schemas(statements: Iterable[Statement], project_dir: Path | None = None) -> frozenset[str]:
    """The Kinesis external schemas: `var('kinesis_schema')` of dbt_project.yml and every schema the
    statements create `from kinesis`."""
    names: set[str] = set()
    if project_dir is not None:
        try:
            project = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            project = {}
        value = (project.get("vars") or {}).get("kinesis_schema")
        if isinstance(value, str) and value:
            names.add(value.lower())
    for statement in statements:
        words = first_words(statement.sql, 10)
        if words[:3] != ["create", "external", "schema"]:
            continue
        name_at = 6 if words[3:5] == ["if", "not"] else 3
        if words[name_at + 1 : name_at + 3] == ["from", "kinesis"]:
            names.add(words[name_at])
    return frozenset(names)
