"""The access rule over a recorded build (verify/redshift/rules/access.py, simulated_access.py).

A good recording of a table with personal data and a regional table passes; each broken variant (a grant to
PUBLIC or a user, a grant before the masking policy or the row-level security, a role never created, a
configured grant missing, a second build that creates or grants again what is in place) is caught.
"""

from __future__ import annotations

from typing import Any

from warehouse.verify.redshift.recording import PHASE_FIRST_BUILD, PHASE_SECOND_BUILD, Statement
from warehouse.verify.redshift.rules import RuleContext, access
from warehouse.verify.redshift.simulated_access import AccessState
from warehouse.verify.redshift.sqltext import normalized

CLEAR = frozenset({"eng"})
CUSTOMER = "model.p.dim_customer"
SALES = "model.p.fct_sales"


def _node(name: str, roles: list[str], pii: tuple[str, ...] = (), row_access: bool = False) -> dict[str, Any]:
    return {
        "unique_id": f"model.p.{name}",
        "resource_type": "model",
        "name": name,
        "alias": name,
        "schema": "gold",
        "config": {"grants": {"select": [f"role:{r}" for r in roles]}, "meta": {"row_access": row_access}},
        "columns": {
            column: {"name": column, "config": {"meta": {"pii": "email"} if column in pii else {}}}
            for column in ("customer_id", "email")
        },
    }


MANIFEST = {
    "nodes": {
        CUSTOMER: _node("dim_customer", ["eng", "analyst"], pii=("email",)),
        SALES: _node("fct_sales", ["eng", "analyst", "regional"], row_access=True),
    }
}

SETUP = ["create role analyst", "create role eng", "create role regional"]
CUSTOMER_BUILD = [
    'create table "db"."gold"."dim_customer__dbt_tmp" as select 1',
    'alter table "db"."gold"."dim_customer__dbt_tmp" rename to "dim_customer"',
    "create masking policy if not exists m_email with (value varchar(256)) using ('***'::varchar(256))",
    'attach masking policy m_email on "gold"."dim_customer" (email) to role analyst priority 10',
    'grant select on "db"."gold"."dim_customer" to ROLE eng, ROLE analyst',
]
SALES_BUILD = [
    'create table "db"."gold"."fct_sales" as select 1',
    "create rls policy rows_all with (region varchar(32)) as protected using (true)",
    "create rls policy rows_by_region with (region varchar(32)) as protected using (true)",
    'attach rls policy rows_all on "gold"."fct_sales" to role eng',
    'attach rls policy rows_all on "gold"."fct_sales" to role analyst',
    'attach rls policy rows_by_region on "gold"."fct_sales" to role regional',
    'alter table "gold"."fct_sales" row level security on',
    'grant select on "db"."gold"."fct_sales" to ROLE eng, ROLE analyst, ROLE regional',
]
# The second build rebuilds dim_customer (a table: a new object, its policies and grants again) and leaves
# the incremental fct_sales as it is.
SECOND_BUILD = [
    'create table "db"."gold"."dim_customer__dbt_tmp" as select 1',
    'alter table "db"."gold"."dim_customer" rename to "dim_customer__dbt_backup"',
    'alter table "db"."gold"."dim_customer__dbt_tmp" rename to "dim_customer"',
    'attach masking policy m_email on "gold"."dim_customer" (email) to role analyst priority 10',
    'grant select on "db"."gold"."dim_customer" to ROLE eng, ROLE analyst',
    'drop table if exists "db"."gold"."dim_customer__dbt_backup" cascade',
]


def _recording(first: list[str], second: list[str] = SECOND_BUILD) -> tuple[Statement, ...]:
    """Statements as recorded; those between BEGIN and COMMIT/ROLLBACK marked as inside a transaction block."""
    built = []
    for phase, sqls in ((PHASE_FIRST_BUILD, first), (PHASE_SECOND_BUILD, second)):
        in_transaction = False
        for sql in sqls:
            node = CUSTOMER if "dim_customer" in sql else SALES if "fct_sales" in sql else ""
            in_transaction = in_transaction or sql == "BEGIN"
            built.append(Statement(len(built), phase, node, sql, in_transaction))
            in_transaction = in_transaction and sql not in ("COMMIT", "rollback")
    return tuple(built)


