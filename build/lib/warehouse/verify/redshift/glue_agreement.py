"""The Spectrum DDL (the dbt hook's CREATE EXTERNAL TABLE) and the Glue tables (`warehouse spectrum setup`)
describe each lake dataset twice, from the same source YAML: this checks that they agree, column by column,
on the SerDe and on the table properties, so neither can drift from the other."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from warehouse.aws.datasets import Dataset
from warehouse.aws.glue_catalog import LAZY_SIMPLE_SERDE, PARQUET_SERDE, dataset_table_input, hive_type

_TABLE = re.compile(
    r"create external table (?P<schema>\w+)\.(?P<name>\w+) \((?P<columns>.*?)\n\)\n"
    r"(?:partitioned by \((?P<partitions>[^)]*)\)\n)?(?P<rest>.*?)(?=;|\Z)",
    re.S,
)
_PROPERTY = re.compile(r"'([^']+)'\s*=\s*'([^']*)'")
# Parameters Glue needs for itself, which the DDL does not state.
_GLUE_ONLY = {"EXTERNAL", "classification", "managed_by"}


@dataclass(frozen=True)
class DdlTable:
    name: str
    columns: tuple[tuple[str, str], ...]
    partitions: tuple[tuple[str, str], ...]
    serde: str
    properties: Mapping[str, str]
    serde_properties: Mapping[str, str]


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """`a varchar(8), b decimal(12,2)` -> (('a', 'varchar(8)'), ('b', 'decimal(12,2)')): top-level commas only."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, "<": 1, ")": -1, ">": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    pairs = []
    for part in parts:
        if part.strip():
            name, data_type = part.strip().split(None, 1)
            pairs.append((name, data_type.strip()))
    return tuple(pairs)


def parse_ddl(sql: str) -> dict[str, DdlTable]:
    """The CREATE EXTERNAL TABLE statements of `sql`, by table name."""
    tables = {}
    for match in _TABLE.finditer(sql):
        rest = match.group("rest")
        if "row format delimited" in rest:
            serde = LAZY_SIMPLE_SERDE
        elif (serde_match := re.search(r"row format serde '([^']+)'", rest)) is not None:
            serde = serde_match.group(1)
        elif "stored as parquet" in rest:
            serde = PARQUET_SERDE
        else:
            serde = ""
        properties_match = re.search(r"table properties \((.*?)\)", rest, re.S)
        properties = dict(_PROPERTY.findall(properties_match.group(1))) if properties_match else {}
        serde_match = re.search(r"with serdeproperties \((.*?)\)\n", rest, re.S)
        serde_properties = dict(_PROPERTY.findall(serde_match.group(1))) if serde_match else {}
        tables[match.group("name")] = DdlTable(
            name=match.group("name"),
            columns=_pairs(re.sub(r"\n\s*", " ", match.group("columns"))),
            partitions=_pairs(match.group("partitions") or ""),
            serde=serde,
            properties=properties,
            serde_properties=serde_properties,
        )
    return tables


def disagreements(ddl_sql: str, datasets: Iterable[Dataset], lake_root: str = "s3://lake") -> list[str]:
    """Every way the DDL and the Glue TableInput of a dataset differ (empty when they agree)."""
    tables = parse_ddl(ddl_sql)
    problems: list[str] = []
    for dataset in datasets:
        ddl = tables.get(dataset.name)
        if ddl is None:
            problems.append(f"{dataset.name}: a Glue table but no CREATE EXTERNAL TABLE in the DDL")
            continue
        glue: dict[str, Any] = dataset_table_input(dataset, lake_root)
        descriptor = glue["StorageDescriptor"]
        glue_columns = [(c["Name"], c["Type"]) for c in descriptor["Columns"]]
        ddl_columns = [(name, hive_type(data_type)) for name, data_type in ddl.columns]
        if glue_columns != ddl_columns:
            problems.append(f"{dataset.name}: columns differ: DDL {ddl_columns}, Glue {glue_columns}")
        glue_partitions = [(p["Name"], p["Type"]) for p in glue["PartitionKeys"]]
        ddl_partitions = [(name, hive_type(data_type)) for name, data_type in ddl.partitions]
        if glue_partitions != ddl_partitions:
            problems.append(f"{dataset.name}: partitions differ: DDL {ddl_partitions}, Glue {glue_partitions}")
        if descriptor["SerdeInfo"]["SerializationLibrary"] != ddl.serde:
            glue_serde_name = descriptor["SerdeInfo"]["SerializationLibrary"]
            problems.append(f"{dataset.name}: SerDe differs: DDL {ddl.serde!r}, Glue {glue_serde_name!r}")
        glue_properties = {k: v for k, v in glue["Parameters"].items() if k not in _GLUE_ONLY}
        if glue_properties != dict(ddl.properties):
            problems.append(
                f"{dataset.name}: table properties differ: DDL {dict(ddl.properties)}, Glue {glue_properties}"
            )
        glue_serde = dict(descriptor["SerdeInfo"].get("Parameters") or {})
        if glue_serde != dict(ddl.serde_properties) and ddl.serde != LAZY_SIMPLE_SERDE and ddl.serde != PARQUET_SERDE:
            problems.append(
                f"{dataset.name}: SERDEPROPERTIES differ: DDL {dict(ddl.serde_properties)}, Glue {glue_serde}"
            )
    for name in sorted(set(tables) - {d.name for d in datasets}):
        problems.append(f"{name}: a CREATE EXTERNAL TABLE in the DDL but no Glue table")
    return problems
