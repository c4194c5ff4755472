{#-
    DuckDB has no roles or grants: the folders' `grants:` (read on Redshift) are not applied here, without
    dbt-duckdb's warning on every build (docs/access.md, "On DuckDB").
-#}
{% macro duckdb__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}
