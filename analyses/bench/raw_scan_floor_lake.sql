{#-
    warehouse bench, the whole-lake floor: every raw dataset the build reads (each lake source with
    `meta.files`), read once through its own source, the reader bronze uses, and its records counted. One
    row per dataset with its file pattern under the lake root; the bench adds the bytes of its files. No build can be faster than one such read, so
    the full build is compared with the sum.
-#}

{%- set lake_sources = [] -%}
{%- for node in graph.sources.values() | sort(attribute='unique_id') if (node.meta or {}).get('files') -%}
{%- do lake_sources.append(node) -%}
{%- endfor %}

with

{% for node in lake_sources %}
{{ node.source_name }}__{{ node.name }} as (

    select
        '{{ node.source_name }}.{{ node.name }}' as dataset,
        '{{ node.meta.files }}' as files,
        count(*) as raw_records
    from {{ source(node.source_name, node.name) }}

),

{% endfor %}
final as (

    {% for node in lake_sources %}
    select * from {{ node.source_name }}__{{ node.name }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
