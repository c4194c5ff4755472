{#- The records of the micro-batches from batch_ms $1 to $2, in the stream's order. -#}
select
    dt,
    batch_ms,
    defect,
    is_out_of_order,
    line
from stream_lines
where batch_ms between $1 and $2
order by rowid
