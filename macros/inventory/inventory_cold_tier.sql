{#-
    The cold tier of the inventory movement history (requirement INV-COLD-TIER): Parquet files under
    <lake root>/cold/inventory_movements/dt=<offload date>/, the `inventory_lake.cold_movements` source.
-#}

{#- Where the cold tier lives: a local folder or an s3:// prefix on DuckDB, the Spectrum location on Redshift. -#}
{% macro inventory_cold_location() -%}
    {{ return(adapter.dispatch('inventory_cold_location', 'globalretail')()) }}
{%- endmacro %}

{% macro default__inventory_cold_location() -%}
    {%- set node = globalretail.source_node('inventory_lake', 'cold_movements') -%}
    {{ return(globalretail.spectrum_location(node) | trim('/')) }}
{%- endmacro %}

{% macro duckdb__inventory_cold_location() -%}
    {%- set node = globalretail.source_node('inventory_lake', 'cold_movements') -%}
    {%- set lake_root = (node.meta or {}).get('lake_root') or (node.config.meta or {}).get('lake_root') -%}
    {{ return((lake_root | trim('/') if '://' in lake_root else lake_root.rstrip('/')) ~ '/' ~ node.external.location) }}
{%- endmacro %}

{#- A typed, empty select with the cold tier's physical columns (from the source YAML). -#}
{% macro inventory_cold_empty_select() -%}
    {%- set node = globalretail.source_node('inventory_lake', 'cold_movements') -%}
    select
    {%- for column in node.columns.values() if (column.meta or {}).get('physical', true) %}
        cast(null as {{ column.data_type }}) as {{ column.name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
    where 1 = 0
{%- endmacro %}

{#-
    Pre-hook of stg_inventory__cold_movements. Redshift: nothing, the on-run-start hook created the Spectrum
    table (an empty S3 prefix reads as no rows). DuckDB: read_parquet() fails on a glob that matches no file,
    so before the first offload this writes a zero-row Parquet file with the tier's schema under
    dt=0001-01-01/; the folders are created with zero-row partitioned COPYs (DuckDB creates one folder level
    per COPY and has no mkdir).
-#}
{% macro prepare_inventory_cold_tier() -%}
    {{ return(adapter.dispatch('prepare_inventory_cold_tier', 'globalretail')()) }}
{%- endmacro %}

{% macro default__prepare_inventory_cold_tier() -%}
    select 1
{%- endmacro %}

{% macro duckdb__prepare_inventory_cold_tier() -%}
    {%- if execute -%}
        {%- set root = globalretail.inventory_cold_location() -%}
        {%- set found = run_query("select count(*) from glob('" ~ root ~ "/dt=*/*.parquet')").columns[0].values()[0] -%}
        {%- if found == 0 -%}
            {%- if '://' not in root -%}
                {%- set parts = root.split('/') -%}
                {%- for depth in [1, 0] -%}
                    {%- set folder = parts[:parts | length - depth] | join('/') -%}
                    {%- do run_query("copy (select 1 as k, 1 as v where 1 = 0) to '" ~ folder
                        ~ "' (format parquet, partition_by (k), overwrite_or_ignore)") -%}
                {%- endfor -%}
                {%- do run_query("copy (select 1 as k, 1 as v where 1 = 0) to '" ~ root
                    ~ "/dt=0001-01-01' (format parquet, partition_by (k), overwrite_or_ignore)") -%}
            {%- endif -%}
            {%- do run_query("copy (" ~ globalretail.inventory_cold_empty_select() ~ ") to '" ~ root
                ~ "/dt=0001-01-01/empty.parquet' (format parquet)") -%}
            {{ log("inventory cold tier: created " ~ root ~ "/dt=0001-01-01/empty.parquet", info=false) }}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}
