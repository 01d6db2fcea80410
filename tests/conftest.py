"""Fixtures shared by the suite (after flaskr's conftest).

`app` is parametrized over the databases under test: a fresh SQLite file always, and PostgreSQL too when
TESSERE_TEST_DATABASE_URL is set (CI sets it). Data is seeded inside an app context; the app is yielded outside it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from scripts import i18n as i18n_script
from tests import factories
from webapp import create_app
from webapp.cli import deploy_shipped_diagrams
from webapp.extensions import db


def pytest_sessionstart(session) -> None:
    """`pytest` alone works: the English catalogue is (re)compiled when a translation part changed since."""
    i18n_script.compile_if_stale()


POSTGRES_URL = os.environ.get("TESSERE_TEST_DATABASE_URL")
DATABASES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
# Each test session works in its own PostgreSQL schema, so parallel runs on the shared `test` database never collide.
POSTGRES_SCHEMA = f"tessere_test_{os.getpid()}"
_postgres_schema_ready = False
# Compiled templates shared by the session's apps (webapp/template_cache.py), never the developer's instance/ folder.
TEMPLATE_CACHE_DIR = tempfile.mkdtemp(prefix="tessere-test-templates-")
atexit.register(shutil.rmtree, TEMPLATE_CACHE_DIR, ignore_errors=True)


def postgres_engine_options() -> dict:
    return {"connect_args": {"options": f"-csearch_path={POSTGRES_SCHEMA}"}, "pool_pre_ping": True}


def _create_postgres_schema() -> None:
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{POSTGRES_SCHEMA}"'))
    engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_schema():
    yield
    if POSTGRES_URL and _postgres_schema_ready:
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{POSTGRES_SCHEMA}" CASCADE'))
        engine.dispose()


def _reset_postgres(app) -> None:
    """Create the schema once per session, then empty every table before each test (fast, and isolated)."""
    global _postgres_schema_ready
    if not _postgres_schema_ready:
        db.create_all()
        _postgres_schema_ready = True
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def make_app(database: str, tmp_path: Path, **overrides):
    url = POSTGRES_URL if database == "postgresql" else f"sqlite:///{tmp_path / 'test.sqlite'}"
    if database == "postgresql":
        _create_postgres_schema()
        overrides.setdefault("SQLALCHEMY_ENGINE_OPTIONS", postgres_engine_options())
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret",
        "TESSERE_MAIL_DIR": str(tmp_path / "mail"),  # the demo's mail log, kept out of the developer's instance/
        "TESSERE_TEMPLATE_CACHE_DIR": TEMPLATE_CACHE_DIR,
        **overrides,
    }
    app = create_app(config)
    with app.app_context():
        if database == "postgresql":
            _reset_postgres(app)
        else:
            db.create_all()
        deploy_shipped_diagrams()
        factories.seed_network(db.session)
        db.session.commit()
    return app


@pytest.fixture(params=DATABASES)
def database(request) -> str:
    return request.param


@pytest.fixture
def app(database, tmp_path):
    app = make_app(database, tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(app):
    """login(email) -> a test client logged in as that user (each call a new client)."""

    def _login(email: str):
        client = app.test_client()
        response = client.post("/accesso", data={"email": email, "password": factories.PASSWORD})
        assert response.status_code == 302, f"login failed for {email}"
        return client

    return _login
