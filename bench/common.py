"""What the system benchmarks share: a private database (a temporary SQLite file, or a PostgreSQL schema dropped at
the end), the app bound to it, percentiles, the machine's description and the final `RESULT` line.

Nothing here touches the development database: every run builds its own data and removes it afterwards, also when
it fails half-way.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCH_SECRET = "bench-secret-not-for-production"


@dataclass
class BenchDatabase:
    """Where one benchmark run keeps its data, and how a child process (gunicorn, a worker) reaches it."""

    kind: str  # "sqlite" or "postgresql"
    url: str
    schema: str | None = None
    label: str = ""
    cleanup: list[Callable[[], None]] = field(default_factory=list)

    def app_config(self, **extra) -> dict:
        """The config mapping for `webapp.create_app`: same engine options as production, plus the private schema."""
        config = {"SQLALCHEMY_DATABASE_URI": self.url, "SECRET_KEY": BENCH_SECRET, "TESSERE_REQUIRE_TOTP": False}
        if self.kind == "postgresql":
            config["SQLALCHEMY_ENGINE_OPTIONS"] = {
                "pool_recycle": 1800,  # as webapp/config.py (no pool_pre_ping)
                "connect_args": {"options": f"-csearch_path={self.schema}"},
            }
        config.update(extra)
        return config

    def environment(self) -> dict[str, str]:
        """Environment variables that point a child process (`create_app()` without arguments) at this database."""
        env = dict(os.environ)
        env["TESSERE_DATABASE_URL"] = self.url
        env["TESSERE_SECRET_KEY"] = BENCH_SECRET
        env["TESSERE_REQUIRE_TOTP"] = "0"
        env.pop("TESSERE_DATABASE_SCHEMA", None)
        if self.schema:
            env["TESSERE_DATABASE_SCHEMA"] = self.schema
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        return env


@contextmanager
def bench_database(kind: str, pg_url: str = DEFAULT_PG_URL, name: str = "bench") -> Iterator[BenchDatabase]:
    """A fresh, empty database for one run; removed at the end whatever happens."""
    if kind == "postgresql":
        from sqlalchemy import create_engine, text

        schema = f"tessere_{name}_{os.getpid()}"
        admin = create_engine(pg_url)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        database = BenchDatabase(kind, pg_url, schema, f"PostgreSQL (schema {schema})")

        def drop_schema() -> None:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()

        database.cleanup.append(drop_schema)
    else:
        directory = tempfile.mkdtemp(prefix=f"tessere-{name}-")
        database = BenchDatabase(kind, f"sqlite:///{directory}/bench.sqlite", None, "SQLite (temporary file)")
        database.cleanup.append(lambda: shutil.rmtree(directory, ignore_errors=True))
    try:
        yield database
    finally:
        for action in reversed(database.cleanup):
            try:
                action()
            except Exception as exc:  # noqa: BLE001 - report and go on with the other clean-ups
                print(f"clean-up failed: {exc}", file=sys.stderr)


def postgres_reachable(pg_url: str) -> str | None:
    """None when PostgreSQL answers; otherwise why not (the benchmark then says it skipped PostgreSQL)."""
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(pg_url, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means: not reachable
        return str(exc).splitlines()[0]
    return None


def create_bench_app(database: BenchDatabase, **extra):
    """The app on this database with every table created (as `db.create_all()` in the tests) and the shipped
    diagrams deployed; the dispose of its connection pool is queued with the clean-ups."""
    from webapp import create_app
    from webapp.cli import deploy_shipped_diagrams
    from webapp.extensions import db

    app = create_app(database.app_config(**extra))

    def dispose() -> None:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    database.cleanup.append(dispose)
    with app.app_context():
        db.create_all()
        deploy_shipped_diagrams()
        db.session.commit()
    return app


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation; what "p95" means in every benchmark here."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if q < 100 else max(values)


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def machine_summary() -> str:
    """nproc, RAM, CPU model, load, Python and database library versions: printed at the top of every run."""
    import sqlalchemy

    ram = "?"
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = f"{os.getloadavg()[0]:.2f}"
    except OSError:
        load = "?"
    return (
        f"machine: nproc={os.cpu_count()} ram={ram} cpu={cpu!r} load1={load} "
        f"python={platform.python_version()} sqlalchemy={sqlalchemy.__version__}"
    )


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def result_line(figures: dict[str, object]) -> str:
    """`RESULT name=value ...`: the one line a script reads (floats with up to 3 decimals, no spaces in values)."""
    parts = []
    for name, value in figures.items():
        if isinstance(value, float):
            value = f"{value:.3f}".rstrip("0").rstrip(".") if value == value else "nan"
        parts.append(f"{name}={str(value).replace(' ', '_')}")
    return "RESULT " + " ".join(parts)
