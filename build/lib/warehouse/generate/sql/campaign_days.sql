{#- The campaigns running on each business day, for the orders to pick from (reference.py). Needs campaigns. -#}
create table campaign_days as
select
    d.day::date as day,
    list(c.campaign_id order by c.campaign_id) as campaign_ids
from range(date '{{ start_date }}', date '{{ end_date }}' + interval 1 day, interval 1 day) as d (day)
inner join campaigns as c on d.day::date between c.start_date and c.end_date
group by d.day
