{{ config(tags=['cold'], pre_hook="{{ prepare_inventory_cold_tier() }}") }}
{#-
    The cold tier of the inventory movement history: the Parquet files `warehouse inventory tier` offloads
    (Spectrum external table on Redshift, the lake folder on DuckDB). Silver's int_inventory_movements_history
    unions it with the hot table so queries see all history.
-#}

with

cold as (

    select * from {{ source('inventory_lake', 'cold_movements') }}

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
        occurred_at,
        approximate_arrival_timestamp,
        cast(dt as date) as offloaded_date
    from cold

)

select * from final
