"""The SQL vocabulary the compatibility checker needs besides function names.

Sources (Amazon Redshift Database Developer Guide):
- reserved words: r_pg_keywords.html
- data types and aliases: c_Supported_data_types.html
- leader node-only functions: c_SQL_functions_leader_node_only.html
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Redshift reserved words (r_pg_keywords.html), without the compression encoding names.
RESERVED: frozenset[str] = _words(
    """
    all allowoverwrite analyse analyze and any array as asc authorization backup between binary both case
    cast check collate column constraint create credentials cross current_date current_time
    current_timestamp current_user current_user_id default deferrable defrag desc disable distinct do else
    enable encode encrypt encryption end except explicit false for foreign freeze from full grant group
    having identity ignore ilike in initially inner intersect interval into is isnull join language leading
    left like limit localtime localtimestamp minus natural new not notnull null nulls off offline offset
    oid old on only open or order outer overlaps parallel partition percent permissions placing primary
    readratio recover references rejectlog resort respect restore right select session_user similar
    snapshot some sysdate system table tag then timestamp to top trailing true truncatecolumns union
    unique user using verbose wallet when where with without
    """
)

# Non-reserved keywords the checker must not mistake for identifiers.
CLAUSE_KEYWORDS: frozenset[str] = _words(
    """
    approximate at by current delete distkey exclude exists following if include insert key lateral
    matched merge over pivot preceding properties qualify range recursive replace return returns rollup
    cube row rows serdeproperties set sets sortkey temp temporary unbounded unload unpivot update values
    window within zone
    """
)

KEYWORDS: frozenset[str] = RESERVED | CLAUSE_KEYWORDS

# Words that may be directly followed by '(' without being a function call.
PAREN_KEYWORDS: frozenset[str] = _words(
    """
    all and any as between by case check cube default distinct distkey else except exclude exists from
    group having identity ilike in include insert intersect is join key lateral like limit minus not
    nulls offset on or over partition pivot primary properties qualify recursive references returns
    return rollup select serdeproperties sets similar some sortkey then to top union unique unload unpivot
    using values when where window with
    """
)

# After one of these words an identifier followed by '(' names a relation or routine, not a call:
# `insert into t (a, b)`, `create table if not exists t (...)`, `references t (id)`, `call p(1)`.
RELATION_INTRODUCERS: frozenset[str] = frozenset(
    {"into", "table", "view", "references", "copy", "exists", "function", "procedure", "call", "analyze"}
)

# Redshift data types and aliases (c_Supported_data_types.html). Multi-word names are matched by the
# checker from their first word: double precision, character varying, binary varying, time[stamp]
# with[out] time zone, interval year to month, interval day to second.
DATA_TYPES: frozenset[str] = _words(
    """
    smallint int2 integer int int4 bigint int8 decimal dec numeric real float4 float8 float char character
    nchar bpchar varchar nvarchar text date time timetz timestamp timestamptz interval boolean bool
    hllsketch super varbyte varbinary binary geometry geography
    """
)

# Types written with parameters in parentheses: decimal(12, 2), varchar(256), char(2), varbyte(64).
PARAMETERISED_TYPES: frozenset[str] = _words(
    "decimal dec numeric char character nchar bpchar varchar nvarchar varbyte varbinary float"
)

# What to use instead of a DuckDB type in a cast.
TYPE_HINTS: dict[str, str] = {
    "double": "double precision",
    "string": "varchar",
    "hugeint": "decimal(38, 0)",
    "int128": "decimal(38, 0)",
    "uhugeint": "decimal(38, 0)",
    "ubigint": "decimal(20, 0)",
    "uinteger": "bigint",
    "usmallint": "integer",
    "utinyint": "smallint",
    "tinyint": "smallint",
    "int1": "smallint",
    "json": "super (via json_parse) or varchar",
    "blob": "varbyte",
    "bytea": "varbyte",
    "uuid": "varchar(36)",
    "list": "super",
    "struct": "super",
    "map": "super",
    "union": "super",
    "datetime": "timestamp",
    "timestamp_s": "timestamp",
    "timestamp_ms": "timestamp",
    "timestamp_ns": "timestamp",
    "timestamp_us": "timestamp",
}

# Deprecated leader node-only functions: they parse, but fail once the query reads a user table.
LEADER_NODE_ONLY: frozenset[str] = frozenset(
    {"age", "current_time", "current_timestamp", "localtime", "localtimestamp", "isfinite", "now"}
    | {"get_byte", "set_bit", "set_byte", "to_ascii"}
)

# The leader node-only ones that are reserved words, so they can be recognised without parentheses.
LEADER_NODE_ONLY_KEYWORDS: frozenset[str] = frozenset(
    {"current_time", "current_timestamp", "localtime", "localtimestamp"}
)

# Replacements for functions that exist in DuckDB (or PostgreSQL) but not in Redshift. Shown after the
# "is not a Redshift function" message; the cure is usually a dispatched macro (see docs/conventions.md).
FUNCTION_HINTS: dict[str, str] = {
    "list_value": "use array(...) on a SUPER value, or avoid arrays in models",
    "list_pack": "use array(...) on a SUPER value",
    "struct_pack": "use object(...) on a SUPER value",
    "json_extract": "use json_extract_path_text or SUPER navigation",
    "json_extract_string": "use json_extract_path_text",
    "json_value": "use json_extract_path_text",
    "regexp_extract": "use regexp_substr",
    "regexp_matches": "use regexp_instr(...) > 0 or the ~ operator",
    "regexp_full_match": "use the ~ operator with an anchored pattern",
    "strftime": "use to_char",
    "strptime": "use to_timestamp",
    "epoch_ms": "use timestamp 'epoch' + n / 1000 * interval '1 second'",
    "epoch": "use extract(epoch from ...)",
    "date_diff": "use datediff(datepart, start, end) through dbt.datediff",
    "date_sub": "use datediff through dbt.datediff",
    "date_add": "use dateadd through dbt.dateadd",
    "make_date": "use to_date",
    "today": "use current_date",
    "string_split": "use split_part or split_to_array",
    "str_split": "use split_part or split_to_array",
    "string_agg": "use listagg(...) within group (order by ...)",
    "array_agg": "use listagg, or build SUPER with json_parse",
    "list": "use listagg, or build SUPER with json_parse",
    "count_if": "use sum(case when ... then 1 else 0 end)",
    "ifnull": "use coalesce or nvl",
    "contains": "use strpos(...) > 0 or position(... in ...)",
    "starts_with": "use like 'prefix%'",
    "ends_with": "use like '%suffix'",
    "concat_ws": "use || with explicit separators",
    "array_length": "use get_array_length",
    "generate_series": "not supported on compute nodes; build a spine with dbt.date_spine",
    "range": "build a spine with dbt.date_spine",
    "unnest": "Redshift allows unnest(super_array) only in the FROM clause",
    "read_csv": "read lake files through Spectrum external tables (source()), not table functions",
    "read_csv_auto": "read lake files through Spectrum external tables (source()), not table functions",
    "read_json": "read lake files through Spectrum external tables (source()), not table functions",
    "read_json_auto": "read lake files through Spectrum external tables (source()), not table functions",
    "read_ndjson": "read lake files through Spectrum external tables (source()), not table functions",
    "read_ndjson_auto": "read lake files through Spectrum external tables (source()), not table functions",
    "read_parquet": "read lake files through Spectrum external tables (source()), not table functions",
    "read_text": "read lake files through Spectrum external tables (source()), not table functions",
    "columns": "DuckDB COLUMNS(...) star expression; list the columns",
    "arg_max": "use row_number() over (...) with qualify",
    "arg_min": "use row_number() over (...) with qualify",
    "max_by": "use row_number() over (...) with qualify",
    "min_by": "use row_number() over (...) with qualify",
    "quantile_cont": "use percentile_cont(...) within group (order by ...)",
    "quantile_disc": "use percentile_disc(...) within group (order by ...)",
    "hash": "use fnv_hash or md5",
    "uuid": "no UUID generator in Redshift; derive a key with md5",
    "gen_random_uuid": "no UUID generator in Redshift; derive a key with md5",
    "row": "row constructors are not supported",
    "overlay": "use substring and ||",
    "format": "use || and to_char",
}
