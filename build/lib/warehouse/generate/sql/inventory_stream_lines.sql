{#-
    The stream's records kept in a table, inserted in the stream's order (preserve_insertion_order), so rowid
    is the position in the stream. `records_sql` is inventory_records.sql.
-#}
create or replace temp table stream_lines as {{ records_sql }}
