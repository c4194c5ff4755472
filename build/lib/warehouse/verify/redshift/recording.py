"""Run the real dbt-redshift adapter in-process against a connection that records every statement.

The adapter is left as it is down to the driver: only `get_connection_method` (which would return
`redshift_connector.connect`) is replaced, by one that returns a `RecordingHandle`. Every SQL string
dbt-redshift sends through a cursor (after it splits multi-statement SQL, with dbt's query comment) is
recorded with the node that sent it and whether an explicit transaction block was open: the handle
follows the BEGIN / START TRANSACTION, COMMIT / END, ROLLBACK / ABORT statements it executes and the
driver-level `rollback()` dbt calls on errors. Results come from the pretend warehouse (simulated.py).
While recording, `redshift_connector.connect` and socket connections raise OfflineConnectionError:
nothing can reach a network.

`record_project` runs, in this order: `dbt build` with nothing existing, `dbt build` with every relation
existing, `dbt build --full-refresh` of the materialized views (existing), `dbt snapshot`,
`dbt source freshness`, and each run-operation the CLI uses (`warehouse inventory tier`:
`run-operation tier_inventory_history`). The recording is written to `<out>/statements.jsonl` (one JSON
object per statement: index, phase, node, sql, in_transaction) and `<out>/statements.sql` (the same,
readable).
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from warehouse import log
from warehouse.verify.redshift.dbt_offline import dbt_args, offline_environment
from warehouse.verify.redshift.errors import DbtStepError, OfflineConnectionError
from warehouse.verify.redshift.findings import Check, Finding
from warehouse.verify.redshift.simulated import QueryResult, WarehouseState
from warehouse.verify.redshift.simulated_access import AccessState
from warehouse.verify.redshift.sqltext import first_words, transaction_control

_log = log.get("verify.redshift")

PHASE_FIRST_BUILD = "build (nothing exists)"
PHASE_SECOND_BUILD = "build (everything exists)"
PHASE_FULL_REFRESH = "build --full-refresh (materialized views exist)"
PHASE_SNAPSHOT = "snapshot"
PHASE_FRESHNESS = "source freshness"


@dataclass(frozen=True)
class Statement:
    """One SQL statement the adapter sent."""

    index: int
    phase: str
    node: str
    sql: str
    in_transaction: bool

    @property
    def head(self) -> list[str]:
        return first_words(self.sql, 4)


@dataclass(frozen=True)
class Operation:
    """A `dbt run-operation` the project's CLI runs, with the arguments it passes."""

    macro: str
    args: Mapping[str, Any] = field(default_factory=dict)

    @property
    def phase(self) -> str:
        return f"run-operation {self.macro}"


@dataclass(frozen=True)
class Recording:
    """Everything one `record_project` run saw."""

    statements: tuple[Statement, ...]
    failures: tuple[Finding, ...] = ()
    unanswered: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()

    def of_phase(self, phase: str) -> list[Statement]:
        return [statement for statement in self.statements if statement.phase == phase]


