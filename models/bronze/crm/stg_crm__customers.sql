{#- Customer records that passed every bronze rule; every version as it arrived from the API. -#}

with

typed as (

    select * from {{ ref('stg_crm__customers_typed') }}

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
        _source_file,
        _record_number,
        signup_date,
        _arrival_date,
        updated_at,
        _loaded_at
    from typed
    where rejection_reason is null

)

select * from final
