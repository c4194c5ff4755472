{#-
    Post-hook of every model (docs/access.md): on Redshift, the masking policies of its personal-data columns
    and the row-level security of a regional model, attached to the relation just built. It runs inside the
    model's transaction, before dbt applies the grants and commits: dbt rebuilds a table as a new one, which
    has none of the old one's policies (they follow the old table to its backup name and are dropped with it,
    t_rls_object_dependency), so nobody can read the new table before it is protected. Only what is missing
    is created or attached (the svv_ views say what exists): a second build changes nothing.

    - Masking: each column with `meta: {pii: <kind>}` of a model that a role outside `access_clear_pii_roles`
      may read gets the policy of its kind and type (masking_expression), attached to each such role. The
      build user and the clear roles read the values. A policy's input and output types must match the
      column's (r_CREATE_MASKING_POLICY, t_ddm), hence one policy per kind and type.
    - Row access: a model with `meta: {row_access: true}` gets row-level security on its
      `var('row_access').column`: the role `var('row_access').role` sees the rows whose value its user is given
      in the lookup table, every other role that reads the model sees all rows (a role with no policy would
      see none: r_ALTER_TABLE). Policies on one table share an alias (r_CREATE_RLS_POLICY).
    Views are left alone: masking and row-level security attach to tables (t_ddm, r_ATTACH_RLS_POLICY), and
    only engineers read the bronze views.
-#}
{% macro protect_relation() -%}
    {{ return(adapter.dispatch('protect_relation', 'globalretail')()) }}
{%- endmacro %}

{% macro default__protect_relation() -%}
{%- endmacro %}

{% macro redshift__protect_relation() -%}
    {%- if not execute or model.resource_type != 'model' or config.get('materialized') not in ('table', 'incremental') -%}
        {{ return('') }}
    {%- endif -%}
    {#- ATTACH and ALTER TABLE name the table in the current database (no cross-database relations). -#}
    {%- set relation = this.include(database=false) -%}
    {%- set statements = globalretail.masking_statements(relation, model) + globalretail.row_access_statements(relation, model) -%}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}

{#- The roles a node's grants config names (`role:<name>`), lowercased: for one privilege, or for any. -#}
{% macro granted_roles(node, privilege=none) -%}
    {%- set grants = node.config.grants or {} -%}
    {%- set roles = [] -%}
    {%- for name, grantees in grants.items() if privilege is none or name == privilege -%}
        {%- for grantee in grantees if grantee.startswith('role:') and (grantee[5:] | lower) not in roles -%}
            {%- do roles.append(grantee[5:] | lower) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(roles) }}
{%- endmacro %}

