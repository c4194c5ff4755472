{#-
    Cast text to a type, null when the text is not a valid literal of that type: the typing step of
    bronze, where a null result for a non-null input sends the record to quarantine.

    data_type is one of: bigint, integer, decimal(p,s), date, timestamp, boolean.
    The same records must be rejected on every engine, so acceptance is decided in two steps that mean the
    same everywhere:
      1. the literal's shape, one regular expression per type (below): integers without a fraction
         ('2.5' is not an integer: DuckDB would round it to 3, Redshift rejects it), decimals with at most
         s fraction digits and p - s integer digits (so '12.5' does not fit decimal(5,4)), dates
         'YYYY-MM-DD', timestamps in UTC as 'YYYY-MM-DD[T ]HH:MM:SS[.ffffff][Z]' (an offset such as
         '+02:00' is rejected, not dropped unconverted);
      2. TRY_CAST for what the shape cannot see: a calendar date that does not exist ('2024-02-30'),
         an integer out of range. Redshift has TRY_CAST (r_TRY_CAST.html): it returns NULL where CAST
         would raise, so one bad value quarantines its record instead of failing the model;
      3. a timestamp is an event time, so it must fall inside the calendar the warehouse reports on
         (var calendar_start to var calendar_end, dim_date's range): a year 1900 or 2999 would break the
         facts' relationship to dim_date, or win deduplication for ever as the "latest" version. Dates
         (a signup, an opening) are attributes and keep any real calendar date.
-#}
{% macro cast_or_null(text_expr, data_type) -%}
    {%- set base_type = data_type.split('(')[0] | trim | lower -%}
    {%- set value = 'trim(' ~ text_expr ~ ')' -%}
    {%- if base_type == 'boolean' -%}
        case lower({{ value }}) when 'true' then true when 'false' then false end
    {%- else -%}
        {%- set shape = globalretail.literal_shape(data_type) -%}
        {%- set literal = "replace(replace(" ~ value ~ ", 'T', ' '), 'Z', '')" if base_type == 'timestamp' else value -%}
        {%- set typed = globalretail.try_cast(literal, data_type) -%}
        {%- if base_type == 'timestamp' -%}
            {%- set first_day = modules.datetime.date.fromisoformat(var('calendar_start')) -%}
            {%- set after_last = modules.datetime.date.fromisoformat(var('calendar_end')) + modules.datetime.timedelta(days=1) -%}
        case when {{ globalretail.regex_full_match(value, shape) }}
            and {{ typed }} >= cast('{{ first_day }}' as timestamp)
            and {{ typed }} < cast('{{ after_last }}' as timestamp)
            then {{ typed }} end
        {%- else -%}
        case when {{ globalretail.regex_full_match(value, shape) }} then {{ typed }} end
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{#- The regular expression a literal of `data_type` must match as a whole (see cast_or_null). -#}
{% macro literal_shape(data_type) -%}
    {%- set base_type = data_type.split('(')[0] | trim | lower -%}
    {%- if base_type == 'bigint' -%}
        {{ return('^[+-]?[0-9]{1,18}$') }}
    {%- elif base_type == 'integer' -%}
        {{ return('^[+-]?[0-9]{1,9}$') }}
    {%- elif base_type == 'decimal' -%}
        {%- set args = data_type.split('(')[1].rstrip(')').split(',') -%}
        {%- set precision = args[0] | trim | int -%}
        {%- set scale = (args[1] | trim | int) if args | length > 1 else 0 -%}
        {%- set fraction = '([.][0-9]{1,' ~ scale ~ '})?' if scale > 0 else '' -%}
        {{ return('^[+-]?[0-9]{1,' ~ ([precision - scale, 1] | max) ~ '}' ~ fraction ~ '$') }}
    {%- elif base_type == 'date' -%}
        {{ return('^[0-9]{4}-[0-9]{2}-[0-9]{2}$') }}
    {%- elif base_type == 'timestamp' -%}
        {{ return('^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}([.][0-9]{1,6})?Z?$') }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("cast_or_null: unsupported type '" ~ data_type ~ "'") }}
    {%- endif -%}
{%- endmacro %}

{#- True when the text matches the (POSIX-compatible) regular expression as a whole. -#}
{% macro regex_full_match(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match', 'globalretail')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_full_match(expr, pattern) -%}
    {{ expr }} ~ '{{ pattern }}'
{%- endmacro %}

{% macro duckdb__regex_full_match(expr, pattern) -%}
    regexp_full_match({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{#- CAST that yields NULL instead of raising. -#}
{% macro try_cast(expr, data_type) -%}
    {{ return(adapter.dispatch('try_cast', 'globalretail')(expr, data_type)) }}
{%- endmacro %}

{% macro default__try_cast(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}
