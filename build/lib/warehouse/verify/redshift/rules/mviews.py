"""Rules over materialized views: MV on MV with AUTO REFRESH, contracts, CASCADE drops, streaming MVs."""

from __future__ import annotations

import re

from warehouse.verify.redshift.recording import Statement
from warehouse.verify.redshift.rules.base import Rule, RuleContext, RuleOutcome, aws, subject_of
from warehouse.verify.redshift.simulated import Relation
from warehouse.verify.redshift.sqltext import dotted_name
from warehouse.verify.redshift.tokens import Kind

_SUFFIX = re.compile(r"__dbt_(tmp|backup)\w*$")


def _create_mv_target(context: RuleContext, statement: Statement) -> tuple[tuple[str, str], int] | None:
    """(schema, name) a `create materialized view` statement creates, and the index of its AS."""
    if context.heads(statement, 3) != ["create", "materialized", "view"]:
        return None
    tokens = context.tokens[statement.index]
    parts, after = dotted_name(tokens, 3)
    if len(parts) < 2:
        return None
    as_index = next((j for j in range(after, len(tokens)) if tokens[j].is_word("as")), len(tokens))
    return (parts[-2], parts[-1]), as_index


def _auto_refresh_yes(context: RuleContext, statement: Statement, until: int) -> bool:
    tokens = context.tokens[statement.index]
    return any(
        tokens[j].is_word("auto") and tokens[j + 1].is_word("refresh") and tokens[j + 2].is_word("yes")
        for j in range(min(until, len(tokens)) - 2)
    )


def check_mv_on_mv(context: RuleContext) -> RuleOutcome:
    views = {(rel.schema.lower(), rel.identifier.lower()) for rel in context.materialized_views}
    created = [(s, _create_mv_target(context, s)) for s in context.statements]
    views |= {target[0] for _, target in created if target is not None}
    findings = []
    checked = 0
    for statement, target in created:
        if target is None:
            continue
        checked += 1
        key, as_index = target
        if not _auto_refresh_yes(context, statement, as_index):
            continue
        bases = sorted({ref for index, ref in context.referenced(statement) if index > as_index and ref in views})
        if bases:
            names = ", ".join(f"{schema}.{name}" for schema, name in bases)
            findings.append(
                RULES["mv-on-mv"].finding(
                    subject_of(statement),
                    f"materialized view {key[0]}.{key[1]} has AUTO REFRESH YES but reads the materialized view "
                    f"{names}: Redshift refuses auto refresh on an MV defined on another MV; set auto_refresh: false "
                    "(and refresh it after its base) or materialize it as a table",
                    statement,
                )
            )
    return RuleOutcome(checked, "MV creates", tuple(findings))


def check_contract_on_mv(context: RuleContext) -> RuleOutcome:
    findings = []
    for relation in context.materialized_views:
        contract = relation.config.get("contract") or {}
        if contract.get("enforced"):
            findings.append(
                RULES["contract-on-mv"].finding(
                    relation.unique_id,
                    "contract.enforced is true on a model materialized as materialized_view: dbt does not enforce "
                    "contracts on materialized views (dbt-redshift's CREATE MATERIALIZED VIEW ignores it); "
                    "materialize it as a table or drop the contract",
                )
            )
    return RuleOutcome(len(context.materialized_views), "MV models", tuple(findings))


def _is_bound_view(relation: Relation) -> bool:
    return relation.materialized == "view" and relation.config.get("bind", True) is not False


def _drop_target(context: RuleContext, statement: Statement) -> tuple[str, str, bool] | None:
    """(schema, name, cascade) of a `drop table|view|materialized view` statement."""
    heads = context.heads(statement, 3)
    if not heads or heads[0] != "drop":
        return None
    tokens = context.tokens[statement.index]
    i = 1
    if tokens[i].is_word("materialized"):
        i += 1
    if not tokens[i].is_word("table", "view"):
        return None
    i += 1
    while i < len(tokens) and tokens[i].is_word("if", "exists"):
        i += 1
    parts, after = dotted_name(tokens, i)
    if len(parts) < 2:
        return None
    cascade = any(token.is_word("cascade") for token in tokens[after:])
    return parts[-2], parts[-1], cascade


def _renames(context: RuleContext, statement: Statement) -> tuple[tuple[str, str], str] | None:
    """((schema, old name), new name) of an `alter table|view ... rename to` statement."""
    heads = context.heads(statement, 2)
    if heads[:1] != ["alter"]:
        return None
    tokens = context.tokens[statement.index]
    if len(tokens) < 3 or not tokens[1].is_word("table", "view"):
        return None
    parts, after = dotted_name(tokens, 2)
    if len(parts) < 2 or after + 2 >= len(tokens):
        return None
    if tokens[after].is_word("rename") and tokens[after + 1].is_word("to"):
        new = tokens[after + 2]
        if new.kind in (Kind.WORD, Kind.QUOTED):
            return (parts[-2], parts[-1]), new.text.strip('"').lower()
    return None


