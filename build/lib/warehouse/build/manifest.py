"""Finding things in dbt's `manifest.json`: a node's layer, its quarantine source, what a test tests.

A node's layer is its first folder under `models/` (bronze, silver, gold); seeds are their own layer and a
test belongs to the layer of what it tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Json = Mapping[str, Any]

LAYER_ORDER: tuple[str, ...] = ("seeds", "bronze", "silver", "gold")
SEEDS = "seeds"
SNAPSHOTS = "snapshots"
OTHER = "other"
QUARANTINE_TAG = "quarantine"
REJECTION_COLUMN = "rejection_reason"
NO_REASON = "(no reason)"
TEST_TYPES = frozenset({"test", "unit_test"})


def layer_sort_key(layer: str) -> tuple[int, str]:
    return (LAYER_ORDER.index(layer), "") if layer in LAYER_ORDER else (len(LAYER_ORDER), layer)


def find_node(manifest: Json, unique_id: str) -> Json | None:
    for section in ("nodes", "sources", "unit_tests"):
        node = manifest.get(section, {}).get(unique_id)
        if node is not None:
            return node
    return None


def _folders(node: Json) -> list[str]:
    """The folders between the project and the node's own name in its fqn."""
    fqn = list(node.get("fqn", []))
    if node.get("resource_type") == "source":
        return fqn[1:-2]  # [package, *folders, source_name, table_name]
    if node.get("version") is not None:
        fqn = fqn[:-1]  # versioned models end with "v<version>"
    return fqn[1:-1]


def layer_of(node: Json) -> str:
    resource_type = node.get("resource_type")
    if resource_type == "seed":
        return SEEDS
    if resource_type == "snapshot":
        return SNAPSHOTS
    folders = _folders(node)
    return folders[0] if folders else OTHER


def _tags(node: Json) -> set[str]:
    return set(node.get("tags") or []) | set((node.get("config") or {}).get("tags") or [])


def quarantine_source(node: Json) -> str | None:
    """The source a quarantine model belongs to: its folder under models/bronze/ (its own name if none)."""
    if QUARANTINE_TAG not in _tags(node):
        return None
    folders = _folders(node)
    return folders[1] if len(folders) > 1 else str(node.get("name"))


def tested_node(manifest: Json, test: Json) -> Json | None:
    """What a test tests: its attached node, else the most downstream node it depends on."""
    attached = test.get("attached_node")
    if attached and (node := find_node(manifest, attached)) is not None:
        return node
    parents = [find_node(manifest, uid) for uid in (test.get("depends_on") or {}).get("nodes", [])]
    found = [node for node in parents if node is not None]
    return max(found, key=lambda node: layer_sort_key(layer_of(node)), default=None)


def node_layer(manifest: Json, unique_id: str) -> str:
    node = find_node(manifest, unique_id)
    if node is None:
        return OTHER
    if node.get("resource_type") in TEST_TYPES:
        tested = tested_node(manifest, node)
        return layer_of(tested) if tested is not None else OTHER
    return layer_of(node)


def results(run_results: Json) -> Iterable[Json]:
    return run_results.get("results", [])


def resource_type_of(manifest: Json, unique_id: str) -> str:
    node = find_node(manifest, unique_id)
    return str(node.get("resource_type")) if node else unique_id.split(".", 1)[0]
