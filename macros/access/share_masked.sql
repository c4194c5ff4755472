{#-
    The local equivalent of a masked reader (docs/access.md, "On DuckDB"): DuckDB has no roles, so whoever
    opens the warehouse file reads everything. `warehouse share --out <file> [--role <role>]` runs this
    operation to write a separate DuckDB file holding what `role` may read on Redshift (the models whose
    grants name it), as tables, with every personal-data column through the same masking_expression the
    Redshift masking policies use. The file holds no clear personal data and nothing else of the warehouse;
    its table main.share_manifest lists what it holds.

        dbt run-operation share_masked --args '{path: share.duckdb, role: globalretail_analyst}'

    Refused for a role that reads personal data in clear (access_clear_pii_roles: share the warehouse file
    itself) and for the row-access role (its rows depend on the user reading them).
-#}
{% macro share_masked(path, role='globalretail_analyst') -%}
    {{ return(adapter.dispatch('share_masked', 'globalretail')(path, role)) }}
{%- endmacro %}

{% macro default__share_masked(path, role) -%}
    {{ exceptions.raise_compiler_error(
        "share_masked writes a masked DuckDB file of a local warehouse; on Redshift a role reads the "
        ~ "warehouse itself, through the masking policies (docs/access.md)"
    ) }}
{%- endmacro %}

{% macro duckdb__share_masked(path, role) -%}
    {%- set role = role | lower -%}
    {%- set roles = globalretail.access_roles() -%}
    {%- if role not in roles -%}
        {{ exceptions.raise_compiler_error(
            "role '" ~ role ~ "' reads no model (grants: in dbt_project.yml name " ~ (roles.keys() | sort | join(', ')) ~ ")"
        ) }}
    {%- endif -%}
    {%- if role in (var('access_clear_pii_roles') | map('lower') | list) -%}
        {{ exceptions.raise_compiler_error(
            "role '" ~ role ~ "' reads personal data in clear (access_clear_pii_roles): a masked share is for the "
            ~ "other roles"
        ) }}
    {%- endif -%}
    {%- if role == ((var('row_access') or {}).get('role') or '') | lower -%}
        {{ exceptions.raise_compiler_error(
            "role '" ~ role ~ "' sees the rows its user is given in the row-access lookup: a file cannot "
            ~ "follow its reader; share as another role"
        ) }}
    {%- endif -%}
    {%- set nodes = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
        if node.resource_type in ('model', 'seed', 'snapshot') and role in globalretail.reader_roles(node)
        and node.config.materialized != 'ephemeral' -%}
        {%- do nodes.append(node) -%}
    {%- endfor -%}
    {%- set share = 'globalretail_share' -%}
    {%- do run_query("attach '" ~ path | replace("'", "''") ~ "' as " ~ share) -%}
    {%- do run_query(
        'create table ' ~ share ~ '.main.share_manifest (relation varchar not null primary key, row_count bigint '
        ~ 'not null, masked_columns varchar[] not null, role varchar not null, shared_at timestamp not null)'
    ) -%}
    {%- for node in nodes -%}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) -%}
        {%- if relation is none -%}
            {%- do run_query('detach ' ~ share) -%}
            {{ exceptions.raise_compiler_error(
                node.schema ~ '.' ~ node.alias ~ ' is not in the warehouse: run `warehouse build` first'
            ) }}
        {%- endif -%}
        {%- set kinds = {} -%}
        {%- for name, kind, _type in globalretail.pii_columns(node) -%}{%- do kinds.update({name: kind}) -%}{%- endfor -%}
        {%- set selected = [] -%}
        {%- set masked = [] -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- set quoted = adapter.quote(column.name) -%}
            {%- if column.name | lower in kinds -%}
                {%- do masked.append(column.name | lower) -%}
                {%- do selected.append(
                    globalretail.masking_expression(kinds[column.name | lower], quoted, column.data_type) ~ ' as ' ~ quoted
                ) -%}
            {%- else -%}
                {%- do selected.append(quoted) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set target = share ~ '.' ~ adapter.quote(node.schema) ~ '.' ~ adapter.quote(node.alias) -%}
        {%- do run_query('create schema if not exists ' ~ share ~ '.' ~ adapter.quote(node.schema)) -%}
        {%- do run_query('create table ' ~ target ~ ' as select ' ~ selected | join(', ') ~ ' from ' ~ relation) -%}
        {%- do run_query(
            'insert into ' ~ share ~ '.main.share_manifest select ' ~ "'" ~ node.schema ~ '.' ~ node.alias ~ "'"
            ~ ', (select count(*) from ' ~ target ~ '), ' ~ ("['" ~ masked | join("', '") ~ "']" if masked else '[]') ~ '::varchar[]'
            ~ ", '" ~ role ~ "', current_timestamp::timestamp"
        ) -%}
        {{ log('shared ' ~ node.schema ~ '.' ~ node.alias ~ (' (masked: ' ~ masked | join(', ') ~ ')' if masked else ''), info=true) }}
    {%- endfor -%}
    {#- DuckDB detaches a database only once the transaction that wrote it has committed. -#}
    {%- do adapter.commit() -%}
    {%- do run_query('detach ' ~ share) -%}
{%- endmacro %}
