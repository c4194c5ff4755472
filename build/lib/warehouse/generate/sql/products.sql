{#-
    The `products` table (reference.py): one row per product with both versions of its price. A product's
    price changes (the midway delta export) with probability price_change_rate, and product forced_change
    always does, so every scale has a delta. Needs categories, subcategories and brands.
-#}
create table products as
with drawn as (
    select
        range + 1 as product_id,
        floor(rnd(range + 1, 'p_cat') * {{ categories }})::integer as category_idx,
        floor(rnd(range + 1, 'p_sub') * 3)::integer as sub_idx,
        floor(rnd(range + 1, 'p_brand') * {{ brands_per_category }})::integer as brand_idx,
        rnd(range + 1, 'p_price') as u_price
    from range({{ products }})
),

priced as (
    select
        d.product_id,
        printf('GR-%02d-%06d', d.category_idx, d.product_id) as sku,
        b.brand || ' ' || s.subcategory || ' '
        || chr(65 + rint(d.product_id, 'p_model_l', 0, 25)::integer)
        || rint(d.product_id, 'p_model_n', 100, 999) as product_name,
        c.category,
        s.subcategory,
        b.brand,
        retail_price(
            exp(ln(c.min_price) + d.u_price * (ln(c.max_price) - ln(c.min_price)))
        )::decimal(12, 2) as price_v1,
        rnd(d.product_id, 'p_active') < 0.96 as is_active,
        date '{{ start_date }}' - to_days(rint(d.product_id, 'p_upd_d', 1, 720)::integer)
        + to_seconds(rint(d.product_id, 'p_upd_s', 0, 86399)) as updated_v1,
        rnd(d.product_id, 'p_changed') < {{ price_change_rate }} or d.product_id = {{ forced_change }} as changed,
        date '{{ mid_date }}' - interval 1 day
        + to_seconds(rint(d.product_id, 'p_chg_s', 0, 86399)) as updated_v2
    from drawn as d
    inner join categories as c on d.category_idx = c.category_idx
    inner join subcategories as s on d.category_idx = s.category_idx and d.sub_idx = s.sub_idx
    inner join brands as b on d.category_idx = b.category_idx and d.brand_idx = b.brand_idx
)

select
    *,
    round(price_v1 * (0.40 + 0.30 * rnd(product_id, 'p_cost')), 2)::decimal(12, 2) as unit_cost,
    case
        when changed then retail_price(price_v1 * (0.80 + 0.35 * rnd(product_id, 'p_new')))::decimal(12, 2)
    end as new_price,
    case when new_price = price_v1 then price_v1 + 1 else new_price end as price_v2
from priced
order by product_id
