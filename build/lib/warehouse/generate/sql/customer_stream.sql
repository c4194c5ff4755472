{#-
    The customer extract's record stream (customers.py): per extract day `dt`, every record in page order with
    its page (`page_size` records a page). The full extract on the first business date has every customer
    once and a duplicate's exact copy right after it; every Monday's incremental extract has the customers
    updated during the week before, in their new version. `forced`: the record is one of the defects placed
    at fixed positions (defects.forced_positions), so its page is never the malformed one.
-#}

{#-
    One customer record as JSON, spaced like the API, with the attributes of a version (`suffix` '' or '_v2').
    Version 1 carries the record's defect; version 2 is the record of an `update` customer, which carries no
    other defect, so the defect branches give the clean value.
-#}
{%- macro customer_record(suffix) -%}
'{' || concat_ws(
    ', ',
    case
        when missing_field = 'customer_id' then null
        when wrong_field = 'customer_id' then '"customer_id": "abc"'
        else '"customer_id": ' || customer_id
    end,
    '"first_name": "' || first_name || '"',
    '"last_name": "' || last_name || '"',
    case when missing_field = 'email' then null else '"email": "' || email{{ suffix }} || '"' end,
    '"country_code": "' || country_code || '"',
    '"city": "' || city{{ suffix }} || '"',
    case
        when wrong_field = 'signup_date' then '"signup_date": "13/45/' || year(signup_date) || '"'
        else '"signup_date": "' || signup_date || '"'
    end,
    '"loyalty_tier": "' || loyalty_tier{{ suffix }} || '"',
    '"updated_at": "' || iso_ts(updated_at{{ suffix }}) || '"'
) || '}'
{%- endmacro -%}

{%- macro is_forced() -%}
k in ({{ forced_positions | join(', ') }})
{%- endmacro -%}

create or replace temp table customer_stream as
with records as (
    select
        date '{{ start_date }}' as dt,
        customer_id,
        0 as copy,
        {{ customer_record('') }} as record,
        case when defect in ('missing_field', 'wrong_type') then defect end as kind,
        {{ is_forced() }} as forced
    from customers
    union all
    select
        date '{{ start_date }}' as dt,
        customer_id,
        1 as copy,
        {{ customer_record('') }} as record,
        'duplicate' as kind,
        {{ is_forced() }} as forced
    from customers
    where defect = 'duplicate'
    union all
    -- an updated customer's new version, in the Monday extract after its update
    select
        (date_trunc('week', updated_at_v2) + interval 7 day)::date as dt,
        customer_id,
        0 as copy,
        {{ customer_record('_v2') }} as record,
        'update' as kind,
        {{ is_forced() }} as forced
    from customers
    where defect = 'update'
)

select
    *,
    rn // {{ page_size }} + 1 as page,
    case when copy = 1 then (rn - 1) // {{ page_size }} + 1 end as original_page
from (
    select
        *,
        (row_number() over (partition by dt order by customer_id, copy) - 1)::bigint as rn
    from records
)