def _messages(first: list[str], second: list[str] = SECOND_BUILD) -> list[str]:
    context = RuleContext(_recording(first, second), MANIFEST, clear_pii_roles=CLEAR)
    return [finding.message for finding in access.check_access(context).findings]


GOOD = SETUP + CUSTOMER_BUILD + SALES_BUILD


def test_a_build_that_protects_before_it_grants_passes() -> None:
    assert _messages(GOOD) == []


def _without(lines: list[str], dropped: str) -> list[str]:
    assert dropped in lines
    return [line for line in lines if line != dropped]


def _one(messages: list[str], expected: str) -> None:
    assert any(expected in message for message in messages), messages


def test_each_broken_build_is_caught() -> None:
    _one(_messages([*GOOD, 'grant select on "db"."gold"."fct_sales" to PUBLIC']), "to PUBLIC")
    _one(_messages([*GOOD, 'grant select on "db"."gold"."fct_sales" to alice']), "to user alice")
    unmasked = _without(
        GOOD, 'attach masking policy m_email on "gold"."dim_customer" (email) to role analyst priority 10'
    )
    _one(_messages(unmasked), "gold.dim_customer.email (personal data) readable by analyst unmasked")
    no_rls = _without(GOOD, 'alter table "gold"."fct_sales" row level security on')
    _one(_messages(no_rls), "gold.fct_sales readable by regional before its row-level security")
    no_policy = _without(GOOD, 'attach rls policy rows_by_region on "gold"."fct_sales" to role regional')
    _one(_messages(no_policy), "readable by regional before its row-level security")
    _one(_messages(_without(GOOD, "create role regional")), "to role regional, which was never created")
    extra = [*GOOD[:-1], 'grant select on "db"."gold"."fct_sales" to ROLE eng, ROLE analyst, ROLE regional, ROLE bi']
    _one(_messages(["create role bi", *extra]), "to bi, which its grants config does not name")
    missing = [line.replace(", ROLE regional", "") for line in GOOD]
    _one(_messages(missing), "never granted SELECT to regional")
    _one(_messages(GOOD, [*SECOND_BUILD, "create role analyst"]), "sets up access again")
    # Granting what is held changes nothing (dbt's materialized-view refresh does so); taking a grant away
    # or leaving a table without its policy at the end of a later run is a change.
    regrant = [*SECOND_BUILD, 'grant select on "db"."gold"."fct_sales" to ROLE eng, ROLE analyst, ROLE regional']
    assert _messages(GOOD, regrant) == []
    revoked = [*SECOND_BUILD, 'revoke select on "db"."gold"."fct_sales" from ROLE regional']
    _one(_messages(GOOD, revoked), "leaves access changed (grants)")
    detached = [*SECOND_BUILD, 'alter table "gold"."fct_sales" row level security off']
    _one(_messages(GOOD, detached), "leaves access changed (rls on)")
    # A rebuilt table has none of the old one's policies: granting it without attaching again is caught.
    unprotected_rebuild = _without(
        SECOND_BUILD, 'attach masking policy m_email on "gold"."dim_customer" (email) to role analyst priority 10'
    )
    _one(_messages(GOOD, unprotected_rebuild), "readable by analyst unmasked")


