{#-
    The `warehouses` table (warehouses.py): warehouses 1, 2, 3, ... are in forced_countries (one of each region),
    the others in a country drawn by weight from the `country_slots` rows of warehouse_country_slots. Needs
    warehouse_country_slots, countries and cities.
-#}
create or replace table warehouses as
with drawn as (
    select
        r.k + 1 as warehouse_id,
        coalesce(
            case r.k + 1
                {%- for code in forced_countries %}
                when {{ loop.index }} then '{{ code }}'
                {%- endfor %}
            end,
            s.country_code
        ) as country_code
    from range({{ warehouses }}) as r (k)
    inner join warehouse_country_slots as s on floor(rnd(r.k + 1, 'wh_country') * {{ country_slots }}) = s.slot
),

typed as (
    select
        w.*,
        {{ warehouse_type }} as warehouse_type
    from drawn as w
)

select
    w.warehouse_id,
    'WH-' || w.country_code || '-' || lpad(w.warehouse_id::varchar, 3, '0') as warehouse_code,
    'GlobalRetail ' || ci.city || ' '
    || (
        case w.warehouse_type
            {%- for kind, abbreviation in type_abbreviations.items() %}
            when '{{ kind }}' then '{{ abbreviation }}'
            {%- endfor %}
        end
    )
    || ' ' || lpad(w.warehouse_id::varchar, 3, '0') as warehouse_name,
    w.country_code,
    ci.city,
    w.warehouse_type,
    (
        case w.warehouse_type when 'cross_dock' then 20000 when 'distribution_center' then 150000 else 60000 end
        * (0.5 + rnd(w.warehouse_id, 'wh_capacity'))
    )::bigint // 100 * 100 as capacity_units,
    (date '{{ start_date }}' - to_days(rint(w.warehouse_id, 'wh_open', 1200, 5000)::integer))::date as opened_date,
    date '{{ start_date }}' - to_days(rint(w.warehouse_id, 'wh_upd_d', 1, 30)::integer)
    + to_seconds(rint(w.warehouse_id, 'wh_upd_s', 0, 86399)) as updated_at
from typed as w
inner join countries as co on w.country_code = co.country_code
inner join cities as ci
    on
        w.country_code = ci.country_code
        and floor(rnd(w.warehouse_id, 'wh_city') * co.n_cities) = ci.city_idx
order by w.warehouse_id
