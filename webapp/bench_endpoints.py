"""Endpoints that exist only for the benchmarks (bench/http_load.py), and only when `TESSERE_BENCH_ENDPOINTS=1`.

`POST /bench/aggiornamento/<n>` does one indexed UPDATE and a commit: the floor of what any write request costs in
this very app (same server, same before/after-request hooks, same connection pool), against which the benchmark
compares real task completions. It updates the benchmark's own table `bench_counter`, which the benchmark creates;
the table is not part of the models (no migration), and without the setting the route is not even registered.
"""

from __future__ import annotations

import os

from flask import Blueprint, Flask
from sqlalchemy import Column, Integer, MetaData, Table, update

from webapp.extensions import csrf, db

SETTING = "TESSERE_BENCH_ENDPOINTS"

bench_counter = Table(
    "bench_counter",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("hits", Integer, nullable=False, default=0),
)

bp = Blueprint("bench", __name__, url_prefix="/bench")


@bp.post("/aggiornamento/<int:row>")
def bare_update(row: int):
    db.session.execute(update(bench_counter).where(bench_counter.c.id == row).values(hits=bench_counter.c.hits + 1))
    db.session.commit()
    return "", 204


def enabled(app: Flask) -> bool:
    value = app.config.get(SETTING, os.environ.get(SETTING, ""))
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def init_app(app: Flask) -> None:
    """Register the benchmark endpoints only when the setting is on (the route policy knows them as BENCH_ROUTES)."""
    if enabled(app):
        csrf.exempt(bp)
        app.register_blueprint(bp)
