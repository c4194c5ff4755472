{#-
    The `order_days` table of an orders append (append.py), in the shape days.sql gives the base lake's: the
    append's `$n` orders, numbered from `$first`, spread evenly over its `$days` days from `$day0`, all in
    chunk 0.
-#}
create or replace table order_days as
select
    ({{ param('day0') }}::date + k::integer)::date as day,
    0 as chunk,
    ({{ param('first') }} + {{ param('n') }} * k // {{ param('days') }})::bigint as first_i,
    ({{ param('first') }} + {{ param('n') }} * (k + 1) // {{ param('days') }})::bigint as end_i
-- t only names the column of range()
from range({{ param('days') }}) as t (k)  -- noqa: AL05
