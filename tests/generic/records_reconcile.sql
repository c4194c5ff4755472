{#-
    Every raw record is accounted for exactly once: the source's row count equals the rows of the model
    that accepted records plus the rows of the model that quarantined them. Fails with one row giving
    the counts when they do not add up.

    With `record_key` (the columns that identify a record, a stream's shard and sequence number), a raw
    record whose key came before is a duplicate delivery, which bronze keeps once: the raw count must then
    equal accepted + quarantined + duplicates, where duplicates = raw rows - distinct keys.
-#}
{% test records_reconcile(model, accepted, quarantined, record_key=none) %}

{{ config(store_failures=true) }}

with

raw_records as (

    select count(*) as record_count from {{ model }}

),

{% if record_key -%}
distinct_records as (

    select count(*) as record_count
    from (select distinct {{ record_key | join(', ') }} from {{ model }}) as keys

),

{% endif -%}
accepted_records as (

    select count(*) as record_count from {{ accepted }}

),

quarantined_records as (

    select count(*) as record_count from {{ quarantined }}

),

compared as (

    select
        raw_records.record_count as raw_count,
        accepted_records.record_count as accepted_count,
        quarantined_records.record_count as quarantined_count,
        {%- if record_key %}
        raw_records.record_count - distinct_records.record_count as duplicate_count
        {%- else %}
        0 as duplicate_count
        {%- endif %}
    from raw_records
    {%- if record_key %}
    cross join distinct_records
    {%- endif %}
    cross join accepted_records
    cross join quarantined_records

)

select *
from compared
where raw_count <> accepted_count + quarantined_count + duplicate_count

{% endtest %}
