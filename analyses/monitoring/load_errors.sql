-- COPY load errors of the last 24 hours, newest first (SYS_LOAD_ERROR_DETAIL: provisioned and Serverless).
select
    start_time,
    query_id,
    table_id,
    trim(file_name) as file_name,
    line_number,
    trim(column_name) as column_name,
    error_code,
    trim(error_message) as error_message
from sys_load_error_detail
where start_time > dateadd(hour, -24, getdate())
order by start_time desc nulls last
limit 100
