"""Backup and restore as the README describes them: every case is found again, consistent, after a restore."""

from __future__ import annotations

import sqlite3
import subprocess
import uuid

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


def test_a_sqlite_backup_restores_every_case(app, login, database, tmp_path):
    if database != "sqlite":
        pytest.skip("the SQLite procedure")
    expected = _seed(app, login)
    source = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    backup = tmp_path / "backup.sqlite"
    # README: sqlite3 instance/tessere.sqlite ".backup 'backup.sqlite'" (consistent while the app runs)
    subprocess.run(["sqlite3", source, f".backup '{backup}'"], check=True)
    restored = tmp_path / "restored.sqlite"
    with sqlite3.connect(backup) as src, sqlite3.connect(restored) as dst:
        src.backup(dst)
    assert sqlite3.connect(restored).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    _check_restored(
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{restored}", "SECRET_KEY": "x", "TESTING": True}), expected
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
