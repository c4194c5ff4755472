{#-
    Schemas are the medallion layers themselves (bronze, silver, gold, reference), on every target.
    Without a custom schema a node lands in the target's schema.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
