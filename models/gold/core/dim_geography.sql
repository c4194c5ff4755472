{{ config(sort=['country_code'], dist='all') }}
{#- Countries and their regions, plus the unknown member 'ZZ'. -#}

with

countries as (

    select * from {{ ref('int_countries_conformed') }}

),

known as (

    select
        country_code,
        country_name,
        region,
        subregion,
        currency_code,
        false as is_unknown_member
    from countries

),

unknown_member as (

    select
        'ZZ' as country_code,
        'Unknown' as country_name,
        'Unknown' as region,
        'Unknown' as subregion,
        cast(null as {{ dbt.type_string() }}) as currency_code,
        true as is_unknown_member

),

final as (

    select * from known
    union all
    select * from unknown_member

)

select * from final {{ storage_order() }}
