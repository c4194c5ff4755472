"""`warehouse spectrum setup`: the Glue catalog of the lake, then the Redshift external schema over it.

1. the Glue database (GLUE_DATABASE, default globalretail_raw);
2. one Glue table per dataset, from the `external:` blocks of the dbt sources (datasets.py);
3. the partitions of each table, discovered by listing `dt=YYYY-MM-DD/` folders on S3;
4. `create external schema if not exists <SPECTRUM_SCHEMA> from data catalog ...` through the Data API.

Each step creates what is missing and updates what changed; a second run reports everything unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from warehouse import log
from warehouse.aws import glue_catalog, lake
from warehouse.aws.command_support import (
    progress,
    quote_ident,
    quote_literal,
)
from warehouse.aws.data_api import DataApiRunner
from warehouse.aws.datasets import Dataset
from warehouse.aws.glue_catalog import Change, PartitionSync
from warehouse.aws.settings import AwsSettings

logger = log.get("spectrum")

DATABASE_DESCRIPTION = "GlobalRetail raw lake (external tables for Redshift Spectrum), managed by `warehouse spectrum`"


@dataclass(frozen=True)
class TableOutcome:
    table: str
    change: Change
    partitions: PartitionSync


@dataclass(frozen=True)
class SetupReport:
    database: Change
    tables: tuple[TableOutcome, ...]
    external_schema_sql: str | None

    @property
    def changed(self) -> bool:
        return self.database is not Change.UNCHANGED or any(
            t.change is not Change.UNCHANGED or t.partitions.created or t.partitions.updated or t.partitions.deleted
            for t in self.tables
        )


def external_schema_sql(settings: AwsSettings) -> str:
    return (
        f"create external schema if not exists {quote_ident(settings.spectrum_schema)}\n"
        f"from data catalog\n"
        f"database {quote_literal(settings.glue_database)}\n"
        f"region {quote_literal(settings.region)}\n"
        f"iam_role {quote_literal(settings.require('spectrum_role_arn'))}"
    )


def sync_catalog(
    settings: AwsSettings,
    datasets: Sequence[Dataset],
    glue: Any,
    s3: Any,
    prune: bool = False,
) -> tuple[Change, tuple[TableOutcome, ...]]:
    """Glue database, tables and partitions for `datasets` under the S3 lake root."""
    lake_root = settings.require_s3_lake()
    database = glue_catalog.ensure_database(glue, settings.glue_database, DATABASE_DESCRIPTION)
    logger.info("Glue database %s: %s", settings.glue_database, database.value)
    outcomes = []
    for dataset in datasets:
        wanted = glue_catalog.dataset_table_input(dataset, lake_root)
        change = glue_catalog.ensure_table(glue, settings.glue_database, wanted)
        keys = [(p.name, p.data_type) for p in dataset.partitions]
        found = lake.discover_partitions(s3, dataset.uri(lake_root), keys) if keys else []
        with progress(f"partitions of {dataset.name}", len(found)) as advance:
            partitions = glue_catalog.sync_partitions(
                glue, settings.glue_database, dataset.name, wanted["StorageDescriptor"], found, prune, advance
            )
        logger.info(
            "table %s: %s; partitions: %d created, %d updated, %d unchanged, %d deleted, %d stale",
            dataset.name,
            change.value,
            partitions.created,
            partitions.updated,
            partitions.unchanged,
            partitions.deleted,
            len(partitions.stale),
        )
        if partitions.stale:
            logger.warning(
                "%s: %d Glue partition(s) have no folder on S3 any more (e.g. %s); rerun with --prune to drop them",
                dataset.name,
                len(partitions.stale),
                "/".join(partitions.stale[0]),
            )
        outcomes.append(TableOutcome(dataset.name, change, partitions))
    return database, tuple(outcomes)


def setup(
    settings: AwsSettings,
    datasets: Sequence[Dataset],
    glue: Any,
    s3: Any,
    runner: DataApiRunner | None,
    prune: bool = False,
) -> SetupReport:
    database, tables = sync_catalog(settings, datasets, glue, s3, prune)
    sql = None
    if runner is not None:
        sql = external_schema_sql(settings)
        runner.execute(sql)
        logger.info("external schema %s -> Glue database %s", settings.spectrum_schema, settings.glue_database)
    return SetupReport(database, tables, sql)
