{{ config(sort=['occurred_at', 'event_type'], dist='even') }}
{#-
    Web-analytics events at event grain, keyed to the conformed dimensions: anonymous visitors and ids the
    customer API does not know map to the unknown customer (-1); a product the catalog does not know maps
    to the unknown product (-1); events about no product keep a null product.
-#}

with

events as (

    select * from {{ ref('int_web_events_deduplicated') }}

),

customers as (

    select * from {{ ref('int_customers_deduplicated') }}

),

products as (

    select * from {{ ref('int_products_deduplicated') }}

),

final as (

    select
        events.event_id,
        events.session_id,
        coalesce(customers.customer_id, -1) as customer_id,
        case
            when events.product_id is null then null
            else coalesce(products.product_id, -1)
        end as product_id,
        events.event_type,
        events.device,
        events.page_path,
        events.delivery_count,
        events.customer_id is null as is_anonymous,
        cast(events.occurred_at as date) as event_date,
        events.occurred_at
    from events
    left join customers
        on events.customer_id = customers.customer_id
    left join products
        on events.product_id = products.product_id

)

select * from final {{ storage_order() }}
