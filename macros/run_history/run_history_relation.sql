{#-
    A table of the run history in the meta schema: invocations (one row per dbt invocation) and
    node_results (one row per node or test it ran), both written by record_run_results (on-run-end);
    model_row_counts has its own macro (model_row_counts_relation). docs/run-history.md describes the
    columns.
-#}
{% macro run_history_relation(name) -%}
    {%- if name not in ('invocations', 'node_results') -%}
        {{ exceptions.raise_compiler_error("run_history_relation: unknown run history table '" ~ name ~ "'") }}
    {%- endif -%}
    {{ return(api.Relation.create(schema='meta', identifier=name)) }}
{%- endmacro %}
