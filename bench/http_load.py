"""HTTP load: real task completions through gunicorn + PostgreSQL, against a bare write endpoint of the same app.

Set-up, in a private PostgreSQL schema: the tables, the shipped diagrams, a small network, and one social worker
per simulated client, each with an API token and their own open intake tasks (`presa_in_carico` of
`percorso_beneficiario`: one instance started through the engine per person, the others copies of its rows, so
thousands of open tasks exist without thousands of engine starts). The tasks are partitioned per person: two
clients never race for the same task, so a 409 cannot happen by design.

gunicorn (sync workers sized for the machine: 2 x cores + 1) serves `webapp:create_app()` on loopback with
`TESSERE_BENCH_ENDPOINTS=1`, then locust (headless, `--run-time`) runs twice with the same number of users:

1. `BareUpdater`: `POST /bench/aggiornamento/<n>`, one indexed UPDATE and a commit per request (the floor);
2. `TaskCompleter`: each user completes their own intake tasks one after another with
   `POST /api/v1/tasks/{id}/complete` (form validation, engine step, the intake's domain rows, journal, commit).

Afterwards the database is checked against locust's success count: every completed intake has exactly one
`task_completed` journal entry, the number of completed intake tasks equals the successes, and no planned task
was completed twice or left half done.

    .venv/bin/python -m bench.http_load [--quick] [--users 32] [--run-time 60s] [--pg-url URL]

The last line is `RESULT bare_rps=... complete_rps=... ratio=... errors=... lost=... duplicated=...`
(target: ratio >= 0.4, 0 errors, 0 lost or duplicated steps).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.cold_start import free_port
from bench.common import (
    DEFAULT_PG_URL,
    ROOT,
    bench_database,
    create_bench_app,
    load_average,
    machine_summary,
    postgres_reachable,
    result_line,
)

PROCESS_KEY = "percorso_beneficiario"


def seed_people(app, users: int, tasks_per_user: int) -> dict:
    """One social worker per client with a token and `tasks_per_user` open intake tasks; the plan locust reads."""
    from sqlalchemy import insert, select

    from engine.models import HumanTask, ProcessInstance
    from tests import factories
    from webapp.auth.models import User
    from webapp.auth.services import create_token
    from webapp.bench_endpoints import bench_counter
    from webapp.extensions import db
    from webapp.tasks.services import start_process
    from webapp.workflow import get_engine

    plan = {"users": [], "bare_rows": users}
    with app.app_context():
        factories.seed_network(db.session)
        bench_counter.create(db.engine, checkfirst=True)
        db.session.execute(insert(bench_counter), [{"id": n + 1, "hits": 0} for n in range(users)])
        db.session.commit()
        engine = get_engine()
        instances, tasks = ProcessInstance.__table__, HumanTask.__table__
        for n in range(users):
            user = factories.make_user(db.session, f"assistente{n}@bench.tessere.it", "social_worker")
            token = create_token(db.session, user, "benchmark")
            db.session.commit()
            first = start_process(db.session, engine, db.session.get(User, user.id), PROCESS_KEY, {})
            instance_row = dict(db.session.execute(select(instances).where(instances.c.id == first.id)).one()._mapping)
            task_row = dict(db.session.execute(select(tasks).where(tasks.c.instance_id == first.id)).one()._mapping)
            if task_row["form_key"] != "presa_in_carico" or task_row["status"] != "open":
                raise RuntimeError(f"unexpected first task {task_row['form_key']} ({task_row['status']})")
            instance_row.pop("id")
            instance_row["journal_head"] = None  # a copy's journal chain starts at its first step
            task_row.pop("id")
            copies = tasks_per_user - 1
            new_ids = (
                db.session.scalars(
                    insert(instances).returning(instances.c.id, sort_by_parameter_order=True),
                    [dict(instance_row) for _ in range(copies)],
                ).all()
                if copies
                else []
            )
            if new_ids:
                db.session.execute(insert(tasks), [{**task_row, "instance_id": i} for i in new_ids])
            db.session.commit()
            task_ids = list(
                db.session.scalars(
                    select(HumanTask.id)
                    .where(HumanTask.instance_id.in_([first.id, *new_ids]), HumanTask.status == "open")
                    .order_by(HumanTask.id)
                )
            )
            plan["users"].append({"email": user.email, "token": token, "task_ids": task_ids})
        db.session.remove()
    return plan


def start_gunicorn(database, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = database.environment()
    env["TESSERE_BENCH_ENDPOINTS"] = "1"
    command = [
        os.path.join(os.path.dirname(sys.executable), "gunicorn"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "60",
        "webapp:create_app()",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    import http.client

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log.read_text()[-3000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/catalogo")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer within 60 s")


def run_locust(user_class: str, users: int, run_time: str, port: int, plan_path: Path, workdir: Path) -> dict:
    """One headless locust run: answers counted by status, requests per second over the span from the first
    request to the last answer, and the percentiles of locust's CSV."""
    prefix = workdir / user_class
    env = dict(os.environ, BENCH_PLAN=str(plan_path))
    command = [
        os.path.join(os.path.dirname(sys.executable), "locust"),
        "-f",
        str(ROOT / "bench" / "locust_tasks.py"),
        user_class,
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        run_time,
        "--stop-timeout",
        "10",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    answers_path = Path(f"{plan_path}.answers.json")
    answers_path.unlink(missing_ok=True)
    result = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, timeout=600)
    answers = json.loads(answers_path.read_text()) if answers_path.exists() else {}
    rows = list(csv.DictReader((workdir / f"{user_class}_stats.csv").open()))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    failures_path = workdir / f"{user_class}_failures.csv"
    failures = list(csv.DictReader(failures_path.open())) if failures_path.exists() else []
    counted = answers.get("answers", {})
    requests = sum(counted.values())
    ok = sum(n for key, n in counted.items() if key.endswith((" 200", " 204")))
    span = (answers["last"] - answers["first"]) if answers.get("first") is not None else float("nan")
    return {
        "requests": requests,
        "ok": ok,
        "failures": requests - ok,
        "seconds": span,
        "rps": requests / span if span and span == span else float("nan"),
        "p50_ms": total.get("50%"),
        "p95_ms": total.get("95%"),
        "failure_kinds": [f"{f['Occurrences']}x {f['Error']}" for f in failures][:5],
        "answers": counted,
        "returncode": result.returncode,
        "stderr": result.stderr[-1500:],
    }


