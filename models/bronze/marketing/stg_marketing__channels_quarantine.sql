{{ config(tags=['quarantine']) }}
{#- Sales channel rows that failed a bronze rule, with the raw payload and the reason. -#}
{{ bronze_quarantine(ref('stg_marketing__channels_typed')) }}
