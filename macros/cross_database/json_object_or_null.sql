{#-
    A raw text record as JSON when it parses as a JSON object, otherwise null.
    Downstream extraction (json_text) only ever sees valid objects or nulls.
-#}
{% macro json_object_or_null(raw_text) -%}
    {{ return(adapter.dispatch('json_object_or_null', 'globalretail')(raw_text)) }}
{%- endmacro %}

{% macro default__json_object_or_null(raw_text) -%}
    case when {{ globalretail.is_json_object(raw_text) }} then {{ raw_text }} end
{%- endmacro %}
