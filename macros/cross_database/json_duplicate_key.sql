{#-
    True when one of `keys` is a member name more than once in the JSON text `raw_text`. JSON parsers
    disagree on such an object (DuckDB keeps the first value, PostgreSQL's json the last, Redshift does
    not document its choice), so bronze quarantines it (`duplicate_key`) rather than keep whichever value
    the engine picks.

    A member name is `"key"` followed by optional white space and `:`. Inside a JSON string every quote is
    escaped, so that text can only be a member name (of the object or of a nested one). One regular
    expression, the same on every engine, matches a text that holds some key's member name twice: a
    match without submatches, about 2 s per million orders on DuckDB on 2 cores (collecting the names with
    regexp_extract_all and comparing them took 20 s).
-#}
{% macro json_duplicate_key(raw_text, keys) -%}
    {{ return(adapter.dispatch('json_duplicate_key', 'globalretail')(raw_text, keys)) }}
{%- endmacro %}

{% macro json_repeated_member_pattern(keys) -%}
    {%- set alternatives = [] -%}
    {%- for key in keys -%}
        {%- do alternatives.append('"' ~ key ~ '"[[:space:]]*:.*"' ~ key ~ '"[[:space:]]*:') -%}
    {%- endfor -%}
    {{ alternatives | join('|') }}
{%- endmacro %}

{#- Redshift: REGEXP_COUNT (REGEXP_COUNT.html) with a POSIX pattern (pattern-matching-conditions-posix.html). -#}
{% macro default__json_duplicate_key(raw_text, keys) -%}
    (regexp_count({{ raw_text }}, '{{ globalretail.json_repeated_member_pattern(keys) }}') > 0)
{%- endmacro %}

{#- DuckDB: regexp_matches (RE2 takes the same pattern; it matches anywhere in the text, as REGEXP_COUNT does). -#}
{% macro duckdb__json_duplicate_key(raw_text, keys) -%}
    regexp_matches({{ raw_text }}, '{{ globalretail.json_repeated_member_pattern(keys) }}')
{%- endmacro %}
