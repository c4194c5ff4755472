{#- Per country, its customers numbered 0, 1, 2, ... by id (store sales draw local customers by rank). -#}
create table customer_ranks as
select
    country_code,
    (row_number() over (partition by country_code order by customer_id) - 1)::bigint as rank,
    customer_id
from customers
