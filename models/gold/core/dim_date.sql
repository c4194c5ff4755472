{{ config(sort=['date_day'], dist='all') }}
{#- The calendar: one row per day from var('calendar_start') to var('calendar_end'). -#}

with

spine as (

    {{ dbt.date_spine('day',
        "cast('" ~ var('calendar_start') ~ "' as date)",
        "cast('" ~ var('calendar_end') ~ "' as date)") }}

),

days as (

    select cast(date_day as date) as date_day
    from spine

),

attributes as (

    select
        date_day,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(quarter from date_day) as integer) as quarter_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast(extract(dow from date_day) as integer) as day_of_week,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start_date
    from days

),

final as (

    select
        date_day,
        {{ dbt.concat([dbt.cast('year_number', dbt.type_string()), "'-'",
            "case when month_number < 10 then '0' else '' end",
            dbt.cast('month_number', dbt.type_string())]) }} as calendar_month,
        case month_number
            when 1 then 'January' when 2 then 'February' when 3 then 'March'
            when 4 then 'April' when 5 then 'May' when 6 then 'June'
            when 7 then 'July' when 8 then 'August' when 9 then 'September'
            when 10 then 'October' when 11 then 'November' else 'December'
        end as month_name,
        case day_of_week
            when 0 then 'Sunday' when 1 then 'Monday' when 2 then 'Tuesday'
            when 3 then 'Wednesday' when 4 then 'Thursday' when 5 then 'Friday' else 'Saturday'
        end as day_name,
        year_number,
        quarter_number,
        month_number,
        day_of_month,
        day_of_week,
        day_of_week in (0, 6) as is_weekend,
        month_start_date,
        year_start_date
    from attributes

)

select * from final {{ storage_order() }}
