"""Offline verification of the Redshift build: compile with dbt, parse, check compatibility and design,
then record every statement dbt-redshift would send and check it against AWS's documented limits.

Nothing here connects to Redshift or AWS. See docs/redshift.md, "Offline verification".
"""

from __future__ import annotations

from warehouse.redshift_check.compat import check_sql
from warehouse.redshift_check.errors import (
    DbtStepError,
    FunctionListError,
    ManifestError,
    OfflineConnectionError,
    RedshiftCheckError,
)
from warehouse.redshift_check.findings import Check, Finding
from warehouse.redshift_check.fluff import count_unparsable, make_linter, parse_findings
from warehouse.redshift_check.physical import ModelDesign, check_physical_design, is_time_column
from warehouse.redshift_check.runner import VerifyConfig, VerifyReport, run

__all__ = [
    "Check",
    "DbtStepError",
    "Finding",
    "FunctionListError",
    "ManifestError",
    "ModelDesign",
    "OfflineConnectionError",
    "RedshiftCheckError",
    "VerifyConfig",
    "VerifyReport",
    "check_physical_design",
    "check_sql",
    "count_unparsable",
    "is_time_column",
    "make_linter",
    "parse_findings",
    "run",
]
