"""`warehouse lint`: the governance rules (naming, layering, documentation, key tests, freshness, contracts)
over dbt's manifest. Parses the project first unless given a manifest; exits 1 when a rule is broken."""

from __future__ import annotations

import argparse
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from warehouse import log
from warehouse.commands import Subparsers
from warehouse.config import Settings
from warehouse.lint import RULES, Violation, lint_manifest

logger = log.get("lint")


class LintInputError(Exception):
    """The manifest (or catalog) to lint could not be produced or read."""


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="check the project's conventions on dbt's manifest (naming, layers, docs, key tests, freshness)",
        description="Parse the dbt project (unless --manifest is given) and check every model, snapshot, seed, "
        "source and macro against the conventions: " + ", ".join(RULES) + ". Each finding names the rule and the "
        "resource. Exits 1 when any rule is broken.",
    )
    parser.add_argument("--manifest", type=Path, default=None, help="lint this manifest.json (no parse)")
    parser.add_argument(
        "--catalog",
        type=Path,
        default=None,
        help="catalog.json from `dbt docs generate`: also flag warehouse columns missing from the YAML",
    )
    parser.add_argument("--rule", action="append", choices=sorted(RULES), default=None, help="only this rule")
    parser.add_argument("--project-dir", type=Path, default=None, help="dbt project (default: this repository)")
    parser.add_argument(
        "--target-path", type=Path, default=None, help="where `dbt parse` writes (default: $DBT_TARGET_PATH or target)"
    )
    parser.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:
    try:
        # The spinner goes to stderr with the logs; the findings to stdout, where CI and pipes read them.
        manifest_path = args.manifest or parse_project(args.project_dir, args.target_path, log.console)
        manifest = read_json(manifest_path)
        catalog = read_json(args.catalog) if args.catalog else None
    except LintInputError as exc:
        logger.error("%s", exc)
        return 2
    violations = lint_manifest(manifest, catalog, args.rule)
    report(violations, manifest_path, Console(highlight=False))
    return 1 if violations else 0


def read_json(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise LintInputError(f"{path} does not exist: run `dbt parse` (or drop --manifest)") from exc
    except (OSError, ValueError) as exc:
        raise LintInputError(f"cannot read {path}: {exc}") from exc


def parse_project(project_dir: Path | None, target_path: Path | None, console: Console) -> Path:
    """`dbt parse` in this process, with a spinner; the path of the manifest.json it wrote."""
    from warehouse.build.dbt_runner import invoke_dbt

    settings = Settings.from_env()
    project = (project_dir or settings.project_dir).resolve()
    settings.apply_to_environ()
    target = (target_path or Path(os.environ.get("DBT_TARGET_PATH") or project / "target")).resolve()
    args = ["parse", "--project-dir", str(project), "--profiles-dir", str(project), "--target-path", str(target)]
    args += ["--log-level", "none", "--log-level-file", "debug"]
    with console.status("dbt parse: reading the project", spinner="dots"):
        result = invoke_dbt(args, [])
    if not result.success:
        raise LintInputError(f"dbt parse failed: {result.exception or 'see logs/dbt.log'}")
    return target / "manifest.json"


def report(violations: list[Violation], manifest_path: Path, console: Console) -> None:
    for violation in violations:
        console.print(violation.render(), markup=False, highlight=False, soft_wrap=True)
    if not violations:
        console.print(
            f"[bold green]governance lint: every rule holds[/] ({len(RULES)} rules, {manifest_path})", soft_wrap=True
        )
        return
    table = Table(title="governance lint", show_edge=False)
    table.add_column("rule")
    table.add_column("violations", justify="right")
    for rule, count in sorted(Counter(violation.rule for violation in violations).items()):
        table.add_row(rule, str(count))
    console.print(table)
    console.print(
        f"[bold red]governance lint failed: {len(violations)} violation(s)[/] in {manifest_path}", soft_wrap=True
    )
