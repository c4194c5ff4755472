{#-
    Every Kinesis record of the inventory change stream (inventory_cdc.py), in arrival order: its micro-batch
    (`dt`, `batch_ms`), the defect it was written with, whether it arrived after a later event of its position
    (`is_out_of_order`) and its line. Needs inventory_events.
-#}
with payloads as (
    select
        *,
        case defect
            when 'late'
                then
                    occurred_at + to_days(rint(i, 'ic_late', {{ late_min }}, {{ late_max }})::integer)
                    + to_seconds(rint(i, 'ic_late_s', 0, 86399))
            when 'out_of_order' then next_occurred_at + to_seconds(rint(i, 'ic_ooo', 60, 3600))
            else occurred_at + to_milliseconds(200 + floor(4800 * rnd(i, 'ic_delay'))::bigint)
        end as arrived_at,
        warehouse_id::varchar || '|' || sku as partition_key,
        to_json(struct_pack(
            event_id := case when missing_field = 'event_id' then null else 'IC' || lpad(i::varchar, 12, '0') end,
            op := case when missing_field = 'op' then null else op end,
            warehouse_id := case
                when missing_field = 'warehouse_id' then null
                when defect = 'unknown_fk' and not unknown_sku then {{ unknown_id_base }} + i
                else warehouse_id
            end,
            sku := case
                when missing_field = 'sku' then null
                when unknown_sku then 'ZZ-' || lpad(i::varchar, 9, '0')
                else sku
            end,
            seq := case when missing_field = 'seq' then null else j + 1 end,
            movement_type := case when missing_field = 'movement_type' then null else movement_type end,
            quantity_on_hand := case
                when missing_field = 'quantity_on_hand' then null::json
                when wrong_field = 'quantity_on_hand' then '"n/a"'::json
                when defect = 'negative_quantity' then (-rint(i, 'ic_neg', 1, 5))::varchar::json
                else quantity_on_hand::varchar::json
            end,
            unit_cost := case
                when missing_field = 'unit_cost' then null::json
                when wrong_field = 'unit_cost' then ('"' || replace(unit_cost::varchar, '.', ',') || '"')::json
                else unit_cost::varchar::json
            end,
            occurred_at := case
                when missing_field = 'occurred_at' then null
                when wrong_field = 'occurred_at' then wrong_ts(occurred_at)
                else iso_ts(occurred_at)
            end
        ))::varchar as payload
    from inventory_events
),

ordered as (
    select
        *,
        min(arrived_at) over (
            partition by k order by j rows between 1 following and unbounded following
        ) < arrived_at as is_out_of_order
    from payloads
),

delivered as (
    select
        i,
        0 as copy,
        arrived_at,
        defect,
        is_out_of_order,
        case when defect = 'malformed' then left(payload, length(payload) // 2) else payload end as data,
        partition_key
    from ordered
    union all
    select
        i,
        1 as copy,
        arrived_at + to_seconds(rint(i, 'ic_redeliver', 60, 36 * 3600)) as arrived_at,
        'redelivery' as defect,
        false as is_out_of_order,
        payload as data,
        partition_key
    from ordered
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
    is_out_of_order,
    {{ record }} as line
from batched
order by batch_start, shard_id, arrived_at, i, copy
