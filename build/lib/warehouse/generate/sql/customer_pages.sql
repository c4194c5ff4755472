{#-
    One row per page of the customer extract: its records, its first record and whether it is malformed (a
    page with a forced defect never is).
-#}
create or replace temp table customer_pages as
select
    dt,
    page,
    count(*)::bigint as records,
    min(rn) as first_rn,
    bool_or(forced) as has_forced,
    rnd(datediff('day', date '2000-01-01', dt) * 100000 + page, 'cu_malformed') < {{ malformed_page_rate }}
    and not bool_or(forced) as malformed
from customer_stream
group by dt, page
