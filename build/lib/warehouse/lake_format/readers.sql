-- The DuckDB readers of the lake's text files (warehouse/lake_format/__init__.py states the rules; the
-- PostgreSQL harness of the Redshift SQL applies the same ones in Python). Registered as temporary table
-- macros on every dbt connection by duckdb_plugin.py; the bronze sources' external_location call them.
-- `files`: a glob or a list of files, as read_blob takes them.

-- One row per file with its lines (`line_texts`): a byte order mark at the start removed, `\r\n` and `\r`
-- read as line ends, no line after a final line end. A file that is valid UTF-8 is split as text (the fast
-- path; the line-end rewrite only runs on a file that has a `\r`); a file that is not is split on its
-- bytes, escaped as DuckDB casts a blob to text (every backslash and non-printable byte as \xHH, so '\x0A'
-- is only ever a line feed), and each line is decoded on its own: a line that is not UTF-8 is null, the
-- others keep their text.
create or replace temp macro lake_file_lines(files) as table
    with

    blobs as (
        select
            filename,
            last_modified,
            content,
            try(decode(content)) as utf8
        from read_blob(files)
    ),

    unmarked as (
        select
            filename,
            last_modified,
            content,
            case when starts_with(utf8, chr(65279)) then substr(utf8, 2) else utf8 end as utf8,
            case
                when utf8 is not null then null
                when starts_with(cast(content as varchar), '\xEF\xBB\xBF') then substr(cast(content as varchar), 13)
                else cast(content as varchar)
            end as escaped_text
        from blobs
    ),

    split_files as (
        select
            filename,
            last_modified,
            case
                when utf8 is not null and contains(utf8, chr(13))
                    then string_split(replace(replace(utf8, chr(13) || chr(10), chr(10)), chr(13), chr(10)), chr(10))
                when utf8 is not null then string_split(utf8, chr(10))
                else list_transform(
                    string_split(replace(replace(escaped_text, '\x0D\x0A', '\x0A'), '\x0D', '\x0A'), '\x0A'),
                    escaped_line -> try(decode(cast(escaped_line as blob)))
                )
            end as split_texts
        from unmarked
    )

    select
        filename as source_file,
        last_modified as file_modified_at,
        regexp_extract(filename, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as dt,
        -- The text after the last line end is a line only when it is not empty.
        case
            when list_last(split_texts) = '' then list_slice(split_texts, 1, len(split_texts) - 1)
            else split_texts
        end as line_texts
    from split_files;

-- One row per line of every file (`line_text`), numbered from 1 within its file (`line_number`).
create or replace temp macro lake_lines(files) as table
    select
        source_file,
        file_modified_at,
        dt,
        unnest(range(1, len(line_texts) + 1)) as line_number,
        unnest(line_texts) as line_text
    from lake_file_lines(files);

-- A text_lines table (LazySimpleSerDe, fields terminated by \001): the line up to its first \001 is the
-- record; the field \N is null.
create or replace temp macro lake_text_lines(files) as table
    select
        source_file,
        file_modified_at,
        dt,
        nullif(split_part(unnest(line_texts), chr(1), 1), '\N') as raw_record
    from lake_file_lines(files);

-- A csv table (OpenCSVSerde with one header line): the fields of every line after the first (`csv_fields`).
-- A line with no quote and no escape character is split on commas; any other goes through lake_csv_fields,
-- opencsv's parser in Python (duckdb_plugin.py). A line that is not UTF-8 has no fields.
create or replace temp macro lake_csv_lines(files) as table
    with

    data_lines as (
        select
            source_file,
            file_modified_at,
            dt,
            unnest(list_slice(line_texts, 2, len(line_texts))) as line_text
        from lake_file_lines(files)
    )

    select
        source_file,
        file_modified_at,
        dt,
        case
            when line_text is null then null
            when contains(line_text, '"') or contains(line_text, '\') then lake_csv_fields(line_text)
            else string_split(line_text, ',')
        end as csv_fields
    from data_lines;
