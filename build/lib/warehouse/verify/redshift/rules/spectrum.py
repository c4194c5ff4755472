"""Rules over Spectrum: external table DDL, pseudocolumns, partition registration, source freshness."""

from __future__ import annotations

from collections import Counter

from warehouse.verify.redshift.recording import PHASE_FRESHNESS, Statement
from warehouse.verify.redshift.rules.base import Rule, RuleContext, RuleOutcome, aws, subject_of
from warehouse.verify.redshift.rules.external import ExternalTable, parse_external_table
from warehouse.verify.redshift.sqltext import dotted_name, qualified_names, quoted_pairs
from warehouse.verify.redshift.tokens import Kind, Token, matching_parens, tokenize

PSEUDOCOLUMNS = frozenset({"$path", "$size", "$spectrum_oid"})

# r_CREATE_EXTERNAL_TABLE.html, TABLE PROPERTIES (case-sensitive names) and their documented values.
TABLE_PROPERTIES: dict[str, frozenset[str] | None] = {
    "compression_type": frozenset({"bzip2", "gzip", "none", "snappy"}),
    "data_cleansing_enabled": frozenset({"true", "false"}),
    "invalid_char_handling": frozenset({"disabled", "fail", "set_to_null", "drop_row", "replace"}),
    "replacement_char": None,
    "numeric_overflow_handling": frozenset({"disabled", "fail", "set_to_null", "drop_row"}),
    "surplus_bytes_handling": frozenset({"set_to_null", "disabled", "fail", "drop_row", "truncate"}),
    "surplus_char_handling": frozenset({"set_to_null", "disabled", "fail", "drop_row", "truncate"}),
    "column_count_mismatch_handling": frozenset({"disabled", "fail", "set_to_null", "drop_row"}),
    "numRows": None,
    "skip.header.line.count": None,
    "serialization.null.format": None,
    "orc.schema.resolution": frozenset({"name", "position"}),
    "write.parallel": frozenset({"on", "off"}),
    "write.maxfilesize.mb": None,
    "write.kms.key.id": None,
}

# SERDEPROPERTIES documented per SerDe: r_CREATE_EXTERNAL_TABLE.html (ROW FORMAT SERDE) and the examples on
# r_CREATE_EXTERNAL_TABLE_examples.html. A name ending in '.' is a documented prefix ('mapping.<column>').
SERDE_PROPERTIES: dict[str, frozenset[str]] = {
    "org.apache.hadoop.hive.serde2.opencsvserde": frozenset({"wholeFile"}),
    "org.openx.data.jsonserde.jsonserde": frozenset({"strip.outer.array", "dots.in.keys", "mapping."}),
    "org.apache.hadoop.hive.serde2.regexserde": frozenset({"input.regex"}),
    "com.amazonaws.glue.serde.grokserde": frozenset({"input.format"}),
    "org.apache.hadoop.hive.serde2.avro.avroserde": frozenset({"avro.schema.literal"}),
}

GLUE_PARTITIONS_PER_ALTER = 100


# --- pseudocolumns of nested external tables ------------------------------------------------------------


_NOT_ALIASES = frozenset({"where", "join", "on", "left", "right", "inner", "full", "cross", "group", "order", "union"})
_NOT_ALIASES |= {"limit", "qualify", "having", "window", "using", "natural", "outer", "except", "intersect"}


def _aliases(tokens: list[Token], context: RuleContext) -> dict[str, tuple[str, str]]:
    """alias (and bare table name) -> external table key, for every external table the statement names."""
    aliases: dict[str, tuple[str, str]] = {}
    for index, parts in qualified_names(tokens):
        key = (parts[-2], parts[-1])
        if key not in context.external_tables:
            continue
        aliases[parts[-1]] = key
        _, after = dotted_name(tokens, index)
        if after < len(tokens) and tokens[after].is_word("as"):
            after += 1
        if after < len(tokens) and tokens[after].kind in (Kind.WORD, Kind.QUOTED):
            alias = tokens[after].text.strip('"').lower()
            if alias not in _NOT_ALIASES:
                aliases[alias] = key
    return aliases


def check_pseudocolumns(context: RuleContext) -> RuleOutcome:
    nested = {key for key, table in context.external_tables.items() if table.nested_columns}
    findings = []
    checked = 0
    for statement in context.statements:
        if context.heads(statement, 3) == ["create", "external", "table"]:
            continue
        tokens = context.tokens[statement.index]
        pseudo = [
            i for i, t in enumerate(tokens) if t.kind is Kind.QUOTED and t.text.strip('"').lower() in PSEUDOCOLUMNS
        ]
        if not pseudo:
            continue
        checked += 1
        aliases = _aliases(tokens, context)
        for i in pseudo:
            qualifier = tokens[i - 2].text.strip('"').lower() if i >= 2 and tokens[i - 1].is_op(".") else None
            targets = (
                {aliases[qualifier]} if qualifier in aliases else set(aliases.values()) if qualifier is None else set()
            )
            hit = sorted(targets & nested)
            if hit:
                schema, name = hit[0]
                columns = ", ".join(context.external_tables[hit[0]].nested_columns)
                findings.append(
                    RULES["pseudocolumns"].finding(
                        subject_of(statement),
                        f"{tokens[i].text} is selected from {schema}.{name}, which has nested columns ({columns}): "
                        "Spectrum does not support pseudocolumns on nested data; flatten the table or drop the "
                        "pseudocolumn",
                        statement,
                    )
                )
                break
    return RuleOutcome(checked, "statements", tuple(findings))


