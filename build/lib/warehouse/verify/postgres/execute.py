"""Run the plan on PostgreSQL: sources, seeds, models and snapshots in DAG order, then every data test.

Each node runs in its own transaction; a failure rolls it back and every node downstream of it is skipped
(named after the first failed ancestor), so one broken model is reported once, with its PostgreSQL error,
the line of the compiled SQL that error points at, and the first line of that SQL.

After a relation is built the harness checks what PostgreSQL would let through but Redshift would not:
- a column named like a Spectrum pseudocolumn ("$path", "$size", "$spectrum_oid") in the output means the
  model read it through `select *`, which on Spectrum does not return pseudocolumns;
- a varchar(n)/char(n) value longer than n BYTES: Redshift's widths are bytes, PostgreSQL's characters.
  For a contract-enforced table (create table + insert on Redshift) that is the insert's error; elsewhere
  it is the truncation Redshift's explicit cast would do, reported as a warning;
- a table column of varchar(65535) other than the raw payload: a width inherited from the raw layer that
  every later CREATE TABLE AS would carry (and a distribution key would be that wide).
"""

from __future__ import annotations

import string
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse.verify.postgres import plan as plan_module
from warehouse.verify.postgres import rewrite as rewrite_module
from warehouse.verify.postgres import sources as sources_module
from warehouse.verify.postgres.plan import PlannedNode

PSEUDO_COLUMN_NAMES = frozenset({"$path", "$size", "$spectrum_oid"})
SQL_DIR = Path(__file__).with_name("sql")
SHIM_PATH = Path(__file__).with_name("shim.sql")

OK, FAILED, SKIPPED, NOT_EXECUTABLE = "ok", "failed", "skipped", "not executable"
PASS, WARN, FAIL, ERROR = "pass", "warn", "fail", "error"


def sql_template(name: str) -> string.Template:
    return string.Template((SQL_DIR / name).read_text(encoding="utf-8"))


def first_line(sql: str | None) -> str:
    for line in (sql or "").splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("--"):
            return stripped[:160]
    return ""


# The widest varchar (r_Character_types.html); only the raw payload columns may keep it.
MAX_VARCHAR = 65535
RAW_TEXT_COLUMNS = frozenset({"raw_record", "raw_payload"})


@dataclass
class NodeResult:
    unique_id: str
    resource_type: str
    status: str
    message: str = ""
    sql_line: str = ""
    error_line: str = ""
    rows: int | None = None
    seconds: float = 0.0
    rewrites: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    severity: str = ""

    @property
    def is_problem(self) -> bool:
        return self.status in (FAILED, FAIL, ERROR, NOT_EXECUTABLE) or (
            self.status == SKIPPED and self.resource_type != "test"
        )


@dataclass
class RunResult:
    sources: list[sources_module.LoadResult] = field(default_factory=list)
    nodes: list[NodeResult] = field(default_factory=list)
    tests: list[NodeResult] = field(default_factory=list)
    unit_tests: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed_ids(self) -> set[str]:
        bad = {r.unique_id for r in self.sources if r.error}
        return bad | {r.unique_id for r in self.nodes if r.status != OK}


class _NodeError(Exception):
    def __init__(self, message: str, error_line: str = "") -> None:
        super().__init__(message)
        self.error_line = error_line


def _pg_message(exc: Exception, sql: str) -> tuple[str, str]:
    """The first line of a PostgreSQL error and the SQL line it points at (when it gives a position)."""
    text = str(getattr(exc, "pgerror", None) or exc).strip()
    message = text.splitlines()[0] if text else type(exc).__name__
    message = message.removeprefix("ERROR:").strip()
    diag = getattr(exc, "diag", None)
    position = getattr(diag, "statement_position", None) if diag is not None else None
    line = ""
    if position:
        offset = int(position) - 1
        number = sql.count("\n", 0, offset) + 1
        line = f"line {number}: {sql.splitlines()[number - 1].strip()[:160]}" if sql else ""
    return message, line


