{#- The channels export's file (reference.py) as one body and its record count. -#}
select
    string_agg(
        concat_ws(',', channel_code, channel_name, channel_type, iso_ts(updated_at)),
        chr(10)
        order by channel_idx
    ) as body,
    count(*) as records
from channels
