{#-
    warehouse bench, the raw scan floor with one parsed aggregate: every raw order line read once and its
    quantity extracted (malformed lines count as null).
-#}

with

lake as (

    select {{ json_object_or_null('raw_record') }} as payload from {{ source('orders', 'orders') }}

),

final as (

    select
        count(*) as raw_lines,
        sum({{ cast_or_null(json_text('payload', 'quantity'), 'integer') }}) as units
    from lake

)

select * from final
