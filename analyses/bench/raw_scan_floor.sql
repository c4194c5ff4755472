{#-
    warehouse bench, the raw scan floor: every raw order line read once, counted, and one aggregate over a
    parsed field. No model can build bronze faster than this, so the full build is compared with it.
-#}

with

lake as (

    select raw_record from {{ source('orders', 'orders') }}

),

final as (

    select
        count(*) as raw_lines,
        sum(length(raw_record)) as raw_characters
    from lake

)

select * from final
