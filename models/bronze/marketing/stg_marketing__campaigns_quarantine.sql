{{ config(tags=['quarantine']) }}
{#- Campaign rows that failed a bronze rule, with the raw payload and the reason. -#}
{{ bronze_quarantine(ref('stg_marketing__campaigns_typed')) }}
