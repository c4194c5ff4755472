"""`warehouse verify redshift`: compile for Redshift offline, then run every check and collect a report."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.progress import track

from warehouse import log
from warehouse.config import access_settings
from warehouse.verify.redshift import ddl
from warehouse.verify.redshift.compat import check_sql
from warehouse.verify.redshift.dbt_offline import CompileOutcome, CompileSettings, compile_offline
from warehouse.verify.redshift.errors import ManifestError
from warehouse.verify.redshift.findings import Check, Finding
from warehouse.verify.redshift.fluff import parse_many
from warehouse.verify.redshift.physical import check_physical_design
from warehouse.verify.redshift.recording import (
    Recording,
    RecordSettings,
    default_operations,
    load_recording,
    record_project,
)
from warehouse.verify.redshift.rules import RuleContext, kinesis_schemas, run_rules
from warehouse.verify.redshift.rules.system_views import sql_files

INCREMENTAL_SUFFIX = "[incremental]"
# Compiled SQL that runs on the warehouse: models and the data tests attached to them, singular tests.
# Analyses are left out: they are benchmarks and monitoring queries, not part of `dbt build`.
COMPILED_GLOBS: tuple[str, ...] = ("*/models/**/*.sql", "*/tests/**/*.sql")

_log = log.get("verify.redshift")


@dataclass(frozen=True)
class VerifyConfig:
    """Inputs of one verification run. Build it with `for_project`."""

    project_dir: Path
    target_path: Path
    incremental_target_path: Path | None
    ddl_dir: Path
    run_dbt: bool = True
    verbose: bool = False
    jobs: int = 1
    write_docs: bool = False
    # The recorded dbt-redshift build (recording.py) and the statement rules (rules/): where it writes, and
    # which other SQL (files, folders, Python modules with SQL literals) the SQL-text rules check.
    recorded_path: Path | None = None
    sql_paths: tuple[Path, ...] = ()

    @property
    def docs_path(self) -> Path:
        return self.project_dir / "docs" / "redshift.md"

    @classmethod
    def for_project(
        cls,
        project_dir: Path,
        *,
        target_path: Path | None = None,
        incremental: bool = True,
        run_dbt: bool = True,
        verbose: bool = False,
        jobs: int | None = None,
        write_docs: bool = False,
        record: bool = True,
        sql_paths: tuple[Path, ...] = (),
    ) -> VerifyConfig:
        """`sql_paths` are checked by the SQL-text rules besides the project's Redshift SQL held in Python
        (scripts/warehouse/aws and the checksums module)."""
        project_dir = project_dir.resolve()
        target = (target_path or project_dir / "target" / "redshift").resolve()
        package = project_dir / "scripts" / "warehouse"
        own = tuple(path for path in (package / "aws", package / "checksums.py") if path.exists())
        sql_paths = own + tuple(sql_paths)
        return cls(
            project_dir=project_dir,
            target_path=target,
            incremental_target_path=target.with_name(f"{target.name}_incremental") if incremental else None,
            ddl_dir=target / "ddl",
            run_dbt=run_dbt,
            verbose=verbose,
            jobs=jobs or os.cpu_count() or 1,
            write_docs=write_docs,
            recorded_path=target.with_name(f"{target.name}_recorded") if record else None,
            sql_paths=tuple(path.resolve() for path in sql_paths),
        )


@dataclass(frozen=True)
class SqlFile:
    """One SQL file to check and the name findings use for it."""

    subject: str
    path: Path
    label: str


@dataclass(frozen=True)
class CheckSummary:
    check: Check
    checked: int
    unit: str
    findings: tuple[Finding, ...]
    label: str = ""

    @property
    def passed(self) -> bool:
        return not self.findings

    @property
    def name(self) -> str:
        """The row's name in the report: the check, or the rule for a statement rule."""
        return self.label or self.check.value


@dataclass(frozen=True)
class VerifyReport:
    summaries: tuple[CheckSummary, ...]

    @property
    def ok(self) -> bool:
        return all(summary.passed for summary in self.summaries)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(finding for summary in self.summaries for finding in summary.findings)


def load_manifest(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"{path} does not exist: run `warehouse verify redshift` without --skip-dbt first") from exc
    except (OSError, json.JSONDecodeError) as exc:
        raise ManifestError(f"cannot read {path}: {exc}") from exc


