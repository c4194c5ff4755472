{#-
    True when a (non-null) value is not in the enumeration held by the dbt var `var_name` (a list defined
    once in dbt_project.yml, which the accepted_values tests read too): bronze quarantines such a record
    as invalid_<column> instead of letting it fail an accepted_values test, and the build, downstream.
-#}
{% macro not_in_enumeration(expr, var_name) -%}
    {%- set values = var(var_name) -%}
    ({{ expr }} is not null and {{ expr }} not in ({% for v in values %}'{{ v }}'{% if not loop.last %}, {% endif %}{% endfor %}))
{%- endmacro %}
