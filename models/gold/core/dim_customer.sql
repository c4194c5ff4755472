{{
    config(
        sort=['customer_id'],
        dist='customer_id',
        meta={'dist_reason': 'up to 1M rows at full scale: too large to copy to every node'},
    )
}}
{#- Customers with their geography, plus the unknown member (-1) for sales without a known customer. -#}

with

customers as (

    select * from {{ ref('int_customers_deduplicated') }}

),

countries as (

    select * from {{ ref('int_countries_conformed') }}

),

known as (

    select
        customers.customer_id,
        customers.first_name,
        customers.last_name,
        customers.email,
        customers.city,
        coalesce(countries.country_code, 'ZZ') as country_code,
        coalesce(countries.region, 'Unknown') as region,
        coalesce(customers.loyalty_tier, 'none') as loyalty_tier,
        false as is_unknown_member,
        customers.signup_date,
        customers.updated_at
    from customers
    left join countries
        on customers.country_code = countries.country_code

),

unknown_member as (

    select
        cast(-1 as {{ dbt.type_bigint() }}) as customer_id,
        'Unknown' as first_name,
        'customer' as last_name,
        cast(null as {{ dbt.type_string() }}) as email,
        cast(null as {{ dbt.type_string() }}) as city,
        'ZZ' as country_code,
        'Unknown' as region,
        'none' as loyalty_tier,
        true as is_unknown_member,
        cast(null as date) as signup_date,
        cast(null as {{ dbt.type_timestamp() }}) as updated_at

),

final as (

    select * from known
    union all
    select * from unknown_member

)

select * from final {{ storage_order() }}
