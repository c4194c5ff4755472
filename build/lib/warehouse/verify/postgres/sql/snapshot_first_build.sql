-- A snapshot's first run, as dbt-adapters' default__build_snapshot_table writes it (Redshift SQL: it goes
-- through rewrite.py like every compiled model). $scd_id is snapshot_hash_arguments over the unique key and
-- updated_at; $is_deleted is `, 'False' as dbt_is_deleted` for hard_deletes: new_record, else empty.
create table $relation as
select
    *,
    $scd_id as dbt_scd_id,
    $updated_at as dbt_updated_at,
    $updated_at as dbt_valid_from,
    coalesce(nullif($updated_at, $updated_at), $valid_to_current) as dbt_valid_to
    $is_deleted
from (
$sql
) as sbq
