{#-
    The Kinesis records of an inventory append (inventory_append.py), in arrival order: per event its micro-batch
    (`dt`, `batch_ms`) and its line. Needs inventory_positions, products and the `append_events` keys; the
    statement's parameters are `$appended` (events of earlier appends), `$batch` (how many appends the stream
    has) and `$day0` (the append's first day).
-#}
with open_positions as (
    select * from inventory_positions
    where n_events > 0
),

picked as (
    -- each event changes a position drawn in proportion to its share of the base stream's events
    select
        a.e,
        a.i,
        a.occurred_at,
        p.*
    from append_events as a
    asof join open_positions as p
        on floor(rnd(a.i, 'ia_position') * {{ events }})::bigint >= p.first_i
),

sequenced as (
    select
        *,
        row_number() over (partition by k order by occurred_at, i) as position_event
    from picked
),

changed as (
    select
        *,
        -- the base's events of a position have seq 1..n_events; earlier appends added at most
        -- $appended more, so this append's events come after all of them
        n_events + {{ param('appended') }} + position_event as seq,
        case
            -- the position was closed by its last event: it opens again
            when
                {{ param('batch') }} = 0 and position_event = 1 and n_events >= 2 and u_close < {{ closing }}
                then 'insert'
            else 'update'
        end as op
    from sequenced
),

valued as (
    select
        s.*,
        p.sku,
        round(s.base_quantity * (0.6 + 0.8 * rnd(s.i, 'ia_qty')))::bigint as quantity_on_hand,
        round(p.unit_cost * (0.97 + 0.06 * rnd(s.i, 'ia_cost')), 2)::decimal(12, 2) as unit_cost,
        s.occurred_at + to_milliseconds(200 + floor(4800 * rnd(s.i, 'ia_delay'))::bigint) as arrived_at,
        s.warehouse_id::varchar || '|' || p.sku as partition_key
    from changed as s
    inner join products as p on s.product_id = p.product_id
),

payloads as (
    select
        *,
        to_json(struct_pack(
            event_id := 'IC' || lpad(i::varchar, 12, '0'),
            op := op,
            warehouse_id := warehouse_id,
            sku := sku,
            seq := seq,
            movement_type := case
                when op = 'insert' then 'receipt'
                when rnd(i, 'ia_move') < 0.6 then 'shipment'
                when rnd(i, 'ia_move') < 0.9 then 'receipt'
                else 'adjustment'
            end,
            quantity_on_hand := quantity_on_hand,
            unit_cost := unit_cost,
            occurred_at := iso_ts(occurred_at)
        ))::varchar as data
    from valued
),

batched as (
    select
        *,
        time_bucket(interval '{{ batch_hours }} hours', arrived_at, {{ param('day0') }}::timestamp) as batch_start,
        {{ shard_id }} as shard_id
    from payloads
)

select
    batch_start::date as dt,
    epoch_ms(batch_start) as batch_ms,
    {{ record }} as line
from batched
order by batch_start, shard_id, arrived_at, i