class Executor:
    """Runs compiled Redshift SQL on one PostgreSQL connection (autocommit off: one transaction per node)."""

    def __init__(self, connection: Any, target_database: str | None) -> None:
        self.connection = connection
        self.target_database = target_database
        self._typnames: dict[int, str] = {}

    # -- plumbing ------------------------------------------------------------------------------------------

    def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params)
        except Exception as exc:
            message, line = _pg_message(exc, sql)
            raise _NodeError(message, line) from exc
        return cursor

    def rewrite(self, sql: str) -> tuple[str, list[str]]:
        text = sql.strip().rstrip(";").rstrip()
        return rewrite_module.rewrite(text, self.target_database)

    def _in_transaction(self, action: Callable[[], Any]) -> Any:
        try:
            value = action()
        except BaseException:
            self.connection.rollback()
            raise
        self.connection.commit()
        return value

    def typname(self, oid: int) -> str:
        if oid not in self._typnames:
            cursor = self.execute("select typname from pg_type where oid = %(oid)s", {"oid": oid})
            row = cursor.fetchone()
            self._typnames[oid] = str(row[0]) if row else str(oid)
        return self._typnames[oid]

    # -- setup ---------------------------------------------------------------------------------------------

    def setup(self, schemas: Iterable[str]) -> None:
        """The shim schema and every schema the plan writes to or reads from, fresh."""

        def create() -> None:
            for schema in sorted({"rs_shim", *schemas}):
                self.execute(f"drop schema if exists {sources_module.quote_ident(schema)} cascade")
                self.execute(f"create schema {sources_module.quote_ident(schema)}")
            self.execute(SHIM_PATH.read_text(encoding="utf-8"))

        self._in_transaction(create)

    def run_statements(self, statements: Sequence[str]) -> None:
        """The on-run-start hooks' statements, in one transaction (an error stops the run: every test
        reading their tables would fail)."""

        def run() -> None:
            for statement in statements:
                self.execute(self.rewrite(statement)[0])

        self._in_transaction(run)

    def load_sources(
        self,
        tables: Sequence[sources_module.ExternalTable | sources_module.StreamTable],
        lake_root: Path,
        advance: Callable[[str], None] = lambda _: None,
    ) -> list[sources_module.LoadResult]:
        results = []
        for table in tables:
            advance(f"{table.schema}.{table.identifier}")
            try:
                results.append(self._in_transaction(lambda t=table: self._load(t, lake_root)))
            except (sources_module.SourceError, _NodeError, OSError) as exc:
                kind = "kinesis" if isinstance(table, sources_module.StreamTable) else table.file_format
                relation = f"{table.schema}.{table.identifier}"
                results.append(sources_module.LoadResult(table.unique_id, relation, kind, error=str(exc)))
        return results

    def _load(
        self, table: sources_module.ExternalTable | sources_module.StreamTable, lake_root: Path
    ) -> sources_module.LoadResult:
        try:
            return sources_module.load(self.connection.cursor(), table, lake_root)
        except sources_module.SourceError:
            raise
        except Exception as exc:
            if type(exc).__module__.startswith("psycopg2"):
                message, _ = _pg_message(exc, "")
                raise sources_module.SourceError(message) from exc
            if isinstance(exc, (ValueError, KeyError)):
                raise sources_module.SourceError(f"{type(exc).__name__}: {exc}") from exc
            raise

    # -- nodes ---------------------------------------------------------------------------------------------

    def run_node(self, node: PlannedNode, failed: Mapping[str, str]) -> NodeResult:
        """Build one seed, model or snapshot. `failed` maps failed or skipped ids to the root failure."""
        result = NodeResult(node.unique_id, node.resource_type, OK, sql_line=first_line(node.sql))
        upstream = next((failed[p] for p in node.depends_on if p in failed), None)
        if upstream is not None:
            result.status, result.message = SKIPPED, f"upstream failed: {upstream}"
            return result
        if node.materialized == "ephemeral":
            result.message = "ephemeral: inlined into its dependents"
            return result
        started = time.perf_counter()
        try:
            if node.resource_type == "seed":
                result.rows = self._in_transaction(lambda: self._seed(node))
            else:
                if node.sql is None:
                    raise _NodeError("not compiled (no compiled_code in the manifest)")
                blocked = rewrite_module.unsupported(node.sql)
                if blocked:
                    result.status = NOT_EXECUTABLE
                    result.message = "uses " + ", ".join(blocked) + ", which PostgreSQL cannot run"
                    return result
                sql, result.rewrites = self.rewrite(node.sql)
                result.rows = self._in_transaction(lambda: self._build(node, sql, result))
        except _NodeError as exc:
            result.status, result.message, result.error_line = FAILED, str(exc), exc.error_line
        finally:
            result.seconds = time.perf_counter() - started
        return result

    def _build(self, node: PlannedNode, sql: str, result: NodeResult) -> int:
        relation = node.relation
        if node.resource_type == "snapshot":
            self.execute(self._snapshot_sql(node, sql))
        elif node.materialized == "view":
            self.execute(f"create view {relation} as\n{sql}")
        elif node.materialized in ("table", "incremental", "materialized_view"):
            if node.contract_enforced and node.materialized != "materialized_view":
                self._contract_table(node, sql)
            else:
                self.execute(f"create table {relation} as\n{sql}")
        else:
            raise _NodeError(f"materialization {node.materialized!r} is not emulated")
        rows = int(self.execute(f"select count(*) from {relation}").fetchone()[0])
        self._after_build(node, result)
        return rows

    def _after_build(self, node: PlannedNode, result: NodeResult) -> None:
        cursor = self.execute(f"select * from {node.relation} limit 0")
        names = [column.name for column in cursor.description]
        pseudo = sorted(PSEUDO_COLUMN_NAMES.intersection(names))
        if pseudo:
            raise _NodeError(
                f"outputs Spectrum pseudocolumn(s) {', '.join(pseudo)}: it reads them through `select *`, "
                "which on Redshift Spectrum does not return pseudocolumns (select them by name)"
            )
        widths = self.execute(
            (SQL_DIR / "varchar_widths.sql").read_text(encoding="utf-8"),
            {"schema": node.schema, "name": node.identifier},
        ).fetchall()
        if not widths:
            return
        wide = [name for name, width in widths if width >= MAX_VARCHAR and name not in RAW_TEXT_COLUMNS]
        if wide and node.materialized != "view":
            raise _NodeError(
                f"stores {', '.join(sorted(wide))} as varchar({MAX_VARCHAR}): a width taken from the raw layer "
                "travels through CREATE TABLE AS into every table after it; cast the column to its own width "
                "(bronze: `sized()` with the width its YAML declares)"
            )
        checks = ", ".join(
            f"count(*) filter (where octet_length({sources_module.quote_ident(name)}) > {width})"
            for name, width in widths
        )
        counts = self.execute(f"select {checks} from {node.relation}").fetchone()
        for (name, width), count in zip(widths, counts, strict=True):
            if not count:
                continue
            text = (
                f"{count} value(s) of {name} are longer than {width} bytes (Redshift's varchar({width}) counts bytes)"
            )
            if node.contract_enforced or node.resource_type == "seed":
                raise _NodeError(f"{text}: the insert would fail on Redshift")
            result.warnings.append(f"{text}: Redshift's cast truncates them to {width} bytes")

    def _contract_table(self, node: PlannedNode, sql: str) -> None:
        """dbt-redshift's create_table_as for an enforced contract: check the column types as dbt's
        assert_columns_equivalent does, create the table from the contract, insert the model's rows."""
        columns = list((node.node.get("columns") or {}).values())
        if not columns:
            raise _NodeError("contract enforced but no columns declared")
        declared: list[tuple[str, str, bool]] = []
        for column in columns:
            type_sql, _ = rewrite_module.rewrite(f"cast(null as {column.get('data_type')})")
            pg_type = type_sql[len("cast(null as ") : -1]
            not_null = any(c.get("type") == "not_null" for c in column.get("constraints") or [])
            declared.append((str(column["name"]), pg_type, not_null))
        model = self.execute(f"select * from (\n{sql}\n) as model_subq limit 0").description
        schema = self.execute(
            "select " + ", ".join(f"cast(null as {t}) as {sources_module.quote_ident(n)}" for n, t, _ in declared)
        ).description
        sql_types = {c.name.lower(): _type_family(self.typname(c.type_code)) for c in model}
        yaml_types = {c.name.lower(): _type_family(self.typname(c.type_code)) for c in schema}
        problems = [f"{name} is missing from the model" for name in yaml_types if name not in sql_types]
        problems += [f"{name} is not in the contract" for name in sql_types if name not in yaml_types]
        problems += [
            f"{name}: the model gives {sql_types[name]}, the contract says {yaml_types[name]}"
            for name in yaml_types
            if name in sql_types and sql_types[name] != yaml_types[name]
        ]
        if problems:
            raise _NodeError("contract: " + "; ".join(problems))
        definition = ",\n    ".join(
            f"{sources_module.quote_ident(n)} {t}{' not null' if nn else ''}" for n, t, nn in declared
        )
        self.execute(f"create table {node.relation} (\n    {definition}\n)")
        names = ",\n    ".join(sources_module.quote_ident(n) for n, _, _ in declared)
        self.execute(sql_template("contract_insert.sql").substitute(relation=node.relation, columns=names, sql=sql))

    def _snapshot_sql(self, node: PlannedNode, sql: str) -> str:
        config = node.config
        unique_key = config.get("unique_key")
        keys = list(unique_key) if isinstance(unique_key, list) else [unique_key]
        updated_at = str(config.get("updated_at") or "")
        if config.get("strategy") != "timestamp" or not updated_at or not all(keys):
            raise _NodeError(f"snapshot strategy {config.get('strategy')!r} is not emulated (timestamp only)")
        parts = " || '|' || ".join(f"coalesce(cast({arg} as varchar), '')" for arg in [*keys, updated_at])
        template = sql_template("snapshot_first_build.sql").substitute(
            relation=node.relation,
            scd_id=f"md5({parts})",
            updated_at=updated_at,
            valid_to_current=config.get("dbt_valid_to_current") or "null",
            is_deleted=", 'False' as dbt_is_deleted" if config.get("hard_deletes") == "new_record" else "",
            sql="{sql}",
        )
        rewritten, _ = rewrite_module.rewrite(template, self.target_database)
        return rewritten.replace("{sql}", sql)

    def _seed(self, node: PlannedNode) -> int:
        """A seed as dbt-redshift loads it: agate reads the CSV (dbt's own type tester), column_types win,
        other columns get dbt-redshift's type for their agate type; then one insert per row."""
        from dbt.adapters.redshift.impl import RedshiftAdapter
        from dbt_common.clients import agate_helper

        root = Path(str(node.node.get("root_path") or "."))
        path = root / str(node.node.get("original_file_path"))
        column_types: Mapping[str, str] = node.config.get("column_types") or {}
        table = agate_helper.from_csv(str(path), text_columns=list(column_types))
        definitions = []
        for index, name in enumerate(table.column_names):
            declared = column_types.get(name) or RedshiftAdapter.convert_type(table, index)
            type_sql, _ = rewrite_module.rewrite(f"cast(null as {declared})")
            definitions.append(f"{sources_module.quote_ident(name)} {type_sql[len('cast(null as ') : -1]}")
        self.execute(f"create table {node.relation} (\n    " + ",\n    ".join(definitions) + "\n)")
        placeholders = ", ".join(["%s"] * len(table.column_names))
        cursor = self.connection.cursor()
        try:
            cursor.executemany(
                f"insert into {node.relation} values ({placeholders})", [tuple(row) for row in table.rows]
            )
        except Exception as exc:
            message, line = _pg_message(exc, "")
            raise _NodeError(message, line) from exc
        result = NodeResult(node.unique_id, "seed", OK)
        self._after_build(node, result)
        return len(table.rows)

    # -- tests ---------------------------------------------------------------------------------------------

    def run_test(self, test: PlannedNode, failed: Mapping[str, str]) -> NodeResult:
        config = test.config
        severity = str(config.get("severity") or "error").lower()
        result = NodeResult(test.unique_id, "test", PASS, sql_line=first_line(test.sql), severity=severity)
        upstream = next((failed[p] for p in test.depends_on if p in failed), None)
        if upstream is not None:
            result.status, result.message = SKIPPED, f"upstream failed: {upstream}"
            return result
        if test.sql is None:
            result.status, result.message = ERROR, "not compiled (no compiled_code in the manifest)"
            return result
        blocked = rewrite_module.unsupported(test.sql)
        if blocked:
            result.status = NOT_EXECUTABLE
            result.message = "uses " + ", ".join(blocked) + ", which PostgreSQL cannot run"
            return result
        sql, result.rewrites = self.rewrite(test.sql)
        limit = config.get("limit")
        wrapped = sql_template("test_wrapper.sql").substitute(
            fail_calc=config.get("fail_calc") or "count(*)",
            warn_if=config.get("warn_if") or "!= 0",
            error_if=config.get("error_if") or "!= 0",
            main_sql=sql,
            limit=f"limit {int(limit)}" if limit is not None else "",
        )
        started = time.perf_counter()
        try:
            row = self._in_transaction(lambda: self.execute(wrapped).fetchone())
        except _NodeError as exc:
            result.status, result.message, result.error_line = ERROR, str(exc), exc.error_line
            return result
        finally:
            result.seconds = time.perf_counter() - started
        failures, should_warn, should_error = row
        result.rows = int(failures or 0)
        if should_error and severity == "error":
            result.status, result.message = FAIL, f"{failures} failing row(s)"
        elif should_warn:
            result.status, result.message = WARN, f"{failures} failing row(s)"
        return result


