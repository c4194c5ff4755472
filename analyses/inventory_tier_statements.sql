{#-
    The statements `warehouse inventory tier` (the operation tier_inventory_history) runs on Redshift to
    offload inventory movement history, rendered with a fixed plan (a 36-month horizon as of 2026-01-01) for
    review: `dbt compile --target redshift --select inventory_tier_statements`. The operation also counts
    before and after and registers the day's Spectrum partition. On DuckDB step 1 is a COPY ... TO (see
    duckdb__inventory_tier_copy_sql), which sqlfluff's duckdb dialect cannot parse, so only step 2 renders.
-#}
-- depends_on: {{ ref('int_inventory_movements_deduplicated') }}, {{ ref('int_inventory_movements_history') }}
-- depends_on: {{ ref('stg_inventory__cold_movements') }}
{% if execute %}
{%- set plan = inventory_tier_plan(36, '2026-01-01') -%}
{% if target.type == 'redshift' -%}
-- 1. write the movements before {{ plan.cutoff }} that the cold tier does not hold yet
{{ redshift__inventory_tier_unload_sql(plan) }};
{% endif %}
-- 2. delete from the hot table what the cold tier now holds
{{ inventory_tier_delete_sql(plan) }};
{% endif %}
