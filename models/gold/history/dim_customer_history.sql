{{
    config(
        sort=['customer_id', 'valid_from'],
        dist='customer_id',
        meta={'dist_reason': 'every version of up to 1M customers: too large to copy to every node'},
    )
}}
{#-
    Customer history (SCD type 2) from the snp_customers snapshot: one row per version, with a half-open
    validity range, so "which tier was customer 42 on 2025-11-03?" is
        where customer_id = 42 and valid_from <= t and t < valid_to
-#}

with

versions as (

    select * from {{ ref('snp_customers') }}

),

countries as (

    select * from {{ ref('int_countries_conformed') }}

),

final as (

    select
        versions.dbt_scd_id as customer_version_id,
        versions.customer_id,
        versions.first_name,
        versions.last_name,
        versions.email,
        versions.city,
        coalesce(countries.country_code, 'ZZ') as country_code,
        coalesce(countries.region, 'Unknown') as region,
        coalesce(versions.loyalty_tier, 'none') as loyalty_tier,
        versions.dbt_valid_to is null as is_current,
        versions.signup_date,
        versions.dbt_valid_from as valid_from,
        coalesce(versions.dbt_valid_to, {{ far_future_timestamp() }}) as valid_to
    from versions
    left join countries
        on versions.country_code = countries.country_code

)

select * from final {{ storage_order() }}
