{{ config(tags=['quarantine']) }}
{#- Store sales rows that failed a bronze rule, with the raw payload and the reason. -#}
{{ bronze_quarantine(ref('stg_pos__store_sales_typed')) }}
