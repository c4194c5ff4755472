{#-
    A days table (days.py's create_days): per business day its month chunk and the record numbers it owns,
    [first_i, end_i) of `total`, in proportion to the day's weight: its weekday's and month's (weekday_weights
    Monday .. Sunday, month_weights January .. December), Black Friday's and Christmas Day's, the yearly growth
    and a +/- noise drawn with `salt`.
-#}
create or replace table {{ table }} as
with days as (
    select
        day::date as day,
        (row_number() over (order by day) - 1)::bigint as day_idx
    -- t only names the column of range()
    from range(
        date '{{ start_date }}', date '{{ end_date }}' + interval 1 day, interval 1 day
    ) as t (day)  -- noqa: AL05
),

weighted as (
    select
        day,
        ((year(day) - year(date '{{ start_date }}')) * 12 + month(day) - month(date '{{ start_date }}'))::integer
            as chunk,
        round(
            1e6
            * (
                case isodow(day)
                    {%- for weight in weekday_weights %}
                    when {{ loop.index }} then {{ weight }}
                    {%- endfor %}
                end
            )
            * (
                case month(day)
                    {%- for weight in month_weights %}
                    when {{ loop.index }} then {{ weight }}
                    {%- endfor %}
                end
            )
            * (
                case
                    when month(day) = 11 and isodow(day) = 5 and day(day) between 23 and 29
                        then {{ black_friday }}
                    when month(day) = 12 and day(day) = 25 then {{ christmas_day }}
                    else 1.0
                end
            )
            * (1 + {{ yearly_growth }} * day_idx / 365.0)
            * (1 - {{ noise }} + 2 * {{ noise }} * rnd(day_idx, '{{ salt }}'))
        )::hugeint as weight
    from days
),

cumulative as (
    select
        day,
        chunk,
        weight,
        sum(weight) over (order by day) as cum_weight
    from weighted
),

totals as (
    select sum(weight) as total_weight from weighted
)

select
    cumulative.day,
    cumulative.chunk,
    ({{ total }}::hugeint * (cumulative.cum_weight - cumulative.weight) // totals.total_weight)::bigint as first_i,
    ({{ total }}::hugeint * cumulative.cum_weight // totals.total_weight)::bigint as end_i
from cumulative
cross join totals
order by cumulative.day
