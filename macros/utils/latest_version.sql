{#-
    Keep the latest version of each key: the body of a `deduplicated` CTE.

    `order_by` must make the order total, so the winner is the same on every run and engine:
    end it with the lineage columns (arrival date, source file, record number), and say `nulls last` (or
    first) after every `desc`: Redshift puts NULLs first in a descending order, DuckDB last
    (r_ORDER_BY_clause.html), so a version with no `updated_at` would win on one engine only. Exact duplicates share every
    business column, so whichever copy wins, the result is the same. `version_count` says how many
    versions (duplicates included) the key had; with `last_arrival` (a date column), `_last_arrival_date` is
    the newest of it over all the key's versions (when the key last got a record of any version).
-#}
{% macro latest_version(relation, key_columns, order_by, last_arrival=none) -%}
    {%- set partition = key_columns | join(', ') -%}
    select *
    from (
        select
            *,
            row_number() over (partition by {{ partition }} order by {{ order_by }}) as _version_rank,
            count(*) over (partition by {{ partition }}) as version_count
            {%- if last_arrival is not none %},
            max({{ last_arrival }}) over (partition by {{ partition }}) as _last_arrival_date
            {%- endif %}
        from {{ relation }}
    ) as versions
    where _version_rank = 1
{%- endmacro %}