def test_a_grant_counts_when_its_transaction_commits() -> None:
    """dbt's incremental materialization grants before the post-hook attaches row-level security, in one
    transaction: nobody can read the table before COMMIT, so that passes; a COMMIT between them does not, and a
    rolled-back grant counts for nothing."""
    grant = SALES_BUILD[-1]
    policies = SALES_BUILD[1:-1]
    in_one_transaction = [*SETUP, *CUSTOMER_BUILD, "BEGIN", SALES_BUILD[0], grant, *policies, "COMMIT"]
    assert _messages(in_one_transaction) == []
    committed_first = [*SETUP, *CUSTOMER_BUILD, "BEGIN", SALES_BUILD[0], grant, "COMMIT", *policies]
    _one(_messages(committed_first), "gold.fct_sales readable by regional before its row-level security")
    rolled_back = [*GOOD, "BEGIN", 'grant select on "db"."gold"."fct_sales" to PUBLIC', "rollback"]
    assert _messages(rolled_back) == []


def test_the_pretend_cluster_answers_what_the_build_reads_back() -> None:
    """What the project's macros and dbt-redshift query after the statements above (the second build's
    questions): the roles, the table's grants and policies moved with a rename and dropped with a drop."""
    state = AccessState()
    for sql in GOOD + SECOND_BUILD[:3]:
        state.observe(normalized(sql))

    def rows(query: str) -> list[tuple[Any, ...]]:
        result = state.answer(normalized(query))
        assert result is not None, query
        return list(result.rows)

    assert rows("select role_name from svv_roles") == [("analyst",), ("eng",), ("regional",)]
    privileges = "select identity_name, identity_type, privilege_type from svv_relation_privileges where "
    assert rows(privileges + "namespace_name = 'gold' and relation_name = 'dim_customer'") == []
    assert rows(privileges + "namespace_name = 'gold' and relation_name = 'dim_customer__dbt_backup'") == [
        ("analyst", "role", "SELECT"),
        ("eng", "role", "SELECT"),
    ]
    masking = "select policy_name, grantee, output_columns from svv_attached_masking_policy where "
    assert rows(masking + "schema_name = 'gold' and table_name = 'dim_customer__dbt_backup'") == [
        ("m_email", "analyst", '["email"]')
    ]
    assert rows("select is_rls_on from svv_rls_relation where relschema = 'gold' and relname = 'fct_sales'") == [
        (True,)
    ]
    state.observe(normalized('drop table if exists "db"."gold"."dim_customer__dbt_backup" cascade'))
    assert rows(masking + "schema_name = 'gold' and table_name = 'dim_customer__dbt_backup'") == []
    assert state.answer("select 1") is None


def test_a_rolled_back_transaction_leaves_the_pretend_cluster_as_it_was() -> None:
    """Roles, grants and policies set up inside BEGIN ... ROLLBACK are gone afterwards (Redshift's DDL and
    GRANT are transactional), and what a COMMIT ended stays: the second build sees only what committed."""
    state = AccessState()
    for sql in [*SETUP, "BEGIN", *CUSTOMER_BUILD, "create role bi", "rollback"]:
        state.observe(normalized(sql))
    assert state.snapshot() == AccessState(roles={"analyst", "eng", "regional"}).snapshot()
    for sql in ["BEGIN", *CUSTOMER_BUILD, "COMMIT", "BEGIN", "ROLLBACK"]:
        state.observe(normalized(sql))
    assert state.masking == {("gold", "dim_customer"): {("m_email", "analyst", "email")}}
    # A BEGIN inside a block changes nothing (ROLLBACK goes back to the first BEGIN); COMMIT/ROLLBACK written
    # with WORK or TRANSACTION end the block as the bare words do.
    for sql in ["BEGIN", "create role x", "BEGIN", "create role y", "ROLLBACK WORK"]:
        state.observe(normalized(sql))
    assert {"x", "y"}.isdisjoint(state.roles)
    for sql in ["begin transaction", "create role x", "commit transaction", "begin", "rollback"]:
        state.observe(normalized(sql))
    assert "x" in state.roles
    # The rule replays the same way: a role whose creation was rolled back was never created.
    rolled_back_role = ["BEGIN", "create role regional", "rollback", *_without(GOOD, "create role regional")]
    _one(_messages(rolled_back_role), "to role regional, which was never created")
