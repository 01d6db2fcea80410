"""Backup and restore as the README describes them: every case is found again, consistent, after a restore."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from tests import factories as f
from tests.journey import send_to_offer, start_case
from webapp import create_app
from webapp.extensions import db
from webapp.referrals.models import Case


def _cases(app) -> list[tuple]:
    with app.app_context():
        return [
            (c.id, c.beneficiary.codice_fiscale, c.status, [r.status for r in c.referrals])
            for c in db.session.scalars(select(Case).order_by(Case.id))
        ]


def _seed(app, login) -> list[tuple]:
    worker = login(f.SOCIAL_WORKER)
    for title in ("Pacchi alimentari", "Mensa solidale"):
        send_to_offer(app, worker, start_case(app, worker), title)
    start_case(app, worker)
    cases = _cases(app)
    assert len(cases) == 3
    return cases


def _check_restored(restored_app, expected) -> None:
    assert _cases(restored_app) == expected
    runner = restored_app.test_cli_runner()
    for command in (["tessere", "check"], ["tessere", "audit", "verify"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    with restored_app.app_context():
        db.session.remove()
        db.engine.dispose()


def _cases_in_file(path) -> int:
    """Cases SQLite finds in this file alone (no -wal next to it); 0 when even the table is not there yet."""
    with sqlite3.connect(path) as connection:
        if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'case_file'").fetchone():
            return 0
        return connection.execute("SELECT count(*) FROM case_file").fetchone()[0]


def test_a_sqlite_backup_restores_every_case_even_those_still_in_the_wal(app, login, database, tmp_path):
    if database != "sqlite":
        pytest.skip("the SQLite procedure")
    expected = _seed(app, login)
    source = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    wal, shm = Path(f"{source}-wal"), Path(f"{source}-shm")
    with sqlite3.connect(source) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # The steps just committed are in tessere.sqlite-wal (no checkpoint yet): a copy of the main file alone
    # would miss them, which is why the README never copies the file.
    assert wal.stat().st_size > 0
    plain_copy = tmp_path / "plain-copy.sqlite"
    # Files of a database in use are copied by another process, as an administrator would: closing a file this
    # process opened would drop the POSIX locks the app's SQLite connections hold on it.
    subprocess.run(["cp", str(source), str(plain_copy)], check=True)
    assert _cases_in_file(plain_copy) < len(expected)

    backup = tmp_path / "backup.sqlite"
    # README: sqlite3 instance/tessere.sqlite ".backup 'backup.sqlite'" (online backup API: consistent while the
    # app runs, and it reads the WAL too)
    subprocess.run(["sqlite3", str(source), f".backup '{backup}'"], check=True)
    assert _cases_in_file(backup) == len(expected)

    # After the backup the app goes on writing, then stops without a checkpoint (a crash, a kill -9): its folder
    # holds the database with a -wal and -shm that belong to it, not to the backup.
    start_case(app, login(f.SOCIAL_WORKER))
    instance = tmp_path / "instance"
    instance.mkdir()
    subprocess.run(["cp", str(source), str(wal), str(shm), str(instance)], check=True)
    target = instance / source.name
    assert Path(f"{target}-wal").stat().st_size > 0

    # README: restore = stop the app and the worker, remove the stale -wal/-shm, copy the backup in place
    Path(f"{target}-wal").unlink(missing_ok=True)
    Path(f"{target}-shm").unlink(missing_ok=True)
    shutil.copyfile(backup, target)
    with sqlite3.connect(target) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    _check_restored(
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}", "SECRET_KEY": "x", "TESTING": True}), expected
    )


@pytest.mark.postgres
def test_a_postgresql_dump_restores_every_case_into_a_new_database(app, login, database, tmp_path):
    if database != "postgresql":
        pytest.skip("the PostgreSQL procedure")
    from tests.conftest import POSTGRES_SCHEMA, POSTGRES_URL

    expected = _seed(app, login)
    plain_url = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://")
    dump = tmp_path / "tessere.dump"
    # README: pg_dump --format=custom --file=tessere.dump DATABASE_URL
    subprocess.run(
        ["pg_dump", "--format=custom", f"--schema={POSTGRES_SCHEMA}", f"--file={dump}", plain_url], check=True
    )
    name = f"tessere_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    restored_url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        # README: pg_restore --no-owner --dbname=NEW_DATABASE_URL tessere.dump
        subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={restored_url.replace('+psycopg', '')}", str(dump)], check=True
        )
        restored = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": restored_url,
                "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-csearch_path={POSTGRES_SCHEMA}"}},
                "SECRET_KEY": "x",
                "TESTING": True,
            }
        )
        _check_restored(restored, expected)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
