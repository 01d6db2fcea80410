"""The Alembic history builds exactly the schema the models declare, and `init` is idempotent."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text

from engine.models import ProcessVersion
from tests.conftest import POSTGRES_SCHEMA, POSTGRES_URL, postgres_engine_options
from webapp import create_app
from webapp.extensions import db


def _fresh_app(database, tmp_path):
    if database == "postgresql":
        schema = f"{POSTGRES_SCHEMA}_mig"
        engine = create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        options = {**postgres_engine_options(), "connect_args": {"options": f"-csearch_path={schema}"}}
        return create_app(
            {"TESTING": True, "SQLALCHEMY_DATABASE_URI": POSTGRES_URL, "SQLALCHEMY_ENGINE_OPTIONS": options}
        ), schema
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'mig.sqlite'}"}), None


def test_init_migrates_an_empty_database_to_the_models_schema_and_deploys_the_diagrams(database, tmp_path):
    app, schema = _fresh_app(database, tmp_path)
    try:
        runner = app.test_cli_runner()
        result = runner.invoke(args=["tessere", "init"])
        assert result.exit_code == 0, result.output
        shipped = {path.stem for path in (Path(__file__).parent.parent / "bpmn").glob("*.bpmn")}
        assert "percorso_beneficiario v1" in result.output
        again = runner.invoke(args=["tessere", "init"])
        assert again.exit_code == 0 and "Diagramma pubblicato" not in again.output
        with app.app_context():
            with db.engine.connect() as connection:
                diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
            keys = db.session.scalars(select(ProcessVersion.process_key)).all()
            assert sorted(keys) == sorted(shipped)  # every shipped diagram (file named after its process key)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if schema:
            engine = create_engine(POSTGRES_URL)
            with engine.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()
