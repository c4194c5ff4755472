{#-
    The length of a text value in bytes (UTF-8), which is what Redshift's varchar(n) limits
    (r_Character_types.html: "the length of a VARCHAR is in bytes, not characters"). DuckDB's length()
    counts characters; strlen() counts bytes.
-#}
{% macro byte_length(expr) -%}
    {{ return(adapter.dispatch('byte_length', 'globalretail')(expr)) }}
{%- endmacro %}

{% macro default__byte_length(expr) -%}
    octet_length({{ expr }})
{%- endmacro %}

{% macro duckdb__byte_length(expr) -%}
    strlen({{ expr }})
{%- endmacro %}
