{#-
    on-run-start hook: the volume history table exists before any volume_guard test reads it. Only the
    commands that run models or tests touch the warehouse: `dbt compile` and `dbt docs generate` render
    hooks too. The statements themselves are model_row_counts_ddl (also compiled by the analysis
    run_history_ddl, which the PostgreSQL harness runs in place of this hook).
-#}
{% macro create_model_row_counts() -%}
    {%- if execute and flags.WHICH in ('run', 'build', 'test') -%}
        {{ globalretail.model_row_counts_ddl() }}
    {%- endif -%}
{%- endmacro %}
