{#-
    True when a raw record carries no value: every one of `columns` is null, empty or only spaces. This is a
    blank or whitespace-only line, a CSV line of empty fields, or a line that is not UTF-8 (read with every
    value null on every engine: docs/lake.md). Bronze quarantines it as `empty_record`.
-#}
{% macro blank_record(columns) -%}
    ({% for column in columns %}coalesce(trim({{ column }}), '') = ''{% if not loop.last %} and {% endif %}{% endfor %})
{%- endmacro %}
