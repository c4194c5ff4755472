"""The project as the governance rules see it: resources read from dbt's `manifest.json` (and `catalog.json`).

Only the root project's resources are read (never a package's): its nodes, sources, exposures, metrics,
semantic models, groups and macros (generic tests included). A model's layer is its first folder under
`models/` (bronze, silver, gold); snapshots, seeds and sources are their own kinds.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from warehouse.config import access_settings

Json = Mapping[str, Any]

LAYERS: tuple[str, ...] = ("bronze", "silver", "gold")
SNAPSHOT = "snapshot"
SEED = "seed"
SOURCE = "source"
NO_LAYER = "(none)"


@dataclass(frozen=True)
class Column:
    name: str
    description: str
    pii: str = ""  # meta.pii: the kind of personal data the column holds ("" when none is declared)


@dataclass(frozen=True)
class Resource:
    """A model, snapshot, seed or source table: what the rules need to know about it."""

    unique_id: str
    resource_type: str  # model, snapshot, seed, source
    name: str
    path: str  # the file that defines it (the YAML for sources and YAML snapshots)
    layer: str  # bronze/silver/gold for models, else the resource type
    description: str = ""
    columns: tuple[Column, ...] = ()
    parents: tuple[str, ...] = ()  # unique ids of the nodes and sources it reads
    folders: tuple[str, ...] = ()  # folders under the layer folder (models/bronze/<source>/ -> ("<source>",))
    contract_enforced: bool = False
    version: str | None = None
    source_name: str = ""  # sources: the source the table belongs to
    source_description: str = ""
    freshness: Json = field(default_factory=dict)
    loaded_at: str = ""  # sources: loaded_at_field or loaded_at_query
    raw_code: str = ""  # models and snapshots: the SQL file's text, Jinja included
    group: str = ""  # models and snapshots: the dbt group (its owner answers for the model)
    access: str = ""  # models: private, protected or public
    owner: str = ""  # models and snapshots: meta.owner, the group owner's email (what the docs site shows)
    readers: tuple[str, ...] = ()  # the roles its grants config gives SELECT (`role:<name>`), lowercased
    materialized: str = ""
    post_hooks: tuple[str, ...] = ()  # the SQL of its post-hooks, Jinja included
    relation: tuple[str, str] = ("", "")  # models, seeds, snapshots: (schema, alias) in the warehouse, lowercased
    row_access: bool = False  # meta.row_access: rows restricted by region (row-level security on Redshift)

    @property
    def label(self) -> str:
        """How a message names it: `model fct_sales`, `source crm.customers`, `model fct_sales.v1`."""
        if self.resource_type == SOURCE:
            return f"source {self.source_name}.{self.name}"
        suffix = f".v{self.version}" if self.version is not None else ""
        return f"{self.resource_type} {self.name}{suffix}"


@dataclass(frozen=True)
class DataTest:
    """A generic data test: its name (unique, not_null, ...), what it is attached to, and its arguments."""

    unique_id: str
    test_name: str
    attached_to: str | None
    column_name: str | None
    kwargs: Json


@dataclass(frozen=True)
class Project:
    name: str
    resources: dict[str, Resource]
    tests_by_node: dict[str, tuple[DataTest, ...]]
    exposures: tuple[Json, ...]
    metrics: tuple[Json, ...]
    catalog_columns: dict[str, tuple[str, ...]] | None  # unique_id -> column names, when a catalog is given
    semantic_models: tuple[Json, ...] = ()
    macros: tuple[Json, ...] = ()  # the project's macros (macros/ and tests/generic/), as in manifest.json
    groups: dict[str, Json] = field(default_factory=dict)  # group name -> its owner (name, email)
    # Roles that read personal data in clear (dbt_project.yml's access_clear_pii_roles).
    clear_pii_roles: frozenset[str] = field(default_factory=lambda: access_settings()[0])

    def tests_of(self, unique_id: str) -> tuple[DataTest, ...]:
        return self.tests_by_node.get(unique_id, ())


def _description(node: Json) -> str:
    return str(node.get("description") or "").strip()


def _columns(node: Json) -> tuple[Column, ...]:
    return tuple(
        Column(name=str(column.get("name") or name), description=_description(column), pii=_pii(column))
        for name, column in (node.get("columns") or {}).items()
    )


def _pii(column: Json) -> str:
    """A column's meta.pii, given as `meta:` or under `config: meta:`."""
    meta = {**((column.get("config") or {}).get("meta") or {}), **(column.get("meta") or {})}
    return str(meta.get("pii") or "")


def model_layer(path: str) -> str:
    """`models/gold/core/fct_sales.sql` -> `gold`; a model outside the layer folders -> NO_LAYER."""
    parts = path.split("/")
    if len(parts) > 2 and parts[0] == "models" and parts[1] in LAYERS:
        return parts[1]
    return NO_LAYER


