{{ config(sort=['customer_id'], dist='customer_id') }}
{#- One row per customer: the latest version the customer API returned. -#}

with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

deduplicated as (

    {{ latest_version('customers', ['customer_id'],
        'updated_at desc nulls last, _arrival_date desc nulls last, _source_file desc nulls last, _record_number desc nulls last',
        last_arrival='_arrival_date') }}

),

final as (

    select
        customer_id,
        first_name,
        last_name,
        email,
        country_code,
        city,
        loyalty_tier,
        version_count,
        _last_arrival_date,
        signup_date,
        updated_at
    from deduplicated

)

select * from final {{ storage_order() }}
