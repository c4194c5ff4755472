{#-
    One row per store sale of the chunk `$chunk` (store_sales.py): every attribute drawn and its CSV line.
    Needs sale_days, products, stores, country_customers and customer_ranks.
-#}

{#- The id of an unknown_fk defect: one the catalog does not have. -#}
{%- macro unknown_id() -%}
({{ unknown_id_base }} + rint(i, 's_fk_id', 1, 99999))::varchar
{%- endmacro %}

with base as (
    select
        day,
        unnest(range(first_i, end_i)) as i
    from sale_days
    where chunk = {{ param('chunk') }}
),

drawn as (
    select
        i,
        i + 1 as sale_id,
        day
        + to_seconds(
            {{ opening_second }} + floor({{ open_seconds }} * (rnd(i, 's_t1') + rnd(i, 's_t2')) / 2)::bigint
        ) as sold_at,
        (skewed(i, 's_store', {{ stores }}, 1.6) * {{ store_multiplier }}) % {{ stores }} + 1 as store_id,
        (skewed(i, 's_prod', {{ products }}, 3.0) * {{ product_multiplier }}) % {{ products }} + 1 as product_id,
        rnd(i, 's_walk_in') < {{ walk_in_share }} as walk_in,
        rnd(i, 's_defect') as u_defect
    from base
),

enriched as (
    select
        d.*,
        {{ defect }} as defect,
        case when p.changed and d.sold_at >= p.updated_v2 then p.price_v2 else p.price_v1 end as unit_price,
        case
            when d.walk_in then null
            when cr.customer_id is not null then cr.customer_id
            else (skewed(d.i, 's_cust', {{ customers }}, 2.0) * {{ customer_multiplier }}) % {{ customers }} + 1
        end as customer_id
    from drawn as d
    inner join products as p on d.product_id = p.product_id
    inner join stores as st on d.store_id = st.store_id
    left join country_customers as cc on st.country_code = cc.country_code
    left join customer_ranks as cr
        on
            st.country_code = cr.country_code
            and skewed(d.i, 's_local_cust', cc.n, 2.0) = cr.rank
),

detailed as (
    select
        *,
        {{ quantity }} as quantity,
        round(quantity * unit_price * {{ discount_rate }}, 2) as discount_amount,
        {{ payment }} as payment_method,
        case when defect = 'missing_field' then {{ missing_field }} end as missing_field,
        case when defect = 'wrong_type' then {{ wrong_field }} end as wrong_field,
        case when defect = 'unknown_fk' then {{ unknown_field }} end as unknown_field,
        case when defect = 'late' then rint(i, 's_late', {{ late_min }}, {{ late_max }}) else 0 end as late_days
    from enriched
)

select
    date(sold_at) + late_days::integer as dt,
    sold_at,
    i,
    defect,
    -- the CSV line: a missing field (one of defects.STORE_SALES_MISSING_FIELDS) is empty, a wrong type or an
    -- unknown id replaces the value
    concat_ws(
        ',',
        case when missing_field = 'sale_id' then '' else sale_id::varchar end,
        case when unknown_field = 'store_id' then {{ unknown_id() }} else store_id::varchar end,
        coalesce(customer_id::varchar, ''),
        case
            when missing_field = 'product_id' then ''
            when unknown_field = 'product_id' then {{ unknown_id() }}
            else product_id::varchar
        end,
        case
            when missing_field = 'sold_at' then ''
            when wrong_field = 'sold_at' then wrong_ts(sold_at)
            else iso_ts(sold_at)
        end,
        case
            when missing_field = 'quantity' then ''
            when wrong_field = 'quantity' then 'n/a'
            when defect = 'negative_quantity' then (-rint(i, 's_neg', 1, 5))::varchar
            else quantity::varchar
        end,
        case when missing_field = 'unit_price' then '' else money(unit_price) end,
        money(discount_amount),
        payment_method
    ) as line
from detailed
