"""Run `dbt parse` and `dbt compile --target redshift` in-process without ever reaching Redshift or AWS.

`--no-introspect --no-populate-cache` keeps dbt from opening a connection for the cache, but
`is_incremental()` still calls `adapter.get_relation()`, which queries the database: with `method: iam`
that fails on the missing cluster id, with `method: database` on DNS. No auth setting helps, so while
compiling, the Redshift adapter is patched:

- opening a connection raises OfflineConnectionError (nothing can reach a cluster, even a real one);
- `get_relation()` answers from a pretend warehouse: empty (every model compiles its first, full build)
  or complete (every relation exists as a table, so incremental models compile their incremental branch);
- `execute()` answers a constant query (a `select` without `from`, which cannot depend on warehouse
  state) for real, in an in-memory DuckDB (simulated.evaluate_constant): `dbt.date_spine`'s
  `select datediff(...)` gives the calendar's real length, so the compiled dim_date is what a cluster runs.
  Any query that reads a table raises OfflineConnectionError instead.

A macro that needs real introspection (`run_query` over a table, `get_columns_in_relation`,
`dbt_utils.star`) therefore fails to compile; the failure is reported against the model with a hint.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from warehouse import log
from warehouse.verify.redshift.errors import DbtStepError, OfflineConnectionError
from warehouse.verify.redshift.findings import Check, Finding
from warehouse.verify.redshift.tokens import Kind, tokenize

# Placeholders for everything profiles.yml reads for the redshift target, and no usage tracking (it would
# try the network); each is set only when unset.
OFFLINE_ENV: Mapping[str, str] = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "REDSHIFT_HOST": "redshift.invalid",
    "REDSHIFT_PORT": "5439",
    "REDSHIFT_DATABASE": "globalretail",
    "REDSHIFT_USER": "dbt",
    "REDSHIFT_SCHEMA": "analytics",
    "AWS_REGION": "us-east-1",
}

_NEEDS_DATABASE = "needs the database"
_INTROSPECTION_HINT = (
    "it queries the warehouse while being compiled (run_query over a table, get_columns_in_relation, "
    "dbt_utils.star, a hook that runs DDL while rendering): pass the values explicitly, or query only when "
    "`flags.WHICH in ('run', 'build')`"
)

_NODE_PATH = re.compile(r"\(((?:models|tests|snapshots|seeds|analyses)/[^()]+)\)")
_NODE_NAME = re.compile(r"\bin (model|test|operation|snapshot|seed|analysis|unit_test) ([\w.-]+) \(")

_log = log.get("verify.redshift")


@dataclass(frozen=True)
class CompileSettings:
    """Where the redshift compilation writes. Paths are absolute."""

    project_dir: Path
    target_path: Path
    incremental_target_path: Path | None = None
    target: str = "redshift"
    verbose: bool = False

    @staticmethod
    def compiled_dir(target_path: Path) -> Path:
        return target_path / "compiled"


@dataclass(frozen=True)
class CompileOutcome:
    """What the compilation produced: node failures become findings, the rest is checked from disk."""

    failures: tuple[Finding, ...] = ()


@contextmanager
def offline_environment(defaults: Mapping[str, str] = OFFLINE_ENV) -> Iterator[None]:
    """Set placeholder env vars that are unset, and remove them again afterwards."""
    added = [name for name in defaults if name not in os.environ]
    os.environ.update({name: defaults[name] for name in added})
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def is_constant_query(sql: str) -> bool:
    """True for a single `select` that reads no relation (`select datediff(day, ...)`)."""
    words = [token.lower for token in tokenize(sql) if token.kind is Kind.WORD]
    return bool(words) and words[0] == "select" and "from" not in words


def _first_line(sql: str) -> str:
    return next((line.strip() for line in sql.splitlines() if line.strip()), "")[:120]


@contextmanager
def offline_redshift_adapter(relations_exist: bool) -> Iterator[None]:
    """Patch the Redshift adapter so compilation never connects (see the module docstring)."""
    from dbt.adapters.contracts.connection import AdapterResponse
    from dbt.adapters.contracts.relation import RelationType
    from dbt.adapters.redshift.connections import RedshiftConnectionManager
    from dbt.adapters.redshift.impl import RedshiftAdapter
    from dbt_common.clients.agate_helper import table_from_rows

    from warehouse.verify.redshift.simulated import evaluate_constant

    def refuse_connection(cls: type, connection: Any) -> Any:
        raise OfflineConnectionError(f"a Redshift connection was requested while compiling offline ({connection.name})")

    def get_relation(self: Any, database: str, schema: str, identifier: str) -> Any:
        if not relations_exist:
            return None
        return self.Relation.create(database=database, schema=schema, identifier=identifier, type=RelationType.Table)

    def list_relations_without_caching(self: Any, schema_relation: Any) -> list[Any]:
        return []

    def execute(
        self: Any, sql: str, auto_begin: bool = False, fetch: bool = False, limit: int | None = None
    ) -> tuple[Any, Any]:
        if is_constant_query(sql):
            # Answered for real (in-memory DuckDB, as the recorded build does), so what compiles is what a
            # cluster runs: dbt.date_spine's `select datediff(...)` gives the calendar's real length.
            result = evaluate_constant(sql)
            _log.debug("offline: answered a constant compile-time query: %s", _first_line(sql))
            names = [name for name, _ in result.columns]
            return AdapterResponse(_message="OFFLINE"), table_from_rows(list(result.rows), names)
        raise OfflineConnectionError(
            f"a compile-time query {_NEEDS_DATABASE}, which offline verification cannot reach: {_first_line(sql)}"
        )

    with (
        mock.patch.object(RedshiftConnectionManager, "open", classmethod(refuse_connection)),
        mock.patch.object(RedshiftAdapter, "get_relation", get_relation),
        mock.patch.object(RedshiftAdapter, "list_relations_without_caching", list_relations_without_caching),
        mock.patch.object(RedshiftAdapter, "execute", execute),
    ):
        yield


def dbt_args(project_dir: Path, target: str, target_path: Path, verbose: bool) -> list[str]:
    """The arguments every offline dbt invocation shares: this project and its profiles, the target, and a
    target path of its own (with its logs), quiet unless verbose."""
    args = ["--project-dir", str(project_dir), "--profiles-dir", str(project_dir), "--target", target]
    args += ["--target-path", str(target_path), "--log-path", str(target_path / "logs")]
    return args if verbose else [*args, "--quiet"]


def _common_args(settings: CompileSettings, target_path: Path) -> list[str]:
    return dbt_args(settings.project_dir, settings.target, target_path, settings.verbose)


def _node_failures(result: Any, phase: str) -> list[Finding]:
    """Findings for the nodes a dbt compile run reports as errored."""
    findings: list[Finding] = []
    for node_result in getattr(result, "results", None) or []:
        if str(getattr(node_result, "status", "")) not in {"error", "fail"}:
            continue
        node = node_result.node
        message = str(node_result.message or "compilation failed").strip().splitlines()[-1]
        if _NEEDS_DATABASE in message or "connection never acquired" in message:
            message = f"{message} -- {_INTROSPECTION_HINT}"
        findings.append(Finding(Check.DBT, node.unique_id, None, f"{phase}: {message}", path=node.original_file_path))
    return findings


def _invoke(runner: Any, args: list[str]) -> Any:
    _log.debug("dbt %s", " ".join(args))
    return runner.invoke(args)


def _exception_finding(exc: BaseException, phase: str, manifest: Any) -> Finding:
    """A finding for a compile that dbt aborted (dbt compile stops at the first node error), named by
    the node whose file the error message mentions."""
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    subject, path = "dbt compile", ""
    if (match := _NODE_PATH.search(text)) is not None:
        path = match.group(1)
        subject = next((uid for uid, node in manifest.nodes.items() if node.original_file_path == path), subject)
    elif (match := _NODE_NAME.search(text)) is not None:
        kind, name = match.groups()
        subject = next(
            (uid for uid, node in manifest.nodes.items() if node.name == name and node.resource_type == kind),
            f"{kind} {name}",
        )
    if _NEEDS_DATABASE in text or "connection never acquired" in text:
        text = f"{text} -- {_INTROSPECTION_HINT}"
    return Finding(Check.DBT, subject, None, f"{phase} stopped: {text}", path=path)


def compile_offline(settings: CompileSettings) -> CompileOutcome:
    """Parse, then compile every node for the redshift target; then compile incremental models again
    as if their tables existed, into `incremental_target_path`. Raises DbtStepError if dbt cannot run."""
    from dbt.cli.main import dbtRunner

    with offline_environment():
        parsed = _invoke(dbtRunner(), ["parse", *_common_args(settings, settings.target_path)])
        if parsed.exception is not None:
            raise DbtStepError("parse", str(parsed.exception)) from parsed.exception
        if not parsed.success or parsed.result is None:
            raise DbtStepError("parse", "see the dbt output above (run with -v for the full log)")
        manifest = parsed.result
        has_incremental = any(
            node.resource_type == "model" and node.config.materialized == "incremental"
            for node in manifest.nodes.values()
        )
        passes = [(settings.target_path, False, "compile (first build)", [])]
        if settings.incremental_target_path is not None:
            shutil.rmtree(CompileSettings.compiled_dir(settings.incremental_target_path), ignore_errors=True)
            if has_incremental:
                select = ["--select", "config.materialized:incremental"]
                passes.append((settings.incremental_target_path, True, "compile (incremental run)", select))
        failures: list[Finding] = []
        for target_path, relations_exist, phase, selection in passes:
            shutil.rmtree(CompileSettings.compiled_dir(target_path), ignore_errors=True)
            args = ["compile", *_common_args(settings, target_path), "--no-introspect", "--no-populate-cache"]
            with offline_redshift_adapter(relations_exist):
                compiled = _invoke(dbtRunner(manifest=manifest), [*args, *selection])
            if compiled.exception is not None:
                failures.append(_exception_finding(compiled.exception, phase, manifest))
            failures.extend(_node_failures(compiled.result, phase))
    return CompileOutcome(failures=tuple(failures))
