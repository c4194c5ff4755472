{#-
    The customer extract's defects by kind, counted where a reader can see them: in a line that parses. A
    duplicate counts when its original, too, parses.
-#}
with lines as (
    select
        s.*,
        p.malformed and s.rn = p.first_rn as is_malformed
    from customer_stream as s
    inner join customer_pages as p on s.dt = p.dt and s.page = p.page
)

select
    s.kind,
    count(*) as records
from lines as s
left join lines as o on s.copy = 1 and s.dt = o.dt and s.rn - 1 = o.rn
where s.kind is not null and not s.is_malformed and not coalesce(o.is_malformed, false)
group by s.kind
