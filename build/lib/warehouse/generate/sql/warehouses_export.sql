{#- The warehouses export's file (warehouses.py) as one body and its record count. -#}
select
    string_agg(
        concat_ws(
            ',',
            warehouse_id,
            warehouse_code,
            warehouse_name,
            country_code,
            city,
            warehouse_type,
            capacity_units,
            opened_date,
            iso_ts(updated_at)
        ),
        chr(10)
        order by warehouse_id
    ) as body,
    count(*) as records
from warehouses
