{{ config(materialized='table') }}
{#- Every customer record (or malformed page), parsed and typed once, with the first rule it fails. -#}

{#- The JSON fields the model reads, and the column each becomes. #}
{%- set json_fields = {
    'customer_id': 'customer_id_text',
    'first_name': 'first_name',
    'last_name': 'last_name',
    'email': 'email',
    'country_code': 'country_code',
    'city': 'city',
    'loyalty_tier': 'loyalty_tier',
    'signup_date': 'signup_date_text',
    'updated_at': 'updated_at_text',
} %}

with

source as (

    {{ lake_records('crm', 'customers') }}

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
        {{ cast_or_null('customer_id_text', 'bigint') }} as customer_id,
        {{ cast_or_null('signup_date_text', 'date') }} as signup_date,
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
            when customer_id_text is null then 'missing_customer_id'
            when email is null then 'missing_email'
            when updated_at_text is null then 'missing_updated_at'
            when customer_id is null then 'invalid_customer_id'
            when signup_date_text is not null and signup_date is null then 'invalid_signup_date'
            when updated_at is null then 'invalid_updated_at'
        end as rejection_reason
    from typed

),

final as (

    select
        customer_id,
        {{ sized('first_name') }} as first_name,
        {{ sized('last_name') }} as last_name,
        {{ sized('email', "lower(email)") }} as email,
        {{ sized('country_code', "upper(country_code)") }} as country_code,
        {{ sized('city') }} as city,
        {{ sized('loyalty_tier', "lower(loyalty_tier)") }} as loyalty_tier,
        rejection_reason,
        case when rejection_reason is not null then raw_record end as raw_record,
        source_file as _source_file,
        record_number as _record_number,
        signup_date,
        cast(dt as date) as _arrival_date,
        updated_at,
        {{ loaded_at() }} as _loaded_at
    from checked

)

select * from final
