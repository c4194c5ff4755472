{#-
    The new versions an orders append writes (append.py): up to `$wanted` open orders (placed or shipped, one
    version so far) of the lake files `$files` are delivered or returned, arriving on the append's `$days` days
    from `$day0`; per line its arrival date `dt`, its kind and the order's line with the new status and update
    time.
-#}
with lines as (
    select unnest(string_split(content, chr(10))) as line
    from read_text({{ param('files') }})
),

open_orders as (
    select
        line,
        try_cast(json_extract_string(line, '$.order_id') as bigint) as order_id,
        json_extract_string(line, '$.status') as status
    from lines
    where line <> '' and json_valid(line) and json_type(line) = 'OBJECT'
),

latest as (
    select
        any_value(line) as line,
        order_id
    from open_orders
    where order_id is not null
    group by order_id
    having count(*) = 1 and any_value(status) in ('placed', 'shipped')
),

picked as (
    select
        *,
        row_number() over (order by rnd(order_id, 'a_pick'), order_id) as k
    from latest
    qualify k <= {{ param('wanted') }}
),

versioned as (
    select
        {{ param('day0') }}::date + to_days((k % {{ param('days') }})::integer) as dt,
        to_seconds(rint(order_id, 'a_time', 0, 86399)) as time_offset,
        *
    from picked
)

select
    dt,
    'update' as kind,
    json_merge_patch(line, json_object(
        'updated_at', strftime(dt + time_offset, '%Y-%m-%dT%H:%M:%SZ'),
        'status', case when rnd(order_id, 'a_status') < 0.85 then 'delivered' else 'returned' end
    ))::varchar as line
from versioned
order by dt, order_id
