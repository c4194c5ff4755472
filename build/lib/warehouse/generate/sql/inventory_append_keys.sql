{#-
    The `append_events` keys of an inventory append (inventory_append.py): its `$n` events e, numbered i from
    `$first_i` (after every event already in the stream), each at a time drawn over the `$span` microseconds
    from `$day0`.
-#}
create or replace temp table append_events as
select
    e,
    {{ param('first_i') }} + e as i,
    {{ param('day0') }}::timestamp
    + to_microseconds(floor(rnd({{ param('first_i') }} + e, 'ia_time') * {{ param('span') }})::bigint) as occurred_at
-- t only names the column of range()
from range({{ param('n') }}) as t (e)  -- noqa: AL05
