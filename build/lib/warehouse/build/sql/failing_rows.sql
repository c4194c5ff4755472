{#-
    A failed data test's own failing rows, unchanged (warehouse/build/failures.py renders it when no
    model upstream of the tested one carries the lake file and record locator of the test's key columns).
-#}
select *
from (
{{ test_sql }}
) as failing
