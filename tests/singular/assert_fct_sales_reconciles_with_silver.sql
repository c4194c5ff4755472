{#-
    Every deduplicated online order and store sale reaches the fact exactly once: no line is dropped for an
    unknown key and none is duplicated by a join. Returns a row when the counts differ.
-#}

with

orders as (

    select count(*) as line_count from {{ ref('int_orders_deduplicated') }}

),

store_sales as (

    select count(*) as line_count from {{ ref('int_store_sales_deduplicated') }}

),

facts as (

    select count(*) as line_count from {{ ref('fct_sales') }}

),

compared as (

    select
        orders.line_count + store_sales.line_count as silver_lines,
        facts.line_count as fact_lines
    from orders
    cross join store_sales
    cross join facts

)

select *
from compared
where silver_lines <> fact_lines
