{{ config(tags=['quarantine']) }}
{#- Online order lines that failed a bronze rule, with the raw payload and the reason. -#}
{{ bronze_quarantine(ref('stg_orders__orders_typed')) }}
