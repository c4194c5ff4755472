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
