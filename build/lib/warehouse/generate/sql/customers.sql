{#-
    The `customers` table (customers.py): one row per customer with both versions' attributes, its defect and,
    for an updated customer, what changes. Needs country_slots, countries, cities, first_names and last_names.
-#}

{%- macro sql_list(values) -%}
[{% for value in values %}'{{ value }}'{{ ", " if not loop.last }}{% endfor %}]
{%- endmacro -%}

create table customers as
with drawn as (
    select
        r.k,
        r.k + 1 as customer_id,
        cs.country_code,
        rnd(r.k + 1, 'cu_defect') as u_defect
    from range({{ customers }}) as r (k)
    inner join country_slots as cs on {{ country_slot }} = cs.slot
),

named as (
    select
        d.*,
        {{ defect }} as defect,
        fn.name as first_name,
        ln.name as last_name,
        ci.city,
        c2.city as other_city,
        (date '{{ start_date }}' - to_days(rint(d.customer_id, 'cu_signup', 1, 3650)::integer))::date as signup_date,
        {{ tier }} as loyalty_tier,
        {{ sql_list(domains) }}[1 + floor(rnd(d.customer_id, 'cu_domain') * {{ domains | length }})::integer]
            as domain
    from drawn as d
    inner join countries as co on d.country_code = co.country_code
    inner join cities as ci
        on
            d.country_code = ci.country_code
            and floor(rnd(d.customer_id, 'cu_city') * co.n_cities) = ci.city_idx
    inner join cities as c2
        on
            d.country_code = c2.country_code
            and floor(rnd(d.customer_id, 'cu_city2') * co.n_cities) = c2.city_idx
    inner join first_names as fn
        on floor(rnd(d.customer_id, 'cu_first') * {{ first_names }}) = fn.idx
    inner join last_names as ln
        on floor(rnd(d.customer_id, 'cu_last') * {{ last_names }}) = ln.idx
)

select
    *,
    regexp_replace(lower(strip_accents(first_name)), '[^a-z]', '', 'g') || '.'
    || regexp_replace(lower(strip_accents(last_name)), '[^a-z]', '', 'g') || customer_id
        as email_user,
    email_user || '@' || domain as email,
    signup_date + to_seconds(floor(
        rnd(customer_id, 'cu_upd1') * (epoch(date '{{ start_date }}'::timestamp) - epoch(signup_date::timestamp))
    )::bigint) as updated_at,
    case when defect = 'missing_field' then {{ missing_field }} end as missing_field,
    case when defect = 'wrong_type' then {{ wrong_field }} end as wrong_field,
    -- the new version of an updated customer
    timestamp '{{ update_from }}' + to_seconds(rint(customer_id, 'cu_upd2', 0, {{ update_seconds - 1 }}))
        as updated_at_v2,
    {{ change }} as change_kind,
    case
        when change_kind = 'tier' and loyalty_tier != 'platinum'
            then {{ sql_list(tiers) }}[list_position({{ sql_list(tiers) }}, loyalty_tier) + 1]
        else loyalty_tier
    end as loyalty_tier_v2,
    case
        when change_kind = 'city' or (change_kind = 'tier' and loyalty_tier = 'platinum') then other_city
        else city
    end as city_v2,
    case
        when change_kind = 'email'
            then email_user || '@' || {{ sql_list(domains) }}[
                1 + (
                    (
                        list_position({{ sql_list(domains) }}, domain)
                        + rint(customer_id, 'cu_dom2', 0, {{ (domains | length) - 2 }})
                    ) % {{ domains | length }}
                )::integer
            ]
        else email
    end as email_v2
from named
order by customer_id
