{#- The stores export's file (reference.py) as one body and its record count. -#}
select
    string_agg(
        concat_ws(',', store_id, store_name, country_code, city, opened_date, iso_ts(updated_at)),
        chr(10)
        order by store_id
    ) as body,
    count(*) as records
from stores
