{#- The open end of a validity range (SCD type 2 valid_to of the current version): 9999-12-31 00:00:00. -#}
{% macro far_future_timestamp() -%}
    cast('9999-12-31 00:00:00' as {{ dbt.type_timestamp() }})
{%- endmacro %}