class Recorder:
    """Collects statements from every connection (dbt runs nodes on several threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.statements: list[Statement] = []
        self.phase = ""
        self.state: WarehouseState | None = None
        # The cluster's roles, grants and policies outlive each dbt invocation of the recording.
        self.access = AccessState()

    def execute(self, sql: str, in_transaction: bool) -> QueryResult:
        from dbt_common.events.contextvars import get_node_info

        node = str((get_node_info() or {}).get("unique_id") or "")
        with self._lock:
            self.statements.append(Statement(len(self.statements), self.phase, node, sql, in_transaction))
            state = self.state
        if state is None:
            return QueryResult()
        return state.answer(sql, node)


class RecordingCursor:
    """A DB-API cursor that records what it executes and answers from the pretend warehouse."""

    def __init__(self, handle: RecordingHandle) -> None:
        self._handle = handle
        self._result = QueryResult()
        self._position = 0
        self.rowcount = -1

    def execute(self, sql: str, bindings: Any = None) -> RecordingCursor:
        control = transaction_control(sql)
        self._result = self._handle.recorder.execute(sql, self._handle.in_transaction)
        if control is not None:
            self._handle.in_transaction = control == "begin"
        self._position = 0
        self.rowcount = len(self._result.rows) if self._result.columns else 0
        return self

    @property
    def description(self) -> list[tuple[Any, ...]] | None:
        return self._result.description

    def fetchone(self) -> tuple[Any, ...] | None:
        rows = self.fetchmany(1)
        return rows[0] if rows else None

    def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
        rows = list(self._result.rows[self._position : self._position + size])
        self._position += len(rows)
        return rows

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows = list(self._result.rows[self._position :])
        self._position = len(self._result.rows)
        return rows

    def close(self) -> None:
        self._result = QueryResult()

    def __enter__(self) -> RecordingCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RecordingHandle:
    """Stands in for a `redshift_connector.Connection`."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.autocommit = True
        self.in_transaction = False

    def cursor(self) -> RecordingCursor:
        return RecordingCursor(self)

    def rollback(self) -> None:
        # redshift_connector sends ROLLBACK; record it like any statement.
        self.cursor().execute("rollback")

    def commit(self) -> None:
        self.cursor().execute("commit")

    def close(self) -> None:
        self.in_transaction = False


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise OfflineConnectionError("a network connection was attempted while recording the Redshift build")


@contextmanager
def recording_adapter(recorder: Recorder) -> Iterator[None]:
    """Patch dbt-redshift so every connection it opens is a RecordingHandle, and block the network."""
    import redshift_connector
    from dbt.adapters.redshift import connections

    def connection_method(credentials: Any) -> Any:
        return lambda: RecordingHandle(recorder)

    with (
        mock.patch.object(connections, "get_connection_method", connection_method),
        mock.patch.object(redshift_connector, "connect", _refuse),
        mock.patch.object(socket.socket, "connect", _refuse),
        mock.patch.object(socket.socket, "connect_ex", _refuse),
        mock.patch.object(socket, "create_connection", _refuse),
    ):
        yield


@dataclass(frozen=True)
class RecordSettings:
    """What to record and where. `out_dir` gets the statements and one dbt target path per phase."""

    project_dir: Path
    out_dir: Path
    target: str = "redshift"
    operations: tuple[Operation, ...] = ()
    verbose: bool = False
    threads: int = 1

    @property
    def jsonl_path(self) -> Path:
        return self.out_dir / "statements.jsonl"

    @property
    def sql_path(self) -> Path:
        return self.out_dir / "statements.sql"


def default_operations() -> tuple[Operation, ...]:
    """The run-operations the `warehouse` CLI runs against the warehouse, with its default arguments."""
    from warehouse.commands.inventory import OPERATION, operation_args

    return (Operation(OPERATION, operation_args(None, None, False)),)


def _args(settings: RecordSettings, target_path: Path) -> list[str]:
    return dbt_args(settings.project_dir, settings.target, target_path, settings.verbose)


def _failures(result: Any, phase: str) -> list[Finding]:
    findings: list[Finding] = []
    for node_result in getattr(getattr(result, "result", None), "results", None) or []:
        if str(getattr(node_result, "status", "")) not in {"error", "fail", "runtime error"}:
            continue
        node = getattr(node_result, "node", None)
        subject = getattr(node, "unique_id", None) or phase
        message = str(getattr(node_result, "message", "") or "failed").strip().splitlines()
        text = message[-1] if message else "failed"
        findings.append(Finding(Check.RECORDED, subject, None, f"{phase}: {text}", path=getattr(node, "path", "")))
    if getattr(result, "exception", None) is not None:
        text = " ".join(str(result.exception).split())
        findings.append(Finding(Check.RECORDED, phase, None, f"{phase} stopped: {text}"))
    return findings


def _phase_dir(settings: RecordSettings, phase: str) -> Path:
    slug = "".join(ch if ch.isalnum() else "_" for ch in phase).strip("_")
    return settings.out_dir / "dbt" / slug


