{#-
    numerator / denominator * factor, rounded half away from zero to `scale` places, computed exactly and
    identically on every engine, as decimal(18, scale); null when the denominator is 0 or null.

    Dividing decimals is not portable: DuckDB divides a DECIMAL in DOUBLE, Redshift keeps a decimal whose
    scale follows its own rules (r_numeric_computations201.html), so a mean or a percentage that lands on a
    .xx5 tie rounds differently (a cent apart). Here both operands, which must have at most two decimal
    places (money, counts), become whole hundredths in BIGINT, and the half-up quotient is an integer
    division: q = (2|n| * 10^scale * factor + |d|) div (2|d|), with the sign put back. Exact while
    |n| * 10^scale * factor stays below 4.6e18 hundredths (amounts below about 4.6e12 for a percentage).
-#}
{% macro exact_ratio(numerator, denominator, scale=2, factor=1) -%}
    {%- set n = 'cast(round((' ~ numerator ~ ') * 100, 0) as bigint)' -%}
    {%- set d = 'cast(round((' ~ denominator ~ ') * 100, 0) as bigint)' -%}
    {%- set multiplier = (10 ** scale) * factor -%}
    case
        when {{ d }} = 0 then null
        else cast(
            (case when ({{ n }} < 0) = ({{ d }} < 0) then 1 else -1 end)
            * {{ globalretail.integer_divide('2 * abs(' ~ n ~ ') * ' ~ multiplier ~ ' + abs(' ~ d ~ ')', '2 * abs(' ~ d ~ ')') }}
            as decimal(38, 0)
        ) * {{ '1' if scale == 0 else '0.' ~ '0' * (scale - 1) ~ '1' }}
    end
{%- endmacro %}

{#- Integer division of two integers, truncating (operands are non-negative where exact_ratio uses it). -#}
{% macro integer_divide(a, b) -%}
    {{ return(adapter.dispatch('integer_divide', 'globalretail')(a, b)) }}
{%- endmacro %}

{% macro default__integer_divide(a, b) -%}
    ({{ a }}) / ({{ b }})
{%- endmacro %}

{% macro duckdb__integer_divide(a, b) -%}
    ({{ a }}) // ({{ b }})
{%- endmacro %}
