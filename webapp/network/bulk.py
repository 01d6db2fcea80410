"""Writing derived index rows (word terms, filter facets) in batches: one executemany INSERT per few thousand rows,
so that rebuilding the indexes of a province's catalogue neither holds every row in memory nor sends them one by one."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Table, insert

BATCH_SIZE = 5000


def insert_in_batches(connection: Connection, table: Table, rows: Iterable[dict]) -> int:
    """INSERT `rows` into `table` in batches; returns how many were written."""
    written, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            connection.execute(insert(table), batch)
            written, batch = written + len(batch), []
    if batch:
        connection.execute(insert(table), batch)
        written += len(batch)
    return written
