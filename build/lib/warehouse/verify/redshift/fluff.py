"""Parse SQL with sqlfluff's `redshift` dialect and report every section it cannot parse.

The SQL given here is already compiled by dbt, so the `raw` templater is used: a `{{` inside a string
literal must not be read as Jinja. Local .sqlfluff files are not consulted; the dialect is the point.
"""

from __future__ import annotations

import logging
import multiprocessing
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from sqlfluff.core import FluffConfig, Linter

from warehouse import log
from warehouse.verify.redshift.findings import Check, Finding

_POSITION_PREFIX = re.compile(r"^Line \d+, Position \d+: ")

# (sql, subject, path) of one file to parse.
ParseJob = tuple[str, str, str]

_worker_linter: Linter | None = None


def make_linter() -> Linter:
    """A linter for the redshift dialect. Building it loads the dialect (about a second): reuse it."""
    logging.getLogger("sqlfluff").setLevel(logging.WARNING)  # it logs every parse at INFO
    return Linter(config=FluffConfig(overrides={"dialect": "redshift", "templater": "raw"}))


def parse_findings(sql: str, subject: str, *, path: str = "", linter: Linter | None = None) -> list[Finding]:
    """One finding per lexing or parsing error, with the line and the unparsable snippet."""
    parsed = (linter or make_linter()).parse_string(sql)
    lines = sql.splitlines()
    findings: list[Finding] = []
    for violation in parsed.violations:
        line = violation.line_no or None
        snippet = lines[line - 1].strip() if line and line <= len(lines) else ""
        message = _POSITION_PREFIX.sub("", violation.desc())
        findings.append(Finding(Check.PARSE, subject, line, f"sqlfluff redshift: {message}", snippet, path))
    return findings


def count_unparsable(sql: str, linter: Linter | None = None) -> int:
    """How many unparsable segments the redshift dialect leaves in `sql` (0 when it parses cleanly)."""
    parsed = (linter or make_linter()).parse_string(sql)
    variant = parsed.root_variant()
    if variant is None or variant.tree is None:
        return max(1, len(parsed.violations))
    return sum(1 for _ in variant.tree.recursive_crawl("unparsable"))


def _start_worker() -> None:
    global _worker_linter
    _worker_linter = make_linter()


def _parse_job(job: ParseJob) -> list[Finding]:
    sql, subject, path = job
    return parse_findings(sql, subject, path=path, linter=_worker_linter)


def _parse_serially(jobs: Sequence[ParseJob]) -> Iterator[list[Finding]]:
    linter = make_linter()
    for sql, subject, path in jobs:
        yield parse_findings(sql, subject, path=path, linter=linter)


def parse_many(jobs: Sequence[ParseJob], workers: int = 1) -> Iterator[list[Finding]]:
    """parse_findings for each job, in order. With workers > 1 the parsing (the slow part of the whole
    verification) runs in that many processes; they are spawned, not forked, because dbt has threads.
    If the pool breaks (spawning needs an importable `__main__`), the rest is parsed here."""
    if workers <= 1 or len(jobs) < 4 * workers:
        yield from _parse_serially(jobs)
        return
    done = 0
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker) as pool:
            for findings in pool.map(_parse_job, jobs, chunksize=8):
                done += 1
                yield findings
    except BrokenProcessPool as exc:
        log.get("verify.redshift").warning("parallel parse failed (%s); parsing serially", exc)
        yield from _parse_serially(jobs[done:])
