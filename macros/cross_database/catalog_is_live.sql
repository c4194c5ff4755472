{#-
    Whether bronze reads the product catalog live from its PostgreSQL database rather than from the lake's
    catalog exports: on Redshift when the federated schema is configured (REDSHIFT_CATALOG_PG_URI), on
    DuckDB when WAREHOUSE_CATALOG_DSN names the database to attach.
-#}
{% macro catalog_is_live() -%}
    {{ return(adapter.dispatch('catalog_is_live', 'globalretail')()) }}
{%- endmacro %}

{% macro default__catalog_is_live() -%}
    {{ return(false) }}
{%- endmacro %}

{% macro duckdb__catalog_is_live() -%}
    {{ return(env_var('WAREHOUSE_CATALOG_DSN', '') | trim != '') }}
{%- endmacro %}

{% macro redshift__catalog_is_live() -%}
    {{ return(env_var('REDSHIFT_CATALOG_PG_URI', '') | trim != '') }}
{%- endmacro %}
