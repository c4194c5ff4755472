-- Transactions aborted by serializable isolation violations (error 1023) in the last 24 hours, with the
-- table they conflicted on (STL_TR_CONFLICT, provisioned clusters). See
-- docs/operations/serialization-conflicts.md.
select
    conflicts.xact_id,
    conflicts.process_id,
    conflicts.xact_start_ts,
    conflicts.abort_time,
    conflicts.table_id,
    trim(info."schema") || '.' || trim(info."table") as table_name
from stl_tr_conflict as conflicts
left join svv_table_info as info
    on conflicts.table_id = info.table_id
where conflicts.abort_time > dateadd(hour, -24, getdate())
order by conflicts.abort_time desc nulls last
