{{ config(tags=['quarantine']) }}
{#- Warehouse rows that failed a bronze rule, with the raw payload and the reason. -#}
{{ bronze_quarantine(ref('stg_inventory__warehouses_typed')) }}
