{#-
    The `inventory_events` table (inventory_cdc.py): every change event of every position, in its order j, with
    its time, operation, quantity on hand, unit cost, movement type and defect. Needs inventory_positions and
    products.
-#}

{%- macro history_start() -%}
timestamp '{{ start_date }} 00:00:00'
{%- endmacro -%}

{#- Years since the start of the history, for growth and inflation. -#}
{%- macro years() -%}
(epoch(occurred_at - {{ history_start() }}) / 31557600.0)
{%- endmacro -%}

{#-
    The season's factor on stock. The snapshot that opens the established positions carries the stock of the
    months before the history (snapshot_factor), not the first month's.
-#}
{%- macro season() -%}
(case when is_snapshot then {{ snapshot_factor }} else {{ month_factor() }} end)
{%- endmacro -%}

{#- The month's factor (month_factors: January .. December). -#}
{%- macro month_factor() -%}
(case month(occurred_at)
{%- for factor in month_factors %} when {{ loop.index }} then {{ factor }}{% endfor %} end)
{%- endmacro -%}

create or replace temp table inventory_events as
with expanded as (
    select
        p.*,
        unnest(range(p.n_events)) as j
    from inventory_positions as p
    where p.n_events > 0
),

timed as (
    select
        e.k,
        e.first_i + e.j as i,
        e.j,
        e.n_events,
        e.warehouse_id,
        e.product_id,
        e.base_quantity,
        e.j = 0 and e.open_offset = 0 as is_snapshot,
        {{ history_start() }} + to_seconds(e.open_offset + floor(
            (e.j + rnd(e.first_i + e.j, 'ic_time') * (case when e.j = 0 then 0.05 else 1 end))
            / e.n_events * ({{ span_seconds }} - e.open_offset)
        )::bigint) as occurred_at,
        case
            when e.j = 0 then 'insert'
            when e.u_close < {{ reopen_low }} and e.j = e.n_events - 1 then 'delete'
            when e.u_close < {{ reopen_high }} and e.n_events >= 4 and e.j = e.n_events // 2 then 'delete'
            when e.u_close < {{ reopen_high }} and e.n_events >= 4 and e.j = e.n_events // 2 + 1 then 'insert'
            else 'update'
        end as op,
        pr.sku,
        pr.unit_cost as catalog_cost
    from expanded as e
    inner join products as pr on e.product_id = pr.product_id
),

valued as (
    select
        *,
        case
            when op = 'delete' then 0
            when rnd(i, 'ic_stockout') < 0.03 then 0
            else round(
                base_quantity * {{ season() }} * (1 + {{ quantity_growth }} * {{ years() }})
                * (0.6 + 0.8 * rnd(i, 'ic_qty'))
            )::bigint
        end as quantity_on_hand,
        round(
            catalog_cost * (1 + {{ cost_inflation }} * {{ years() }}) * (0.97 + 0.06 * rnd(i, 'ic_cost')), 2
        )::decimal(12, 2) as unit_cost,
        {{ defect }} as drawn_defect
    from timed
),

moved as (
    select
        *,
        lag(quantity_on_hand) over (partition by k order by j) as previous_quantity,
        lead(occurred_at) over (partition by k order by j) as next_occurred_at
    from valued
)

select
    *,
    case
        when op = 'insert' then 'receipt'
        when op = 'delete' then {{ closed_movement }}
        when quantity_on_hand > previous_quantity then {{ up_movement }}
        when quantity_on_hand < previous_quantity then {{ down_movement }}
        else 'adjustment'
    end as movement_type,
    case when drawn_defect = 'out_of_order' and next_occurred_at is null then 'late' else drawn_defect end
        as defect,
    case when drawn_defect = 'missing_field' then {{ missing_field }} end as missing_field,
    case when drawn_defect = 'wrong_type' then {{ wrong_field }} end as wrong_field,
    drawn_defect = 'unknown_fk' and rnd(i, 'ic_fk') < 0.5 as unknown_sku
from moved
