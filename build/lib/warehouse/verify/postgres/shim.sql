-- Redshift functions that PostgreSQL 15 lacks, with Redshift's semantics as AWS documents them
-- (Amazon Redshift Database Developer Guide, doc_source/<page>.md; the page is named beside each function).
-- `warehouse verify postgres` creates this schema in its throwaway database and puts it first on the
-- search_path (`rs_shim, pg_catalog, public`), so the compiled Redshift SQL calls these unqualified.
--
-- Rules followed throughout:
-- * never more lenient than Redshift: where Redshift raises an error, so does the shim (same SQLSTATE class
--   as PostgreSQL would use for the same kind of problem);
-- * only functions the compiled project SQL uses, plus their documented siblings from the same AWS page
--   group where the cost is one line (the JSON family);
-- * every function is declared VOLATILE although none has side effects: PostgreSQL inlines a CTE that is
--   referenced once and pulls subqueries up into their parent, substituting a column's expression at every
--   reference, unless that expression is volatile. The compiled models reference each extracted column
--   many times (a rejection_reason CASE, the final select), so an immutable json_extract_path_text would run
--   dozens of times per row (20 s instead of 1 s on the tiny lake's 20,000 inventory events). Volatile, it
--   runs once per row, as Redshift evaluates it. Results are unaffected; only the plan changes.
--
-- The Redshift syntax that a function cannot express (a bare datepart keyword, NVL, three-part names) is
-- rewritten token by token before execution: see rewrite.py and docs/redshift.md, "Executed on PostgreSQL".

create schema if not exists rs_shim;

-- ---------------------------------------------------------------------------------------------------------
-- JSON (json-functions.md). Redshift's JSON functions work on VARCHAR text. A JSON string is valid when it
-- parses and its root is an object or an array ("The root level JSON can either be a JSON object or a JSON
-- array"); scalars at the root are not valid JSON strings for these functions.
-- ---------------------------------------------------------------------------------------------------------

-- Internal: the text parsed as PostgreSQL json (keeps the original text of numbers and strings, as Redshift
-- returns them), or NULL when it does not parse. Only a parse error is swallowed; anything else raises.
create or replace function rs_shim._parse_json(doc text) returns json
language plpgsql volatile strict parallel safe as $$
begin
    return doc::json;
exception
    when invalid_text_representation then
        return null;
end;
$$;

-- Internal: the parsed document when its root is an object or an array (a "JSON string" for Redshift's
-- JSON functions), otherwise NULL.
create or replace function rs_shim._parse_json_string(doc text) returns json
language sql volatile strict parallel safe as $$
    select parsed
    from (select rs_shim._parse_json(doc) as parsed) as p
    where json_typeof(parsed) in ('object', 'array')
$$;

-- Internal: raise the error Redshift raises for invalid JSON when null_if_invalid is not true.
create or replace function rs_shim._invalid_json(function_name text, doc text) returns varchar
language plpgsql volatile parallel safe as $$
begin
    raise exception '%: invalid JSON string: %', function_name, left(doc, 80)
        using errcode = 'invalid_text_representation';
end;
$$;

-- IS_VALID_JSON.md: true when the string is a well-formed JSON object; false for malformed text and for an
-- array ('[1,2,3]' -> false, "To validate a JSON array, use IS_VALID_JSON_ARRAY") or a root scalar.
-- NULL in, NULL out.
create or replace function rs_shim.is_valid_json(doc text) returns boolean
language sql volatile strict parallel safe as $$
    select coalesce(json_typeof(rs_shim._parse_json(doc)) = 'object', false)
$$;

-- IS_VALID_JSON_ARRAY.md: true when the string is a well-formed JSON array ('[]' -> true,
-- '{"a":1}' -> false, '[1,2,]' -> false).
create or replace function rs_shim.is_valid_json_array(doc text) returns boolean
language sql volatile strict parallel safe as $$
    select coalesce(json_typeof(rs_shim._parse_json(doc)) = 'array', false)
$$;

-- JSON_EXTRACT_PATH_TEXT.md: the value at a path of keys (1 to 5 levels, case-sensitive) as VARCHAR:
-- a string without its quotes and escapes, any other value as its JSON text. A missing key gives NULL
-- (current page: "If a path element does not exist in the JSON string, JSON_EXTRACT_PATH_TEXT returns
-- NULL"), as does a JSON null. Invalid JSON raises an error unless null_if_invalid is true, then NULL.
-- "JSON_EXTRACT_PATH_TEXT has a 64KB data-size maximum": a longer input raises, null_if_invalid or not.
-- Path elements are keys only: a path through an array gives NULL (PostgreSQL's #>> would index it).
create or replace function rs_shim._json_path_text(doc text, path text[], null_if_invalid boolean)
returns varchar
language plpgsql volatile parallel safe as $$
declare
    node json;
    element text;
begin
    if doc is null then
        return null;
    end if;
    if octet_length(doc) > 65535 then
        raise exception 'JSON_EXTRACT_PATH_TEXT: the JSON string is % bytes, over the 64KB maximum',
            octet_length(doc) using errcode = 'program_limit_exceeded';
    end if;
    -- Parsed here rather than through rs_shim._parse_json_string: one function call and one
    -- subtransaction per value instead of three calls (this function runs once per key per record).
    begin
        node := doc::json;
    exception
        when invalid_text_representation then
            node := null;
    end;
    if node is null or json_typeof(node) not in ('object', 'array') then
        if coalesce(null_if_invalid, false) then
            return null;
        end if;
        return rs_shim._invalid_json('JSON_EXTRACT_PATH_TEXT', doc);
    end if;
    foreach element in array path loop
        if element is null or json_typeof(node) <> 'object' then
            return null;
        end if;
        node := node -> element;
        if node is null then
            return null;
        end if;
    end loop;
    return node #>> '{}';
end;
$$;

-- The public signatures: one to five path elements, each with and without the trailing null_if_invalid.
create or replace function rs_shim.json_extract_path_text(doc text, p1 text) returns varchar
language sql volatile parallel safe as $$ select rs_shim._json_path_text(doc, array[p1], false) $$;
create or replace function rs_shim.json_extract_path_text(doc text, p1 text, null_if_invalid boolean)
returns varchar
language sql volatile parallel safe as $$ select rs_shim._json_path_text(doc, array[p1], null_if_invalid) $$;
create or replace function rs_shim.json_extract_path_text(doc text, p1 text, p2 text) returns varchar
language sql volatile parallel safe as $$ select rs_shim._json_path_text(doc, array[p1, p2], false) $$;
create or replace function rs_shim.json_extract_path_text(doc text, p1 text, p2 text, null_if_invalid boolean)
returns varchar
language sql volatile parallel safe as $$
    select rs_shim._json_path_text(doc, array[p1, p2], null_if_invalid)
$$;
create or replace function rs_shim.json_extract_path_text(doc text, p1 text, p2 text, p3 text) returns varchar
language sql volatile parallel safe as $$ select rs_shim._json_path_text(doc, array[p1, p2, p3], false) $$;
create or replace function rs_shim.json_extract_path_text(
    doc text, p1 text, p2 text, p3 text, null_if_invalid boolean
) returns varchar
language sql volatile parallel safe as $$
    select rs_shim._json_path_text(doc, array[p1, p2, p3], null_if_invalid)
$$;
create or replace function rs_shim.json_extract_path_text(doc text, p1 text, p2 text, p3 text, p4 text)
returns varchar
language sql volatile parallel safe as $$
    select rs_shim._json_path_text(doc, array[p1, p2, p3, p4], false)
$$;
create or replace function rs_shim.json_extract_path_text(
    doc text, p1 text, p2 text, p3 text, p4 text, null_if_invalid boolean
) returns varchar
language sql volatile parallel safe as $$
    select rs_shim._json_path_text(doc, array[p1, p2, p3, p4], null_if_invalid)
$$;
create or replace function rs_shim.json_extract_path_text(doc text, p1 text, p2 text, p3 text, p4 text, p5 text)
returns varchar
language sql volatile parallel safe as $$
    select rs_shim._json_path_text(doc, array[p1, p2, p3, p4, p5], false)
$$;
create or replace function rs_shim.json_extract_path_text(
    doc text, p1 text, p2 text, p3 text, p4 text, p5 text, null_if_invalid boolean
) returns varchar
language sql volatile parallel safe as $$
    select rs_shim._json_path_text(doc, array[p1, p2, p3, p4, p5], null_if_invalid)
$$;

-- JSON_ARRAY_LENGTH.md: the number of elements of the outer array (INTEGER). Invalid JSON, or JSON that is
-- not an array, raises unless null_if_invalid is true, then NULL.
create or replace function rs_shim.json_array_length(doc text, null_if_invalid boolean) returns integer
language plpgsql volatile parallel safe as $$
declare
    node json;
begin
    if doc is null then
        return null;
    end if;
    node := rs_shim._parse_json_string(doc);
    if node is null or json_typeof(node) <> 'array' then
        if coalesce(null_if_invalid, false) then
            return null;
        end if;
        perform rs_shim._invalid_json('JSON_ARRAY_LENGTH', doc);
    end if;
    return pg_catalog.json_array_length(node);
end;
$$;
create or replace function rs_shim.json_array_length(doc text) returns integer
language sql volatile parallel safe as $$ select rs_shim.json_array_length(doc, false) $$;

-- JSON_EXTRACT_ARRAY_ELEMENT_TEXT.md: the element at a zero-based position of the outer array as VARCHAR;
-- "If the index is negative or out of bound, JSON_EXTRACT_ARRAY_ELEMENT_TEXT returns empty string".
-- Invalid JSON raises unless null_if_invalid is true, then NULL.
create or replace function rs_shim.json_extract_array_element_text(doc text, pos integer, null_if_invalid boolean)
returns varchar
language plpgsql volatile parallel safe as $$
declare
    node json;
begin
    if doc is null or pos is null then
        return null;
    end if;
    node := rs_shim._parse_json_string(doc);
    if node is null or json_typeof(node) <> 'array' then
        if coalesce(null_if_invalid, false) then
            return null;
        end if;
        return rs_shim._invalid_json('JSON_EXTRACT_ARRAY_ELEMENT_TEXT', doc);
    end if;
    if pos < 0 or pos >= pg_catalog.json_array_length(node) then
        return '';
    end if;
    return node ->> pos;
end;
$$;
create or replace function rs_shim.json_extract_array_element_text(doc text, pos integer) returns varchar
language sql volatile parallel safe as $$ select rs_shim.json_extract_array_element_text(doc, pos, false) $$;

-- CAN_JSON_PARSE.md: true when JSON_PARSE would succeed, for VARCHAR or VARBYTE input (any JSON value,
-- '[10001,10002,"abc"]' -> true). VARBYTE is read as UTF-8; bytes that are not UTF-8 cannot parse.
create or replace function rs_shim.can_json_parse(doc text) returns boolean
language sql volatile strict parallel safe as $$ select rs_shim._parse_json(doc) is not null $$;
create or replace function rs_shim.can_json_parse(doc bytea) returns boolean
language plpgsql volatile strict parallel safe as $$
begin
    return rs_shim._parse_json(convert_from(doc, 'UTF8')) is not null;
exception
    when character_not_in_repertoire or untranslatable_character then
        return false;
end;
$$;

-- JSON_PARSE.md: the JSON as SUPER; here jsonb, the closest PostgreSQL type (SUPER navigation itself is not
-- emulated). Invalid JSON raises.
create or replace function rs_shim.json_parse(doc text) returns jsonb
language sql volatile strict parallel safe as $$ select doc::jsonb $$;
create or replace function rs_shim.json_parse(doc bytea) returns jsonb
language sql volatile strict parallel safe as $$ select convert_from(doc, 'UTF8')::jsonb $$;

-- ---------------------------------------------------------------------------------------------------------
-- VARBYTE (varbyte-functions.md). Redshift's VARBYTE is PostgreSQL's bytea here.
-- ---------------------------------------------------------------------------------------------------------

-- r_FROM_VARBYTE.md: a binary value as a VARCHAR in the format 'hex', 'binary', 'utf-8' or 'utf8'
-- (case-insensitive); any other format raises. 'utf-8' of bytes that are not UTF-8 raises.
create or replace function rs_shim.from_varbyte(value bytea, format text) returns varchar
language plpgsql volatile strict parallel safe as $$
begin
    case lower(format)
        when 'utf-8', 'utf8' then
            return convert_from(value, 'UTF8');
        when 'hex' then
            return encode(value, 'hex');
        when 'binary' then
            return (select coalesce(string_agg(get_byte(value, i)::bit(8)::text, '' order by i), '')
                    from generate_series(0, length(value) - 1) as i);
        else
            raise exception 'FROM_VARBYTE: invalid format %', format using errcode = 'invalid_parameter_value';
    end case;
end;
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Strings (string-functions.md).
-- ---------------------------------------------------------------------------------------------------------

-- r_LEN.md: characters of a CHAR/VARCHAR (trailing blanks of CHAR not counted, as PostgreSQL's length of
-- bpchar), bytes of a VARBYTE ("select len('aaa'::varbyte)" -> 3).
create or replace function rs_shim.len(value text) returns integer
language sql volatile strict parallel safe as $$ select length(value) $$;
create or replace function rs_shim.len(value bytea) returns integer
language sql volatile strict parallel safe as $$ select octet_length(value) $$;

-- r_CHARINDEX.md: one-based position of substring in string, in characters; 0 when absent (STRPOS).
create or replace function rs_shim.charindex(needle text, haystack text) returns integer
language sql volatile strict parallel safe as $$ select strpos(haystack, needle) $$;

-- ---------------------------------------------------------------------------------------------------------
-- Date and time (Date_functions_header.md). The datepart is a keyword in Redshift (`dateadd(day, 1, d)`);
-- rewrite.py quotes it, so here it arrives as text and is resolved with Redshift's names and abbreviations
-- (r_Dateparts_for_datetime_functions.md; 'm' is minutes, not months).
-- ---------------------------------------------------------------------------------------------------------

create or replace function rs_shim._datepart(part text) returns text
language plpgsql volatile strict parallel safe as $$
begin
    case lower(part)
        when 'millennium', 'millennia', 'mil', 'mils' then return 'millennium';
        when 'century', 'centuries', 'c', 'cent', 'cents' then return 'century';
        when 'decade', 'decades', 'dec', 'decs' then return 'decade';
        when 'year', 'years', 'y', 'yr', 'yrs' then return 'year';
        when 'quarter', 'quarters', 'qtr', 'qtrs' then return 'quarter';
        when 'month', 'months', 'mon', 'mons' then return 'month';
        when 'week', 'weeks', 'w' then return 'week';
        when 'day', 'days', 'd' then return 'day';
        when 'hour', 'hours', 'h', 'hr', 'hrs' then return 'hour';
        when 'minute', 'minutes', 'm', 'min', 'mins' then return 'minute';
        when 'second', 'seconds', 's', 'sec', 'secs' then return 'second';
        when 'millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'msecond', 'mseconds', 'millisec',
             'millisecs', 'millisecon' then return 'millisecond';
        when 'microsecond', 'microseconds', 'microsec', 'microsecs', 'microsecond', 'usecond', 'useconds',
             'us', 'usec', 'usecs' then return 'microsecond';
        else
            raise exception 'invalid datepart: %', part using errcode = 'invalid_parameter_value';
    end case;
end;
$$;

-- r_DATEADD_function.md: a TIMESTAMP incremented by `interval` dateparts; a DATE is taken at 00:00:00 and
-- the result is a TIMESTAMP ("dateadd(day,30,caldate)" -> '2008-12-01 00:00:00'). Month arithmetic keeps
-- the day of month, clipped to the month's last day, as PostgreSQL's interval addition does.
create or replace function rs_shim.dateadd(part text, amount bigint, value timestamp) returns timestamp
language plpgsql volatile strict parallel safe as $$
begin
    case rs_shim._datepart(part)
        when 'millennium' then return value + make_interval(years => (amount * 1000)::integer);
        when 'century' then return value + make_interval(years => (amount * 100)::integer);
        when 'decade' then return value + make_interval(years => (amount * 10)::integer);
        when 'year' then return value + make_interval(years => amount::integer);
        when 'quarter' then return value + make_interval(months => (amount * 3)::integer);
        when 'month' then return value + make_interval(months => amount::integer);
        when 'week' then return value + make_interval(weeks => amount::integer);
        when 'day' then return value + make_interval(days => amount::integer);
        when 'hour' then return value + make_interval(hours => amount::integer);
        when 'minute' then return value + make_interval(mins => amount::integer);
        when 'second' then return value + make_interval(secs => amount);
        when 'millisecond' then return value + make_interval(secs => amount / 1000.0);
        when 'microsecond' then return value + make_interval(secs => amount / 1000000.0);
    end case;
end;
$$;
create or replace function rs_shim.dateadd(part text, amount bigint, value date) returns timestamp
language sql volatile strict parallel safe as $$ select rs_shim.dateadd(part, amount, value::timestamp) $$;

-- r_DATEDIFF_function.md: BIGINT, the number of datepart boundaries crossed from the first to the second
-- value ("the difference in years between 12-31-2008 and 01-01-2009 ... returns 1"); negative when the
-- second is earlier. Weeks are counted between Monday-started weeks (DATE_TRUNC's week).
create or replace function rs_shim.datediff(part text, first_value timestamp, second_value timestamp)
returns bigint
language plpgsql volatile strict parallel safe as $$
declare
    canonical text := rs_shim._datepart(part);
begin
    case canonical
        when 'millennium', 'century', 'decade', 'year' then
            return (extract(year from second_value) - extract(year from first_value))::bigint
                / case canonical when 'millennium' then 1000 when 'century' then 100 when 'decade' then 10 else 1 end;
        when 'quarter' then
            return ((extract(year from second_value) * 4 + extract(quarter from second_value))
                - (extract(year from first_value) * 4 + extract(quarter from first_value)))::bigint;
        when 'month' then
            return ((extract(year from second_value) * 12 + extract(month from second_value))
                - (extract(year from first_value) * 12 + extract(month from first_value)))::bigint;
        when 'week' then
            return ((date_trunc('week', second_value)::date - date_trunc('week', first_value)::date) / 7)::bigint;
        when 'day' then
            return (second_value::date - first_value::date)::bigint;
        else
            return ((extract(epoch from date_trunc(canonical, second_value))
                - extract(epoch from date_trunc(canonical, first_value)))
                * case canonical when 'hour' then 1.0 / 3600 when 'minute' then 1.0 / 60 when 'second' then 1
                                 when 'millisecond' then 1000 else 1000000 end)::bigint;
    end case;
end;
$$;
create or replace function rs_shim.datediff(part text, first_value date, second_value date) returns bigint
language sql volatile strict parallel safe as $$
    select rs_shim.datediff(part, first_value::timestamp, second_value::timestamp)
$$;

-- r_GETDATE.md: the start time of the current statement, in the session time zone (UTC, which the harness
-- sets for every connection), as TIMESTAMP without fractional seconds.
create or replace function rs_shim.getdate() returns timestamp
language sql volatile parallel safe as $$ select date_trunc('second', statement_timestamp() at time zone 'UTC') $$;

-- ---------------------------------------------------------------------------------------------------------
-- Casts (r_TRY_CAST.md): TRY_CAST returns NULL where CAST would fail. rewrite.py turns `try_cast(x as t)`
-- into a call of the function for t's base type on x's text, wrapped in `cast(... as t)` so the result
-- keeps t's width: `cast(rs_shim.try_cast_bigint((x)::pg_catalog.text) as bigint)`. Decimals get their
-- precision and scale, so a value that does not fit is NULL (not a numeric overflow error); any other type
-- goes through the generic (slow, dynamic) rs_shim.try_cast. Only the errors a bad literal raises are
-- caught.
-- ---------------------------------------------------------------------------------------------------------
-- "The expression cannot contain blank or empty strings": TRY_CAST raises on them, it does not return NULL.
create or replace function rs_shim._try_cast_input(value text) returns text
language plpgsql volatile strict parallel safe as $$
begin
    if btrim(value) = '' then
        raise exception 'TRY_CAST: the expression cannot be a blank or empty string'
            using errcode = 'invalid_parameter_value';
    end if;
    return value;
end;
$$;

create or replace function rs_shim.try_cast_bigint(value text) returns bigint
language plpgsql volatile strict parallel safe as $$
begin
    return rs_shim._try_cast_input(value)::bigint;
exception
    when invalid_text_representation or numeric_value_out_of_range then
        return null;
end;
$$;

create or replace function rs_shim.try_cast_integer(value text) returns integer
language plpgsql volatile strict parallel safe as $$
begin
    return rs_shim._try_cast_input(value)::integer;
exception
    when invalid_text_representation or numeric_value_out_of_range then
        return null;
end;
$$;

create or replace function rs_shim.try_cast_smallint(value text) returns smallint
language plpgsql volatile strict parallel safe as $$
begin
    return rs_shim._try_cast_input(value)::smallint;
exception
    when invalid_text_representation or numeric_value_out_of_range then
        return null;
end;
$$;

-- The decimal rounded to `scale` places (as a cast to decimal(p, s) rounds), NULL when it needs more than
-- precision - scale integer digits (where the cast would overflow).
create or replace function rs_shim.try_cast_decimal(value text, precision_ integer, scale_ integer) returns numeric
language plpgsql volatile strict parallel safe as $$
declare
    result numeric;
begin
    result := round(rs_shim._try_cast_input(value)::numeric, scale_);
    if result <> 0 and floor(log(10, abs(result))) + 1 > precision_ - scale_ then
        return null;
    end if;
    return result;
exception
    when invalid_text_representation or numeric_value_out_of_range then
        return null;
end;
$$;

create or replace function rs_shim.try_cast_date(value text) returns date
language plpgsql volatile strict parallel safe as $$
begin
    return rs_shim._try_cast_input(value)::date;
exception
    when invalid_text_representation or invalid_datetime_format or datetime_field_overflow then
        return null;
end;
$$;

create or replace function rs_shim.try_cast_timestamp(value text) returns timestamp
language plpgsql volatile strict parallel safe as $$
begin
    return rs_shim._try_cast_input(value)::timestamp;
exception
    when invalid_text_representation or invalid_datetime_format or datetime_field_overflow then
        return null;
end;
$$;

-- VARCHAR to BOOL is not among TRY_CAST's permitted conversions (usage notes): an error, as on Redshift.
create or replace function rs_shim.try_cast_boolean(value text) returns boolean
language plpgsql volatile strict parallel safe as $$
begin
    raise exception 'TRY_CAST from a character string to BOOLEAN is not a permitted conversion'
        using errcode = 'cannot_coerce';
end;
$$;

create or replace function rs_shim.try_cast_double(value text) returns double precision
language plpgsql volatile strict parallel safe as $$
begin
    return rs_shim._try_cast_input(value)::double precision;
exception
    when invalid_text_representation or numeric_value_out_of_range then
        return null;
end;
$$;

-- Any other type: the text cast with dynamic SQL (one statement per value, so slow).
create or replace function rs_shim.try_cast(value text, target anyelement) returns anyelement
language plpgsql volatile parallel safe as $$
declare
    result target%type;
begin
    if value is null then
        return null;
    end if;
    execute format('select %L::%s', rs_shim._try_cast_input(value), pg_typeof(target)) into result;
    return result;
exception
    when invalid_text_representation or invalid_datetime_format or datetime_field_overflow
        or numeric_value_out_of_range or string_data_right_truncation then
        return null;
end;
$$;

-- ---------------------------------------------------------------------------------------------------------
-- Aggregates and functions whose result TYPE differs between the engines. PostgreSQL's built-ins live in
-- pg_catalog; these have identical signatures and the shim schema comes first on the search_path, so they
-- take precedence (a function of the same argument types earlier on the path wins).
-- ---------------------------------------------------------------------------------------------------------

-- r_SUM.md: "BIGINT for BIGINT, SMALLINT, or INTEGER arguments" (PostgreSQL: numeric for bigint). An
-- overflow raises, as Redshift's numeric overflow does.
create or replace aggregate rs_shim.sum(bigint) (
    sfunc = int8pl,
    stype = bigint,
    combinefunc = int8pl,
    parallel = safe
);

-- r_AVG.md: "BIGINT for any integer type argument" (PostgreSQL: numeric): the integer mean, truncated
-- ("select avg(qtysold) from sales" -> 2).
-- One transition function per argument type: an aggregate's sfunc must take its input type exactly.
create or replace function rs_shim._avg_int_accum(state bigint[], value smallint) returns bigint[]
language sql volatile strict parallel safe as $$ select array[state[1] + value, state[2] + 1] $$;
create or replace function rs_shim._avg_int_accum(state bigint[], value integer) returns bigint[]
language sql volatile strict parallel safe as $$ select array[state[1] + value, state[2] + 1] $$;
create or replace function rs_shim._avg_int_accum(state bigint[], value bigint) returns bigint[]
language sql volatile strict parallel safe as $$ select array[state[1] + value, state[2] + 1] $$;
create or replace function rs_shim._avg_int_combine(a bigint[], b bigint[]) returns bigint[]
language sql volatile strict parallel safe as $$ select array[a[1] + b[1], a[2] + b[2]] $$;
create or replace function rs_shim._avg_int_final(state bigint[]) returns bigint
language sql volatile strict parallel safe as $$
    select case when state[2] = 0 then null else state[1] / state[2] end
$$;
create or replace aggregate rs_shim.avg(smallint) (
    sfunc = rs_shim._avg_int_accum, stype = bigint[], finalfunc = rs_shim._avg_int_final,
    combinefunc = rs_shim._avg_int_combine, initcond = '{0,0}', parallel = safe
);
create or replace aggregate rs_shim.avg(integer) (
    sfunc = rs_shim._avg_int_accum, stype = bigint[], finalfunc = rs_shim._avg_int_final,
    combinefunc = rs_shim._avg_int_combine, initcond = '{0,0}', parallel = safe
);
create or replace aggregate rs_shim.avg(bigint) (
    sfunc = rs_shim._avg_int_accum, stype = bigint[], finalfunc = rs_shim._avg_int_final,
    combinefunc = rs_shim._avg_int_combine, initcond = '{0,0}', parallel = safe
);

-- r_DATE_TRUNC.md: DATE_TRUNC returns a TIMESTAMP, also for a DATE argument (PostgreSQL casts the date to
-- timestamptz and returns timestamptz).
create or replace function rs_shim.date_trunc(part text, value date) returns timestamp
language sql volatile strict parallel safe as $$ select pg_catalog.date_trunc(part, value::timestamp) $$;

-- r_ROUND.md: ROUND of a DOUBLE PRECISION to n places (PostgreSQL has round(numeric, int) only).
-- The double goes through numeric, which PostgreSQL converts at 15 significant digits: a value that reads
-- as x.xx5 rounds half away from zero. AWS does not document how Redshift rounds a binary double at such a
-- tie, so a model whose result depends on it is engine-dependent (the comparison with DuckDB shows it).
create or replace function rs_shim.round(value double precision, places integer) returns double precision
language sql volatile strict parallel safe as $$
    select pg_catalog.round(value::numeric, places)::double precision
$$;
