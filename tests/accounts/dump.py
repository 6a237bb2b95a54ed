"""The whole database as a backup would hold it, for tests that prove some
text is stored nowhere."""

from dataclasses import dataclass

from django.contrib.sessions.backends.db import SessionStore
from django.db import connection


@dataclass(frozen=True)
class Cell:
    table: str
    column: str
    value: str


def dump_database() -> list[Cell]:
    """Every non-empty value of every table, read with raw SQL. Session rows
    are also decoded (they are base64-signed JSON), so what a session holds
    counts as stored too."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None or value == "":
                        continue
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("utf-8", "replace")
                    cells.append(Cell(table, column, str(value)))
                    if table == "django_session" and column == "session_data":
                        decoded = SessionStore().decode(str(value))
                        cells.append(Cell(table, "session_data (decoded)", str(decoded)))
    return cells


def find(needles, cells=None) -> list[tuple[str, Cell]]:
    """Where each needle occurs, ignoring case."""
    cells = dump_database() if cells is None else cells
    return [
        (needle, cell)
        for cell in cells
        for needle in needles
        if needle.lower() in cell.value.lower()
    ]
