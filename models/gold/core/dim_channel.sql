{{ config(sort=['channel_code'], dist='all') }}
{#- Sales channels (online and in-store), plus the unknown member 'unknown'. -#}

with

channels as (

    select * from {{ ref('int_channels_deduplicated') }}

),

known as (

    select
        channel_code,
        coalesce(channel_name, channel_code) as channel_name,
        channel_type,
        false as is_unknown_member
    from channels

),

unknown_member as (

    select
        'unknown' as channel_code,
        'Unknown channel' as channel_name,
        'unknown' as channel_type,
        true as is_unknown_member

),

final as (

    select * from known
    union all
    select * from unknown_member

)

select * from final {{ storage_order() }}
