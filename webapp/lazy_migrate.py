"""Flask-Migrate, bound only when a migration command needs it.

Importing `flask_migrate` imports Alembic, and Alembic imports Mako and Pygments: about 0.2 s of every process start
on an idle machine (much more under load; see bench/cold_start.py and `python -X importtime`), which serving pages
and running the worker never need. `LazyMigrate.init_app` registers the `flask db` command group and a stand-in for
`app.extensions["migrate"]`; the real extension is imported and bound the first time anything reads it (a `flask db`
command, `tessere init`'s upgrade, `migrations/env.py`), with the same options as `Migrate()` would have.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask


class LazyMigrate:
    def init_app(self, app: Flask, db: Any, directory: str) -> None:
        app.extensions["migrate"] = _PendingMigrateConfig(app, db, directory)
        app.cli.add_command(_LazyDbGroup(app, "db", help="Perform database migrations."))


def bind_migrate(app: Flask) -> Any:
    """The real Flask-Migrate configuration of `app` (imports and binds Flask-Migrate the first time)."""
    pending = app.extensions.get("migrate")
    if isinstance(pending, _PendingMigrateConfig):
        from flask_migrate import Migrate

        Migrate().init_app(app, pending.db, directory=pending.directory)  # replaces the stand-in
    return app.extensions["migrate"]


class _PendingMigrateConfig:
    """Stands in for Flask-Migrate's `_MigrateConfig` until something reads an attribute of it."""

    def __init__(self, app: Flask, db: Any, directory: str):
        self.app, self.db, self.directory = app, db, directory

    def __getattr__(self, name: str) -> Any:
        return getattr(bind_migrate(self.app), name)


class _LazyDbGroup(click.Group):
    """`flask db ...`: hands over to Flask-Migrate's own command group (its options, subcommands and help), which
    is imported only when `db` is actually invoked."""

    def __init__(self, app: Flask, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.app = app

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        from flask_migrate.cli import db

        bind_migrate(self.app)
        return db.make_context(info_name, args, parent=parent, **extra)
