-- The 50 largest tables: size, skew across slices, unsorted rows and stale statistics (SVV_TABLE_INFO).
-- skew_rows above 4 means a poor distribution key; unsorted above 10 needs VACUUM SORT; stats_off above
-- 10 needs ANALYZE (`warehouse ops maintain` picks both from these columns).
select
    trim("schema") as schema_name,
    trim("table") as table_name,
    size as size_mb,
    pct_used,
    tbl_rows,
    skew_rows,
    unsorted,
    stats_off,
    trim(diststyle) as diststyle,
    trim(sortkey1) as sortkey1
from svv_table_info
order by size desc nulls last
limit 50
