{#- True when a text value parses as a JSON object (not an array, not a scalar, not malformed). -#}
{% macro is_json_object(raw_text) -%}
    {{ return(adapter.dispatch('is_json_object', 'globalretail')(raw_text)) }}
{%- endmacro %}

{% macro default__is_json_object(raw_text) -%}
    coalesce(is_valid_json({{ raw_text }}), false)
{%- endmacro %}

{% macro duckdb__is_json_object(raw_text) -%}
    {#- CASE, not AND: json_type raises on malformed text, and AND does not short-circuit. -#}
    case when json_valid({{ raw_text }}) then json_type({{ raw_text }}) = 'OBJECT' else false end
{%- endmacro %}

{% macro redshift__is_json_object(raw_text) -%}
    {#- is_valid_json is false for arrays (is_valid_json_array covers those) and for scalars. -#}
    coalesce(is_valid_json({{ raw_text }}), false)
{%- endmacro %}
