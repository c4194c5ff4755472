{#- Lineage: when the build that loads a record started, as a UTC timestamp literal. -#}
{% macro loaded_at() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