# --- table properties and SERDEPROPERTIES ----------------------------------------------------------------


def _property_findings(table: ExternalTable, statement: Statement) -> list[str]:
    problems: list[str] = []
    for name, value in table.table_properties:
        if name not in TABLE_PROPERTIES:
            problems.append(f"table property '{name}' is not a documented Spectrum table property")
            continue
        allowed = TABLE_PROPERTIES[name]
        if allowed is not None and value.lower() not in allowed:
            problems.append(f"table property '{name}' = '{value}' is not one of {', '.join(sorted(allowed))}")
    serde = table.serde.lower()
    documented = SERDE_PROPERTIES.get(serde, frozenset())
    undocumented = [
        name
        for name, _ in table.serde_properties
        if name not in documented and not any(p.endswith(".") and name.startswith(p) for p in documented)
    ]
    if undocumented:
        names = ", ".join(f"'{name}'" for name in undocumented)
        listed = ", ".join(sorted(documented)) or "none"
        problems.append(
            f"SERDEPROPERTIES {names} not documented for {table.serde or 'this SerDe'} in Spectrum "
            f"(documented: {listed})"
        )
    return problems


def check_external_properties(context: RuleContext) -> RuleOutcome:
    findings = []
    checked = 0
    for statement in context.statements:
        heads = context.heads(statement, 3)
        if heads == ["create", "external", "table"]:
            table = parse_external_table(statement.sql)
        elif heads[:2] == ["alter", "table"] and "properties" in statement.sql.lower():
            table = _altered_properties(statement)
        else:
            continue
        if table is None:
            continue
        checked += 1
        for problem in _property_findings(table, statement):
            findings.append(
                RULES["external-properties"].finding(
                    subject_of(statement), f"{table.schema}.{table.name}: {problem}; remove it", statement
                )
            )
    return RuleOutcome(checked, "external tables", tuple(findings))


def _altered_properties(statement: Statement) -> ExternalTable | None:
    """`alter table s.t set table properties (...)` as a table with only those properties."""
    tokens = tokenize(statement.sql)
    parens = matching_parens(tokens)
    parts, _ = dotted_name(tokens, 2)
    for j, token in enumerate(tokens):
        opens = token.is_word("properties") and j + 1 < len(tokens) and tokens[j + 1].is_op("(")
        if opens and j >= 1 and tokens[j - 1].is_word("table"):
            pairs = quoted_pairs(tokens, j + 1, parens)
            schema = parts[-2] if len(parts) > 1 else ""
            return ExternalTable(schema, parts[-1] if parts else "", {}, table_properties=tuple(pairs))
    return None


# --- partition registration --------------------------------------------------------------------------------


def partition_clauses(statement: Statement) -> int:
    """How many `partition (...) location '...'` clauses an `alter table ... add` statement has."""
    tokens = tokenize(statement.sql)
    words = [t.lower for t in tokens[:2] if t.kind is Kind.WORD]
    if words != ["alter", "table"] or not any(t.is_word("add") for t in tokens):
        return 0
    return sum(
        1
        for j, token in enumerate(tokens)
        if token.is_word("partition") and j + 1 < len(tokens) and tokens[j + 1].is_op("(")
    )


def check_partitions(context: RuleContext) -> RuleOutcome:
    findings = []
    per_phase: Counter[str] = Counter()
    statements = 0
    for statement in context.statements:
        count = partition_clauses(statement)
        if not count:
            continue
        statements += 1
        per_phase[statement.phase] += count
        if count > GLUE_PARTITIONS_PER_ALTER:
            findings.append(
                RULES["partitions"].finding(
                    subject_of(statement),
                    f"one ALTER TABLE adds {count} partitions: the Glue catalog accepts at most "
                    f"{GLUE_PARTITIONS_PER_ALTER} per statement; split it",
                    statement,
                )
            )
    total = sum(per_phase.values())
    phases = ", ".join(f"{phase}: {count}" for phase, count in per_phase.items()) or "none"
    return RuleOutcome(total, f"partitions in {statements} ALTERs ({phases})", tuple(findings))


# --- source freshness loaded_at_field ----------------------------------------------------------------------

