"""The pretend cluster's access objects: roles, grants, masking and row-level security policies.

One `AccessState` lives through every phase of a recording (the cluster's security objects outlive a dbt
invocation): it follows the statements the build sends (CREATE ROLE, GRANT/REVOKE, CREATE/ATTACH MASKING
POLICY, CREATE/ATTACH RLS POLICY, ALTER TABLE ... ROW LEVEL SECURITY ON) and answers the system views the
project and dbt-redshift read them back from (svv_roles, svv_schema_privileges, svv_relation_privileges,
svv_masking_policy, svv_attached_masking_policy, svv_rls_policy, svv_rls_attached_policy, svv_rls_relation),
so the second build shows what a build does when everything is already in place.

What a table's grants and policies do when dbt rebuilds it follows AWS's guide: a new table has none;
RENAME keeps them on the renamed table, DROP removes them (t_rls_object_dependency; the same assumed for
grants and masking, whose pages do not say).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field, fields

from warehouse.verify.redshift.simulated import QueryResult
from warehouse.verify.redshift.sqltext import transaction_control

_VARCHAR, _BOOLEAN, _INTEGER = 1043, 16, 23

NAME = r'(?:"[^"]+"|[a-z0-9_$]+)'
QUALIFIED = rf"((?:{NAME}\.){{0,2}}{NAME})"
_GRANTEE = r"(?:role [a-z0-9_]+|group [a-z0-9_]+|public|[a-z0-9_]+)"
GRANTEES = rf"({_GRANTEE}(?:, {_GRANTEE})*)"

Table = tuple[str, str]


def table_of(qualified: str) -> Table:
    parts = [part.strip('"') for part in re.findall(NAME, qualified)]
    return (parts[-2] if len(parts) >= 2 else "", parts[-1])


def grantees_of(text: str) -> list[tuple[str, str]]:
    """(identity type, name) of each grantee of a GRANT/REVOKE list."""
    found = []
    for item in text.split(", "):
        kind, _, name = item.partition(" ")
        if kind in ("role", "group") and name:
            found.append((kind, name))
        elif item == "public":
            found.append(("public", "public"))
        else:
            found.append(("user", item))
    return found


def _where(text: str, column: str) -> str | None:
    match = re.search(rf"\b{column} = '([^']*)'", text)
    return match.group(1) if match else None


@dataclass
class AccessState:
    """Roles, grants and policies of the pretend cluster, by table (schema, name)."""

    superuser: bool = True
    roles: set[str] = field(default_factory=set)
    schema_usage: set[tuple[str, str]] = field(default_factory=set)
    grants: dict[Table, set[tuple[str, str, str]]] = field(default_factory=dict)
    masking_policies: set[str] = field(default_factory=set)
    masking: dict[Table, set[tuple[str, str, str]]] = field(default_factory=dict)
    rls_policies: set[str] = field(default_factory=set)
    rls: dict[Table, set[tuple[str, str]]] = field(default_factory=dict)
    rls_on: set[Table] = field(default_factory=set)
    # The state at BEGIN, restored by ROLLBACK (Redshift's DDL, grants and policies included, is transactional).
    # One session's transactions: the recording runs dbt on one thread, so its statements come in one sequence.
    _at_begin: dict[str, object] | None = field(default=None, repr=False, compare=False)

    # --- following the statements ----------------------------------------------------------------------

    def observe(self, text: str) -> None:
        """Follow one statement (`text`: normalized, lowercase)."""
        text = text.rstrip("; ")
        control = transaction_control(text)
        if control == "begin":
            if self._at_begin is None:  # a BEGIN inside a transaction block changes nothing
                self._at_begin = copy.deepcopy(self._held())
        elif control == "commit":
            self._at_begin = None
        elif control == "rollback":
            if self._at_begin is not None:
                for name, value in self._at_begin.items():
                    setattr(self, name, value)
            self._at_begin = None
        elif match := re.match(r"create role ([a-z0-9_]+)", text):
            self.roles.add(match.group(1))
        elif match := re.match(rf"(grant|revoke) usage on schema {NAME} (?:to|from) role ([a-z0-9_]+)", text):
            schema = re.match(rf"(?:grant|revoke) usage on schema ({NAME})", text).group(1).strip('"')  # type: ignore[union-attr]
            (self.schema_usage.add if match.group(1) == "grant" else self.schema_usage.discard)(
                (schema, match.group(2))
            )
        elif match := re.match(rf"(grant|revoke) ([a-z ,]+?) on (?:table )?{QUALIFIED} (?:to|from) {GRANTEES}$", text):
            table = table_of(match.group(3))
            held = self.grants.setdefault(table, set())
            for privilege in (p.strip() for p in match.group(2).split(",")):
                for kind, name in grantees_of(match.group(4)):
                    (held.add if match.group(1) == "grant" else held.discard)((privilege, kind, name))
        elif match := re.match(r"create masking policy (?:if not exists )?([a-z0-9_]+)", text):
            self.masking_policies.add(match.group(1))
        elif match := re.match(
            rf"attach masking policy ([a-z0-9_]+) on {QUALIFIED} \(([a-z0-9_, ]+)\) to (?:role )?([a-z0-9_]+)", text
        ):
            held = self.masking.setdefault(table_of(match.group(2)), set())
            for column in match.group(3).split(","):
                held.add((match.group(1), match.group(4), column.strip()))
        elif match := re.match(r"create rls policy ([a-z0-9_]+)", text):
            self.rls_policies.add(match.group(1))
        elif match := re.match(
            rf"attach rls policy ([a-z0-9_]+) on (?:table )?{QUALIFIED} to (?:role )?([a-z0-9_]+)", text
        ):
            self.rls.setdefault(table_of(match.group(2)), set()).add((match.group(1), match.group(3)))
        elif match := re.match(rf"alter table {QUALIFIED} row level security (on|off)", text):
            (self.rls_on.add if match.group(2) == "on" else self.rls_on.discard)(table_of(match.group(1)))
        elif match := re.match(rf"alter table {QUALIFIED} rename to ({NAME})", text):
            old = table_of(match.group(1))
            self._move(old, (old[0], match.group(2).strip('"')))
        elif match := re.match(
            rf"(?:create (?:temporary |temp )?(?:materialized )?(?:table|view) (?!if )"
            rf"|drop (?:materialized )?(?:table|view) (?:if exists )?){QUALIFIED}",
            text,
        ):
            # A new table has no grants or policies; CREATE TABLE IF NOT EXISTS of an existing one keeps them.
            self._move(table_of(match.group(1)), None)

    def _held(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in _HELD}

    def _move(self, old: Table, new: Table | None) -> None:
        for held in (self.grants, self.masking, self.rls):
            value = held.pop(old, None)
            if new is not None and value is not None:
                held[new] = value  # type: ignore[assignment]
        if old in self.rls_on:
            self.rls_on.discard(old)
            if new is not None:
                self.rls_on.add(new)

    def snapshot(self) -> dict[str, object]:
        """Everything access-related, comparable between two moments (tables without any left out)."""

        def kept(held: dict[Table, set[tuple[str, ...]]]) -> dict[Table, frozenset[tuple[str, ...]]]:
            return {table: frozenset(value) for table, value in held.items() if value}

        return {
            "roles": frozenset(self.roles),
            "schema usage": frozenset(self.schema_usage),
            "grants": kept(self.grants),  # type: ignore[arg-type]
            "masking policies": frozenset(self.masking_policies),
            "masking": kept(self.masking),  # type: ignore[arg-type]
            "rls policies": frozenset(self.rls_policies),
            "rls": kept(self.rls),  # type: ignore[arg-type]
            "rls on": frozenset(self.rls_on),
        }

    # --- answering the system views --------------------------------------------------------------------

    def answer(self, text: str) -> QueryResult | None:
        """The rows of a query on one of the access views, or None for any other query."""
        if "user_is_member_of(current_user, 'sys:secadmin')" in text:
            return QueryResult((("allowed", _BOOLEAN),), ((self.superuser,),))
        if "from svv_roles" in text:
            return QueryResult((("role_name", _VARCHAR),), tuple((role,) for role in sorted(self.roles)))
        if "from svv_schema_privileges" in text:
            rows = tuple((schema, role) for schema, role in sorted(self.schema_usage))
            return QueryResult((("namespace_name", _VARCHAR), ("identity_name", _VARCHAR)), rows)
        if "from svv_relation_privileges" in text:
            table = (_where(text, "namespace_name") or "", _where(text, "relation_name") or "")
            rows = tuple(
                (name, kind, privilege.upper())
                for privilege, kind, name in sorted(self.grants.get(table, set()))
                if kind != "user"
            )
            columns = (("identity_name", _VARCHAR), ("identity_type", _VARCHAR), ("privilege_type", _VARCHAR))
            return QueryResult(columns, rows)
        if "from svv_masking_policy" in text:
            return QueryResult((("policy_name", _VARCHAR),), tuple((p,) for p in sorted(self.masking_policies)))
        if "from svv_attached_masking_policy" in text:
            table = (_where(text, "schema_name") or "", _where(text, "table_name") or "")
            rows = tuple(
                (policy, grantee, json.dumps([column]))
                for policy, grantee, column in sorted(self.masking.get(table, set()))
            )
            columns = (("policy_name", _VARCHAR), ("grantee", _VARCHAR), ("output_columns", _VARCHAR))
            return QueryResult(columns, rows)
        if "from svv_rls_policy" in text:
            return QueryResult((("polname", _VARCHAR),), tuple((p,) for p in sorted(self.rls_policies)))
        if "from svv_rls_attached_policy" in text:
            table = (_where(text, "relschema") or "", _where(text, "relname") or "")
            rows = tuple(
                (policy, grantee, table in self.rls_on) for policy, grantee in sorted(self.rls.get(table, set()))
            )
            columns = (("polname", _VARCHAR), ("grantee", _VARCHAR), ("is_rls_on", _BOOLEAN))
            return QueryResult(columns, rows)
        if "from svv_rls_relation" in text:
            table = (_where(text, "relschema") or "", _where(text, "relname") or "")
            return QueryResult((("is_rls_on", _BOOLEAN),), ((table in self.rls_on,),))
        return None


_HELD = tuple(item.name for item in fields(AccessState) if not item.name.startswith("_") and item.name != "superuser")