def bare_hits(app) -> int:
    from sqlalchemy import func, select

    from webapp.bench_endpoints import bench_counter
    from webapp.extensions import db

    with app.app_context():
        hits = db.session.scalar(select(func.sum(bench_counter.c.hits))) or 0
        db.session.remove()
    return int(hits)


def check_journal(app, plan: dict, successes: int) -> dict:
    """Every completed intake in the journal exactly once; completions in the database = locust's successes."""
    from collections import Counter

    from sqlalchemy import select

    from engine.models import HumanTask, JournalEntry
    from webapp.extensions import db

    planned = {task_id for person in plan["users"] for task_id in person["task_ids"]}
    with app.app_context():
        rows = db.session.execute(
            select(HumanTask.id, HumanTask.instance_id, HumanTask.status).where(HumanTask.id.in_(planned))
        ).all()
        completed_instances = {instance for _, instance, status in rows if status == "completed"}
        journal = Counter(
            db.session.scalars(
                select(JournalEntry.instance_id).where(
                    JournalEntry.kind == "task_completed",
                    JournalEntry.element_id == "presa_in_carico",
                    JournalEntry.instance_id.in_({instance for _, instance, _ in rows}),
                )
            )
        )
        db.session.remove()
    duplicated = sum(count - 1 for count in journal.values() if count > 1)
    without_journal = len(completed_instances - set(journal))
    journal_without_task = len(set(journal) - completed_instances)
    return {
        "completed_tasks": len(completed_instances),
        "journal_entries": sum(journal.values()),
        "duplicated": duplicated,
        "lost": without_journal + journal_without_task + max(successes - len(completed_instances), 0),
        "extra": max(len(completed_instances) - successes, 0),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--run-time", default="60s")
    parser.add_argument("--tasks-per-user", type=int, default=150, help="open tasks prepared for each client")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--quick", action="store_true", help="4 users for 3 s: checks the script runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.run_time, args.tasks_per_user, args.workers = 4, "3s", 40, 2
    print(machine_summary())
    why = postgres_reachable(args.pg_url)
    if why:
        print(f"PostgreSQL is needed: {why}")
        print(result_line({"skipped": "no_postgresql"}))
        return 0
    with (
        tempfile.TemporaryDirectory(prefix="tessere-http-") as tmp,
        bench_database("postgresql", args.pg_url, name="http") as database,
    ):
        workdir = Path(tmp)
        app = create_bench_app(database)
        started = time.perf_counter()
        plan = seed_people(app, args.users, args.tasks_per_user)
        plan_path = workdir / "plan.json"
        plan_path.write_text(json.dumps(plan))
        planned = sum(len(p["task_ids"]) for p in plan["users"])
        print(
            f"{database.label}: {args.users} social workers with {planned} open intake tasks "
            f"(seeded in {time.perf_counter() - started:.1f} s)"
        )
        port = free_port()
        server = start_gunicorn(database, port, args.workers, workdir / "gunicorn.log")
        try:
            print(
                f"gunicorn: {args.workers} sync workers on 127.0.0.1:{port}; "
                f"locust: {args.users} users, {args.run_time}"
            )
            bare = run_locust("BareUpdater", args.users, args.run_time, port, plan_path, workdir)
            print(
                f"bare UPDATE + commit: {bare['requests']} requests, {bare['failures']} failures, "
                f"{bare['rps']:.1f} req/s over {bare['seconds']:.1f} s "
                f"(p50 {bare['p50_ms']} ms, p95 {bare['p95_ms']} ms); load {load_average()}"
            )
            done = run_locust("TaskCompleter", args.users, args.run_time, port, plan_path, workdir)
            print(
                f"task completions:     {done['requests']} requests, {done['failures']} failures, "
                f"{done['rps']:.1f} req/s over {done['seconds']:.1f} s "
                f"(p50 {done['p50_ms']} ms, p95 {done['p95_ms']} ms); load {load_average()}"
            )
            for run in (bare, done):
                print(f"  answers seen by the clients: {run['answers']}")
                if run["failure_kinds"]:
                    print("  failures: " + "; ".join(run["failure_kinds"]))
                if run["returncode"] not in (0, 1):
                    print(f"  locust exited with {run['returncode']}: {run['stderr']}")
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        successes = done["ok"]
        hits = bare_hits(app)
        print(f"check: bare endpoint answered 204 {bare['ok']} times; UPDATEs committed {hits}")
        if successes >= planned:
            print("  note: the clients ran out of prepared tasks; raise --tasks-per-user")
        check = check_journal(app, plan, successes)
        print(
            f"check: locust successes {successes}; completed intake tasks {check['completed_tasks']}; "
            f"journal entries {check['journal_entries']}; duplicated {check['duplicated']}; lost {check['lost']}; "
            f"completed without the client seeing it {check['extra']}"
        )
    ratio = done["rps"] / bare["rps"] if bare["rps"] else float("nan")
    errors = bare["failures"] + done["failures"]
    print(f"completions / bare = {ratio:.2f}x (target >= 0.4x); errors {errors} (target 0)")
    print(
        result_line(
            {
                "users": args.users,
                "bare_rps": round(bare["rps"], 1),
                "complete_rps": round(done["rps"], 1),
                "ratio": round(ratio, 3),
                "errors": errors,
                "lost": check["lost"],
                "duplicated": check["duplicated"],
            }
        )
    )
    return 1 if check["lost"] or check["duplicated"] or hits != bare["ok"] else 0  # correctness, not speed


if __name__ == "__main__":
    sys.exit(main())
