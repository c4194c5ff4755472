{{ config(tags=['quarantine']) }}
{#- Store rows that failed a bronze rule, with the raw payload and the reason. -#}
{{ bronze_quarantine(ref('stg_pos__stores_typed')) }}
