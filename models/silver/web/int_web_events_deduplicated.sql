{{ config(sort=['occurred_at'], dist='even') }}
{#-
    One row per web event: Kinesis delivers at least once, so a redelivered payload (same event_id, a new
    sequence number) collapses to its first delivery.
-#}

with

events as (

    select * from {{ ref('stg_web__events') }}

),

deduplicated as (

    {{ latest_version('events', ['event_id'],
        'approximate_arrival_timestamp, shard_id, sequence_number') }}

),

final as (

    select
        event_id,
        event_type,
        session_id,
        customer_id,
        product_id,
        device,
        page_path,
        version_count as delivery_count,
        occurred_at,
        approximate_arrival_timestamp
    from deduplicated

)

select * from final {{ storage_order() }}