# The columns of a Kinesis stream relation (materialized-view-streaming-ingestion-getting-started.html).
KINESIS_COLUMNS = frozenset(
    {"approximate_arrival_timestamp", "partition_key", "shard_id", "sequence_number", "refresh_time", "kinesis_data"}
)
_EXPRESSION_WORDS = frozenset(
    {"cast", "as", "timestamp", "timestamptz", "date", "convert_timezone", "dateadd", "coalesce", "nullif", "max"}
    | {"to_timestamp", "timestamp_cmp", "case", "when", "then", "else", "end", "null", "and", "or", "not", "is"}
    | {"without", "with", "time", "zone", "varchar", "integer", "bigint", "trunc", "date_trunc", "getdate", "day"}
    | {"hour", "minute", "second", "month", "year", "epoch", "interval", "timestamp_with_time_zone", "sysdate"}
)


def _freshness_relation(context: RuleContext, statement: Statement) -> tuple[str, str] | None:
    tokens = context.tokens[statement.index]
    for j, token in enumerate(tokens):
        if token.is_word("from"):
            parts, _ = dotted_name(tokens, j + 1)
            if len(parts) >= 2:
                return parts[-2], parts[-1]
    return None


def _columns_of(context: RuleContext, key: tuple[str, str]) -> tuple[set[str], ExternalTable | None]:
    table = context.external_tables.get(key)
    if table is not None:
        pseudo = set() if table.nested_columns else set(PSEUDOCOLUMNS)
        return table.all_columns | pseudo, table
    if key[0] in context.kinesis_schemas:
        return set(KINESIS_COLUMNS), None
    relation = context.project_relation(*key)
    if relation is not None:
        return {column.name.lower() for column in relation.columns}, None
    source = next((s for s in context.sources if (s.schema.lower(), s.identifier.lower()) == key), None)
    if source is not None:
        return {column.name.lower() for column in source.columns}, None
    return set(), None


def _field_identifiers(loaded_at_field: str) -> list[str]:
    names: list[str] = []
    tokens = tokenize(loaded_at_field)
    for j, token in enumerate(tokens):
        if token.kind is Kind.QUOTED:
            names.append(token.text.strip('"').lower())
        elif token.kind is Kind.WORD and token.lower not in _EXPRESSION_WORDS:
            if j + 1 < len(tokens) and tokens[j + 1].is_op("("):
                continue  # a function
            if j + 1 < len(tokens) and tokens[j + 1].is_op("."):
                continue  # a qualifier
            names.append(token.lower)
    return names


def check_loaded_at(context: RuleContext) -> RuleOutcome:
    findings = []
    sources = context.manifest.get("sources") or {}
    freshness_queries = {
        s.node: s for s in context.statements if s.phase == PHASE_FRESHNESS and "max_loaded_at" in s.sql
    }
    checked = 0
    for unique_id, source in sources.items():
        loaded_at = source.get("loaded_at_field")
        if not loaded_at:
            continue
        checked += 1
        statement = freshness_queries.get(unique_id)
        key = _freshness_relation(context, statement) if statement else None
        key = key or (str(source.get("schema", "")).lower(), str(source.get("identifier", "")).lower())
        columns, table = _columns_of(context, key)
        if not columns:
            continue  # nothing known about the relation: nothing to compare with
        for name in _field_identifiers(str(loaded_at)):
            if name in columns:
                continue
            extra = ""
            if name in PSEUDOCOLUMNS and table is not None and table.nested_columns:
                extra = " (a pseudocolumn, which Spectrum does not support on a table with nested columns)"
            findings.append(
                RULES["loaded-at-field"].finding(
                    unique_id,
                    f"loaded_at_field '{loaded_at}' uses '{name}', which is not a column of {key[0]}.{key[1]}{extra}: "
                    "use one of its columns (for Spectrum, a partition column such as dt works)",
                    statement,
                    snippet="" if statement else f"columns: {', '.join(sorted(columns))}",
                )
            )
    return RuleOutcome(checked, "sources", tuple(findings))


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            "pseudocolumns",
            '"$path"/"$size"/"$spectrum_oid" selected from an external table with nested columns',
            aws("nested-data-restrictions"),
            check_pseudocolumns,
        ),
        Rule(
            "external-properties",
            "TABLE PROPERTIES and SERDEPROPERTIES that AWS does not document for Spectrum",
            aws("r_CREATE_EXTERNAL_TABLE"),
            check_external_properties,
        ),
        Rule(
            "partitions",
            "more than 100 partitions in one ALTER TABLE ... ADD PARTITION; reports the partitions added per run",
            aws("r_ALTER_TABLE"),
            check_partitions,
        ),
        Rule(
            "loaded-at-field",
            "a source freshness loaded_at_field that is not a column of the relation freshness reads",
            "https://docs.getdbt.com/reference/resource-properties/freshness",
            check_loaded_at,
        ),
    )
}
