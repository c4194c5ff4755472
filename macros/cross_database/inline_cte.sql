{#-
    Placed between `name as` and the CTE's parenthesis of an import CTE that the model reads more than
    once: `hot as {{ inline_cte() }} (select * from {{ ref('...') }})`.

    DuckDB materializes a CTE that is referenced more than once: the whole relation is copied before
    either reference filters it, so an incremental run that reads a few touched keys of a 30M-row table
    twice copied all 30M rows first (int_orders_deduplicated, int_inventory_positions_merged). `not
    materialized` makes each reference its own scan, with its own filter and join pushdown.
    Redshift: nothing; its WITH clause has no materialization keyword (r_WITH_clause.html), and a CTE is
    a named subquery there. The governance rule `import-cte-inlined` requires it.
-#}
{% macro inline_cte() -%}
    {{ return(adapter.dispatch('inline_cte', 'globalretail')()) }}
{%- endmacro %}

{% macro default__inline_cte() -%}
{%- endmacro %}

{% macro duckdb__inline_cte() -%}
    not materialized
{%- endmacro %}
