"""How the app's database connections behave beyond the engine options (webapp/config.py sets those).

SQLite: every new connection switches the file to write-ahead logging (WAL). A commit then appends the step to
`tessere.sqlite-wal` and fsyncs that one file, instead of writing a rollback journal and the database and fsyncing
both; readers (the web pages, the worker, a second gunicorn process) keep reading while a step is written, and
still see only committed steps. `synchronous=FULL` keeps every commit durable on power loss (NORMAL would not:
the last steps before a power cut could be lost) — do not lower it. The busy timeout (`connect_args` timeout in
config.py) still makes a writer wait for another instead of failing.

WAL changes the backup rules (README, "Backup and restore"): the committed steps live in `-wal` until SQLite copies
them into the main file (a checkpoint), so a copy of `tessere.sqlite` alone is not a backup — use `sqlite3 ...
".backup"` (SQLite's online backup API), and remove a stale `-wal`/`-shm` before putting a backup in place. WAL
needs a local file system (not NFS or SMB shares), as SQLite's locking did already.

PostgreSQL: no `pool_pre_ping` (a round trip before every request). A connection the server dropped (restart,
idle timeout) is found by the first statement that uses it: SQLAlchemy then throws away every connection of the
pool opened before it, the request's transaction is rolled back, and the person gets a "try again" page (503)
instead of an error report; the next request opens fresh connections. `pool_recycle` (config.py) retires
connections before a firewall or the server's idle timeout cuts them.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError

from webapp.extensions import db

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",  # persistent in the file; a no-op once set
    "PRAGMA synchronous=FULL",  # per connection: fsync the WAL at every commit (durable on power loss)
)


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    app.register_error_handler(DBAPIError, _database_error)


def _sqlite_pragmas(dbapi_connection, _connection_record) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _database_error(exc: DBAPIError):
    """A dropped connection gets a "try again" answer; any other database error stays a 500 (re-raised)."""
    if not exc.connection_invalidated:
        raise exc
    db.session.rollback()  # nothing of the request was committed; the pool already discarded the old connections
    message = _("Il collegamento al database si è interrotto: nulla è stato registrato. Riprova tra qualche secondo.")
    if request.path.startswith("/api/"):
        response = jsonify({"error": message})
    else:
        response = render_template("error.html", title=_("Servizio momentaneamente non disponibile"), message=message)
    return response, 503, {"Retry-After": "5"}
