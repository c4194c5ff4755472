{#-
    One row per online order of the chunk `$chunk` (orders.py): every attribute drawn, both versions' lines
    built. Needs order_days, products, country_slots, countries and campaign_days.
-#}

{#-
    The order as a compact JSON line, with its updated_at and status. Version 1 carries the order's defect
    (but for the malformed cut): a missing field (one of defects.ORDER_MISSING_FIELDS) is left out, a wrong
    type or an unknown id replaces the value. Version 2 is the line of an `update` order, which carries no other
    defect, so the defect branches give the clean value.
-#}
{%- macro order_line(updated_at, status) -%}
'{' || concat_ws(
    ',',
    case when missing_field = 'order_id' then null else '"order_id":' || order_id end,
    case
        when missing_field = 'order_ts' then null
        else '"order_ts":' || jstr(if(wrong_field = 'order_ts', wrong_ts(order_ts), iso_ts(order_ts)))
    end,
    '"updated_at":' || jstr(iso_ts({{ updated_at }})),
    case
        when missing_field = 'customer_id' then null
        when unknown_field = 'customer_id'
            then '"customer_id":' || ({{ unknown_id_base }} + rint(i, 'o_fk_id', 1, 99999))
        else '"customer_id":' || customer_id
    end,
    case
        when missing_field = 'product_id' then null
        when unknown_field = 'product_id'
            then '"product_id":' || ({{ unknown_id_base }} + rint(i, 'o_fk_id', 1, 99999))
        else '"product_id":' || product_id
    end,
    '"category":' || jstr(category),
    '"region":' || jstr(region),
    '"country_code":' || jstr(country_code),
    '"channel":' || jstr(channel),
    case
        when missing_field = 'quantity' then null
        when wrong_field = 'quantity' then '"quantity":"n/a"'
        when defect = 'negative_quantity' then '"quantity":' || (-rint(i, 'o_neg', 1, 5))::varchar
        else '"quantity":' || quantity::varchar
    end,
    case
        when missing_field = 'unit_price' then null
        when wrong_field = 'unit_price' then '"unit_price":' || jstr(replace(money(unit_price), '.', ','))
        else '"unit_price":' || money(unit_price)
    end,
    '"discount":' || money(discount),
    '"campaign_id":' || coalesce(campaign_id::varchar, 'null'),
    '"status":' || jstr({{ status }})
) || '}'
{%- endmacro %}

with base as (
    select
        day,
        unnest(range(first_i, end_i)) as i
    from order_days
    where chunk = {{ param('chunk') }}
),

drawn as (
    select
        i,
        day,
        day + to_seconds(floor(86400 * (rnd(i, 'o_t1') + rnd(i, 'o_t2')) / 2)::bigint) as order_ts,
        (skewed(i, 'o_cust', {{ customers }}, 2.0) * {{ customer_multiplier }}) % {{ customers }} + 1 as customer_id,
        (skewed(i, 'o_prod', {{ products }}, 3.0) * {{ product_multiplier }}) % {{ products }} + 1 as product_id,
        rnd(i, 'o_defect') as u_defect,
        rnd(i, 'o_ship') < {{ foreign_shipping_share }} as ships_abroad
    from base
),

enriched as (
    select
        d.*,
        {{ defect }} as defect,
        p.category,
        case when p.changed and d.order_ts >= p.updated_v2 then p.price_v2 else p.price_v1 end as unit_price,
        co.country_code,
        co.region,
        case
            when rnd(d.i, 'o_campaign') < {{ campaign_share }} and len(cd.campaign_ids) > 0
                then cd.campaign_ids[1 + floor(rnd(d.i, 'o_campaign_pick') * len(cd.campaign_ids))::integer]
        end as campaign_id
    from drawn as d
    inner join products as p on d.product_id = p.product_id
    inner join country_slots as home on home.slot = {{ home_country_slot }}
    inner join country_slots as abroad on abroad.slot = floor(rnd(d.i, 'o_ship_country') * {{ country_slots }})
    inner join countries as co
        on co.country_code = if(d.ships_abroad, abroad.country_code, home.country_code)
    left join campaign_days as cd on d.day = cd.day
),

versioned as (
    select
        *,
        i + 1 as order_id,
        {{ channel }} as channel,
        {{ quantity }} as quantity,
        {{ discount }} as discount,
        case
            when defect = 'update'
                then case when rnd(i, 'o_status1') < 0.6 then 'placed' else 'shipped' end
            when day > date '{{ end_date }}' - {{ open_status_days }}
                then case when rnd(i, 'o_status1') < 0.5 then 'placed' else 'shipped' end
            else {{ final_status }}
        end as status,
        order_ts + to_seconds(rint(i, 'o_upd', 3600, 14 * 86400)) as updated_at_v2,
        case when defect = 'missing_field' then {{ missing_field }} end as missing_field,
        case when defect = 'wrong_type' then {{ wrong_field }} end as wrong_field,
        case when defect = 'unknown_fk' then {{ unknown_field }} end as unknown_field,
        case when defect = 'late' then rint(i, 'o_late', {{ late_min }}, {{ late_max }}) else 0 end as late_days
    from enriched
),

lined as (
    select
        *,
        {{ order_line('order_ts', 'status') }} as line_clean,
        case when defect = 'update' then {{ order_line('updated_at_v2', 'status_v2') }} end as line_v2
    from (
        select
            *,
            case when status = 'placed' then {{ placed_status_v2 }} else {{ later_status_v2 }} end as status_v2
        from versioned
    )
)

select
    * exclude (line_clean),
    -- A malformed record: the valid line cut short, so it no longer parses.
    case
        when defect = 'malformed'
            then left(line_clean, floor(length(line_clean) * (0.3 + 0.5 * rnd(i, 'o_cut')))::integer)
        else line_clean
    end as line_v1
from lined
