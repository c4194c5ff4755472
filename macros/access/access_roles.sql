{#-
    Access on Redshift (docs/access.md): the roles the project creates, the schema usage each needs, and the
    guard that the build may manage masking and row-level security. Who reads which model is its `grants:`
    config (a folder's, in dbt_project.yml), so the roles are read from there: one definition. DuckDB has no
    roles: every macro here is a no-op there.
-#}

{#- Every role a node's grants name (`role:<name>`), sorted; with the schemas it must be able to use. -#}
{% macro access_roles() -%}
    {%- set schemas_by_role = {} -%}
    {%- for node in graph.nodes.values() if node.resource_type in ('model', 'seed', 'snapshot') -%}
        {%- for role in globalretail.granted_roles(node) -%}
            {%- do schemas_by_role.setdefault(role, []) -%}
            {%- if node.schema | lower not in schemas_by_role[role] -%}
                {%- do schemas_by_role[role].append(node.schema | lower) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set row_role = (var('row_access') or {}).get('role') -%}
    {%- if row_role -%}{%- do schemas_by_role.setdefault(row_role | lower, []) -%}{%- endif -%}
    {{ return(schemas_by_role) }}
{%- endmacro %}

{#- on-run-start: the roles that do not exist yet, and the row-access lookup table (never rebuilt). -#}
{% macro create_access_roles() -%}
    {{ return(adapter.dispatch('create_access_roles', 'globalretail')()) }}
{%- endmacro %}

{% macro default__create_access_roles() -%}
{%- endmacro %}

{% macro redshift__create_access_roles() -%}
    {%- if not (execute and flags.WHICH in ('build', 'run', 'seed', 'snapshot')) -%}{{ return('') }}{%- endif -%}
    {{ globalretail.require_security_admin() }}
    {%- set roles = globalretail.access_roles() -%}
    {%- set existing = [] -%}
    {%- if roles -%}
        {%- set found = run_query(
            "select role_name from svv_roles where role_name in ('" ~ (roles.keys() | sort | join("', '")) ~ "')"
        ) -%}
        {%- for row in found.rows -%}{%- do existing.append(row[0] | lower) -%}{%- endfor -%}
    {%- endif -%}
    {%- set statements = [] -%}
    {%- for role in roles.keys() | sort if role not in existing -%}
        {#- CREATE ROLE has no IF NOT EXISTS (r_CREATE_ROLE): svv_roles says which exist. -#}
        {%- do statements.append('create role ' ~ role) -%}
    {%- endfor -%}
    {%- set lookup = globalretail.row_access_lookup() -%}
    {%- if lookup is not none -%}
        {#- An RLS lookup table cannot be dropped or renamed while a policy uses it (t_rls_object_dependency):
            created once, its rows maintained by the administrators (docs/access.md). -#}
        {%- do statements.append(
            'create table if not exists ' ~ lookup ~ ' (user_name varchar(128) not null, '
            ~ var('row_access').column ~ ' varchar(256) not null)'
        ) -%}
    {%- endif -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}

{#- The row-access lookup table (meta.<lookup>): which values of the row-access column each user sees. -#}
{% macro row_access_lookup() -%}
    {%- set config = var('row_access') or {} -%}
    {%- if not config.get('lookup') -%}{{ return(none) }}{%- endif -%}
    {{ return(api.Relation.create(schema='meta', identifier=config.lookup)) }}
{%- endmacro %}

{#-
    Masking and row-level security policies are created and attached by superusers and sys:secadmin only
    (r_CREATE_MASKING_POLICY, r_CREATE_RLS_POLICY), and a user that is neither sees no row of a table with
    row-level security on (r_ALTER_TABLE, "ROW LEVEL SECURITY"): a build by such a user would rebuild the
    aggregates over fct_sales from zero rows. The build stops before anything is built instead.
-#}
{% macro require_security_admin() -%}
    {%- set found = run_query(
        "select usesuper or user_is_member_of(current_user, 'sys:secadmin') from pg_user where usename = current_user"
    ) -%}
    {%- if not (found.rows | length and found.rows[0][0]) -%}
        {{ exceptions.raise_compiler_error(
            "The build's database user must be a superuser or hold the role sys:secadmin: it attaches the masking "
            ~ "and row-level security policies, and without it a table with row-level security reads as empty "
            ~ "(docs/access.md). Run: grant role sys:secadmin to <build user>"
        ) }}
    {%- endif -%}
{%- endmacro %}

{#- on-run-end: USAGE on each schema for the roles that read a model in it (and none for roles no model names). -#}
{% macro grant_schema_usage() -%}
    {{ return(adapter.dispatch('grant_schema_usage', 'globalretail')()) }}
{%- endmacro %}

{% macro default__grant_schema_usage() -%}
{%- endmacro %}

{% macro redshift__grant_schema_usage() -%}
    {%- if not (execute and flags.WHICH in ('build', 'run', 'seed', 'snapshot')) -%}{{ return('') }}{%- endif -%}
    {%- set roles = globalretail.access_roles() -%}
    {%- set schemas = [] -%}
    {%- for node in graph.nodes.values() if node.resource_type in ('model', 'seed', 'snapshot') -%}
        {%- if node.schema | lower not in schemas -%}{%- do schemas.append(node.schema | lower) -%}{%- endif -%}
    {%- endfor -%}
    {%- if not roles or not schemas -%}{{ return('') }}{%- endif -%}
    {%- set found = run_query(
        "select namespace_name, identity_name from svv_schema_privileges where privilege_type = 'USAGE'"
        ~ " and identity_type = 'role' and namespace_name in ('" ~ (schemas | sort | join("', '")) ~ "')"
        ~ " and identity_name in ('" ~ (roles.keys() | sort | join("', '")) ~ "')"
    ) -%}
    {%- set has = [] -%}
    {%- for row in found.rows -%}{%- do has.append((row[0] | lower) ~ '.' ~ (row[1] | lower)) -%}{%- endfor -%}
    {%- set statements = [] -%}
    {%- for role, wanted in roles.items() | sort -%}
        {%- for schema in schemas | sort -%}
            {%- set key = schema ~ '.' ~ role -%}
            {%- if schema in wanted and key not in has -%}
                {%- do statements.append('grant usage on schema ' ~ schema ~ ' to role ' ~ role) -%}
            {%- elif schema not in wanted and key in has -%}
                {%- do statements.append('revoke usage on schema ' ~ schema ~ ' from role ' ~ role) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}
