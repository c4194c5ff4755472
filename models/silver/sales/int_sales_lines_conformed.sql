{{ config(sort=['sold_at', 'category', 'region'], dist='even') }}
{#-
    Online order lines and store sales lines in one conformed shape, at line grain.
    Every foreign key resolves to a known member or to the explicit unknown member (-1, 'unknown', 'ZZ');
    no line is dropped for a key that does not match.
-#}

with

orders as (

    select * from {{ ref('int_orders_deduplicated') }}

),

store_sales as (

    select * from {{ ref('int_store_sales_deduplicated') }}

),

customers as (

    select * from {{ ref('int_customers_deduplicated') }}

),

products as (

    select * from {{ ref('int_products_deduplicated') }}

),

stores as (

    select * from {{ ref('int_stores_deduplicated') }}

),

campaigns as (

    select * from {{ ref('int_campaigns_deduplicated') }}

),

channels as (

    select * from {{ ref('int_channels_deduplicated') }}

),

countries as (

    select * from {{ ref('int_countries_conformed') }}

),

online_lines as (

    select
        {{ dbt.concat(["'online-'", dbt.cast('orders.order_id', dbt.type_string())]) }} as sales_line_id,
        'online' as sales_source,
        orders.order_id as source_line_id,
        orders.customer_id,
        orders.product_id,
        orders.campaign_id,
        cast(null as {{ dbt.type_bigint() }}) as store_id,
        orders.channel_code,
        orders.country_code,
        orders.category as category_at_sale,
        orders.order_status,
        orders.quantity,
        orders.unit_price,
        round(orders.quantity * orders.unit_price * orders.discount, 2) as discount_amount,
        orders.ordered_at as sold_at
    from orders

),

store_lines as (

    select
        {{ dbt.concat(["'store-'", dbt.cast('store_sales.sale_id', dbt.type_string())]) }} as sales_line_id,
        'store' as sales_source,
        store_sales.sale_id as source_line_id,
        store_sales.customer_id,
        store_sales.product_id,
        cast(null as {{ dbt.type_bigint() }}) as campaign_id,
        store_sales.store_id,
        'store' as channel_code,
        stores.country_code,
        cast(null as {{ dbt.type_string() }}) as category_at_sale,
        'completed' as order_status,
        store_sales.quantity,
        store_sales.unit_price,
        store_sales.discount_amount,
        store_sales.sold_at
    from store_sales
    left join stores
        on store_sales.store_id = stores.store_id

),

unioned as (

    select * from online_lines
    union all
    select * from store_lines

),

resolved as (

    select
        unioned.sales_line_id,
        unioned.sales_source,
        unioned.source_line_id,
        case
            when unioned.customer_id is null then -1
            when customers.customer_id is null then -1
            else unioned.customer_id
        end as customer_id,
        coalesce(products.product_id, -1) as product_id,
        case
            when unioned.campaign_id is null then 0
            when campaigns.campaign_id is null then -1
            else unioned.campaign_id
        end as campaign_id,
        unioned.store_id,
        coalesce(channels.channel_code, 'unknown') as channel_code,
        coalesce(countries.country_code, 'ZZ') as country_code,
        coalesce(products.category, unioned.category_at_sale, 'Unknown') as category,
        coalesce(countries.region, 'Unknown') as region,
        unioned.order_status,
        unioned.customer_id as source_customer_id,
        unioned.product_id as source_product_id,
        unioned.quantity,
        unioned.unit_price,
        unioned.discount_amount,
        unioned.quantity * unioned.unit_price as gross_amount,
        unioned.order_status not in ('cancelled', 'returned') as is_revenue,
        unioned.customer_id is not null and customers.customer_id is null as has_unknown_customer,
        products.product_id is null as has_unknown_product,
        unioned.sold_at
    from unioned
    left join customers
        on unioned.customer_id = customers.customer_id
    left join products
        on unioned.product_id = products.product_id
    left join campaigns
        on unioned.campaign_id = campaigns.campaign_id
    left join channels
        on unioned.channel_code = channels.channel_code
    left join countries
        on unioned.country_code = countries.country_code

),

final as (

    select
        sales_line_id,
        sales_source,
        source_line_id,
        customer_id,
        product_id,
        campaign_id,
        store_id,
        channel_code,
        country_code,
        category,
        region,
        order_status,
        source_customer_id,
        source_product_id,
        quantity,
        unit_price,
        gross_amount,
        discount_amount,
        gross_amount - discount_amount as net_amount,
        is_revenue,
        has_unknown_customer,
        has_unknown_product,
        cast(sold_at as date) as sold_date,
        sold_at
    from resolved

)

select * from final {{ storage_order() }}
