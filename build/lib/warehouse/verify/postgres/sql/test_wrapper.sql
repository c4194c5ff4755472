-- How dbt runs a data test (dbt-adapters' default__get_test_sql): the test's compiled query counted with
-- its fail_calc, compared with warn_if and error_if. $limit is empty or `limit <n>`.
select
    $fail_calc as failures,
    $fail_calc $warn_if as should_warn,
    $fail_calc $error_if as should_error
from (
$main_sql
$limit
) as dbt_internal_test
