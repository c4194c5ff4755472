{#-
    warehouse bench, "Spectrum" side: online orders placed in [bench_from, bench_to) read straight from the
    raw lake through the bronze source (each line parsed), as Redshift Spectrum reads the external table.
    Only the arrival-day partitions from bench_from to bench_dt_to (the window end plus the 14 days a late
    record or a new version can take) are read, as Spectrum prunes the `dt` partition (lake_partitions).
    bench_category / bench_region: empty for no filter.
-#}

with

lake as (

    select
        {{ json_object_or_null('raw_record') }} as payload
    from {{ lake_partitions('orders', 'orders', var("bench_from", "2025-06-01"), var("bench_dt_to", "2025-06-16")) }}
        as partitions

),

orders as (

    select
        {{ json_text('payload', 'category') }} as category,
        {{ json_text('payload', 'region') }} as region,
        {{ cast_or_null(json_text('payload', 'quantity'), 'integer') }} as quantity,
        {{ cast_or_null(json_text('payload', 'unit_price'), 'decimal(12, 2)') }} as unit_price,
        {{ cast_or_null(json_text('payload', 'order_ts'), 'timestamp') }} as ordered_at
    from lake

),

final as (

    select
        count(*) as order_lines,
        sum(quantity * unit_price) as gross_amount
    from orders
    where
        ordered_at >= cast('{{ var("bench_from", "2025-06-01") }}' as timestamp)
        and ordered_at < cast('{{ var("bench_to", "2025-06-02") }}' as timestamp)
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
