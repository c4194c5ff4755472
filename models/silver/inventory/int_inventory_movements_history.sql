{{ config(materialized='view', bind=false) }}
{#-
    All inventory movement history, hot and cold: the hot table (the last var('inventory_hot_months')
    months) and the Parquet files `warehouse inventory tier` offloaded to the lake. Every valid movement
    appears once (the tier operation writes a movement to the cold tier before it deletes it from the hot
    table, and never writes one twice). A view, so it has no physical design of its own; a late-binding
    view on Redshift because it reads a Spectrum table.
-#}

with

hot as (

    select * from {{ ref('int_inventory_movements_deduplicated') }}

),

cold as (

    select * from {{ ref('stg_inventory__cold_movements') }}

),

final as (

    select
        movement_id,
        warehouse_id,
        sku,
        change_sequence,
        change_type,
        movement_type,
        shard_id,
        sequence_number,
        quantity_on_hand,
        unit_cost,
        inventory_value,
        is_delete,
        false as is_cold,
        occurred_at,
        approximate_arrival_timestamp
    from hot

    union all

    select
        movement_id,
        warehouse_id,
        sku,
        change_sequence,
        change_type,
        movement_type,
        shard_id,
        sequence_number,
        quantity_on_hand,
        unit_cost,
        inventory_value,
        is_delete,
        true as is_cold,
        occurred_at,
        approximate_arrival_timestamp
    from cold

)

select * from final
