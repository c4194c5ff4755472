{#-
    Cast text to a type, null when the text is not a valid literal of that type: the typing step of
    bronze, where a null result for a non-null input sends the record to quarantine.

    data_type is one of: bigint, integer, decimal(p,s), date, timestamp, boolean.
    Timestamps are ISO 8601 ('2024-03-01T13:45:10Z' or with a space); dates are 'YYYY-MM-DD'.
    Redshift has no TRY_CAST, so its version checks the literal's shape with a regular expression first.
-#}
{% macro cast_or_null(text_expr, data_type) -%}
    {{ return(adapter.dispatch('cast_or_null', 'globalretail')(text_expr, data_type)) }}
{%- endmacro %}

{% macro duckdb__cast_or_null(text_expr, data_type) -%}
    {%- if data_type == 'boolean' -%}
        case lower(trim({{ text_expr }})) when 'true' then true when 'false' then false end
    {%- elif data_type == 'timestamp' -%}
        try_cast(replace(replace(trim({{ text_expr }}), 'T', ' '), 'Z', '') as timestamp)
    {%- else -%}
        try_cast(trim({{ text_expr }}) as {{ data_type }})
    {%- endif -%}
{%- endmacro %}

{% macro default__cast_or_null(text_expr, data_type) -%}
    {%- set patterns = {
        'bigint': '^[+-]?[0-9]{1,18}$',
        'integer': '^[+-]?[0-9]{1,9}$',
        'decimal': '^[+-]?[0-9]+([.][0-9]+)?$',
        'date': '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$',
        'timestamp': '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[ T]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]([.][0-9]{1,6})?Z?$',
    } -%}
    {%- set base_type = data_type.split('(')[0] | trim | lower -%}
    {%- if base_type == 'boolean' -%}
        case lower(trim({{ text_expr }})) when 'true' then true when 'false' then false end
    {%- elif base_type in patterns -%}
        case
            when trim({{ text_expr }}) ~ '{{ patterns[base_type] }}'
                then cast(
                    {%- if base_type == 'timestamp' %} replace(replace(trim({{ text_expr }}), 'T', ' '), 'Z', '')
                    {%- else %} trim({{ text_expr }}){% endif %} as {{ data_type }})
        end
    {%- else -%}
        {{ exceptions.raise_compiler_error("cast_or_null: unsupported type '" ~ data_type ~ "'") }}
    {%- endif -%}
{%- endmacro %}
