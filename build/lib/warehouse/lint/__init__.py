"""Governance lint: the project's conventions checked on dbt's manifest (see `rules` for the rule list)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from warehouse.lint.project import Project, load_project
from warehouse.lint.rules import RULES, Violation, lint_project

__all__ = ["RULES", "Project", "Violation", "lint_manifest", "lint_project", "load_project"]


def lint_manifest(
    manifest: dict[str, Any], catalog: dict[str, Any] | None = None, rules: Iterable[str] | None = None
) -> list[Violation]:
    """Every violation in a parsed manifest.json (and catalog.json, for undocumented warehouse columns)."""
    return lint_project(load_project(manifest, catalog), rules)
