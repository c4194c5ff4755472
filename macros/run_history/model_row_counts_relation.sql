{#-
    The volume history: one row per table or incremental model per `dbt run`/`dbt build` that built it,
    with its row count after the build (record_model_row_counts, on-run-end). The volume_guard test
    compares a model's rows now with the last row recorded here.
-#}
{% macro model_row_counts_relation() -%}
    {{ return(api.Relation.create(schema='meta', identifier='model_row_counts')) }}
{%- endmacro %}
