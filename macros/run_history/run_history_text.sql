{#-
    A value of the run history as a SQL string literal that means the same on Redshift, PostgreSQL and
    DuckDB: at most `max_chars` characters (a quarter of the column's byte width, r_Character_types.html),
    quotes doubled, and backslashes written as '/' (Redshift reads a backslash in a literal as an escape,
    PostgreSQL and DuckDB do not), line breaks as spaces. None is NULL.
-#}
{% macro run_history_text(value, max_chars) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        {%- set text = (value | string)[:max_chars] -%}
        '{{ text | replace("\\", "/") | replace("'", "''") | replace("\r", " ") | replace("\n", " ") }}'
    {%- endif -%}
{%- endmacro %}
