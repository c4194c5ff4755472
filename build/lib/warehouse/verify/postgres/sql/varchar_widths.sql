-- The varchar(n) and char(n) columns of a relation and their declared widths. Redshift counts those widths
-- in bytes, PostgreSQL in characters, so the harness checks octet_length against them after each build.
select a.attname as column_name, a.atttypmod - 4 as width
from pg_attribute as a
join pg_class as c on c.oid = a.attrelid
join pg_namespace as n on n.oid = c.relnamespace
where n.nspname = %(schema)s
  and c.relname = %(name)s
  and a.attnum > 0
  and not a.attisdropped
  and a.atttypid in ('varchar'::regtype, 'bpchar'::regtype)
  and a.atttypmod > 4
order by a.attnum
