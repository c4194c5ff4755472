{#-
    The quarantine view of a bronze source table: every record of its `_typed` model that failed a rule,
    with the raw payload, the reason and lineage. All quarantine models share `rejection_reason`,
    `raw_record` and `_loaded_at`, so `warehouse build` and the reconciliation tests can treat them alike;
    `lineage` names the columns that locate the record: file and record number for lake files (the default),
    shard and sequence number for streams.
-#}
{% macro bronze_quarantine(
    typed_relation,
    lineage=['_source_file', '_record_number', '_arrival_date']
) %}

with

typed as (

    select * from {{ typed_relation }}

),

final as (

    select
        rejection_reason,
        raw_record,
        {%- for column in lineage %}
        {{ column }},
        {%- endfor %}
        _loaded_at
    from typed
    where rejection_reason is not null

)

select * from final

{% endmacro %}
