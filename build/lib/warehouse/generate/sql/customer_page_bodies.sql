{#-
    Every page's file body, in page order: its records, one a line. A malformed page's first record is cut
    short, as a transfer interrupted mid-record would leave it.
-#}
select
    p.dt,
    p.page,
    p.records,
    string_agg(
        case
            when p.malformed and s.rn = p.first_rn
                then left(s.record, (length(s.record) * (0.3 + 0.4 * rnd(
                    datediff('day', date '2000-01-01', p.dt) * 100000 + p.page, 'cu_cut'
                )))::integer)
            else s.record
        end,
        chr(10) order by s.rn
    ) as body
from customer_pages as p
inner join customer_stream as s on p.dt = s.dt and p.page = s.page
group by p.dt, p.page, p.records, p.malformed
order by p.dt, p.page
