{{
    config(
        sort=['sold_at', 'category', 'region'],
        dist='even',
        meta={'dist_reason': 'walk-in store sales share the unknown customer: a customer_id key would skew'},
    )
}}
{#- Sales at line grain: online order lines and store sales lines, keyed to every conformed dimension. -#}

with

sales_lines as (

    select * from {{ ref('int_sales_lines_conformed') }}

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
        sold_date,
        category,
        region,
        order_status,
        quantity,
        unit_price,
        gross_amount,
        discount_amount,
        net_amount,
        case when is_revenue then net_amount else 0 end as revenue_amount,
        is_revenue,
        has_unknown_customer,
        has_unknown_product,
        sold_at
    from sales_lines

)

select * from final {{ storage_order() }}
