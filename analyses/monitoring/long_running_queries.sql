-- Queries planning, queued, running or returning for more than 5 minutes, oldest first
-- (SYS_QUERY_HISTORY: provisioned clusters and Serverless). Cancel one with `cancel <session_id>;`,
-- or `select pg_terminate_backend(<session_id>);` to end its session.
select
    query_id,
    session_id,
    user_id,
    trim(status) as status,
    trim(query_type) as query_type,
    start_time,
    datediff(second, start_time, getdate()) as running_seconds,
    queue_time / 1000000 as queue_seconds,
    left(trim(query_text), 200) as query_text
from sys_query_history
where
    status in ('planning', 'queued', 'running', 'returning')
    and start_time < dateadd(minute, -5, getdate())
order by start_time
