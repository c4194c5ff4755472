{#-
    The products export's file (reference.py) as one body and its record count: version 1 is the full export,
    every product; version 2 the delta, the changed products with their new price and update time.
-#}
select
    string_agg(
        concat_ws(
            ',',
            product_id,
            sku,
            product_name,
            category,
            subcategory,
            brand,
            money(unit_cost),
            money(price_v{{ version }}),
            is_active,
            iso_ts(updated_v{{ version }})
        ),
        chr(10)
        order by product_id
    ) as body,
    count(*) as records
from products
{%- if version == 2 %}
where changed
{%- endif %}