def check_drop_cascade(context: RuleContext) -> RuleOutcome:
    findings = []
    checked = 0
    for phase in dict.fromkeys(s.phase for s in context.statements):
        previous: dict[tuple[str, str], str] = {}  # backup name -> the model relation it was renamed from
        for statement in (s for s in context.statements if s.phase == phase):
            renamed = _renames(context, statement)
            if renamed is not None:
                (schema, old), new = renamed
                origin = context.project_relation(schema, previous.get((schema, old), old))
                if origin is not None:
                    previous[(schema, new)] = origin.identifier.lower()
                continue
            target = _drop_target(context, statement)
            if target is None:
                continue
            schema, name, cascade = target
            checked += 1
            if _SUFFIX.search(name) and (schema, name) not in previous:
                continue  # a leftover temp/backup relation that nothing was renamed to: nothing depends on it
            origin = context.project_relation(schema, previous.get((schema, name), name))
            if origin is None:
                continue
            dependents = []
            for uid in context.dependents(origin.unique_id):
                relation = next((r for r in context.relations if r.unique_id == uid), None)
                if relation is not None and (relation.materialized == "materialized_view" or _is_bound_view(relation)):
                    dependents.append(relation)
            if not dependents:
                continue
            kinds = ", ".join(
                f"{'materialized view' if r.materialized == 'materialized_view' else 'bound view'} "
                f"{r.schema}.{r.identifier}"
                for r in dependents
            )
            how = "DROP ... CASCADE drops" if cascade else "DROP without CASCADE fails because of"
            dropped = f"{schema}.{name}"
            if name != origin.identifier.lower():
                dropped += f" (the previous {origin.schema}.{origin.identifier})"
            findings.append(
                RULES["drop-cascade"].finding(
                    subject_of(statement),
                    f"{dropped} is dropped and {how} the {kinds} that depend on it: make the dependents "
                    "late-binding views (bind: false) or tables, or stop rebuilding the parent by rename and drop",
                    statement,
                )
            )
    return RuleOutcome(checked, "drops", tuple(findings))


def check_streaming_recreated(context: RuleContext) -> RuleOutcome:
    streaming = {(rel.schema.lower(), rel.identifier.lower()): rel for rel in context.streaming_views}
    findings = []
    for relation in streaming.values():
        config = relation.config
        problems = []
        if config.get("full_refresh") is not False:
            problems.append("full_refresh is not false, so `dbt build --full-refresh` re-creates it")
        if str(config.get("on_configuration_change") or "apply").lower() == "apply":
            problems.append("on_configuration_change is 'apply', so a dist/sort change re-creates it")
        for problem in problems:
            findings.append(
                RULES["streaming-recreated"].finding(
                    relation.unique_id,
                    f"streaming materialized view: {problem}; a re-created streaming MV reads the stream again from "
                    "TRIM_HORIZON and loses every record the stream no longer retains (set full_refresh: false and "
                    "on_configuration_change: fail)",
                )
            )
    checked = 0
    for statement in context.statements:
        existed_at_start = statement.phase not in context.empty_phases
        target = _drop_target(context, statement)
        if target is not None:
            key = (target[0], target[1])
            verb = "dropped"
        else:
            created = _create_mv_target(context, statement)
            if created is None:
                continue
            key, verb = created[0], "re-created"
            if not existed_at_start:
                continue  # the first build creates it: that is expected
        if key not in streaming:
            continue
        checked += 1
        findings.append(
            RULES["streaming-recreated"].finding(
                subject_of(statement),
                f"streaming materialized view {key[0]}.{key[1]} is {verb} while it exists: its next refresh reads the "
                "stream from TRIM_HORIZON and every record older than the stream's retention is lost; refresh it "
                "instead (full_refresh: false, on_configuration_change: fail)",
                statement,
            )
        )
    return RuleOutcome(len(streaming), "streaming MVs", tuple(findings))


def check_kinesis_reads(context: RuleContext) -> RuleOutcome:
    findings = []
    checked = 0
    for statement in context.statements:
        heads = context.heads(statement, 3)
        if heads[:3] == ["create", "external", "schema"]:
            continue
        refs = [ref for _, ref in context.referenced(statement) if ref[0] in context.kinesis_schemas]
        if not refs:
            continue
        checked += 1
        if heads == ["create", "materialized", "view"]:
            continue  # the streaming MV itself: the one place a stream is read
        schema, name = refs[0]
        findings.append(
            RULES["kinesis-read"].finding(
                subject_of(statement),
                f"reads the Kinesis stream {schema}.{name} outside a streaming materialized view: a stream is read "
                "only by refreshing its streaming MV; query the MV instead (for tests and freshness too)",
                statement,
            )
        )
    return RuleOutcome(checked, "stream reads", tuple(findings))


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            "mv-on-mv",
            "a materialized view with AUTO REFRESH YES created on another materialized view (dbt-redshift #668)",
            aws("materialized-view-create-sql-command"),
            check_mv_on_mv,
        ),
        Rule(
            "contract-on-mv",
            "an enforced contract on a model materialized as materialized_view",
            "https://docs.getdbt.com/reference/resource-configs/contract",
            check_contract_on_mv,
        ),
        Rule(
            "drop-cascade",
            "DROP ... CASCADE (or the rename-and-drop swap) of a relation a materialized or bound view depends on",
            aws("r_DROP_TABLE"),
            check_drop_cascade,
        ),
        Rule(
            "streaming-recreated",
            "a streaming materialized view dropped or re-created when it exists (second build, --full-refresh)",
            aws("materialized-view-streaming-ingestion"),
            check_streaming_recreated,
        ),
        Rule(
            "kinesis-read",
            "a statement reading the Kinesis external schema outside the streaming MV's CREATE",
            aws("materialized-view-streaming-ingestion-getting-started"),
            check_kinesis_reads,
        ),
    )
}
