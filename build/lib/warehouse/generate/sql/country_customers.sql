{#- How many customers each country has. -#}
create table country_customers as
select
    country_code,
    count(*) as n
from customers
group by country_code
