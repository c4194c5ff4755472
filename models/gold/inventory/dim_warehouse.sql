{{ config(materialized='table', sort=['warehouse_id'], dist='all') }}
{#-
    Warehouses with their geography, plus the unknown member (-1) for inventory events naming a warehouse
    the warehouse list does not know. A dimension, so a table on every engine (the folder's materialized
    views are for the dashboard aggregates).
-#}

with

warehouses as (

    select * from {{ ref('int_warehouses_deduplicated') }}

),

geography as (

    select * from {{ ref('dim_geography') }}

),

known as (

    select
        warehouses.warehouse_id,
        warehouses.warehouse_code,
        warehouses.warehouse_name,
        warehouses.warehouse_type,
        coalesce(geography.country_code, 'ZZ') as country_code,
        warehouses.city,
        coalesce(geography.region, 'Unknown') as region,
        warehouses.capacity_units,
        false as is_unknown_member,
        warehouses.opened_date
    from warehouses
    left join geography
        on warehouses.country_code = geography.country_code

),

unknown_member as (

    select
        cast(-1 as {{ dbt.type_bigint() }}) as warehouse_id,
        'UNKNOWN' as warehouse_code,
        'Unknown warehouse' as warehouse_name,
        'unknown' as warehouse_type,
        'ZZ' as country_code,
        'Unknown' as city,
        'Unknown' as region,
        cast(null as {{ dbt.type_bigint() }}) as capacity_units,
        true as is_unknown_member,
        cast(null as date) as opened_date

),

final as (

    select * from known
    union all
    select * from unknown_member

)

select * from final {{ storage_order() }}
