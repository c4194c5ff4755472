{{ config(tags=['quarantine']) }}
{#- Catalog rows that failed a bronze rule, with the raw payload and the reason. -#}
{{ bronze_quarantine(ref('stg_catalog__products_typed')) }}
