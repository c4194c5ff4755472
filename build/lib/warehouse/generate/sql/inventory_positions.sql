{#-
    The `inventory_positions` table (inventory_cdc.py): per position k its warehouse and product, its events'
    share of the stream (first_i, n_events), when it opens, its base quantity and whether it closes (u_close).
-#}
create or replace temp table inventory_positions as
with drawn as (
    select
        k,
        (k * {{ pair_multiplier }}) % {{ pairs }} as pair,
        round(1e6 * (0.25 + 1.5 * rnd(k, 'ic_weight')))::hugeint as weight
    -- t only names the column of range()
    from range({{ positions }}) as t (k)  -- noqa: AL05
),

cumulative as (
    select
        *,
        sum(weight) over (order by k) as cum_weight,
        sum(weight) over () as total_weight
    from drawn
)

select
    k,
    pair % {{ warehouses }} + 1 as warehouse_id,
    pair // {{ warehouses }} + 1 as product_id,
    ({{ events }}::hugeint * (cum_weight - weight) // total_weight)::bigint as first_i,
    ({{ events }}::hugeint * cum_weight // total_weight)::bigint - first_i as n_events,
    case
        when rnd(k, 'ic_new') < {{ new_position_rate }} then floor(rnd(k, 'ic_open') * 0.8 * {{ span_seconds }})::bigint
        else 0
    end as open_offset,
    20 + floor(480 * pow(rnd(k, 'ic_base'), 2))::bigint as base_quantity,
    rnd(k, 'ic_close') as u_close
from cumulative
