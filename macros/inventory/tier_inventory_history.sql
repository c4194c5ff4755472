{#-
    Hot/cold tiering of the inventory movement history (requirement INV-COLD-TIER,
    docs/requirements.md: history older than three years is offloaded). Run it after a build:

        dbt run-operation tier_inventory_history --args '{horizon_months: 36}'
        warehouse inventory tier [--horizon-months 36] [--as-of YYYY-MM-DD] [--dry-run]

    Movements of silver's hot table int_inventory_movements_deduplicated that happened before the cutoff
    (the first day of the month `horizon_months` before the as-of date, default today and
    var('inventory_hot_months')) are written to the cold tier, then deleted from the hot table:
      1. write the movements before the cutoff that the cold tier does not hold yet, as Parquet under
         <cold>/dt=<today>/tier-<run id>-*: UNLOAD on Redshift (the day's Spectrum partition is registered
         first), COPY ... TO on DuckDB;
      2. delete from the hot table the movements before the cutoff that the cold tier now holds.
    Step 1 skips what an earlier run wrote and step 2 deletes only what is in the cold tier, so a rerun,
    also after a run that failed between the steps, completes the job and never loses or duplicates a
    movement. Movements that arrived within var('inventory_lookback_days') of the newest arrival stay hot,
    because incremental runs may read them again. Before and after, the totals of int_inventory_movements_history
    (hot and cold: distinct movements, quantity and value) are compared, and afterwards every movement must be
    in exactly one tier; anything else is an error.
-#}
{% macro tier_inventory_history(horizon_months=none, as_of=none, dry_run=false) %}
    {%- set plan = globalretail.inventory_tier_plan(horizon_months, as_of) -%}
    {%- do adapter.dispatch('inventory_tier_check', 'globalretail')(plan) -%}
    {%- set before = globalretail.inventory_tier_totals(plan) -%}
    {%- set pending = globalretail.inventory_tier_scalar(
        'select count(*) from (' ~ globalretail.inventory_tier_select_sql(plan) ~ ') as pending') -%}
    {{ log("inventory tier: cutoff " ~ plan.cutoff ~ " (" ~ plan.horizon_months ~ " months before " ~ plan.as_of
        ~ "), " ~ pending ~ " movements to offload to " ~ plan.location, info=true) }}
    {%- if dry_run -%}
        {{ return(before) }}
    {%- endif -%}
    {%- if pending > 0 -%}
        {%- do adapter.dispatch('inventory_tier_write', 'globalretail')(plan) -%}
    {%- endif -%}
    {%- set deletable = globalretail.inventory_tier_scalar(
        'select count(*) from ' ~ plan.hot ~ ' as hot where ' ~ globalretail.inventory_tier_offloaded_sql(plan, 'hot.')) -%}
    {%- if deletable > 0 -%}
        {%- do run_query(globalretail.inventory_tier_delete_sql(plan)) -%}
    {%- endif -%}
    {%- do adapter.dispatch('inventory_tier_commit', 'globalretail')() -%}
    {%- set after = globalretail.inventory_tier_totals(plan) -%}
    {%- set changed = [] -%}
    {%- for key in ['distinct_movements', 'quantity', 'value'] if before[key] != after[key] -%}
        {%- do changed.append(key) -%}
    {%- endfor -%}
    {%- if changed or after.movements != after.distinct_movements -%}
        {{ exceptions.raise_compiler_error("inventory tier: history totals changed from " ~ before ~ " to " ~ after
            ~ "; rerun `warehouse inventory tier` to complete the offload") }}
    {%- endif -%}
    {{ log("inventory tier: wrote " ~ pending ~ " movements, deleted " ~ deletable ~ " from the hot table; "
        ~ "history unchanged: " ~ after, info=true) }}
    {{ return(after) }}
{% endmacro %}

{#- What a tier run does: cutoff, relations, where the cold tier is, the run's file prefix. -#}
{% macro inventory_tier_plan(horizon_months=none, as_of=none) %}
    {%- set horizon = (var('inventory_hot_months') if horizon_months is none else horizon_months) | int -%}
    {%- set as_of_date = modules.datetime.date.fromisoformat(as_of | string) if as_of else run_started_at.date() -%}
    {%- set month_index = as_of_date.year * 12 + as_of_date.month - 1 - horizon -%}
    {%- set cold_node = globalretail.source_node('inventory_lake', 'cold_movements') -%}
    {%- set columns = [] -%}
    {%- for column in cold_node.columns.values() if (column.meta or {}).get('physical', true) -%}
        {%- do columns.append(column.name) -%}
    {%- endfor -%}
    {{ return({
        'horizon_months': horizon,
        'as_of': as_of_date.isoformat(),
        'cutoff': modules.datetime.date(month_index // 12, month_index % 12 + 1, 1).isoformat(),
        'offload_date': run_started_at.date().isoformat(),
        'run_id': run_started_at.strftime('%Y%m%dT%H%M%S'),
        'lookback_days': var('inventory_lookback_days') | int,
        'hot': ref('int_inventory_movements_deduplicated'),
        'history': ref('int_inventory_movements_history'),
        'cold': ref('stg_inventory__cold_movements'),
        'cold_node': cold_node,
        'columns': columns,
        'location': globalretail.inventory_cold_location(),
    }) }}
{% endmacro %}

{% macro inventory_tier_scalar(sql) %}
    {{ return(run_query(sql).columns[0].values()[0] | int) }}
{% endmacro %}

{#-
    Totals over hot and cold that must not change: distinct movements, and quantity and value summed once per
    movement (a movement left in both tiers by an interrupted run counts once). `movements` counts rows: after
    a run it must equal `distinct_movements`.
-#}
{% macro inventory_tier_totals(plan) %}
    {%- set row = run_query(
        "select coalesce(sum(copies), 0), count(*), coalesce(sum(quantity_on_hand), 0), "
        ~ "cast(coalesce(sum(inventory_value), 0) as varchar(40)) from ("
        ~ "select movement_id, count(*) as copies, max(quantity_on_hand) as quantity_on_hand, "
        ~ "max(inventory_value) as inventory_value from " ~ plan.history ~ " group by movement_id) as movements"
    ).rows[0] -%}
    {{ return({'movements': row[0] | int, 'distinct_movements': row[1] | int, 'quantity': row[2] | int,
        'value': row[3] | string}) }}
{% endmacro %}

{#- Hot movements that belong in the cold tier and are not there yet, oldest first. -#}
{% macro inventory_tier_select_sql(plan) -%}
select {% for c in plan.columns %}hot.{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}
from {{ plan.hot }} as hot
where hot.occurred_at < cast('{{ plan.cutoff }}' as {{ dbt.type_timestamp() }})
    and hot.approximate_arrival_timestamp < (
        select {{ dbt.dateadd('day', -1 * plan.lookback_days, 'max(newest.approximate_arrival_timestamp)') }}
        from {{ plan.hot }} as newest
    )
    and not exists (select 1 from {{ plan.cold }} as cold where cold.movement_id = hot.movement_id)
{%- endmacro %}

{#- Hot movements before the cutoff that the cold tier holds: safe to delete. -#}
{% macro inventory_tier_offloaded_sql(plan, prefix='') -%}
{{ prefix }}occurred_at < cast('{{ plan.cutoff }}' as {{ dbt.type_timestamp() }})
    and {{ prefix }}movement_id in (select cold.movement_id from {{ plan.cold }} as cold)
{%- endmacro %}

{#- No alias on the target: Redshift's DELETE takes none. -#}
{% macro inventory_tier_delete_sql(plan) -%}
delete from {{ plan.hot }} where {{ globalretail.inventory_tier_offloaded_sql(plan) }}
{%- endmacro %}

{#- The cold tier the history reads must be the one this run writes to. -#}
{% macro default__inventory_tier_check(plan) %}
{% endmacro %}

{% macro duckdb__inventory_tier_check(plan) %}
    {%- set views = run_query(
        "select sql from duckdb_views() where schema_name = '" ~ plan.cold.schema
        ~ "' and view_name = '" ~ plan.cold.identifier ~ "'"
    ).rows -%}
    {%- if views | length == 0 or plan.location not in views[0][0] -%}
        {{ exceptions.raise_compiler_error("inventory tier: " ~ plan.cold ~ " does not read " ~ plan.location
            ~ "; run `warehouse build` with this lake root first (it rebuilds the view)") }}
    {%- endif -%}
{% endmacro %}

{#- Write the pending movements to the cold tier. -#}
{% macro default__inventory_tier_write(plan) %}
    {{ exceptions.raise_compiler_error("inventory tier: no cold-tier writer for adapter " ~ target.type) }}
{% endmacro %}

{% macro duckdb__inventory_tier_write(plan) %}
    {%- do run_query(globalretail.duckdb__inventory_tier_copy_sql(plan)) -%}
{% endmacro %}

{% macro duckdb__inventory_tier_copy_sql(plan) -%}
copy (
    select pending.*, cast('{{ plan.offload_date }}' as date) as dt
    from ({{ globalretail.inventory_tier_select_sql(plan) }}) as pending
    order by pending.occurred_at, pending.movement_id
) to '{{ plan.location }}' (
    format parquet, partition_by (dt), append, filename_pattern 'tier-{{ plan.run_id }}-{uuid}'
)
{%- endmacro %}

{% macro redshift__inventory_tier_write(plan) %}
    {%- for statement in globalretail.spectrum_add_partitions_sql(plan.cold_node, [plan.offload_date]) -%}
        {%- do run_query(statement) -%}
    {%- endfor -%}
    {%- do run_query(globalretail.redshift__inventory_tier_unload_sql(plan)) -%}
{% endmacro %}

{#- UNLOAD into the offload day's partition folder; the run id in the file names keeps earlier files intact. -#}
{% macro redshift__inventory_tier_unload_sql(plan) -%}
    {%- set query = globalretail.inventory_tier_select_sql(plan) ~ ' order by hot.occurred_at, hot.movement_id' -%}
unload ('{{ query | replace("'", "''") }}')
to '{{ plan.location }}/dt={{ plan.offload_date }}/tier-{{ plan.run_id }}-'
iam_role '{{ env_var('REDSHIFT_COPY_UNLOAD_ROLE_ARN', env_var('REDSHIFT_SPECTRUM_ROLE_ARN', 'arn:aws:iam::123456789012:role/globalretail-spectrum')) }}'
format as parquet
maxfilesize 256 mb
{%- endmacro %}

{#- run-operation does not commit: DuckDB needs an explicit commit; Redshift (autocommit) does not. -#}
{% macro default__inventory_tier_commit() %}
{% endmacro %}

{% macro duckdb__inventory_tier_commit() %}
    {%- do adapter.commit() -%}
{% endmacro %}
