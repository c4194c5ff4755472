-- Disk use per node of a provisioned cluster (STV_PARTITIONS; Serverless manages storage itself).
-- Above 80% plan a resize or clean-up, above 90% act now: docs/operations/disk-space.md.
select
    owner as node,
    sum(used) as used_mb,
    sum(capacity) as capacity_mb,
    round(100.0 * sum(used) / nullif(sum(capacity), 0), 1) as pct_used
from stv_partitions
where part_begin = 0
group by owner
order by pct_used desc nulls last
