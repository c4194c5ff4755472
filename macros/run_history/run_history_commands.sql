{#- The dbt commands whose invocations the run history records (and for which its tables are created). -#}
{% macro run_history_commands() -%}
    {{ return(('run', 'build', 'test', 'seed', 'snapshot')) }}
{%- endmacro %}