def _has_macro(manifest: Any, name: str) -> bool:
    return any(macro.name == name for macro in manifest.macros.values())


def record_project(settings: RecordSettings) -> Recording:
    """Run every phase against the recording connection; write and return the recording."""
    from dbt.cli.main import dbtRunner

    shutil.rmtree(settings.out_dir / "dbt", ignore_errors=True)
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    recorder = Recorder()
    failures: list[Finding] = []
    unanswered: list[str] = []
    phases: list[str] = []
    with offline_environment():
        parse_dir = _phase_dir(settings, "parse")
        parsed = dbtRunner().invoke(["parse", *_args(settings, parse_dir)])
        if parsed.exception is not None or not parsed.success or parsed.result is None:
            raise DbtStepError("parse", str(parsed.exception or "see the dbt output (run with -v)"))
        manifest = parsed.result
        manifest_json = json.loads((parse_dir / "manifest.json").read_text(encoding="utf-8"))
        threads = ["--threads", str(settings.threads)]
        plan: list[tuple[str, list[str], bool]] = [
            (PHASE_FIRST_BUILD, ["build", *threads], False),
            (PHASE_SECOND_BUILD, ["build", *threads], True),
        ]
        if any(_is_materialized_view(node) for node in manifest_json.get("nodes", {}).values()):
            select = ["--select", "config.materialized:materialized_view"]
            plan.append((PHASE_FULL_REFRESH, ["build", "--full-refresh", *select, *threads], True))
        plan += [
            (PHASE_SNAPSHOT, ["snapshot", *threads], True),
            (PHASE_FRESHNESS, ["source", "freshness", *threads], True),
        ]
        for operation in settings.operations:
            if _has_macro(manifest, operation.macro):
                plan.append(
                    (operation.phase, ["run-operation", operation.macro, "--args", json.dumps(operation.args)], True)
                )
        for phase, command, exists in plan:
            views = _materialized_view_sql(recorder.statements)
            recorder.phase = phase
            recorder.state = WarehouseState(
                manifest_json, exists=exists, materialized_view_sql=views, access=recorder.access
            )
            _log.info("recording `dbt %s` (%s)", " ".join(command[:2]), phase)
            with recording_adapter(recorder):
                result = dbtRunner(manifest=manifest).invoke([*command, *_args(settings, _phase_dir(settings, phase))])
            failures += _failures(result, phase)
            unanswered += [f"{phase}: {text}" for text in recorder.state.unanswered]
            phases.append(phase)
    recording = Recording(tuple(recorder.statements), tuple(failures), tuple(unanswered), tuple(phases))
    write_recording(recording, settings)
    return recording


def _is_materialized_view(node: Mapping[str, Any]) -> bool:
    return (
        node.get("resource_type") == "model" and (node.get("config") or {}).get("materialized") == "materialized_view"
    )


def _materialized_view_sql(statements: Sequence[Statement]) -> dict[str, str]:
    """node -> its `create materialized view` statement, for the pretend pg_views definition."""
    return {s.node: s.sql for s in statements if s.head[:3] == ["create", "materialized", "view"] and s.node}


def write_recording(recording: Recording, settings: RecordSettings) -> None:
    lines = [json.dumps(asdict(statement), sort_keys=True) for statement in recording.statements]
    settings.jsonl_path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    chunks = []
    for statement in recording.statements:
        block = "in transaction" if statement.in_transaction else "autocommit"
        chunks.append(
            f"-- [{statement.index}] {statement.phase} | {statement.node or '(no node)'} | {block}\n"
            f"{statement.sql.strip()};\n"
        )
    settings.sql_path.write_text("\n".join(chunks), encoding="utf-8")


def load_recording(path: Path) -> Recording:
    """Read a statements.jsonl written by `write_recording`."""
    statements = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            statements.append(
                Statement(
                    int(data["index"]),
                    str(data["phase"]),
                    str(data["node"]),
                    str(data["sql"]),
                    bool(data["in_transaction"]),
                )
            )
    return Recording(tuple(statements), phases=tuple(dict.fromkeys(s.phase for s in statements)))
