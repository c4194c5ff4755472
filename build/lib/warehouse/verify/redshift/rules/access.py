"""Access rules over the recorded build: grants as configured, never to PUBLIC, personal data masked and
regional rows restricted before anyone can read them, and a second build that changes nothing.

The recording is replayed through a fresh AccessState (simulated_access.py). A GRANT takes effect for other
sessions when it commits: at the COMMIT of its transaction block (dbt's incremental materialization grants
before the model's post-hooks, inside the transaction), at once outside one (the table materialization grants
after its commit, once the in-transaction post-hook has attached the policies). At that moment the rule
knows which roles exist and which masking and row-level security policies the table carries. After the first
build, every later run must leave roles, grants and policies exactly as they were (a GRANT that adds nothing,
as dbt's materialized-view refresh sends, changes nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from warehouse.lint.project import SOURCE, Resource, load_project
from warehouse.verify.redshift.recording import PHASE_FIRST_BUILD, Statement
from warehouse.verify.redshift.rules.base import Rule, RuleContext, RuleOutcome, aws, subject_of
from warehouse.verify.redshift.simulated_access import GRANTEES, QUALIFIED, AccessState, grantees_of, table_of
from warehouse.verify.redshift.sqltext import normalized, transaction_control

_GRANT = re.compile(rf"grant ([a-z ,]+?) on (?:table )?{QUALIFIED} to {GRANTEES}$")
_SETUP = (
    "create role",
    "create masking policy",
    "create rls policy",
    "grant usage on schema",
    "revoke usage on schema",
)


def _configured(context: RuleContext) -> dict[tuple[str, str], Resource]:
    """(schema, table) -> the model, seed or snapshot built there, as the governance rules read it."""
    resources = load_project(context.manifest).resources.values()
    return {resource.relation: resource for resource in resources if resource.resource_type != SOURCE}


def _text(statement: Statement) -> str:
    return normalized(statement.sql).rstrip("; ")


def check_access(context: RuleContext) -> RuleOutcome:
    findings = []
    wanted = _configured(context)
    state = AccessState()
    granted_first: dict[tuple[str, str], set[str]] = {}
    # GRANTs sent inside BEGIN ... COMMIT take effect for others at the COMMIT: a policy the same
    # transaction attaches after the GRANT (dbt's incremental materialization grants before its post-hooks)
    # is in place by then. Outside a transaction block a statement commits at once.
    pending: list[tuple[Statement, tuple[str, str], list[tuple[str, str]]]] = []
    after_phase: dict[str, dict[str, object]] = {}
    checked = 0
    for statement in context.statements:
        if after_phase and statement.phase not in after_phase:
            after_phase[next(reversed(after_phase))] = state.snapshot()
        after_phase.setdefault(statement.phase, {})
        text = _text(statement)
        subject = subject_of(statement)
        if statement.phase != PHASE_FIRST_BUILD and text.startswith(_SETUP):
            findings.append(
                RULE.finding(
                    subject, "a build after the first one sets up access again: it must find it in place", statement
                )
            )
        grant = _GRANT.match(text)
        if grant is not None:
            checked += 1
            table = table_of(grant.group(2))
            grantees = grantees_of(grant.group(3))
            if statement.phase == PHASE_FIRST_BUILD:
                granted_first.setdefault(table, set()).update(name for kind, name in grantees if kind == "role")
            pending.append((statement, table, grantees))
        state.observe(text)
        control = transaction_control(text)
        if control == "rollback":
            pending.clear()
        elif control == "commit" or not statement.in_transaction:
            for granted, table, grantees in pending:
                findings += _grant_findings(context, granted, state, table, grantees, wanted)
            pending.clear()
    if after_phase:
        after_phase[next(reversed(after_phase))] = state.snapshot()
    findings += _changes_after_the_first_build(after_phase)
    for table, resource in sorted(wanted.items()):
        missing = ", ".join(sorted(set(resource.readers) - granted_first.get(table, set())))
        if resource.resource_type == "model" and missing:
            findings.append(RULE.finding(resource.unique_id, f"never granted SELECT to {missing}"))
    return RuleOutcome(checked, "grants", tuple(findings))


def _changes_after_the_first_build(after_phase: Mapping[str, Mapping[str, object]]) -> list[Any]:
    """Each later run (second build, full refresh, snapshot, ...) must leave access as the first build did."""
    findings: list[Any] = []
    first = after_phase.get(PHASE_FIRST_BUILD)
    if first is None:
        return findings
    previous = first
    for phase, now in after_phase.items():
        changed = [part for part in now if now[part] != previous[part]]
        if changed:
            findings.append(
                RULE.finding(
                    f"run {phase}", f"leaves access changed ({', '.join(changed)}): a later run changes nothing"
                )
            )
        previous = now
    return findings


def _grant_findings(
    context: RuleContext,
    statement: Statement,
    state: AccessState,
    table: tuple[str, str],
    grantees: Iterable[tuple[str, str]],
    wanted: Mapping[tuple[str, str], Resource],
) -> list[Any]:
    findings = []
    subject = subject_of(statement)
    name = ".".join(table)
    base = (table[0], re.sub(r"__dbt_(tmp|backup).*$", "", table[1]))
    resource = wanted.get(base)
    for kind, grantee in grantees:
        if kind != "role":
            who = "PUBLIC" if kind == "public" else f"{kind} {grantee}"
            findings.append(
                RULE.finding(subject, f"grants {name} to {who}: grant to the project's roles only", statement)
            )
            continue
        if grantee not in state.roles:
            findings.append(
                RULE.finding(subject, f"grants {name} to role {grantee}, which was never created", statement)
            )
        if resource is not None and grantee not in resource.readers:
            findings.append(
                RULE.finding(subject, f"grants {name} to {grantee}, which its grants config does not name", statement)
            )
        if grantee in context.clear_pii_roles or resource is None:
            continue
        attached = {column for _policy, role, column in state.masking.get(table, set()) if role == grantee}
        for column in (column.name.lower() for column in resource.columns if column.pii):
            if column not in attached:
                findings.append(
                    RULE.finding(subject, f"{name}.{column} (personal data) readable by {grantee} unmasked", statement)
                )
        if resource.row_access:
            policies = {role for _policy, role in state.rls.get(table, set())}
            if table not in state.rls_on or grantee not in policies:
                findings.append(
                    RULE.finding(
                        subject,
                        f"{name} readable by {grantee} before its row-level security (on, with a policy for it)",
                        statement,
                    )
                )
    return findings


RULE = Rule(
    "access",
    "a grant not configured, to PUBLIC or a user, before masking/RLS; access set up again by a later build",
    aws("t_ddm") + ", " + aws("t_rls_object_dependency"),
    check_access,
)
