{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}
{#-
    Every raw order line, parsed and typed once, with the first rule it fails (null when it passes).
    A table, not a view: the raw files are read exactly once (on Redshift this is the load from Spectrum
    into native storage), and stg_orders__orders / stg_orders__orders_quarantine split it.

    Incremental: lake files are immutable and named by arrival day and part, so a run appends the records
    of the files it has not loaded yet and reads only those files (lake_records_new); a full refresh reads
    them all.
-#}

{#- The JSON fields the model reads, and the column each becomes. #}
{%- set json_fields = {
    'order_id': 'order_id_text',
    'customer_id': 'customer_id_text',
    'product_id': 'product_id_text',
    'campaign_id': 'campaign_id_text',
    'category': 'category',
    'region': 'region',
    'country_code': 'country_code',
    'channel': 'channel_code',
    'status': 'order_status',
    'quantity': 'quantity_text',
    'unit_price': 'unit_price_text',
    'discount': 'discount_text',
    'order_ts': 'ordered_at_text',
    'updated_at': 'updated_at_text',
} %}

with

source as (

    {%- if is_incremental() %}
    {{ lake_records_new('orders', 'orders', this) }}
    {%- else %}
    {{ lake_records('orders', 'orders') }}
    {%- endif %}

),

parsed as (

    select
        raw_record,
        source_file,
        record_number,
        dt,
        {{ json_object_or_null('raw_record') }} as payload
    from source

),

extracted as (

    select
        raw_record,
        source_file,
        record_number,
        dt,
        payload,
        {{ json_text_columns('payload', json_fields) }}
    from parsed

),

typed as (

    select
        *,
        {{ cast_or_null('order_id_text', 'bigint') }} as order_id,
        {{ cast_or_null('customer_id_text', 'bigint') }} as customer_id,
        {{ cast_or_null('product_id_text', 'bigint') }} as product_id,
        {{ cast_or_null('campaign_id_text', 'bigint') }} as campaign_id,
        {{ cast_or_null('quantity_text', 'integer') }} as quantity,
        {{ cast_or_null('unit_price_text', 'decimal(12, 2)') }} as unit_price,
        {{ cast_or_null('discount_text', 'decimal(5, 4)') }} as discount,
        {{ cast_or_null('ordered_at_text', 'timestamp') }} as ordered_at,
        {{ cast_or_null('updated_at_text', 'timestamp') }} as updated_at
    from extracted

),

checked as (

    select
        *,
        case
            when {{ blank_record(['raw_record']) }} then 'empty_record'
            when {{ text_too_long('raw_record') }} then 'value_too_long'
            when payload is null then 'malformed_json'
            when {{ json_duplicate_key('raw_record', json_fields.keys() | list) }} then 'duplicate_key'
            when order_id_text is null then 'missing_order_id'
            when ordered_at_text is null then 'missing_ordered_at'
            when customer_id_text is null then 'missing_customer_id'
            when product_id_text is null then 'missing_product_id'
            when quantity_text is null then 'missing_quantity'
            when unit_price_text is null then 'missing_unit_price'
            when order_id is null then 'invalid_order_id'
            when ordered_at is null then 'invalid_ordered_at'
            when updated_at_text is not null and updated_at is null then 'invalid_updated_at'
            when customer_id is null then 'invalid_customer_id'
            when product_id is null then 'invalid_product_id'
            when campaign_id_text is not null and campaign_id is null then 'invalid_campaign_id'
            when quantity is null then 'invalid_quantity'
            when unit_price is null then 'invalid_unit_price'
            when discount_text is not null and discount is null then 'invalid_discount'
            when quantity <= 0 then 'non_positive_quantity'
            when unit_price < 0 then 'negative_unit_price'
            when discount < 0 or discount > 1 then 'discount_out_of_range'
            when {{ not_in_enumeration('order_status', 'order_statuses') }} then 'invalid_order_status'
        end as rejection_reason
    from typed

),

final as (

    select
        order_id,
        customer_id,
        product_id,
        campaign_id,
        {{ sized('category') }} as category,
        {{ sized('region') }} as region,
        {{ sized('country_code') }} as country_code,
        {{ sized('channel_code') }} as channel_code,
        {{ sized('order_status') }} as order_status,
        rejection_reason,
        case when rejection_reason is not null then raw_record end as raw_record,
        source_file as _source_file,
        record_number as _record_number,
        quantity,
        unit_price,
        coalesce(discount, 0) as discount,
        cast(dt as date) as _arrival_date,
        ordered_at,
        coalesce(updated_at, ordered_at) as updated_at,
        {{ loaded_at() }} as _loaded_at
    from checked

)

select * from final