def _compiled_owners(manifest: Mapping[str, Any], compiled_dir: Path) -> dict[Path, str]:
    """Compiled file path -> unique_id of the node that writes it, laid out as dbt does
    (`compiled/<package>/<original_file_path>[/<test name>.sql]`), so it works even when a compile
    stopped before writing `compiled_path` into the manifest."""
    owners: dict[Path, str] = {}
    for unique_id, node in (manifest.get("nodes") or {}).items():
        original, name = node.get("original_file_path"), node.get("path")
        if not original or not name:
            continue
        relative = original if Path(name).name == Path(original).name else f"{original}/{name}"
        owners[(compiled_dir / str(node.get("package_name", "")) / relative).resolve()] = unique_id
    return owners


def compiled_sql_files(target_path: Path, manifest: Mapping[str, Any], suffix: str = "") -> list[SqlFile]:
    """The compiled SQL files under `target_path/compiled`, named by the manifest node that owns each."""
    compiled = CompileSettings.compiled_dir(target_path)
    owners = _compiled_owners(manifest, compiled)
    paths = sorted({path.resolve() for pattern in COMPILED_GLOBS for path in compiled.glob(pattern)})
    return [
        SqlFile(
            subject=f"{owners.get(path, str(path.relative_to(compiled)))}{suffix}",
            path=path,
            label=str(path.relative_to(target_path.parent)),
        )
        for path in paths
    ]


def ddl_sql_files(ddl_dir: Path) -> list[SqlFile]:
    """Generated DDL files (target/redshift/ddl/**/*.sql), if any code has written them."""
    if not ddl_dir.is_dir():
        return []
    return [
        SqlFile(f"ddl/{path.relative_to(ddl_dir)}", path, str(path.relative_to(ddl_dir.parent)))
        for path in sorted(ddl_dir.rglob("*.sql"))
    ]


def stage_generated_ddl(config: VerifyConfig) -> tuple[list[SqlFile], list[Finding], list[Finding]]:
    """Split the compiled DDL analysis into statement files; return the files sqlfluff should parse, the
    grammar findings for the statements it cannot, and a finding when docs/redshift.md is out of date."""
    if not (config.project_dir / ddl.ANALYSIS).is_file():
        return [], [], []  # a project that generates no external DDL
    compiled = ddl.compiled_analysis(config.target_path)
    if not compiled.is_file():
        missing = Finding(Check.DBT, str(ddl.ANALYSIS), None, "the DDL analysis was not compiled")
        return [], [], [missing]
    text = compiled.read_text(encoding="utf-8")
    statements = ddl.split_statements(text)
    paths = ddl.write_statement_files(statements, config.ddl_dir)
    to_parse: list[SqlFile] = []
    grammar: list[Finding] = []
    for statement, path in zip(statements, paths, strict=True):
        sql_file = SqlFile(f"ddl/{path.name}", path, str(path.relative_to(config.ddl_dir.parent)))
        if statement.is_add_partition:
            grammar += ddl.check_add_partition(statement, sql_file.subject)
            continue
        try:
            scalar_sql = ddl.replace_nested_types(statement.sql)
        except ddl.NestedTypeError as exc:
            grammar.append(Finding(Check.PARSE, sql_file.subject, None, f"nested type: {exc}"))
            continue
        if scalar_sql != statement.sql:
            # sqlfluff parses a copy with the (already checked) nested types replaced by a scalar type.
            flat = path.with_suffix(".flat.sql")
            flat.write_text(scalar_sql + ";\n", encoding="utf-8")
            sql_file = SqlFile(sql_file.subject, flat, sql_file.label)
        to_parse.append(sql_file)
    if config.write_docs:
        ddl.write_docs(config.docs_path, text)
    stale = []
    if not ddl.docs_are_current(config.docs_path, text):
        stale.append(
            Finding(
                Check.DBT,
                "docs/redshift.md",
                None,
                "the generated DDL in the docs differs from what the code generates: "
                "run `warehouse verify redshift --write-docs` and commit the result",
            )
        )
    return to_parse, grammar, stale


def drop_incremental_repeats(findings: Iterable[Finding], seen: set[tuple[str, str, str]]) -> list[Finding]:
    """Drop findings of an incremental compile that the first-build compile already reported."""
    kept = []
    for finding in findings:
        key = (finding.subject.removesuffix(INCREMENTAL_SUFFIX), finding.message, finding.snippet)
        if finding.subject.endswith(INCREMENTAL_SUFFIX) and key in seen:
            continue
        seen.add(key)
        kept.append(finding)
    return kept


