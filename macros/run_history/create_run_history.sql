{#-
    on-run-start hook: the run history tables (meta.model_row_counts, meta.invocations, meta.node_results)
    exist before any volume_guard test reads them or the on-run-end hooks append to them. Only the commands
    that run nodes touch the warehouse: `dbt compile` and `dbt docs generate` render hooks too. The
    statements themselves are run_history_ddl (also compiled by the analysis run_history_ddl, which the
    PostgreSQL harness runs in place of this hook).
-#}
{% macro create_run_history() -%}
    {%- if execute and flags.WHICH in globalretail.run_history_commands() -%}
        {{ globalretail.run_history_ddl() }}
    {%- endif -%}
{%- endmacro %}
