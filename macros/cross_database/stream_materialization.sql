{#-
    How a stream's bronze model is materialized: a streaming materialized view (AUTO REFRESH) on Redshift,
    an incremental table that appends new micro-batch files elsewhere. Used as
        {{ config(materialized=stream_materialization(), auto_refresh=true) }}
    so one model serves both engines.
-#}
{% macro stream_materialization() -%}
    {{ return('materialized_view' if target.type == 'redshift' else 'incremental') }}
{%- endmacro %}
