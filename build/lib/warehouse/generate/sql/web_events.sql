{#-
    Every Kinesis record of the web events stream (web_events.py), in arrival order: its micro-batch (`dt`,
    `batch_ms`), the defect it was written with and its line. A duplicate is delivered again 1 minute to 36
    hours later with a new sequence number (`redelivery`).
-#}
with base as (
    select
        i,
        timestamp '{{ start_date }} 00:00:00'
        + to_seconds(floor(rnd(i, 'w_time') * {{ span_seconds }})::bigint) as occurred_at,
        {{ defect }} as defect,
        {{ event_type }} as event_type,
        {{ device }} as device,
        'S' || lpad((i // 7)::varchar, 10, '0') as session_id,
        case
            when rnd(i // 7, 'w_anon') < 0.4 then null
            else
                (floor({{ customers }} * rnd(i // 7, 'w_cust'))::bigint * {{ customer_multiplier }})
                % {{ customers }}
                + 1
        end as customer_id,
        floor({{ products }} * pow(rnd(i, 'w_prod'), 3))::bigint + 1 as known_product_id
    -- t only names the column of range()
    from range({{ events }}) as t (i)  -- noqa: AL05
),

payloads as (
    select
        *,
        case
            when event_type = 'page_view' then null
            when defect = 'unknown_fk' then {{ unknown_id_base }} + i
            else known_product_id
        end as product_id,
        occurred_at + to_seconds(floor(rnd(i, 'w_delay') * 5)::bigint) as arrived_at
    from base
),

texts as (
    select
        *,
        to_json(struct_pack(
            event_id := case when defect = 'missing_field' then null else 'E' || lpad(i::varchar, 12, '0') end,
            event_type := event_type,
            session_id := session_id,
            customer_id := customer_id,
            product_id := product_id,
            device := device,
            page := case event_type
                when 'page_view' then '/'
                when 'checkout' then '/checkout'
                when 'purchase' then '/checkout/done'
                else '/p/' || coalesce(product_id, 0)::varchar
            end,
            occurred_at := strftime(occurred_at, '%Y-%m-%dT%H:%M:%SZ')
        ))::varchar as payload
    from payloads
),

delivered as (
    select
        i,
        0 as copy,
        arrived_at,
        defect,
        case when defect = 'malformed' then left(payload, length(payload) // 2) else payload end as data,
        session_id
    from texts
    union all
    select
        i,
        1 as copy,
        arrived_at + to_seconds(rint(i, 'w_redeliver', 60, 36 * 3600)) as arrived_at,
        'redelivery' as defect,
        payload as data,
        session_id
    from texts
    where defect = 'duplicate'
),

batched as (
    select
        *,
        time_bucket(interval '{{ batch_hours }} hours', arrived_at) as batch_start,
        {{ shard_id }} as shard_id
    from delivered
)

select
    batch_start::date as dt,
    epoch_ms(batch_start) as batch_ms,
    defect,
    {{ record }} as line
from batched
order by batch_start, shard_id, arrived_at, i, copy
