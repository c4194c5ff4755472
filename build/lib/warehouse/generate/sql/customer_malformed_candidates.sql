{#- Pages that may be made malformed when the draw gave none: those with no forced defect, incremental first. -#}
select
    dt,
    page
from customer_pages
where not has_forced
order by dt = date '{{ start_date }}', dt, page
