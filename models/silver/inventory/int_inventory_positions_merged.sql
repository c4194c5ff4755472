{{
    config(
        materialized='incremental',
        unique_key=['warehouse_id', 'sku'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        post_hook="delete from {{ this }} where last_change_type = 'delete'",
        sort=['warehouse_id', 'sku'],
        dist='sku',
    )
}}
{#-
    Current inventory position per warehouse × SKU: the change event with the highest sequence number wins,
    whatever order events arrive in; a position whose latest event is a delete has no row.

    Incremental: the positions touched by movements that arrived on or after the newest loaded arrival day
    minus var('inventory_lookback_days') are recomputed from their stored row and their events in the hot
    history, so a late event that lost to a delete already applied still loses (the delete is in the
    history). delete+insert on (warehouse_id, sku) replaces them; a position that ends on a delete is
    written as a tombstone and the post-hook removes it. A full refresh reads all history, hot and cold.
-#}
-- depends_on: {{ ref('int_inventory_movements_deduplicated') }}

with

{% if is_incremental() %}

hot as {{ inline_cte() }} (

    select * from {{ ref('int_inventory_movements_deduplicated') }}

),

current_positions as (

    select * from {{ this }}

),

touched as (

    select distinct
        hot.warehouse_id,
        hot.sku
    from hot
    where
        {{ since_watermark(
            'hot.approximate_arrival_timestamp', 'last_arrived_at', var('inventory_lookback_days')
        ) }}

),

candidates as (

    select
        hot.movement_id,
        hot.warehouse_id,
        hot.sku,
        hot.change_sequence,
        hot.change_type,
        hot.movement_type,
        hot.quantity_on_hand,
        hot.unit_cost,
        hot.inventory_value,
        hot.occurred_at,
        hot.approximate_arrival_timestamp,
        hot.approximate_arrival_timestamp as last_arrived_at
    from hot
    inner join touched
        on
            hot.warehouse_id = touched.warehouse_id
            and hot.sku = touched.sku

    union all

    select
        current_positions.last_movement_id as movement_id,
        current_positions.warehouse_id,
        current_positions.sku,
        current_positions.change_sequence,
        current_positions.last_change_type as change_type,
        current_positions.last_movement_type as movement_type,
        current_positions.quantity_on_hand,
        current_positions.unit_cost,
        current_positions.inventory_value,
        current_positions.last_changed_at as occurred_at,
        current_positions.last_change_arrived_at as approximate_arrival_timestamp,
        current_positions.last_arrived_at
    from current_positions
    inner join touched
        on
            current_positions.warehouse_id = touched.warehouse_id
            and current_positions.sku = touched.sku

),

{% else %}

history as (

    select * from {{ ref('int_inventory_movements_history') }}

),

candidates as (

    select
        movement_id,
        warehouse_id,
        sku,
        change_sequence,
        change_type,
        movement_type,
        quantity_on_hand,
        unit_cost,
        inventory_value,
        occurred_at,
        approximate_arrival_timestamp,
        approximate_arrival_timestamp as last_arrived_at
    from history

),

{% endif %}

ranked as (

    select
        *,
        row_number() over (
            partition by warehouse_id, sku
            order by change_sequence desc nulls last, approximate_arrival_timestamp asc, movement_id asc
        ) as sequence_rank,
        max(last_arrived_at) over (partition by warehouse_id, sku) as position_last_arrived_at
    from candidates

),

final as (

    select
        warehouse_id,
        sku,
        movement_id as last_movement_id,
        change_type as last_change_type,
        movement_type as last_movement_type,
        change_sequence,
        quantity_on_hand,
        unit_cost,
        inventory_value,
        occurred_at as last_changed_at,
        approximate_arrival_timestamp as last_change_arrived_at,
        position_last_arrived_at as last_arrived_at
    from ranked
    where
        sequence_rank = 1
        -- a full build leaves deleted positions out; an incremental run writes them for the post-hook
        and (change_type <> 'delete' or {{ 'true' if is_incremental() else 'false' }})

)

select * from final {{ storage_order() }}
