{#-
    The low-water mark of an incremental run: the newest value of `column` in `relation` minus
    `lookback_days` days, as a SQL expression (null when the relation is empty, so compare with
    `coalesce(..., <lowest>)` or guard with `is null`). With `until` (a SQL expression), only values up to
    it count: a value beyond it (a stream record dated 2999, say) would otherwise hold the mark there and
    every later record would look already loaded.

    When a model runs (`dbt run`/`build`), the value is computed first and inlined as a literal: DuckDB's
    zone maps and Redshift Spectrum's partition pruning act on a literal, not on a value from a subquery
    or a join. Otherwise (compile, docs, a unit test, where `relation` is a CTE of the test's given rows
    that cannot be queried beforehand) it is the scalar subquery, the same value.
-#}
{% macro incremental_watermark(relation, column, lookback_days, until=none) -%}
    {%- set subquery -%}
        (select cast({{ dbt.dateadd('day', -1 * lookback_days, 'max(' ~ column ~ ')') }} as date) from {{ relation }}
        {%- if until is not none %} where {{ column }} <= {{ until }}{% endif %})
    {%- endset -%}
    {%- if not execute or model.resource_type == 'unit_test' or flags.WHICH not in ('run', 'build') -%}
        {{ return(subquery) }}
    {%- endif -%}
    {%- set value = run_query('select ' ~ subquery).columns[0].values()[0] -%}
    {%- if value is none -%}
        {{ return('cast(null as date)') }}
    {%- endif -%}
    {{ return("cast('" ~ value ~ "' as date)") }}
{%- endmacro %}

{#-
    The incremental filter "`column` is on or after the watermark of this model's `watermark_column`"
    (incremental_watermark with `lookback_days` and `until`); everything passes while the model is empty.
-#}
{% macro since_watermark(column, watermark_column, lookback_days, until=none) -%}
    {{ column }} >= coalesce(
        {{ globalretail.incremental_watermark(this, watermark_column, lookback_days, until) }},
        cast('1900-01-01' as date)
    )
{%- endmacro %}
