{#-
    Source freshness of a Kinesis stream on Redshift. A stream is readable only through a streaming
    materialized view (materialized-view-streaming-ingestion.html), which also keeps the records that the
    stream's retention no longer has; so freshness reads the streaming materialized view built from the
    source (the bronze `_stream` model) instead of the stream. Only plausible arrivals count
    (stream_arrival_latest): one record dated 2999 would otherwise make the stream look fresh for ever.
    Every other source keeps dbt's own query.
-#}
{% macro redshift__collect_freshness(source, loaded_at_field, filter) %}
    {%- set stream_model = globalretail.streaming_view_of(source) -%}
    {%- if stream_model is none -%}
        {{ return(dbt.default__collect_freshness(source, loaded_at_field, filter)) }}
    {%- endif -%}
    {%- set plausible = loaded_at_field ~ ' <= ' ~ globalretail.stream_arrival_latest() -%}
    {%- set bounded = '(' ~ filter ~ ') and ' ~ plausible if filter else plausible -%}
    {{ return(dbt.default__collect_freshness(stream_model, loaded_at_field, bounded)) }}
{% endmacro %}

{#- The relation of the streaming materialized view that reads `source_relation`, or none. -#}
{% macro streaming_view_of(source_relation) -%}
    {%- if source_relation.schema != var('kinesis_schema') -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for source_node in graph.sources.values() -%}
        {%- if source_node.schema == source_relation.schema and source_node.identifier == source_relation.identifier -%}
            {%- for node in graph.nodes.values() -%}
                {%- if node.resource_type == 'model' and node.config.materialized == 'materialized_view'
                    and source_node.unique_id in node.depends_on.nodes -%}
                    {{ return(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias)) }}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("no streaming materialized view reads the stream " ~ source_relation) }}
{%- endmacro %}
