-- Each WLM queue of a provisioned cluster: its slots, and the queries queued and running in it now
-- (STV_WLM_SERVICE_CLASS_CONFIG and STV_WLM_QUERY_STATE). Long queues with free slots elsewhere call
-- for a WLM change; see docs/operations/.
select
    queue_config.service_class,
    trim(queue_config.name) as queue_name,
    queue_config.num_query_tasks as slots,
    sum(case when trim(query_state.state) like 'Queued%' then 1 else 0 end) as queued,
    sum(case when trim(query_state.state) = 'Running' then 1 else 0 end) as running,
    max(query_state.queue_time) / 1000000 as max_queue_seconds
from stv_wlm_service_class_config as queue_config
left join stv_wlm_query_state as query_state
    on queue_config.service_class = query_state.service_class
where queue_config.service_class >= 6
group by queue_config.service_class, queue_config.name, queue_config.num_query_tasks
order by queue_config.service_class
