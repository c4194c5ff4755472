"""The conventions of docs/conventions.md as rules over dbt's manifest; each finding names its rule and resource.

- layer-folder: every model lives under models/bronze, models/silver or models/gold.
- naming: bronze stg_<source>__<entity>s (optionally _typed, _quarantine, _stream) in models/bronze/<source>/;
  silver int_*; gold dim_*, fct_*, agg_*; snapshots snp_*.
- sources-only-in-bronze: only bronze models read sources.
- layer-dependencies: bronze reads sources, bronze, seeds; silver reads bronze, silver, seeds; gold reads
  silver, gold, snapshots; snapshots read silver or bronze.
- documented: every model, snapshot, seed, source, source table, exposure and metric has a description.
- columns-documented: every column has a description (given a catalog, every warehouse column is in YAML).
- key-tested: unique + not_null on one column, or unique_combination_of_columns (models, snapshots, seeds).
- source-freshness: every source table has a freshness threshold and a loaded_at field.
- gold-contract: every gold model has an enforced contract.
- import-cte-inlined: an import CTE (`name as (select * from {{ ref(...) }})`, a source or `this`) that the
  model reads more than once in one run (an incremental run or a full refresh: the branches of
  `{% if is_incremental() %}` count apart) is written `name as {{ inline_cte() }} (`: DuckDB materializes a
  CTE read twice, a copy of the whole relation before any filter (macros/cross_database/inline_cte.sql).
- owned: every model and snapshot belongs to a dbt group whose owner has an email address, and carries that
  email as meta.owner (shown on the docs site, which has no place for groups); gold models are
  `access: public` (the marts others build on), bronze and silver are not (protected or private).
- pii-classified: a column whose name says it holds personal data (email, first/last/full name, phone,
  address, date of birth) declares `meta: {pii: <kind>}`, and every declared kind is one of PII_KINDS, in
  models, snapshots and sources alike (the classification access control and masking are driven by).
- pii-masked: a model with personal-data columns that a role outside `access_clear_pii_roles` may read (its
  grants config) is a table or incremental model whose post-hooks include protect_relation(), which attaches
  the masking policy of each such column for each such role on Redshift (a view cannot carry one).
- distinct-dimensions: two semantic-layer dimensions that compute different things (another model or
  expression) do not share a description: an analyst choosing between them must be told how they differ.
- macro-documented: every macro of the project (macros/ and the generic tests of tests/generic/) has a
  description, given in the `macros:` property file of its folder (macro_yaml_path).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from warehouse.lint.project import NO_LAYER, SEED, SNAPSHOT, SOURCE, Json, Project, Resource


@dataclass(frozen=True, order=True)
class Violation:
    rule: str
    subject: str  # "model fct_sales", "source crm.customers"
    path: str
    message: str

    def render(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"[{self.rule}] {self.subject}{where}: {self.message}"


Rule = Callable[[Project], Iterable[Violation]]

BRONZE_SUFFIXES: tuple[str, ...] = ("_typed", "_quarantine", "_stream")
NAME_PATTERNS: dict[str, re.Pattern[str]] = {
    "bronze": re.compile(
        r"^stg_(?P<source>[a-z][a-z0-9]*(?:_[a-z0-9]+)*)__(?P<entity>[a-z][a-z0-9_]*s)"
        r"(?:" + "|".join(BRONZE_SUFFIXES) + r")?$"
    ),
    "silver": re.compile(r"^int_[a-z][a-z0-9_]*$"),
    "gold": re.compile(r"^(?:dim|fct|agg)_[a-z][a-z0-9_]*$"),
    SNAPSHOT: re.compile(r"^snp_[a-z][a-z0-9_]*$"),
}
NAME_EXPECTED: dict[str, str] = {
    "bronze": "stg_<source>__<entity>s, optionally with " + ", ".join(BRONZE_SUFFIXES),
    "silver": "int_<entity>s_<verb>ed or int_<name>",
    "gold": "dim_<entity>, fct_<process> or agg_<grain>_<subject>",
    SNAPSHOT: "snp_<entity>s",
}
ALLOWED_PARENTS: dict[str, frozenset[str]] = {
    "bronze": frozenset({SOURCE, "bronze", SEED}),
    "silver": frozenset({"bronze", "silver", SEED}),
    "gold": frozenset({"silver", "gold", SNAPSHOT}),
    SNAPSHOT: frozenset({"bronze", "silver"}),
}
UNIQUENESS_TESTS: frozenset[str] = frozenset({"unique_combination_of_columns", "expect_compound_columns_to_be_unique"})
KEYED_TYPES: frozenset[str] = frozenset({"model", SNAPSHOT, SEED})


def _violation(rule: str, resource: Resource, message: str) -> Violation:
    return Violation(rule, resource.label, resource.path, message)


def _models(project: Project, *types: str) -> Iterator[Resource]:
    wanted = set(types or ("model",))
    return (resource for resource in project.resources.values() if resource.resource_type in wanted)


def _layer_label(resource: Resource) -> str:
    return resource.layer if resource.resource_type == "model" else resource.resource_type


def check_layer_folder(project: Project) -> Iterator[Violation]:
    for model in _models(project):
        if model.layer == NO_LAYER:
            yield _violation("layer-folder", model, "lives outside models/bronze, models/silver and models/gold")


def check_naming(project: Project) -> Iterator[Violation]:
    for resource in _models(project, "model", SNAPSHOT):
        layer = resource.layer
        pattern = NAME_PATTERNS.get(layer)
        if pattern is None:
            continue
        match = pattern.match(resource.name)
        if match is None:
            yield _violation(
                "naming", resource, f"a {_layer_label(resource)} name must look like {NAME_EXPECTED[layer]}"
            )
        elif layer == "bronze" and resource.folders and match.group("source") != resource.folders[0]:
            yield _violation(
                "naming",
                resource,
                f"lives in models/bronze/{resource.folders[0]}/ but is named for source '{match.group('source')}'",
            )


def check_sources_only_in_bronze(project: Project) -> Iterator[Violation]:
    for resource in _models(project, "model", SNAPSHOT):
        if resource.layer == "bronze":
            continue
        for parent_id in resource.parents:
            parent = project.resources.get(parent_id)
            if parent is not None and parent.resource_type == SOURCE:
                yield _violation(
                    "sources-only-in-bronze",
                    resource,
                    f"reads {parent.label}: only bronze models read sources",
                )


def check_layer_dependencies(project: Project) -> Iterator[Violation]:
    for resource in _models(project, "model", SNAPSHOT):
        allowed = ALLOWED_PARENTS.get(resource.layer)
        if allowed is None:
            continue
        for parent_id in resource.parents:
            parent = project.resources.get(parent_id)
            if parent is None or parent.resource_type == SOURCE:
                continue  # another package's node; sources are sources-only-in-bronze's business
            if parent.layer not in allowed:
                yield _violation(
                    "layer-dependencies",
                    resource,
                    f"reads {_layer_label(parent)} {parent.label}: a {_layer_label(resource)} "
                    f"{resource.resource_type} reads only {', '.join(sorted(allowed))}",
                )


def check_documented(project: Project) -> Iterator[Violation]:
    described_sources: set[str] = set()
    for resource in project.resources.values():
        if not resource.description:
            yield _violation("documented", resource, "has no description")
        if resource.resource_type == SOURCE and resource.source_name not in described_sources:
            described_sources.add(resource.source_name)
            if not resource.source_description:
                yield Violation("documented", f"source {resource.source_name}", resource.path, "has no description")
    for exposure in project.exposures:
        subject = f"exposure {exposure.get('name')}"
        path = str(exposure.get("original_file_path") or "")
        if not str(exposure.get("description") or "").strip():
            yield Violation("documented", subject, path, "has no description")
        owner = exposure.get("owner") or {}
        if not (owner.get("name") or owner.get("email")):
            yield Violation("documented", subject, path, "has no owner")
    for metric in project.metrics:
        if not str(metric.get("description") or "").strip():
            path = str(metric.get("original_file_path") or "")
            yield Violation("documented", f"metric {metric.get('name')}", path, "has no description")


def _normal(name: str) -> str:
    return name.strip('"').lower()


def check_columns_documented(project: Project) -> Iterator[Violation]:
    for resource in project.resources.values():
        for column in resource.columns:
            if not column.description:
                yield _violation("columns-documented", resource, f"column {column.name} has no description")
        if project.catalog_columns is None or resource.unique_id not in project.catalog_columns:
            continue
        documented = {_normal(column.name) for column in resource.columns}
        for name in project.catalog_columns[resource.unique_id]:
            if _normal(name) not in documented:
                yield _violation(
                    "columns-documented",
                    resource,
                    f"column {name} is in the warehouse but not documented in YAML",
                )


def key_is_tested(project: Project, unique_id: str) -> bool:
    tests = project.tests_of(unique_id)
    if any(test.test_name in UNIQUENESS_TESTS for test in tests):
        return True
    unique = {_normal(test.column_name) for test in tests if test.test_name == "unique" and test.column_name}
    not_null = {_normal(test.column_name) for test in tests if test.test_name == "not_null" and test.column_name}
    return bool(unique & not_null)


def check_key_tested(project: Project) -> Iterator[Violation]:
    for resource in project.resources.values():
        if resource.resource_type in KEYED_TYPES and not key_is_tested(project, resource.unique_id):
            yield _violation(
                "key-tested",
                resource,
                "no key test: add unique and not_null on its key column, or a unique_combination_of_columns test",
            )


def check_source_freshness(project: Project) -> Iterator[Violation]:
    for source in _models(project, SOURCE):
        thresholds = [source.freshness.get(level) or {} for level in ("warn_after", "error_after")]
        if not any(threshold.get("count") and threshold.get("period") for threshold in thresholds):
            yield _violation("source-freshness", source, "has no freshness warn_after/error_after threshold")
        if not source.loaded_at:
            yield _violation("source-freshness", source, "has no loaded_at_field (or loaded_at_query)")


PII_KINDS: frozenset[str] = frozenset({"email", "name", "phone", "address", "birth_date"})
PII_COLUMN = re.compile(
    r"^(?:e_?mail(?:_address)?|(?:first|last|full|middle|given|family)_name|phone(?:_number)?|mobile"
    r"|(?:street|postal|home|billing|shipping)_address|address_line_?\d*|date_of_birth|birth_date)$"
)


def check_owned(project: Project) -> Iterator[Violation]:
    for resource in _models(project, "model", SNAPSHOT):
        if not resource.group:
            yield _violation("owned", resource, "belongs to no group: set +group for its folder (models/groups.yml)")
        elif resource.group not in project.groups:
            yield _violation("owned", resource, f"group {resource.group!r} is not defined in models/groups.yml")
        elif not (email := str(project.groups[resource.group].get("email") or "").strip()):
            yield _violation("owned", resource, f"group {resource.group!r} has an owner without an email address")
        elif resource.owner != email:
            message = (
                f"meta.owner is {resource.owner or 'unset'}, not {email}, the owner of its group {resource.group!r}: "
                "set +meta: {owner: ...} beside +group (the docs site shows meta, not groups)"
            )
            yield _violation("owned", resource, message)
        if resource.resource_type != "model":
            continue
        if resource.layer == "gold" and resource.access != "public":
            yield _violation("owned", resource, f"gold models are access: public, not {resource.access or 'unset'}")
        elif resource.layer in ("bronze", "silver") and resource.access == "public":
            yield _violation("owned", resource, f"{resource.layer} models are protected or private, not public")


def check_pii_classified(project: Project) -> Iterator[Violation]:
    for resource in _models(project, "model", SNAPSHOT, SOURCE):
        for column in resource.columns:
            if column.pii and column.pii not in PII_KINDS:
                yield _violation(
                    "pii-classified",
                    resource,
                    f"column {column.name}: meta.pii {column.pii!r} is not one of {', '.join(sorted(PII_KINDS))}",
                )
            elif not column.pii and PII_COLUMN.match(column.name):
                message = f"column {column.name} holds personal data: declare meta: {{pii: <kind>}}"
                yield _violation("pii-classified", resource, message)


def check_pii_masked(project: Project) -> Iterator[Violation]:
    for resource in _models(project, "model"):
        personal = [column.name for column in resource.columns if column.pii]
        masked_readers = sorted(set(resource.readers) - project.clear_pii_roles)
        if not (personal and masked_readers):
            continue
        if resource.materialized not in ("table", "incremental"):
            message = (
                f"{', '.join(personal)} (personal data) readable by {', '.join(masked_readers)} in a "
                f"{resource.materialized or 'view'}: a masking policy attaches to tables only; make it a table "
                "or grant it to the clear roles only"
            )
            yield _violation("pii-masked", resource, message)
        elif not any("protect_relation" in hook for hook in resource.post_hooks):
            message = (
                f"{', '.join(personal)} (personal data) readable by {', '.join(masked_readers)} without the "
                "post-hook protect_relation() that masks them"
            )
            yield _violation("pii-masked", resource, message)


def check_gold_contract(project: Project) -> Iterator[Violation]:
    for model in _models(project):
        if model.layer == "gold" and not model.contract_enforced:
            yield _violation(
                "gold-contract", model, "gold models carry an enforced contract (contract: {enforced: true})"
            )


def _dimension_key(semantic_model: Json, dimension: Json) -> tuple[str, str]:
    """What a dimension computes: its model and its expression (its name when it has none)."""
    model = str((semantic_model.get("node_relation") or {}).get("relation_name") or semantic_model.get("name"))
    return model, str(dimension.get("expr") or dimension.get("name"))


def check_distinct_dimensions(project: Project) -> Iterator[Violation]:
    by_description: dict[str, list[tuple[str, str, tuple[str, str]]]] = {}
    for semantic_model in project.semantic_models:
        path = str(semantic_model.get("original_file_path") or "")
        for dimension in semantic_model.get("dimensions") or []:
            description = " ".join(str(dimension.get("description") or "").split())
            if description:
                subject = f"dimension {semantic_model.get('name')}.{dimension.get('name')}"
                by_description.setdefault(description, []).append(
                    (subject, path, _dimension_key(semantic_model, dimension))
                )
    for entries in by_description.values():
        if len({key for _, _, key in entries}) > 1:
            for subject, path, key in entries:
                others = ", ".join(other for other, _, other_key in entries if other_key != key)
                yield Violation(
                    "distinct-dimensions",
                    subject,
                    path,
                    f"shares its description with {others}, which compute other values: say how they differ",
                )


def macro_yaml_path(path: str) -> str:
    """The property file that documents the macros of `path`: `macros/<folder>/_<folder>__macros.yml`, or
    `tests/generic/_generic__tests.yml` for a generic test (docs/conventions.md, "YAML")."""
    parts = path.split("/")
    if len(parts) == 3 and parts[0] == "macros":
        return f"macros/{parts[1]}/_{parts[1]}__macros.yml"
    if parts[:2] == ["tests", "generic"]:
        return "tests/generic/_generic__tests.yml"
    return "a macros: property file beside it"


def check_macro_documented(project: Project) -> Iterator[Violation]:
    for macro in project.macros:
        if not str(macro.get("description") or "").strip():
            path = str(macro.get("original_file_path") or "")
            yield Violation(
                "macro-documented",
                f"macro {macro.get('name')}",
                path,
                f"has no description: describe it and its arguments in {macro_yaml_path(path)}",
            )


IMPORT_CTE = re.compile(
    r"(?m)^\s*(?P<name>\w+)\s+as\s+(?P<inlined>\{\{\s*inline_cte\(\)\s*\}\}\s*)?"
    r"\(\s*select\s+\*\s+from\s+\{\{\s*(?:ref\(|source\(|this\b)[^}]*\}\}\s*\)",
    re.IGNORECASE,
)


JINJA_IF_TAG = re.compile(r"\{%-?\s*(if|elif|else|endif)\b(.*?)-?%\}", re.DOTALL)


def jinja_variant(code: str, incremental: bool) -> str:
    """The model's code as an incremental run (or a full refresh) sees it: of every `{% if is_incremental() %}`
    (or `not is_incremental()`) block only the branch that run takes; other conditionals keep all branches."""
    out: list[str] = []
    stack: list[tuple[bool, bool]] = []  # per open if: (decided by is_incremental, current branch kept)
    position = 0
    for tag in JINJA_IF_TAG.finditer(code):
        if all(kept for _, kept in stack):
            out.append(code[position : tag.start()])
        kind, condition = tag.group(1), " ".join(tag.group(2).split())
        if kind == "if":
            decided = condition in {"is_incremental()", "not is_incremental()"}
            stack.append((decided, (incremental == (condition == "is_incremental()")) if decided else True))
        elif kind in {"elif", "else"} and stack:
            decided, kept = stack[-1]
            stack[-1] = (decided, (not kept) if decided else True)
        elif kind == "endif" and stack:
            stack.pop()
        position = tag.end()
    if all(kept for _, kept in stack):
        out.append(code[position:])
    return "".join(out)


def check_import_cte_inlined(project: Project) -> Iterator[Violation]:
    for resource in _models(project, "model", SNAPSHOT):
        for match in IMPORT_CTE.finditer(resource.raw_code):
            name = match.group("name")
            pattern = rf"\b(?:from|join)\s+{re.escape(name)}\b"
            reads = max(
                len(re.findall(pattern, jinja_variant(resource.raw_code, incremental), re.IGNORECASE))
                for incremental in (True, False)
            )
            if reads > 1 and not match.group("inlined"):
                yield _violation(
                    "import-cte-inlined",
                    resource,
                    f"import CTE `{name}` is read {reads} times in one run: DuckDB would copy the whole relation "
                    f"before either read filters it; write `{name} as {{{{ inline_cte() }}}} (`",
                )


RULES: dict[str, Rule] = {
    "layer-folder": check_layer_folder,
    "naming": check_naming,
    "sources-only-in-bronze": check_sources_only_in_bronze,
    "layer-dependencies": check_layer_dependencies,
    "documented": check_documented,
    "columns-documented": check_columns_documented,
    "key-tested": check_key_tested,
    "source-freshness": check_source_freshness,
    "gold-contract": check_gold_contract,
    "owned": check_owned,
    "pii-classified": check_pii_classified,
    "pii-masked": check_pii_masked,
    "distinct-dimensions": check_distinct_dimensions,
    "import-cte-inlined": check_import_cte_inlined,
    "macro-documented": check_macro_documented,
}


def lint_project(project: Project, rules: Iterable[str] | None = None) -> list[Violation]:
    """Every violation of the selected rules (all by default), sorted by rule then subject."""
    selected = list(RULES) if rules is None else list(rules)
    unknown = [name for name in selected if name not in RULES]
    if unknown:
        raise ValueError(f"unknown governance rule(s): {', '.join(unknown)}; known: {', '.join(RULES)}")
    return sorted(violation for name in selected for violation in RULES[name](project))
