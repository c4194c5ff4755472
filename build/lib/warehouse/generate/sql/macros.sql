{#-
    The generator's DuckDB macros (sql.py's connect creates them on every connection): seeded draws, the lake's
    timestamp formats and its money and price formats. `seed` is the generation's seed, an integer.
-#}

-- A number in [0, 1) drawn for the non-negative integer key k: k XOR-ed with a constant of (seed, salt), hashed
-- once (sql.py's docstring says why not hash(k, seed, salt)).
create macro rnd(k, salt) as
hash(xor(k::ubigint, hash({{ seed }}::bigint, salt))) / 18446744073709551616.0;

-- An integer in [lo, hi].
create macro rint(k, salt, lo, hi) as (lo + floor(rnd(k, salt) * (hi - lo + 1)))::bigint;

-- A skewed pick in [0, n): small values are popular. power 1 is uniform.
create macro skewed(k, salt, n, power) as floor(n * pow(rnd(k, salt), power))::bigint;

create macro iso_ts(t) as strftime(t, '{{ timestamp_format }}');

create macro wrong_ts(t) as strftime(t, '{{ wrong_timestamp_format }}');

-- Two decimals (`12.50`, `0.00`); a decimal cast is five times faster than printf.
create macro money(x) as x::decimal(18, 2)::varchar;

create macro jstr(s) as '"' || s || '"';

-- Prices end in .99 above 10, in .x9 below.
create macro retail_price(p) as
case when p >= 10 then floor(p) + 0.99 else greatest(floor(p * 10) / 10 + 0.09, 0.99) end;
