{#-
    The `campaigns` table (reference.py): campaigns start spread over the business dates (`days` of them) and
    run 14 to 75 days; a campaign is named for a theme of the month it starts in (`themes`, January ..
    December, two each) and its channel. Needs channels.
-#}

{%- macro sql_list(values) -%}
[{% for value in values %}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor %}]
{%- endmacro -%}

create table campaigns as
with drawn as (
    select
        campaign_id,
        least(
            date '{{ start_date }}' + ((campaign_id - 1) * {{ days }} // {{ campaigns }})::integer
            + rint(campaign_id, 'c_jitter', 0, 10)::integer,
            date '{{ end_date }}'
        ) as start_date,
        rint(campaign_id, 'c_length', 14, 75)::integer as length_days,
        {{ channel }} as channel_code
    from (select range + 1 as campaign_id from range({{ campaigns }}))
)

select
    d.campaign_id,
    (
        [
            {%- for month in themes %}
            {{ sql_list(month) }}{{ "," if not loop.last }}
            {%- endfor %}
        ][month(d.start_date)]
    )[1 + floor(rnd(d.campaign_id, 'c_theme') * 2)::integer]
    || ' ' || year(d.start_date) || ' (' || ch.channel_name || ')' as campaign_name,
    d.channel_code,
    {{ sql_list(objectives) }}[1 + floor(rnd(d.campaign_id, 'c_obj') * {{ objectives | length }})::integer]
        as objective,
    d.start_date,
    least(d.start_date + d.length_days, date '{{ end_date }}') as end_date,
    (rint(d.campaign_id, 'c_budget', 5, 500) * 1000)::decimal(12, 2) as budget,
    date '{{ start_date }}' - to_days(rint(d.campaign_id, 'c_upd_d', 1, 60)::integer)
    + to_seconds(rint(d.campaign_id, 'c_upd_s', 0, 86399)) as updated_at
from drawn as d
inner join channels as ch on d.channel_code = ch.channel_code
order by d.campaign_id
