{#-
    The total of a column in this model equals the total of a column in another relation, within a
    tolerance for rounding. Fails with one row giving both totals when they differ.
-#}
{% test sums_match(model, column_name, compare_model, compare_column, tolerance=0.01) %}

{{ config(store_failures=true) }}

with

totals as (

    select
        (select coalesce(sum({{ column_name }}), 0) from {{ model }}) as model_total,
        (select coalesce(sum({{ compare_column }}), 0) from {{ compare_model }}) as compare_total

)

select *
from totals
where abs(model_total - compare_total) > {{ tolerance }}

{% endtest %}
