{#-
    The `stores` table (reference.py): one row per store, in a country drawn by weight (country_slots) and one
    of its cities. Needs country_slots, countries and cities.
-#}
create table stores as
select
    s.store_id,
    'GlobalRetail ' || ci.city || ' ' || lpad(s.store_id::varchar, 3, '0') as store_name,
    s.country_code,
    ci.city,
    (date '{{ start_date }}' - to_days(rint(s.store_id, 'st_open', 30, 3650)::integer))::date as opened_date,
    date '{{ start_date }}' - to_days(rint(s.store_id, 'st_upd_d', 1, 30)::integer)
    + to_seconds(rint(s.store_id, 'st_upd_s', 0, 86399)) as updated_at
from (
    select
        r.k + 1 as store_id,
        cs.country_code
    from range({{ stores }}) as r (k)
    inner join country_slots as cs on floor(rnd(r.k + 1, 'st_country') * 1000) = cs.slot
) as s
inner join countries as co on s.country_code = co.country_code
inner join cities as ci
    on
        s.country_code = ci.country_code
        and floor(rnd(s.store_id, 'st_city') * co.n_cities) = ci.city_idx
order by s.store_id