def _folders(path: str) -> tuple[str, ...]:
    parts = path.split("/")
    return tuple(parts[2:-1]) if len(parts) > 3 and parts[0] == "models" else ()


def _node_resource(unique_id: str, node: Json) -> Resource:
    resource_type = str(node.get("resource_type"))
    path = str(node.get("original_file_path") or node.get("path") or "")
    config = node.get("config") or {}
    contract = (config.get("contract") or {}).get("enforced", False)
    version = node.get("version")
    meta = {**(node.get("meta") or {}), **(config.get("meta") or {})}
    return Resource(
        unique_id=unique_id,
        resource_type=resource_type,
        name=str(node.get("name")),
        path=path,
        layer=model_layer(path) if resource_type == "model" else resource_type,
        description=_description(node),
        columns=_columns(node),
        parents=tuple((node.get("depends_on") or {}).get("nodes") or ()),
        folders=_folders(path),
        contract_enforced=bool(contract),
        version=None if version is None else str(version),
        raw_code=str(node.get("raw_code") or ""),
        group=str(node.get("group") or config.get("group") or ""),
        access=str(node.get("access") or "") if resource_type == "model" else "",
        owner=str(meta.get("owner") or ""),
        readers=tuple(
            str(grantee)[5:].lower()
            for grantee in ((config.get("grants") or {}).get("select") or ())
            if str(grantee).startswith("role:")
        ),
        materialized=str(config.get("materialized") or ""),
        post_hooks=tuple(str(hook.get("sql") or "") for hook in config.get("post-hook") or ()),
        relation=(str(node.get("schema") or "").lower(), str(node.get("alias") or node.get("name") or "").lower()),
        row_access=bool(meta.get("row_access")),
    )


def _source_resource(unique_id: str, node: Json) -> Resource:
    path = str(node.get("original_file_path") or "")
    config = node.get("config") or {}
    freshness = node.get("freshness") or config.get("freshness") or {}
    loaded_at = node.get("loaded_at_field") or node.get("loaded_at_query") or config.get("loaded_at_field") or ""
    return Resource(
        unique_id=unique_id,
        resource_type=SOURCE,
        name=str(node.get("name")),
        path=path,
        layer=SOURCE,
        description=_description(node),
        columns=_columns(node),
        folders=_folders(path),
        source_name=str(node.get("source_name")),
        source_description=str(node.get("source_description") or "").strip(),
        freshness=freshness,
        loaded_at=str(loaded_at or ""),
    )


def _test(unique_id: str, node: Json) -> DataTest | None:
    metadata = node.get("test_metadata") or {}
    if not metadata.get("name"):
        return None  # a singular test: not a key test
    kwargs = metadata.get("kwargs") or {}
    column = node.get("column_name") or kwargs.get("column_name")
    return DataTest(
        unique_id=unique_id,
        test_name=str(metadata["name"]),
        attached_to=node.get("attached_node"),
        column_name=str(column) if column else None,
        kwargs=kwargs,
    )


def _catalog_columns(catalog: Json) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    for section in ("nodes", "sources"):
        for unique_id, entry in (catalog.get(section) or {}).items():
            columns = entry.get("columns") or {}
            found[unique_id] = tuple(str(column.get("name") or name) for name, column in columns.items())
    return found


def load_project(manifest: Json, catalog: Json | None = None) -> Project:
    """The root project's resources and tests, from a parsed manifest.json (and optionally catalog.json)."""
    name = str((manifest.get("metadata") or {}).get("project_name") or "")

    def ours(node: Json) -> bool:
        return not name or node.get("package_name") == name

    resources: dict[str, Resource] = {}
    tests: dict[str, list[DataTest]] = defaultdict(list)
    for unique_id, node in (manifest.get("nodes") or {}).items():
        if not ours(node):
            continue
        resource_type = node.get("resource_type")
        if resource_type in {"model", SNAPSHOT, SEED}:
            resources[unique_id] = _node_resource(unique_id, node)
        elif resource_type == "test" and (test := _test(unique_id, node)) is not None and test.attached_to:
            tests[test.attached_to].append(test)
    for unique_id, node in (manifest.get("sources") or {}).items():
        if ours(node):
            resources[unique_id] = _source_resource(unique_id, node)
    return Project(
        name=name,
        resources=dict(sorted(resources.items())),
        tests_by_node={key: tuple(value) for key, value in tests.items()},
        exposures=tuple(node for node in (manifest.get("exposures") or {}).values() if ours(node)),
        metrics=tuple(node for node in (manifest.get("metrics") or {}).values() if ours(node)),
        catalog_columns=_catalog_columns(catalog) if catalog is not None else None,
        semantic_models=tuple(node for node in (manifest.get("semantic_models") or {}).values() if ours(node)),
        macros=tuple(node for node in (manifest.get("macros") or {}).values() if ours(node)),
        groups={
            str(group["name"]): dict(group.get("owner") or {})
            for group in (manifest.get("groups") or {}).values()
            if ours(group)
        },
    )
