"""Which failures of a step are worth retrying: transient ones (a conflict, throttling, a dropped connection).

A data test that fails, a model whose SQL is wrong, a missing setting: running again gives the same answer,
so the task fails at once and the alert goes out an hour earlier. A transient failure is retried with an
exponential backoff. The DAG's retry policy (`dag.TransientFailuresOnly`) asks `is_transient`.
"""

from __future__ import annotations

import re
from datetime import timedelta

# Each pattern is a failure that a later attempt can get past.
TRANSIENT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE))
    for reason, pattern in (
        # Redshift cancels one of two concurrent transactions that are not serializable and says to retry
        # it (Database Developer Guide, "Serializable isolation", c_serial_isolation: ERROR:1023).
        ("serialization conflict", r"ERROR:\s*1023|serializable isolation violation|could not serialize access"),
        # AWS APIs (Data API, Glue, S3, CloudWatch) answer a burst of calls with throttling errors.
        (
            "throttling",
            r"ThrottlingException|Throttling|Rate exceeded|TooManyRequestsException|RequestLimitExceeded"
            r"|SlowDown|ActiveStatementsExceededException",
        ),
        (
            "connection lost",
            r"connection reset|server closed the connection unexpectedly|could not connect to server"
            r"|connection timed out|SSL SYSCALL error|EndpointConnectionError|ReadTimeoutError",
        ),
        # DuckDB: another process holds the warehouse file (a shell, an earlier run still ending).
        ("warehouse file locked", r"Could not set lock on file"),
    )
)

FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(minutes=15)


def transient_reason(text: str) -> str | None:
    """The kind of transient failure `text` (an error message or a step's output) shows, or None."""
    for reason, pattern in TRANSIENT_PATTERNS:
        if pattern.search(text):
            return reason
    return None


def is_transient(exception: BaseException) -> str | None:
    """The transient reason of a failed step, or None when retrying would fail the same way.

    A step's own error says whether it is transient (`StepFailed.transient`); any other exception (a cosmos
    dbt task) is judged by its message.
    """
    declared = getattr(exception, "transient", None)
    if declared is not None:
        return declared or None
    return transient_reason(str(exception))


def backoff(try_number: int) -> timedelta:
    """1, 2, 4, 8 ... minutes before the next try, at most 15."""
    return min(FIRST_DELAY * (2 ** max(try_number - 1, 0)), MAX_DELAY)
