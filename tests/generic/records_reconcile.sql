{#-
    Every raw record is accounted for exactly once: the source's row count equals the rows of the model
    that accepted records plus the rows of the model that quarantined them. Fails with one row giving
    the three counts when they do not add up.
-#}
{% test records_reconcile(model, accepted, quarantined) %}

with

raw_records as (

    select count(*) as record_count from {{ model }}

),

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
        quarantined_records.record_count as quarantined_count
    from raw_records
    cross join accepted_records
    cross join quarantined_records

)

select *
from compared
where raw_count <> accepted_count + quarantined_count

{% endtest %}