{#- The roles granted SELECT on a node. -#}
{% macro reader_roles(node) -%}
    {{ return(globalretail.granted_roles(node, 'select')) }}
{%- endmacro %}

{#- A node's personal-data columns: (column name, kind, data type). -#}
{% macro pii_columns(node) -%}
    {%- set found = [] -%}
    {%- for column in node.columns.values() -%}
        {%- set kind = (column.meta or {}).get('pii') or ((column.config or {}).get('meta') or {}).get('pii') -%}
        {%- if kind -%}{%- do found.append((column.name | lower, kind, column.data_type | lower)) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#- The masking policy of a kind of personal data for one column type, e.g. globalretail_mask_email_varchar_256. -#}
{% macro masking_policy_name(kind, data_type) -%}
    {{ return('globalretail_mask_' ~ kind ~ '_' ~ modules.re.sub('[^a-z0-9]+', '_', data_type | lower).strip('_')) }}
{%- endmacro %}

{% macro masking_statements(relation, node) -%}
    {%- set clear = var('access_clear_pii_roles') | map('lower') | list -%}
    {%- set masked_roles = globalretail.reader_roles(node) | reject('in', clear) | list -%}
    {%- set columns = globalretail.pii_columns(node) -%}
    {%- if not (masked_roles and columns) -%}{{ return([]) }}{%- endif -%}
    {%- set policies = run_query("select policy_name from svv_masking_policy where policy_name like 'globalretail_mask_%'") -%}
    {%- set existing = policies.columns[0].values() | map('lower') | list -%}
    {%- set attached_rows = run_query(
        "select policy_name, grantee, output_columns from svv_attached_masking_policy where schema_name = '"
        ~ relation.schema ~ "' and table_name = '" ~ relation.identifier ~ "'"
    ) -%}
    {%- set attached = [] -%}
    {%- for row in attached_rows.rows -%}
        {%- for column in fromjson(row[2]) -%}
            {%- do attached.append((row[0] | lower) ~ '|' ~ (row[1] | lower) ~ '|' ~ (column | lower)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for name, kind, data_type in columns -%}
        {%- set policy = globalretail.masking_policy_name(kind, data_type) -%}
        {%- if policy not in existing -%}
            {%- do statements.append(
                'create masking policy if not exists ' ~ policy ~ ' with (value ' ~ data_type ~ ') using ('
                ~ globalretail.masking_expression(kind, 'value', data_type) ~ ')'
            ) -%}
            {%- do existing.append(policy) -%}
        {%- endif -%}
        {%- for role in masked_roles if (policy ~ '|' ~ role ~ '|' ~ name) not in attached -%}
            {#- A distinct priority per role: two attachments on one column may not share one (t_ddm-hierarchy). -#}
            {%- do statements.append(
                'attach masking policy ' ~ policy ~ ' on ' ~ relation ~ ' (' ~ name ~ ') to role ' ~ role ~ ' priority ' ~ (10 + loop.index0)
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}

{% macro row_access_statements(relation, node) -%}
    {%- set settings = var('row_access') or {} -%}
    {%- if not (node.config.meta or {}).get('row_access') -%}{{ return([]) }}{%- endif -%}
    {%- set column = settings.column | lower -%}
    {%- set data_type = ((node.columns.get(column) or {}).get('data_type') or '') | lower -%}
    {%- if not data_type -%}
        {{ exceptions.raise_compiler_error(
            node.name ~ ": row_access needs the column '" ~ column ~ "' with its data_type in the model's YAML"
        ) }}
    {%- endif -%}
    {%- set restricted_role = settings.role | lower -%}
    {%- set by_value = 'globalretail_rows_by_' ~ column -%}
    {%- set every_row = 'globalretail_rows_all' -%}
    {%- set found = run_query(
        "select polname from svv_rls_policy where polname in ('" ~ by_value ~ "', '" ~ every_row ~ "')"
    ) -%}
    {%- set existing = found.columns[0].values() | map('lower') | list -%}
    {%- set statements = [] -%}
    {#- CREATE RLS POLICY has no IF NOT EXISTS (r_CREATE_RLS_POLICY). -#}
    {%- if by_value not in existing -%}
        {%- do statements.append(
            'create rls policy ' ~ by_value ~ ' with (' ~ column ~ ' ' ~ data_type ~ ') as protected using ('
            ~ 'protected.' ~ column ~ ' in (select ' ~ column ~ ' from ' ~ globalretail.row_access_lookup()
            ~ ' where user_name = current_user))'
        ) -%}
    {%- endif -%}
    {%- if every_row not in existing -%}
        {%- do statements.append(
            'create rls policy ' ~ every_row ~ ' with (' ~ column ~ ' ' ~ data_type ~ ') as protected using (true)'
        ) -%}
    {%- endif -%}
    {%- set attached_rows = run_query(
        "select polname, grantee, is_rls_on from svv_rls_attached_policy where relschema = '"
        ~ relation.schema ~ "' and relname = '" ~ relation.identifier ~ "'"
    ) -%}
    {%- set attached = [] -%}
    {%- for row in attached_rows.rows -%}
        {%- do attached.append((row[0] | lower) ~ '|' ~ (row[1] | lower)) -%}
    {%- endfor -%}
    {%- for role in globalretail.reader_roles(node) -%}
        {%- set policy = by_value if role == restricted_role else every_row -%}
        {%- if (policy ~ '|' ~ role) not in attached -%}
            {%- do statements.append('attach rls policy ' ~ policy ~ ' on ' ~ relation ~ ' to role ' ~ role) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set state = run_query(
        "select is_rls_on from svv_rls_relation where relschema = '" ~ relation.schema
        ~ "' and relname = '" ~ relation.identifier ~ "'"
    ) -%}
    {%- if not (state.rows | length and state.rows[0][0]) -%}
        {%- do statements.append('alter table ' ~ relation ~ ' row level security on') -%}
    {%- endif -%}
    {{ return(statements) }}
{%- endmacro %}

{#-
    What a role outside access_clear_pii_roles reads in place of a personal-data value, of the column's own
    type (a masking policy returns its input's type, r_CREATE_MASKING_POLICY): an email keeps its domain, a
    name its initial, a phone number its last two digits; any other kind is hidden.
-#}
{% macro masking_expression(kind, value, data_type) -%}
    {%- if kind == 'email' -%}
        {{ return("cast(regexp_replace(" ~ value ~ ", '^[^@]*', '***') as " ~ data_type ~ ")") }}
    {%- elif kind == 'name' -%}
        {{ return("cast(left(" ~ value ~ ", 1) || '***' as " ~ data_type ~ ")") }}
    {%- elif kind == 'phone' -%}
        {{ return("cast('***' || right(" ~ value ~ ", 2) as " ~ data_type ~ ")") }}
    {%- else -%}
        {{ return("cast(null as " ~ data_type ~ ")") }}
    {%- endif -%}
{%- endmacro %}
