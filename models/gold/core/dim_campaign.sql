{{ config(sort=['campaign_id'], dist='all') }}
{#-
    Marketing campaigns, plus two explicit members: 0 'No campaign' for sales that came from no campaign,
    and -1 'Unknown campaign' for sales naming a campaign the marketing system does not know.
-#}

with

campaigns as (

    select * from {{ ref('int_campaigns_deduplicated') }}

),

known as (

    select
        campaign_id,
        coalesce(campaign_name, 'Unnamed campaign') as campaign_name,
        channel_code,
        objective,
        budget,
        false as is_unknown_member,
        start_date,
        end_date
    from campaigns

),

special_members as (

    select
        cast(0 as {{ dbt.type_bigint() }}) as campaign_id,
        'No campaign' as campaign_name,
        cast(null as {{ dbt.type_string() }}) as channel_code,
        cast(null as {{ dbt.type_string() }}) as objective,
        cast(null as decimal(14, 2)) as budget,
        false as is_unknown_member,
        cast(null as date) as start_date,
        cast(null as date) as end_date

    union all

    select
        cast(-1 as {{ dbt.type_bigint() }}) as campaign_id,
        'Unknown campaign' as campaign_name,
        cast(null as {{ dbt.type_string() }}) as channel_code,
        cast(null as {{ dbt.type_string() }}) as objective,
        cast(null as decimal(14, 2)) as budget,
        true as is_unknown_member,
        cast(null as date) as start_date,
        cast(null as date) as end_date

),

final as (

    select * from known
    union all
    select * from special_members

)

select * from final {{ storage_order() }}
