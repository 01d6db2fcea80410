"""The app's database connections (webapp/database.py): SQLite in WAL mode and durable; PostgreSQL without a
pre-ping, where a connection the server dropped costs one "try again" answer and nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tests import factories as f
from tests.conftest import POSTGRES_SCHEMA, POSTGRES_URL, make_app
from webapp.extensions import db


def test_sqlite_connections_use_wal_and_stay_durable(app, database):
    if database != "sqlite":
        pytest.skip("SQLite settings")
    with app.app_context():
        connection = db.session.connection()
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL: fsync at every commit
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0  # a writer waits for another
        db.session.remove()


def test_production_engine_options_have_no_pre_ping(tmp_path, monkeypatch):
    from webapp import create_app

    monkeypatch.setenv("TESSERE_DATABASE_URL", "postgresql+psycopg://tessere@127.0.0.1/tessere")
    app = create_app({"SECRET_KEY": "x"})
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert not options.get("pool_pre_ping")
    assert options["pool_recycle"] == 1800


@pytest.mark.postgres
def test_a_connection_dropped_by_postgresql_costs_one_retry_answer(database, tmp_path):
    if database != "postgresql":
        pytest.skip("a PostgreSQL server that drops connections")
    options = {"connect_args": {"options": f"-csearch_path={POSTGRES_SCHEMA}"}, "pool_recycle": 1800}
    app = make_app(database, tmp_path, SQLALCHEMY_ENGINE_OPTIONS=options)
    admin = create_engine(POSTGRES_URL)
    try:
        client = app.test_client()
        response = client.post("/accesso", data={"email": f.SOCIAL_WORKER, "password": f.PASSWORD})
        assert response.status_code == 302
        with app.app_context():
            backends = {db.session.execute(text("SELECT pg_backend_pid()")).scalar()}
            db.session.remove()
            assert db.engine.pool.checkedin() == 1  # the connection the next request will take
        with admin.begin() as connection:  # the server drops it (a restart, an idle timeout)
            for pid in backends:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

        dropped = client.get("/attivita")
        assert dropped.status_code == 503
        assert dropped.headers["Retry-After"] == "5"
        assert "nulla è stato registrato" in dropped.get_data(as_text=True)
        served = client.get("/attivita")  # the pool was renewed: the next request is served
        assert served.status_code == 200
    finally:
        admin.dispose()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
