{{
    config(
        materialized='incremental',
        unique_key='movement_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        sort=['occurred_at', 'warehouse_id'],
        dist='sku',
    )
}}
{#-
    The hot inventory movement history: every valid change event once. Kinesis delivers at least once, so a
    redelivery (same event id, new Kinesis sequence number) collapses to its first delivery: the earliest
    arrival, then shard and Kinesis sequence number, so the winner never depends on load order.

    Incremental: only stream records that arrived on or after the newest loaded arrival day minus
    var('inventory_lookback_days') are read (Kinesis shards are ingested independently, so a record can become
    visible after later-arriving ones); an event seen before is merged with its stored row, and delete+insert
    on movement_id replaces it. Movements older than var('inventory_hot_months') are offloaded to the cold
    tier by `warehouse inventory tier`; a full refresh leaves out what is already there.
-#}

with

events as (

    select * from {{ ref('stg_inventory__cdc_events') }}

),

{% if is_incremental() %}

loaded as (

    select * from {{ this }}

),

arrived as (

    select events.*
    from events
    where
        {{ since_watermark(
            'events.approximate_arrival_timestamp', 'approximate_arrival_timestamp', var('inventory_lookback_days')
        ) }}

),

seen_before as (

    select loaded.*
    from loaded
    where
        loaded.occurred_at >= (select min(arrived.occurred_at) from arrived)
        and loaded.movement_id in (select arrived.event_id from arrived)

),

{% else %}

cold as (

    select * from {{ ref('stg_inventory__cold_movements') }}

),

arrived as (

    select events.*
    from events
    left join cold
        on events.event_id = cold.movement_id
    where cold.movement_id is null

),

{% endif %}

candidates as (

    select
        event_id as movement_id,
        warehouse_id,
        sku,
        change_sequence,
        change_type,
        movement_type,
        shard_id,
        sequence_number,
        quantity_on_hand,
        unit_cost,
        occurred_at,
        approximate_arrival_timestamp
    from arrived
    {%- if is_incremental() %}

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
        occurred_at,
        approximate_arrival_timestamp
    from seen_before
    {%- endif %}

),

deduplicated as (

    {{ latest_version('candidates', ['movement_id'], 'approximate_arrival_timestamp, shard_id, sequence_number') }}

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
        cast(
            case when change_type = 'delete' then 0 else quantity_on_hand * unit_cost end as decimal(18, 2)
        ) as inventory_value,
        change_type = 'delete' as is_delete,
        occurred_at,
        approximate_arrival_timestamp
    from deduplicated

)

select * from final {{ storage_order() }}
