{#-
    A model's row count never falls below `min_ratio` times its count at the last build that recorded it
    (meta.model_row_counts, written by the on-run-end hook record_model_row_counts). A truncated export or
    a wrong partition still has files, so the lake preflight lets it through; this test fails instead, and
    `dbt build` then skips everything built from the model: gold keeps its previous content.
    No recorded count (a new warehouse or model) passes. `min_ratio` defaults to
    var('volume_guard_min_ratio', 0.5); `--vars '{accept_volume_drop: true}'` (`warehouse build
    --accept-volume-drop`) lets an intended drop through, and the new count becomes the reference.
    `max_ratio` (optional, at least 1) also fails a count above max_ratio times the recorded one: a
    replayed or duplicated load. Gold facts carry it as a warning (their silver parents' guards stop a drop
    before them); the warning is in the build summary and meta.node_results.
    Fails with one row: the relation, rows now, rows at the last recorded build, when, and the ratios.
-#}
{% test volume_guard(model, min_ratio=none, max_ratio=none) %}

{{ config(store_failures=true) }}

{%- set ratio = (var('volume_guard_min_ratio', 0.5) if min_ratio is none else min_ratio) | float -%}
{%- if ratio < 0 or ratio > 1 -%}
    {{ exceptions.raise_compiler_error(
        "volume_guard on " ~ model ~ ": min_ratio must be between 0 and 1, got " ~ ratio) }}
{%- endif -%}
{%- if max_ratio is not none and (max_ratio | float) < 1 -%}
    {{ exceptions.raise_compiler_error(
        "volume_guard on " ~ model ~ ": max_ratio must be at least 1, got " ~ max_ratio) }}
{%- endif -%}
{%- set is_drop_accepted = 'true' if var('accept_volume_drop', false) else 'false' %}

with

recorded_counts as (

    select
        row_count,
        run_started_at,
        invocation_id
    from {{ globalretail.model_row_counts_relation() }}
    where
        schema_name = '{{ model.schema }}'
        and table_name = '{{ model.identifier }}'

),

last_recorded as (

    select
        row_count,
        run_started_at,
        row_number() over (order by run_started_at desc nulls last, invocation_id desc nulls last) as recency
    from recorded_counts

),

current_count as (

    select count(*) as row_count from {{ model }}

),

final as (

    select
        '{{ model.schema }}.{{ model.identifier }}' as model_relation,
        current_count.row_count as rows_now,
        last_recorded.row_count as rows_before,
        last_recorded.run_started_at as recorded_at,
        {{ ratio }} as min_ratio,
        cast({{ 'null' if max_ratio is none else max_ratio | float }} as {{ dbt.type_float() }}) as max_ratio,
        {{ is_drop_accepted }} as is_drop_accepted
    from current_count
    inner join last_recorded on last_recorded.recency = 1

)

select *
from final
where
    not is_drop_accepted
    and (
        rows_now < min_ratio * rows_before
        {%- if max_ratio is not none %}
        or rows_now > max_ratio * rows_before
        {%- endif %}
    )

{% endtest %}
