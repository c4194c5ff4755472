{#- A CSV row re-joined with commas (empty for null), the raw payload kept for a quarantined CSV record. -#}
{% macro csv_raw_record(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(" ~ column ~ ", '')") -%}
        {%- if not loop.last %}{% do parts.append("','") %}{% endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
