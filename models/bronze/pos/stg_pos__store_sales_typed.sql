{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}
{#-
    Every raw store sales row, typed once, with the first rule it fails (null when it passes).
    Incremental: a run appends the rows of the export files it has not loaded yet and reads only those
    (lake_records_new); a full refresh reads every file.
-#}

{%- set raw_columns = ['sale_id', 'store_id', 'customer_id', 'product_id', 'sold_at', 'quantity', 'unit_price',
                       'discount_amount', 'payment_method'] %}

with

source as (

    {%- if is_incremental() %}
    {{ lake_records_new('pos', 'store_sales', this) }}
    {%- else %}
    {{ lake_records('pos', 'store_sales') }}
    {%- endif %}

),

typed as (

    select
        *,
        {{ cast_or_null('sale_id', 'bigint') }} as sale_id_typed,
        {{ cast_or_null('store_id', 'bigint') }} as store_id_typed,
        {{ cast_or_null('customer_id', 'bigint') }} as customer_id_typed,
        {{ cast_or_null('product_id', 'bigint') }} as product_id_typed,
        {{ cast_or_null('quantity', 'integer') }} as quantity_typed,
        {{ cast_or_null('unit_price', 'decimal(12, 2)') }} as unit_price_typed,
        {{ cast_or_null('discount_amount', 'decimal(12, 2)') }} as discount_amount_typed,
        {{ cast_or_null('sold_at', 'timestamp') }} as sold_at_typed
    from source

),

checked as (

    select
        *,
        case
            when {{ blank_record(raw_columns) }} then 'empty_record'
            when {{ text_too_long() }} then 'value_too_long'
            when sale_id is null then 'missing_sale_id'
            when sold_at is null then 'missing_sold_at'
            when store_id is null then 'missing_store_id'
            when product_id is null then 'missing_product_id'
            when quantity is null then 'missing_quantity'
            when unit_price is null then 'missing_unit_price'
            when sale_id_typed is null then 'invalid_sale_id'
            when sold_at_typed is null then 'invalid_sold_at'
            when store_id_typed is null then 'invalid_store_id'
            when product_id_typed is null then 'invalid_product_id'
            when customer_id is not null and customer_id_typed is null then 'invalid_customer_id'
            when quantity_typed is null then 'invalid_quantity'
            when unit_price_typed is null then 'invalid_unit_price'
            when discount_amount is not null and discount_amount_typed is null then 'invalid_discount_amount'
            when quantity_typed <= 0 then 'non_positive_quantity'
            when unit_price_typed < 0 then 'negative_unit_price'
            when discount_amount_typed < 0 then 'negative_discount_amount'
        end as rejection_reason,
        {{ csv_raw_record(raw_columns) }} as csv_record
    from typed

),

final as (

    select
        sale_id_typed as sale_id,
        store_id_typed as store_id,
        customer_id_typed as customer_id,
        product_id_typed as product_id,
        {{ sized('payment_method', "lower(payment_method)") }} as payment_method,
        rejection_reason,
        case when rejection_reason is not null then csv_record end as raw_record,
        source_file as _source_file,
        record_number as _record_number,
        quantity_typed as quantity,
        unit_price_typed as unit_price,
        coalesce(discount_amount_typed, 0) as discount_amount,
        cast(dt as date) as _arrival_date,
        sold_at_typed as sold_at,
        {{ loaded_at() }} as _loaded_at
    from checked

)

select * from final
