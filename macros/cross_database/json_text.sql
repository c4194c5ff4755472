{#-
    The text value of a top-level key of a JSON object, null when the key is absent, JSON null or an empty
    string. The argument must be a valid JSON object or null (see json_object_or_null).
-#}
{% macro json_text(json_column, key) -%}
    {{ return(adapter.dispatch('json_text', 'globalretail')(json_column, key)) }}
{%- endmacro %}

{% macro default__json_text(json_column, key) -%}
    nullif(json_extract_path_text({{ json_column }}, '{{ key }}', true), '')
{%- endmacro %}

{% macro duckdb__json_text(json_column, key) -%}
    nullif(json_extract_string({{ json_column }}, '$.{{ key }}'), '')
{%- endmacro %}

{#-
    Several keys of the same JSON object at once, as a select list: `columns` maps each key to its column
    name, in order. Each value is what json_text gives for that key.

    DuckDB parses the object once for all keys: every column reads the same json_transform struct, which
    the optimizer computes once (json_extract_string per key re-parses the text each time, 2.5x slower
    over the orders lake). Elsewhere: json_text per key.
-#}
{% macro json_text_columns(json_column, columns) -%}
    {{ return(adapter.dispatch('json_text_columns', 'globalretail')(json_column, columns)) }}
{%- endmacro %}

{% macro default__json_text_columns(json_column, columns) -%}
    {%- for key, name in columns.items() %}
        {{ globalretail.json_text(json_column, key) }} as {{ name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro duckdb__json_text_columns(json_column, columns) -%}
    {%- set spec = [] -%}
    {%- for key in columns -%}
        {%- do spec.append('"' ~ key ~ '": "VARCHAR"') -%}
    {%- endfor -%}
    {%- for key, name in columns.items() %}
        nullif(json_transform({{ json_column }}, '{{ "{" ~ spec | join(", ") ~ "}" }}')."{{ key }}", '') as {{ name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
