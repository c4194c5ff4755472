{#-
    Text widths in bronze. Redshift enforces varchar(n) (in bytes, r_Character_types.html) and fails the
    whole statement on one longer value; DuckDB ignores the width. So bronze checks every text field it
    keeps against the width its YAML declares (`data_type: varchar(n)` on the `_typed` model's column, the
    width the gold contracts use), quarantines a record with a longer one as `value_too_long` on both
    engines, and casts the field to that width, so no varchar(65535) from the raw layer travels on.
-#}

{#- The declared widths of this model's text columns: {column: n} for every `varchar(n)` column. -#}
{% macro text_widths() -%}
    {%- set widths = {} -%}
    {%- for column in (model.columns or {}).values() -%}
        {%- set data_type = (column.data_type or '') | lower | replace(' ', '') -%}
        {%- if data_type.startswith('varchar(') -%}
            {%- do widths.update({column.name: data_type[8:-1] | int}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(widths) }}
{%- endmacro %}

{#-
    True when any declared text column is longer than its width; `raw_record` also checks a raw line
    against the 65,535 bytes Spectrum reads into a varchar(65535) (a longer one is truncated to it,
    see the external tables' surplus_char_handling), so a line that long is rejected on both engines.
-#}
{% macro text_too_long(raw_record=none) -%}
    {%- set checks = [] -%}
    {%- for name, width in globalretail.text_widths().items() -%}
        {%- do checks.append(globalretail.byte_length(name) ~ ' > ' ~ width) -%}
    {%- endfor -%}
    {%- if raw_record is not none -%}
        {%- do checks.append(globalretail.byte_length(raw_record) ~ ' >= 65535') -%}
    {%- endif -%}
    {%- if execute and not checks -%}
        {{ exceptions.raise_compiler_error("text_too_long: " ~ model.name ~ " declares no varchar(n) column") }}
    {%- endif -%}
    coalesce({{ checks | join(' or ') if checks else 'false' }}, false)
{%- endmacro %}

{#- A declared text column (or `expr` computing it) cast to its width (checked by text_too_long first). -#}
{% macro sized(name, expr=none) -%}
    {%- set widths = globalretail.text_widths() -%}
    {%- if execute and name not in widths -%}
        {{ exceptions.raise_compiler_error("sized: " ~ model.name ~ "." ~ name ~ " has no varchar(n) data_type in its YAML") }}
    {%- endif -%}
    cast({{ expr if expr is not none else name }} as varchar({{ widths.get(name, 65535) }}))
{%- endmacro %}
