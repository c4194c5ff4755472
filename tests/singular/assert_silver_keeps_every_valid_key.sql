{#-
    Deduplication removes versions and duplicates, never keys: every order, sale and customer that passed
    bronze has exactly one silver row. Returns the entities whose counts differ.
-#}

with

comparisons as (

    select
        'orders' as entity,
        (select count(distinct order_id) from {{ ref('stg_orders__orders') }}) as bronze_keys,
        (select count(*) from {{ ref('int_orders_deduplicated') }}) as silver_rows

    union all

    select
        'store_sales' as entity,
        (select count(distinct sale_id) from {{ ref('stg_pos__store_sales') }}) as bronze_keys,
        (select count(*) from {{ ref('int_store_sales_deduplicated') }}) as silver_rows

    union all

    select
        'customers' as entity,
        (select count(distinct customer_id) from {{ ref('stg_crm__customers') }}) as bronze_keys,
        (select count(*) from {{ ref('int_customers_deduplicated') }}) as silver_rows

    union all

    select
        'products' as entity,
        (select count(distinct product_id) from {{ ref('stg_catalog__products') }}) as bronze_keys,
        (select count(*) from {{ ref('int_products_deduplicated') }}) as silver_rows

)

select *
from comparisons
where bronze_keys <> silver_rows
