"""How a lake text file becomes records: one definition, used by the DuckDB build and the Redshift harness.

Redshift Spectrum reads the lake's text files with Hadoop's LineRecordReader and a Hive SerDe; the DuckDB
build reads the same files through the table macros in `readers.sql` (registered by `duckdb_plugin.py`),
and the PostgreSQL harness of the Redshift SQL (warehouse.verify.postgres.spectrum_reader) through the functions
below. Both follow these rules, so every engine makes the same records of the same file:

- Lines end at `\\n`, `\\r\\n` or `\\r` (LineRecordReader); the text after the last terminator, when not
  empty, is a record (a truncated last line is kept); a UTF-8 byte order mark at the start of a file is not
  part of its first line (LineRecordReader skips it since Hadoop 2.8, HADOOP-11171... MAPREDUCE-5472 lineage:
  see docs/lake.md). Every other line, blank ones included, is a record: bronze quarantines a blank one
  (`empty_record`) rather than dropping it, so the records reconciliation counts it.
- A line that is not valid UTF-8 keeps its place with every value null: Spectrum does this for the
  project's tables (`invalid_char_handling` = `DROP_ROW`, r_CREATE_EXTERNAL_TABLE.html), and bronze
  quarantines the row (`empty_record`), naming its file.
- text_lines (LazySimpleSerDe, fields terminated by `\\001`): the record is the line up to its first
  `\\001`; the field `\\N` is NULL (serialization.null.format's default).
- csv (OpenCSVSerde, separator `,`, quote `"`, escape `\\`): each line is parsed on its own as opencsv 2.3's
  CSVParser does (opencsv_fields); `skip.header.line.count` = 1 skips the first line of every file.
"""

from __future__ import annotations

SEPARATOR, QUOTE, ESCAPE = ",", '"', "\\"
BYTE_ORDER_MARK = "\ufeff"


def hadoop_lines(text: str) -> list[str]:
    """Lines as Hadoop's LineRecordReader splits a file: at \\n, \\r\\n or \\r; a byte order mark at the
    start of the file dropped; no record after a final terminator."""
    if text.startswith(BYTE_ORDER_MARK):
        text = text[len(BYTE_ORDER_MARK) :]
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def text_line_field(line: str) -> str | None:
    """The first field of a LazySimpleSerDe line delimited by \\001; `\\N` is NULL."""
    field = line.split("\x01", 1)[0]
    return None if field == "\\N" else field


def opencsv_fields(line: str) -> list[str]:
    """One line parsed as opencsv 2.3's CSVParser(',', '"', '\\\\') does for Hive's OpenCSVSerde: each
    line on its own, so an unterminated quoted field (and anything after it) is dropped."""
    tokens: list[str] = []
    field: list[str] = []
    in_quotes = in_field = False
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        nxt = line[i + 1] if i + 1 < n else None
        if c == ESCAPE:
            if (in_quotes or in_field) and nxt in (QUOTE, ESCAPE):
                field.append(nxt)  # type: ignore[arg-type]
                i += 1
        elif c == QUOTE:
            if (in_quotes or in_field) and nxt == QUOTE:
                field.append(QUOTE)
                i += 1
            else:
                # opencsv keeps a quote in the middle of a field: a,bc"d"ef,g (i > 2, as opencsv 2.3 checks)
                if i > 2 and line[i - 1] != SEPARATOR and nxt is not None and nxt != SEPARATOR:
                    if field and "".join(field).isspace():
                        field = []
                    else:
                        field.append(c)
                in_quotes = not in_quotes
            in_field = not in_field
        elif c == SEPARATOR and not in_quotes:
            tokens.append("".join(field))
            field = []
            in_field = False
        else:
            field.append(c)
            in_field = True
        i += 1
    if not in_quotes:
        tokens.append("".join(field))
    return tokens


__all__ = ["BYTE_ORDER_MARK", "hadoop_lines", "opencsv_fields", "text_line_field"]
