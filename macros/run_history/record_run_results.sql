{#-
    on-run-end hook, after record_model_row_counts: appends this invocation to the run history, one row
    to meta.invocations (command, target, selection, status, counts of nodes by outcome, rows built per
    layer from meta.model_row_counts) and one row per node or test it ran to meta.node_results (status,
    seconds, failures of a test, rows the adapter reported, message), then deletes history older than
    var('run_history_retention_days'). Multi-row INSERT ... VALUES (r_INSERT_30.html) and INSERT ... SELECT
    on every engine. An invocation's status: error when a node errored, fail when a test failed, else
    success (warnings are counted, not failures).
-#}
{% macro record_run_results(results) -%}
    {%- if execute and flags.WHICH in globalretail.run_history_commands() -%}
        {%- set invocations = globalretail.run_history_relation('invocations') -%}
        {%- set node_results = globalretail.run_history_relation('node_results') -%}
        {%- set statuses = results | map(attribute='status') | map('string') | list -%}
        {%- set tests = results | selectattr('node.resource_type', 'equalto', 'test') | list -%}
        {%- set test_statuses = tests | map(attribute='status') | map('string') | list -%}
        {%- set status = 'error' if 'error' in statuses else ('fail' if 'fail' in statuses else 'success') -%}
        {%- set selected = invocation_args_dict.get('select') or [] -%}
        {%- set selector = selected if selected is string else selected | join(' ') -%}
        {%- set started = globalretail.loaded_at() -%}
        {%- set retention_days = var('run_history_retention_days') | int -%}
insert into {{ invocations }} (
    invocation_id, run_started_at, run_ended_at, target_name, command, selector, is_full_refresh,
    dbt_version, status, nodes, models_built, nodes_errored, nodes_skipped, tests_passed, tests_warned,
    tests_failed, silver_rows, gold_rows
)
select
    '{{ invocation_id }}',
    {{ started }},
    {{ dbt.current_timestamp() }},
    {{ globalretail.run_history_text(target.name, 32) }},
    '{{ flags.WHICH }}',
    {{ globalretail.run_history_text(selector or none, 256) }},
    {{ 'true' if flags.FULL_REFRESH else 'false' }},
    '{{ dbt_version }}',
    '{{ status }}',
    {{ results | length }},
    {{ results | selectattr('node.resource_type', 'equalto', 'model')
        | selectattr('status', 'equalto', 'success') | list | length }},
    {{ statuses | select('equalto', 'error') | list | length }},
    {{ statuses | select('equalto', 'skipped') | list | length }},
    {{ test_statuses | select('equalto', 'pass') | list | length }},
    {{ test_statuses | select('equalto', 'warn') | list | length }},
    {{ test_statuses | select('equalto', 'fail') | list | length }},
    sum(case when schema_name = 'silver' then row_count end),
    sum(case when schema_name = 'gold' then row_count end)
from {{ globalretail.model_row_counts_relation() }}
where invocation_id = '{{ invocation_id }}';
        {%- if results %}
insert into {{ node_results }} (
    invocation_id, run_started_at, unique_id, resource_type, node_name, schema_name, materialization, status,
    execution_seconds, failures, rows_affected, message
)
values
            {%- for result in results %}
    (
        '{{ invocation_id }}',
        {{ started }},
        {{ globalretail.run_history_text(result.node.unique_id, 128) }},
        '{{ result.node.resource_type }}',
        {{ globalretail.run_history_text(result.node.name, 64) }},
        {{ globalretail.run_history_text(result.node.schema, 32) }},
        {{ globalretail.run_history_text(result.node.config.get('materialized'), 8) }},
        '{{ result.status }}',
        {{ (result.execution_time or 0) | round(3) }},
        {{ result.failures if result.failures is not none else 'null' }},
        {%- set rows_affected = (result.adapter_response or {}).get('rows_affected') %}
        {{ rows_affected if rows_affected is not none and rows_affected >= 0 else 'null' }},
        {{ globalretail.run_history_text(result.message, 256) }}
    ){{ ',' if not loop.last }}
            {%- endfor %};
        {%- endif %}
delete from {{ node_results }}
where run_started_at < {{ dbt.dateadd('day', -retention_days, started) }};
delete from {{ invocations }}
where run_started_at < {{ dbt.dateadd('day', -retention_days, started) }}
    {%- endif -%}
{%- endmacro %}
