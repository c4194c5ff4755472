{{
    config(
        materialized='incremental',
        unique_key='sales_line_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        sort=['sold_at', 'category', 'region'],
        dist='even',
    )
}}
{#-
    Online order lines and store sales lines in one conformed shape, at line grain.
    Every foreign key resolves to a known member or to the explicit unknown member (-1, 'unknown', 'ZZ');
    no line is dropped for a key that does not match.

    _last_arrival_date is the newest lake arrival among the records a line is built from: the order or
    sale, and every version of the customer, product, campaign, channel and store it resolves against.
    Incremental: the lines of orders and sales that arrived, or whose customer, product, campaign, channel
    or store got a record, on or after the newest stored _last_arrival_date minus
    var('sales_lookback_days') are rebuilt and replace their stored rows (delete+insert on sales_line_id).
    A customer who becomes known later therefore moves its old lines off the unknown member. The country
    lookup is a seed: a change to it needs --full-refresh, as any change of model logic does.
-#}

with

orders as (

    select * from {{ ref('int_orders_deduplicated') }}

),

store_sales as (

    select * from {{ ref('int_store_sales_deduplicated') }}

),

customers as {{ inline_cte() }} (

    select * from {{ ref('int_customers_deduplicated') }}

),

products as {{ inline_cte() }} (

    select * from {{ ref('int_products_deduplicated') }}

),

stores as {{ inline_cte() }} (

    select * from {{ ref('int_stores_deduplicated') }}

),

campaigns as {{ inline_cte() }} (

    select * from {{ ref('int_campaigns_deduplicated') }}

),

channels as {{ inline_cte() }} (

    select * from {{ ref('int_channels_deduplicated') }}

),

countries as (

    select * from {{ ref('int_countries_conformed') }}

),

{% if is_incremental() %}
{%- set arrived_from = "coalesce(" ~ incremental_watermark(this, '_last_arrival_date', var('sales_lookback_days'))
    ~ ", cast('1900-01-01' as date))" %}

changed_customers as (

    select customers.customer_id
    from customers
    where customers._last_arrival_date >= {{ arrived_from }}

),

changed_products as (

    select products.product_id
    from products
    where products._last_arrival_date >= {{ arrived_from }}

),

changed_campaigns as (

    select campaigns.campaign_id
    from campaigns
    where campaigns._last_arrival_date >= {{ arrived_from }}

),

changed_channels as (

    select channels.channel_code
    from channels
    where channels._last_arrival_date >= {{ arrived_from }}

),

changed_stores as (

    select stores.store_id
    from stores
    where stores._last_arrival_date >= {{ arrived_from }}

),

orders_in_scope as (

    select orders.*
    from orders
    where
        orders._arrival_date >= {{ arrived_from }}
        or orders.customer_id in (select changed_customers.customer_id from changed_customers)
        or orders.product_id in (select changed_products.product_id from changed_products)
        or orders.campaign_id in (select changed_campaigns.campaign_id from changed_campaigns)
        or orders.channel_code in (select changed_channels.channel_code from changed_channels)

),

store_sales_in_scope as (

    select store_sales.*
    from store_sales
    where
        store_sales._arrival_date >= {{ arrived_from }}
        or store_sales.customer_id in (select changed_customers.customer_id from changed_customers)
        or store_sales.product_id in (select changed_products.product_id from changed_products)
        or store_sales.store_id in (select changed_stores.store_id from changed_stores)
        or 'store' in (select changed_channels.channel_code from changed_channels)

),

{% else %}

orders_in_scope as (

    select * from orders

),

store_sales_in_scope as (

    select * from store_sales

),

{% endif %}

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
        orders._arrival_date as source_arrival_date,
        orders.ordered_at as sold_at
    from orders_in_scope as orders

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
        greatest(store_sales._arrival_date, coalesce(stores._last_arrival_date, store_sales._arrival_date))
            as source_arrival_date,
        store_sales.sold_at
    from store_sales_in_scope as store_sales
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
        greatest(
            unioned.source_arrival_date,
            coalesce(customers._last_arrival_date, unioned.source_arrival_date),
            coalesce(products._last_arrival_date, unioned.source_arrival_date),
            coalesce(campaigns._last_arrival_date, unioned.source_arrival_date),
            coalesce(channels._last_arrival_date, unioned.source_arrival_date)
        ) as _last_arrival_date,
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
        _last_arrival_date,
        sold_at
    from resolved

)

select * from final {{ storage_order() }}
