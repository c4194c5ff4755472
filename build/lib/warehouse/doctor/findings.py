"""What the doctor found: one line per check, a problem (exit status 1), a warning, or fine."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from warehouse.doctor.requirements import Problem


class Status(str, Enum):
    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"


@dataclass(frozen=True)
class Finding:
    status: Status
    subject: str
    detail: str

    @classmethod
    def ok(cls, subject: str, detail: str) -> Finding:
        return cls(Status.OK, subject, detail)

    @classmethod
    def warning(cls, subject: str, detail: str) -> Finding:
        return cls(Status.WARNING, subject, detail)

    @classmethod
    def problem(cls, subject: str, detail: str) -> Finding:
        return cls(Status.PROBLEM, subject, detail)

    @classmethod
    def from_problem(cls, problem: Problem) -> Finding:
        subject = " or ".join(problem.names) or "settings"
        prefix = "missing: " if problem.kind == "missing" else ""
        return cls(Status.PROBLEM, subject, prefix + problem.describe())
