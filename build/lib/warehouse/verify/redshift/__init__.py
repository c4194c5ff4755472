"""Offline verification of the Redshift build: compile with dbt, parse, check compatibility and design,
then record every statement dbt-redshift would send and check it against AWS's documented limits.

Nothing here connects to Redshift or AWS. See docs/redshift.md, "Offline verification".
"""

from __future__ import annotations

from warehouse.verify.redshift.check import VerifyConfig, VerifyReport, run
from warehouse.verify.redshift.compat import check_sql
from warehouse.verify.redshift.errors import (
    DbtStepError,
    FunctionListError,
    ManifestError,
    OfflineConnectionError,
    RedshiftCheckError,
)
from warehouse.verify.redshift.findings import Check, Finding
from warehouse.verify.redshift.fluff import count_unparsable, make_linter, parse_findings
from warehouse.verify.redshift.physical import ModelDesign, check_physical_design, is_time_column

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
