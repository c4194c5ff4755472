{{ config(sort=['country_code'], dist='all') }}
{#- The conformed geography: one row per country with its region, from the reference seed. -#}

with

country_regions as (

    select * from {{ ref('country_regions') }}

),

final as (

    select
        upper(country_code) as country_code,
        country_name,
        region,
        subregion,
        currency_code
    from country_regions

)

select * from final {{ storage_order() }}
