"""Named exceptions for the offline Redshift verification."""

from __future__ import annotations


class RedshiftCheckError(Exception):
    """Base class: the verification could not run; the message says why and what to do."""


class FunctionListError(RedshiftCheckError):
    """The packaged list of Redshift function names is missing or empty."""


class DbtStepError(RedshiftCheckError):
    """`dbt parse` or `dbt compile` failed before any SQL could be checked."""

    def __init__(self, step: str, detail: str) -> None:
        super().__init__(f"dbt {step} for the redshift target failed: {detail}")
        self.step = step
        self.detail = detail


class OfflineConnectionError(RedshiftCheckError):
    """Something tried to open a Redshift connection while compiling offline."""


class ManifestError(RedshiftCheckError):
    """The Redshift manifest.json is missing or unreadable."""
