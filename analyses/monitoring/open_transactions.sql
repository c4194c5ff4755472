-- Open transactions and the locks they hold or wait for (SVV_TRANSACTIONS). A lock that is not granted
-- waits for the transaction holding the same relation; long-open transactions are the usual cause of
-- 1023 conflicts and blocked VACUUMs.
select
    trim(txn_owner) as txn_owner,
    xid,
    pid,
    txn_start,
    datediff(second, txn_start, getdate()) as open_seconds,
    trim(lock_mode) as lock_mode,
    relation,
    granted
from svv_transactions
order by txn_start
