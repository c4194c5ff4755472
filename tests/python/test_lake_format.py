"""The DuckDB readers of lake text files (warehouse/lake_format/readers.sql) make the same records as the
rules the Redshift harness applies (warehouse.lake_format): the same lines, the same CSV fields, the same
nulls for bytes that are not UTF-8, whatever the line ends, marks and quotes of the file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from warehouse.lake_format import hadoop_lines, opencsv_fields, text_line_field
from warehouse.lake_format.duckdb_plugin import register_readers
from warehouse.verify.postgres import spectrum_reader

FILES: dict[str, bytes] = {
    "plain": b"a,b\n1,2\n",
    "crlf_and_cr": b"a,b\r\n1,2\r3,4\r\n",
    "no_final_newline": b"a,b\n1,2\n3,4",
    "blank_lines": b"a,b\n\n   \n1,2\n\n",
    "bom": b"\xef\xbb\xbfa,b\n\xef\xbb\xbf1,2\n",
    "bom_only": b"\xef\xbb\xbf",
    "empty": b"",
    "only_newlines": b"\n\n",
    "not_utf8": b"a,b\n\xff\xfe,1\nok,\xc3\xa9\r\n\xe9t\xe9,2\nlast",
    "quotes": b'a,b\n"x,y",z\n"open,q\nC:\\dir,2\n"a""b",c\n "s",t\n',
    "control_chars": b"a\x01b\n\\N\nc\x01\\N\n",
    "backslash_escapes_text": b"a\\x0Ab,c\n\\x5C,d\n",
}


@pytest.fixture(scope="module")
def readers(tmp_path_factory: pytest.TempPathFactory) -> tuple[duckdb.DuckDBPyConnection, Path]:
    folder = tmp_path_factory.mktemp("lake") / "raw" / "x" / "dt=2025-01-01"
    folder.mkdir(parents=True)
    for name, content in FILES.items():
        (folder / f"{name}.txt").write_bytes(content)
    con = duckdb.connect()
    register_readers(con)
    return con, folder


def _python_lines(path: Path) -> list[str | None]:
    """The harness's lines, a line with bytes that are not UTF-8 as None (every value of it is null)."""
    return [None if spectrum_reader.invalid_utf8(line) else line for line in spectrum_reader.read_lines(path)]


@pytest.mark.parametrize("name", sorted(FILES))
def test_duckdb_lines_equal_the_harness_lines(readers: tuple[duckdb.DuckDBPyConnection, Path], name: str) -> None:
    con, folder = readers
    path = folder / f"{name}.txt"
    rows = con.execute("select line_text from lake_lines(?) order by line_number", [str(path)]).fetchall()
    assert [row[0] for row in rows] == _python_lines(path)


@pytest.mark.parametrize("name", sorted(FILES))
def test_duckdb_csv_fields_and_text_records_equal_the_harness(
    readers: tuple[duckdb.DuckDBPyConnection, Path], name: str
) -> None:
    con, folder = readers
    path = str(folder / f"{name}.txt")
    lines = _python_lines(folder / f"{name}.txt")
    fields = con.execute("select csv_fields from lake_csv_lines(?)", [path]).fetchall()
    assert sorted(map(repr, (row[0] for row in fields))) == sorted(
        repr(None if line is None else opencsv_fields(line)) for line in lines[1:]
    )
    records = con.execute("select raw_record from lake_text_lines(?)", [path]).fetchall()
    assert sorted(map(repr, (row[0] for row in records))) == sorted(
        repr(None if line is None else text_line_field(line)) for line in lines
    )


def test_the_line_rules() -> None:
    assert hadoop_lines("a\r\nb\rc\n") == ["a", "b", "c"]
    assert hadoop_lines("a\n\nb") == ["a", "", "b"]  # a blank line is a record; so is a truncated last line
    assert hadoop_lines("\ufeffa\n\ufeffb\n") == ["a", "\ufeffb"]  # a byte order mark only at the start
    assert hadoop_lines("") == [] and hadoop_lines("\n") == [""]


def test_opencsv_quirks() -> None:
    assert opencsv_fields("a,,b") == ["a", "", "b"]
    assert opencsv_fields('"x,y",z') == ["x,y", "z"]
    assert opencsv_fields("C:\\dir\\file,2") == ["C:dirfile", "2"]  # an escape before a letter vanishes
    assert opencsv_fields('"open,a') == []  # an unterminated quote drops the rest of the line
    assert opencsv_fields('1,2,"open,a') == ["1", "2"]
    assert text_line_field("x\x01y") == "x" and text_line_field("\\N") is None


def test_the_comparison_sees_what_differs(readers: tuple[duckdb.DuckDBPyConnection, Path]) -> None:
    """The comparisons above are not vacuous: the files hold unreadable lines, and a rule that differs
    (lines split at \\n only, as a naive reader does) gives other lines than the readers."""
    con, folder = readers
    path = folder / "not_utf8.txt"
    query = "select line_text from lake_lines(?) order by line_number"
    lines = [row[0] for row in con.execute(query, [str(path)]).fetchall()]
    assert lines == [None if spectrum_reader.invalid_utf8(x) else x for x in spectrum_reader.read_lines(path)]
    assert lines.count(None) == 2 and "ok,\u00e9" in lines
    naive = path.read_bytes().decode("utf-8", errors="surrogateescape").split("\n")
    assert [None if spectrum_reader.invalid_utf8(x) else x for x in naive] != lines
