{#- Per month chunk of a days table (days.py, days.sql): its first and last day and how many records it has. -#}
select
    chunk,
    min(day) as first_day,
    max(day) as last_day,
    sum(end_i - first_i)::bigint as records
from {{ table }}
group by chunk
order by chunk
