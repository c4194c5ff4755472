{#-
    warehouse bench, native side: the same question as orders_window_raw.sql (online order lines placed in
    [bench_from, bench_to), optionally one category and region) on gold.fct_sales, stored in its sort key
    order (sold_at, category, region) so zone maps skip every block outside the window.
-#}

with

sales as (

    select * from {{ ref('fct_sales') }}

),

final as (

    select
        count(*) as order_lines,
        sum(gross_amount) as gross_amount
    from sales
    where
        sales_source = 'online'
        and sold_at >= cast('{{ var("bench_from", "2025-06-01") }}' as timestamp)
        and sold_at < cast('{{ var("bench_to", "2025-06-02") }}' as timestamp)
        and (
            '{{ var("bench_category", "") }}' = ''
            or category = '{{ var("bench_category", "") }}'
        )
        and (
            '{{ var("bench_region", "") }}' = ''
            or region = '{{ var("bench_region", "") }}'
        )

)

select * from final
