{#-
    The lake records behind a failed data test's failing rows (warehouse/build/failures.py renders it).

    `test_sql` is the test's own compiled query, run unchanged, so "failing" means exactly what the test
    says. Its distinct key values are joined to `relation`, a model that carries `_source_file` and a
    record locator (`_record_number`, or `shard_id` and `sequence_number` for stream records), on the
    key columns: `key.output` is the test's name for the column (`unique_field` for dbt's unique test),
    none when the test selects rows where the column is null. Identifiers are quoted by the `ident`
    filter; `relation` is the manifest's `relation_name`, quoted by the adapter. The same text runs on
    DuckDB and Redshift: a join on a derived table, no correlated subquery (Redshift cannot decorrelate
    one over a window function, r_correlated_subqueries.html), no engine-specific function.
-#}
select
    {%- for key in keys %}
    records.{{ key.column | ident }} as {{ key.column | ident }},
    {%- endfor %}
    records.{{ source_file | ident }} as {{ source_file | ident }},
    {%- for column in locator %}
    records.{{ column | ident }} as {{ column | ident }}{{ "," if not loop.last }}
    {%- endfor %}
from {{ relation }} as records
inner join (
    select distinct
        {%- for key in keys if key.output %}
        failing.{{ key.output | ident }}{{ "," if not loop.last }}
        {%- else %}
        1 as failing_rows
        {%- endfor %}
    from (
{{ test_sql }}
    ) as failing
) as failing
    on
    {%- for key in keys %}
        {{ "and " if not loop.first }}records.{{ key.column | ident }}
        {%- if key.output %} = failing.{{ key.output | ident }}{% else %} is null{% endif %}
    {%- endfor %}
order by
    {%- for column in keys | map(attribute="column") | list + [source_file] + locator %}
    {{ column | ident }}{{ "," if not loop.last }}
    {%- endfor %}
