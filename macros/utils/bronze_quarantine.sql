{#-
    The quarantine view of a bronze source table: every record of its `_typed` model that failed a rule,
    with the raw payload, the reason and lineage. All quarantine models share these columns, so
    `warehouse build` and the reconciliation tests can treat them alike.
-#}
{% macro bronze_quarantine(typed_relation) %}

with

typed as (

    select * from {{ typed_relation }}

),

final as (

    select
        _record_hash,
        rejection_reason,
        raw_record,
        _source_file,
        _record_number,
        _arrival_date,
        _loaded_at
    from typed
    where rejection_reason is not null

)

select * from final

{% endmacro %}
