{{ config(tags=['quarantine']) }}
{#- Customer records (and malformed API pages) that failed a bronze rule, with the payload and the reason. -#}
{{ bronze_quarantine(ref('stg_crm__customers_typed')) }}