_FAMILIES: Mapping[str, str] = {"text": "varchar", "unknown": "varchar", "name": "varchar"}


def _type_family(typname: str) -> str:
    """A PostgreSQL type name as dbt's contract check compares it on Redshift: the base type, with text
    (what PostgreSQL gives string expressions) as varchar (what Redshift gives them)."""
    return _FAMILIES.get(typname, typname)


def run_all(
    executor: Executor,
    manifest: Mapping[str, Any],
    lake_root: Path,
    s3_lake_root: str | None = None,
    progress: Callable[[str, int, int, str], None] = lambda *_: None,
) -> RunResult:
    """Sources, then the nodes, then the tests; `progress(phase, done, total, label)` is told as it goes."""
    started = time.perf_counter()
    tables, refused = sources_module.source_tables(manifest, s3_lake_root)
    nodes, tests = plan_module.build_plan(manifest)
    run = RunResult(unit_tests=plan_module.unit_tests(manifest))
    schemas = {table.schema for table in tables} | {n.schema for n in nodes if n.schema}
    hooks = plan_module.run_start_statements(manifest)
    executor.setup(schemas | ({plan_module.RUN_START_SCHEMA} if hooks else set()))
    executor.run_statements(hooks)
    done = 0

    def advance_source(label: str) -> None:
        nonlocal done
        progress("sources", done, len(tables), label)
        done += 1

    run.sources = refused + executor.load_sources(tables, lake_root, advance_source)
    failed: dict[str, str] = {r.unique_id: r.unique_id for r in run.sources if r.error}
    for index, node in enumerate(nodes):
        progress("models", index, len(nodes), node.name)
        result = executor.run_node(node, failed)
        run.nodes.append(result)
        if result.status == SKIPPED:
            failed[node.unique_id] = result.message.removeprefix("upstream failed: ")
        elif result.status != OK:
            failed[node.unique_id] = node.unique_id
    progress("models", len(nodes), len(nodes), "")
    for index, test in enumerate(tests):
        progress("tests", index, len(tests), test.name)
        run.tests.append(executor.run_test(test, failed))
    progress("tests", len(tests), len(tests), "")
    run.seconds = time.perf_counter() - started
    return run


__all__ = [
    "ERROR",
    "FAIL",
    "FAILED",
    "NOT_EXECUTABLE",
    "OK",
    "PASS",
    "SKIPPED",
    "WARN",
    "Executor",
    "NodeResult",
    "RunResult",
    "first_line",
    "run_all",
]
