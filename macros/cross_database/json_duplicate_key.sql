{#-
    True when one of `keys` is a member name more than once in the JSON text `raw_text`. JSON parsers
    disagree on such an object (DuckDB keeps the first value, PostgreSQL's json the last, Redshift does
    not document its choice), so bronze quarantines it (`duplicate_key`) rather than keep whichever value
    the engine picks. A member name is `"key"` followed by optional white space and `:`, not preceded by a
    backslash (inside a string value the quotes of such text are escaped): the same text rule on every
    engine, over the keys the model reads.
-#}
{% macro json_duplicate_key(raw_text, keys) -%}
    {{ return(adapter.dispatch('json_duplicate_key', 'globalretail')(raw_text, keys)) }}
{%- endmacro %}

{% macro json_member_pattern(keys) -%}
    (^|[^\\])"({{ keys | join('|') }})"[[:space:]]*:
{%- endmacro %}

{#- Redshift: REGEXP_COUNT (REGEXP_COUNT.html), POSIX syntax (pattern-matching-conditions-posix.html). -#}
{% macro default__json_duplicate_key(raw_text, keys) -%}
    ({% for key in keys %}regexp_count({{ raw_text }}, '{{ globalretail.json_member_pattern([key]) }}') > 1
    {%- if not loop.last %} or {% endif %}{% endfor %})
{%- endmacro %}

{#- DuckDB: one pass over the text collects every member name of `keys` (RE2 syntax takes the same pattern). -#}
{% macro duckdb__json_duplicate_key(raw_text, keys) -%}
    (len(list_distinct(regexp_extract_all({{ raw_text }}, '{{ globalretail.json_member_pattern(keys) }}', 2)))
        < len(regexp_extract_all({{ raw_text }}, '{{ globalretail.json_member_pattern(keys) }}', 2)))
{%- endmacro %}
