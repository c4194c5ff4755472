{#-
    on-run-end hook: appends to the volume history (model_row_counts_relation) the row count of every
    table or incremental model this invocation built, in one INSERT ... SELECT. A model whose volume_guard
    test failed or errored in this invocation is not recorded: its count was refused, so the next build
    is compared with the last accepted count again (otherwise a second build of a truncated lake would
    pass). Skipped and failed models were not rebuilt and are not recorded either.
-#}
{% macro record_model_row_counts(results) -%}
    {%- if execute and flags.WHICH in ('run', 'build') -%}
        {%- set refused = [] -%}
        {%- for result in results
            if result.node.resource_type == 'test'
            and result.status in ('fail', 'error')
            and result.node.test_metadata is not none
            and result.node.test_metadata.name == 'volume_guard' -%}
            {%- do refused.append(result.node.attached_node) -%}
        {%- endfor -%}
        {%- set built = [] -%}
        {%- for result in results
            if result.node.resource_type == 'model'
            and result.status == 'success'
            and result.node.config.materialized in ('table', 'incremental')
            and result.node.unique_id not in refused -%}
            {%- do built.append(result.node) -%}
        {%- endfor -%}
        {%- if built -%}
            insert into {{ globalretail.model_row_counts_relation() }}
                (invocation_id, run_started_at, unique_id, model_name, schema_name, table_name, row_count)
            {% for node in built -%}
            select
                '{{ invocation_id }}',
                {{ globalretail.loaded_at() }},
                '{{ node.unique_id }}',
                '{{ node.name }}',
                '{{ node.schema }}',
                '{{ node.alias }}',
                count(*)
            from {{ node.relation_name }}
            {% if not loop.last %}union all
            {% endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
