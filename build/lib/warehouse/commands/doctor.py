"""`warehouse doctor [--target duckdb|redshift]`: every missing or inconsistent setting of a target at once.

duckdb: the data folder and the DuckDB file (writable, not locked), the lake (the build's own preflight:
every dataset folder with files), its manifest, the extension wheels the configuration loads (httpfs for
S3, postgres_scanner for the live catalog), the live catalog's connection string, and the settings.
redshift: every setting dbt's redshift profile and its hooks, `spectrum setup`, `copy`, `unload` and `ops`
need, each missing one with what it is for. Secrets are shown as set or missing, never their value.
Nothing touches the network unless --check-connection is given. Exit status 1 when anything is wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TextIO

from warehouse.commands import Subparsers
from warehouse.config import PROJECT_DIR
from warehouse.doctor import docs_table
from warehouse.doctor.findings import Finding, Status
from warehouse.doctor.local import local_findings
from warehouse.doctor.registry import SETTINGS_LIST, TARGET_USES, Setting, alias_in_use, raw
from warehouse.doctor.remote import alias_findings, connection_findings, credentials_findings
from warehouse.doctor.requirements import problems

TARGETS = {"duckdb": "duckdb", "local": "duckdb", "redshift": "redshift"}


def findings_for(target: str, env: Mapping[str, str], check_connection: bool = False) -> list[Finding]:
    uses = TARGET_USES[target]
    findings = [Finding.from_problem(problem) for problem in problems(uses, env)]
    findings += alias_findings(env)
    if target == "duckdb":
        findings += local_findings(env, PROJECT_DIR, check_connection)
        if any(f.subject.startswith("duckdb-extension-httpfs") for f in findings):
            findings += credentials_findings(env)
    else:
        findings += credentials_findings(env)
        if check_connection:
            findings += connection_findings(env)
    return findings


def setting_state(setting: Setting, env: Mapping[str, str], unmet: set[str]) -> str:
    """What the listing shows: a value (never a secret's), `set`, the default, or missing."""
    alias = alias_in_use(env, setting.name)
    text = raw(env, setting.name) or (env[alias].strip() if alias else "")
    if text:
        shown = "set" if setting.secret else text
        return f"{shown} (from the deprecated {alias})" if alias else shown
    if setting.name in unmet and not setting.default:
        return "missing"
    return f"unset, default {setting.default}" if setting.default else "unset"


def render(target: str, findings: Sequence[Finding], env: Mapping[str, str], out: TextIO) -> None:
    uses = TARGET_USES[target]
    unmet = {name for problem in problems(uses, env) if problem.kind == "missing" for name in problem.names}
    order = {Status.PROBLEM: 0, Status.WARNING: 1, Status.OK: 2}
    out.write(f"warehouse doctor --target {target}\n\nchecks:\n")
    for finding in sorted(findings, key=lambda f: order[f.status]):
        out.write(f"  {finding.status.value:<8} {finding.subject}: {finding.detail}\n")
    listed = [s for s in SETTINGS_LIST if set(s.uses) & uses]
    width = max(len(s.name) for s in listed)
    out.write("\nsettings (secrets show only set or missing):\n")
    for setting in listed:
        out.write(f"  {setting.name:<{width}}  {setting_state(setting, env, unmet)}\n")
    count = sum(f.status is Status.PROBLEM for f in findings)
    if count:
        out.write(f"\n{count} problem(s), all listed above; docs/settings.md describes every setting.\n")
    else:
        out.write(f"\nno problems: the {target} target has what it needs.\n")


def run(target: str, env: Mapping[str, str], out: TextIO, check_connection: bool = False) -> int:
    findings = findings_for(target, env, check_connection)
    render(target, findings, env, out)
    return 1 if any(f.status is Status.PROBLEM for f in findings) else 0


def _command(args: argparse.Namespace) -> int:
    if args.settings_table:
        if args.write:
            docs_table.write_table()
            print(f"wrote the settings table of {docs_table.DOC_PATH}")
        else:
            sys.stdout.write(docs_table.render_table())
        return 0
    # A wrong WAREHOUSE_TARGET is reported as an invalid setting of the duckdb target.
    target = TARGETS.get(args.target or os.environ.get("WAREHOUSE_TARGET", "").strip(), "duckdb")
    return run(target, os.environ, sys.stdout, args.check_connection)


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="list every missing or inconsistent setting of a target at once",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--target", choices=sorted(TARGETS), help="default: $WAREHOUSE_TARGET (local = duckdb)")
    parser.add_argument(
        "--check-connection",
        action="store_true",
        help="also connect: TCP to REDSHIFT_HOST, or the live catalog's PostgreSQL (default: no network)",
    )
    parser.add_argument("--settings-table", action="store_true", help="print the settings table of docs/settings.md")
    parser.add_argument("--write", action="store_true", help="with --settings-table: rewrite it in docs/settings.md")
    parser.set_defaults(func=_command)
