{#-
    Physical row order for a table model, taken from its Redshift `sort` config so there is one source
    of truth. Redshift keeps rows in sort-key order itself, so nothing is emitted there; DuckDB has no
    sort keys, but inserting rows in sort-key order makes its zone maps (min/max per row group) prune
    the same selective filters. Call it after the model's final select:
        select * from final {{ storage_order() }}
-#}
{% macro storage_order() -%}
    {{ return(adapter.dispatch('storage_order', 'globalretail')()) }}
{%- endmacro %}

{% macro default__storage_order() -%}
{%- endmacro %}

{% macro duckdb__storage_order() -%}
    {%- set sort = config.get('sort') -%}
    {%- if sort -%}
        {%- if sort is string %}{% set sort = [sort] %}{% endif -%}
        order by {{ sort | join(', ') }}
    {%- endif -%}
{%- endmacro %}
