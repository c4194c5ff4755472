{#- The campaigns export's file (reference.py) as one body and its record count. -#}
select
    string_agg(
        concat_ws(
            ',',
            campaign_id,
            campaign_name,
            channel_code,
            objective,
            start_date,
            end_date,
            money(budget),
            iso_ts(updated_at)
        ),
        chr(10)
        order by campaign_id
    ) as body,
    count(*) as records
from campaigns
