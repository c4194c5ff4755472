{{
    config(
        materialized='incremental',
        unique_key=['warehouse_id', 'sku', 'month_start_date'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        sort=['month_start_date', 'warehouse_id'],
        dist='sku',
    )
}}
{#-
    The month-end state of each warehouse × SKU position, for every month in which it changed: the state
    after the month's change with the highest sequence number (a delete leaves a closed position worth 0), and
    the change since the position's previous month-end state. Gold sums the changes per warehouse, category
    and month and accumulates them, which carries every position forward through months without changes.

    Incremental: movements that arrived on or after the newest loaded arrival day minus
    var('inventory_lookback_days') give new month-end candidates; for each position they touch, the months
    from the earliest touched month on are recomputed from the stored rows and the new candidates (highest
    sequence wins), with the stored month before as the starting point, and replace the stored rows
    (delete+insert). A late event therefore lands in the month it happened. A full refresh reads all
    history, hot and cold.
-#}
-- depends_on: {{ ref('int_inventory_movements_deduplicated') }}

with

{% if is_incremental() %}

hot as (

    select * from {{ ref('int_inventory_movements_deduplicated') }}

),

existing as {{ inline_cte() }} (

    select * from {{ this }}

),

movements as (

    select hot.*
    from hot
    where
        {{ since_watermark(
            'hot.approximate_arrival_timestamp', 'last_arrived_at', var('inventory_lookback_days')
        ) }}

),

{% else %}

movements as (

    select * from {{ ref('int_inventory_movements_history') }}

),

{% endif %}

monthly as (

    select
        warehouse_id,
        sku,
        cast({{ dbt.date_trunc('month', 'occurred_at') }} as date) as month_start_date,
        movement_id,
        change_sequence,
        change_type,
        quantity_on_hand,
        unit_cost,
        inventory_value,
        approximate_arrival_timestamp as last_arrived_at
    from movements

),

{% if is_incremental() %}

touched as (

    select
        warehouse_id,
        sku,
        min(month_start_date) as first_month
    from monthly
    group by warehouse_id, sku

),

affected as (

    select existing.*
    from existing
    inner join touched
        on
            existing.warehouse_id = touched.warehouse_id
            and existing.sku = touched.sku
    where existing.month_start_date >= touched.first_month

),

anchors as (

    select
        warehouse_id,
        sku,
        month_start_date,
        quantity_on_hand,
        inventory_value,
        is_open
    from (
        select
            existing.*,
            row_number() over (
                partition by existing.warehouse_id, existing.sku order by existing.month_start_date desc nulls last
            ) as month_rank
        from existing
        inner join touched
            on
                existing.warehouse_id = touched.warehouse_id
                and existing.sku = touched.sku
        where existing.month_start_date < touched.first_month
    ) as earlier
    where month_rank = 1

),

candidates as (

    select * from monthly

    union all

    select
        warehouse_id,
        sku,
        month_start_date,
        closing_movement_id as movement_id,
        closing_sequence as change_sequence,
        closing_change_type as change_type,
        quantity_on_hand,
        unit_cost,
        inventory_value,
        last_arrived_at
    from affected

),

{% else %}

candidates as (

    select * from monthly

),

{% endif %}

ranked as (

    select
        *,
        row_number() over (
            partition by warehouse_id, sku, month_start_date
            order by change_sequence desc nulls last, movement_id asc
        ) as sequence_rank,
        max(last_arrived_at) over (partition by warehouse_id, sku, month_start_date) as month_last_arrived_at
    from candidates

),

closings as (

    select
        warehouse_id,
        sku,
        month_start_date,
        movement_id as closing_movement_id,
        change_sequence as closing_sequence,
        change_type as closing_change_type,
        quantity_on_hand,
        unit_cost,
        inventory_value,
        change_type <> 'delete' as is_open,
        month_last_arrived_at as last_arrived_at,
        false as is_anchor
    from ranked
    where sequence_rank = 1

),

sequenced as (

    select
        *,
        lag(quantity_on_hand) over (partition by warehouse_id, sku order by month_start_date) as previous_quantity,
        lag(inventory_value) over (partition by warehouse_id, sku order by month_start_date) as previous_value,
        lag(is_open) over (partition by warehouse_id, sku order by month_start_date) as previous_is_open
    from (
        select * from closings
        {%- if is_incremental() %}

        union all

        select
            warehouse_id,
            sku,
            month_start_date,
            cast(null as {{ dbt.type_string() }}) as closing_movement_id,
            cast(null as {{ dbt.type_bigint() }}) as closing_sequence,
            cast(null as {{ dbt.type_string() }}) as closing_change_type,
            quantity_on_hand,
            cast(null as decimal(12, 2)) as unit_cost,
            inventory_value,
            is_open,
            cast(null as {{ dbt.type_timestamp() }}) as last_arrived_at,
            true as is_anchor
        from anchors
        {%- endif %}
    ) as with_anchors

),

final as (

    select
        warehouse_id,
        sku,
        closing_movement_id,
        closing_change_type,
        closing_sequence,
        quantity_on_hand,
        unit_cost,
        inventory_value,
        quantity_on_hand - coalesce(previous_quantity, 0) as quantity_change,
        cast(inventory_value - coalesce(previous_value, 0) as decimal(18, 2)) as value_change,
        (case when is_open then 1 else 0 end)
        - (case when previous_is_open then 1 else 0 end) as open_positions_change,
        is_open,
        month_start_date,
        last_arrived_at
    from sequenced
    where not is_anchor

)

select * from final {{ storage_order() }}