def check_sql_files(files: list[SqlFile], jobs: int = 1) -> tuple[list[Finding], list[Finding]]:
    """sqlfluff parse findings and compatibility findings for `files`."""
    texts = [sql_file.path.read_text(encoding="utf-8") for sql_file in files]
    parse_jobs = [(text, sql_file.subject, sql_file.label) for text, sql_file in zip(texts, files, strict=True)]
    parse: list[Finding] = []
    compat: list[Finding] = []
    seen_parse: set[tuple[str, str, str]] = set()
    seen_compat: set[tuple[str, str, str]] = set()
    parsed = track(
        parse_many(parse_jobs, workers=jobs),
        total=len(files),
        description="Parsing compiled SQL",
        console=log.console,
        transient=True,
    )
    for (text, subject, label), parse_result in zip(parse_jobs, parsed, strict=True):
        parse += drop_incremental_repeats(parse_result, seen_parse)
        compat += drop_incremental_repeats(check_sql(text, subject, path=label), seen_compat)
    return parse, compat


def _recording(config: VerifyConfig, recorded_path: Path) -> Recording | None:
    if config.run_dbt:
        _log.info("recording the statements dbt-redshift sends, offline, into %s", recorded_path)
        settings = RecordSettings(config.project_dir, recorded_path, operations=default_operations())
        return record_project(settings)
    statements = recorded_path / "statements.jsonl"
    return load_recording(statements) if statements.is_file() else None


def recorded_summaries(config: VerifyConfig) -> tuple[CheckSummary, ...]:
    """Record the build (unless --skip-dbt reuses the last recording) and run every statement rule."""
    if config.recorded_path is None:
        return ()
    recording = _recording(config, config.recorded_path)
    if recording is None:
        missing = Finding(Check.RECORDED, "statements.jsonl", None, "no recording: run without --skip-dbt first")
        return (CheckSummary(Check.RECORDED, 0, "statements", (missing,)),)
    for note in recording.unanswered:
        _log.debug("recording: %s", note)
    manifest = load_manifest(config.recorded_path / "dbt" / "parse" / "manifest.json")
    context = RuleContext(
        statements=recording.statements,
        manifest=manifest,
        kinesis_schemas=kinesis_schemas(recording.statements, config.project_dir),
        extra_sql=tuple(sql_files(config.sql_paths)),
        clear_pii_roles=access_settings(config.project_dir)[0],
    )
    phases = len(recording.phases)
    summaries = [
        CheckSummary(Check.RECORDED, len(recording.statements), f"statements, {phases} runs", recording.failures)
    ]
    for rule, outcome in run_rules(context):
        summaries.append(
            CheckSummary(Check.RULES, outcome.checked, outcome.unit, outcome.findings, f"rule {rule.name}")
        )
    return tuple(summaries)


def run(config: VerifyConfig) -> VerifyReport:
    """Compile (unless `run_dbt` is off) and run every check. Raises RedshiftCheckError if it cannot run."""
    outcome = CompileOutcome()
    if config.run_dbt:
        _log.info("compiling for the redshift target, offline, into %s", config.target_path)
        outcome = compile_offline(
            CompileSettings(
                project_dir=config.project_dir,
                target_path=config.target_path,
                incremental_target_path=config.incremental_target_path,
                verbose=config.verbose,
            )
        )
    manifest = load_manifest(config.target_path / "manifest.json")
    files = compiled_sql_files(config.target_path, manifest)
    incremental_path = config.incremental_target_path
    if incremental_path is not None and (incremental_path / "manifest.json").is_file():
        manifest_incremental = load_manifest(incremental_path / "manifest.json")
        files += compiled_sql_files(incremental_path, manifest_incremental, suffix=INCREMENTAL_SUFFIX)
    ddl_files, grammar, stale_docs = stage_generated_ddl(config)
    parsed_subjects = {f.subject for f in ddl_files}
    partition_files = [
        SqlFile(f"ddl/{path.name}", path, str(path.relative_to(config.ddl_dir.parent)))
        for path in sorted(config.ddl_dir.glob("*.sql"))
        if not path.name.endswith(".flat.sql") and f"ddl/{path.name}" not in parsed_subjects
    ]
    files += ddl_files
    _log.info("checking %d compiled SQL files", len(files) + len(partition_files))
    parse, compat = check_sql_files(files, jobs=config.jobs)
    for sql_file in partition_files:
        compat += check_sql(sql_file.path.read_text(encoding="utf-8"), sql_file.subject, path=sql_file.label)
    parse += grammar
    designs, physical = check_physical_design(manifest)
    checked = len(files) + len(partition_files)
    return VerifyReport(
        summaries=(
            CheckSummary(Check.DBT, len(files), "files", (*outcome.failures, *stale_docs)),
            CheckSummary(Check.PARSE, checked, "files", tuple(parse)),
            CheckSummary(Check.COMPAT, checked, "files", tuple(compat)),
            CheckSummary(Check.PHYSICAL, len(designs), "models", tuple(physical)),
            *recorded_summaries(config),
        )
    )
