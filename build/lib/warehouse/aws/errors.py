"""Named exceptions of the AWS commands. Every message says what failed and what to do about it."""

from __future__ import annotations


class AwsCommandError(Exception):
    """Base class: a `warehouse` AWS command cannot go on. The CLI prints the message and exits 1."""


class AwsSettingsError(AwsCommandError):
    """A setting is missing or invalid (which variable, and what to set it to, is in the message)."""


class DatasetDefinitionError(AwsCommandError):
    """A source table's `external:` block in models/bronze/*/_*__sources.yml is missing or invalid."""


class GlueCatalogError(AwsCommandError):
    """Creating or updating a Glue database, table or partition failed."""


class LakeListingError(AwsCommandError):
    """The lake (S3 or a local folder) could not be listed."""


class DataApiError(AwsCommandError):
    """The Redshift Data API refused a request or a statement did not finish."""


class StatementFailedError(DataApiError):
    """Redshift ran the statement and it failed; `server_message` is Redshift's own error text."""

    def __init__(self, message: str, *, statement_id: str, server_message: str, query_id: int | None = None):
        super().__init__(message)
        self.statement_id = statement_id
        self.server_message = server_message
        self.query_id = query_id


class SerializationConflictError(StatementFailedError):
    """Error 1023: a serializable isolation violation that outlasted the retries."""


class StatementTimeoutError(DataApiError):
    """A statement ran past its time limit; it was cancelled."""

    def __init__(self, message: str, *, statement_id: str):
        super().__init__(message)
        self.statement_id = statement_id


class StatementAbortedError(DataApiError):
    """The statement was cancelled (by us, by an operator, or by WLM)."""


class LoadError(AwsCommandError):
    """A COPY failed, or rejected more rows than allowed; the load errors are in the message."""


class ExportError(AwsCommandError):
    """An UNLOAD or a local export failed."""


class RecoveryError(AwsCommandError):
    """A disaster-recovery step (snapshot, copy, restore, verify) failed or found a mismatch."""
