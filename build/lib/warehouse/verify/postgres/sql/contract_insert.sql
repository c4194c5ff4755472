-- The second statement of dbt-redshift's create_table_as for a model with an enforced contract: the model's
-- rows inserted into the table created from the contract, columns in the contract's order
-- (get_select_subquery).
insert into $relation (
    $columns
)
select
    $columns
from (
$sql
) as model_subq
