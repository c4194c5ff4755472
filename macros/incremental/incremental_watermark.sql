{#-
    The low-water mark of an incremental run: the newest value of `column` in `relation` minus
    `lookback_days` days, as a SQL expression (null when the relation is empty, so compare with
    `coalesce(..., <lowest>)` or guard with `is null`).

    DuckDB: computed when the model runs and inlined as a literal, so zone maps prune the scan of the
    input (a value from a subquery or a join does not prune); in a unit test, where `relation` is a CTE of
    the test's given rows that cannot be queried beforehand, the scalar subquery. Redshift: a scalar
    subquery, which also compiles offline.
-#}
{% macro incremental_watermark(relation, column, lookback_days) -%}
    {{ return(adapter.dispatch('incremental_watermark', 'globalretail')(relation, column, lookback_days)) }}
{%- endmacro %}

{% macro default__incremental_watermark(relation, column, lookback_days) -%}
    (select cast({{ dbt.dateadd('day', -1 * lookback_days, 'max(' ~ column ~ ')') }} as date) from {{ relation }})
{%- endmacro %}

{% macro duckdb__incremental_watermark(relation, column, lookback_days) -%}
    {%- if not execute -%}
        {{ return('cast(null as date)') }}
    {%- endif -%}
    {%- if model.resource_type == 'unit_test' -%}
        {{ return(globalretail.default__incremental_watermark(relation, column, lookback_days)) }}
    {%- endif -%}
    {%- set result = run_query(
        'select cast(max(' ~ column ~ ') as date) - ' ~ (lookback_days | int) ~ ' from ' ~ relation
    ) -%}
    {%- set value = result.columns[0].values()[0] -%}
    {%- if value is none -%}
        {{ return('cast(null as date)') }}
    {%- endif -%}
    {{ return("cast('" ~ value ~ "' as date)") }}
{%- endmacro %}

{#-
    The incremental filter "`column` is on or after the watermark of this model's `watermark_column`"
    (incremental_watermark with `lookback_days`); everything passes while the model is empty.
-#}
{% macro since_watermark(column, watermark_column, lookback_days) -%}
    {{ column }} >= coalesce(
        {{ globalretail.incremental_watermark(this, watermark_column, lookback_days) }},
        cast('1900-01-01' as date)
    )
{%- endmacro %}
