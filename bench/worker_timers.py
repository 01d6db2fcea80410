"""The background worker on PostgreSQL: 10,000 due timers, one worker process, then two in parallel.

Data: a small diagram shaped like a referral deadline (a user task with an interrupting boundary timer leading to a
second user task, as `tests/bpmn_samples.timer_task`), deployed in a private schema. A few hundred instances are
started through the engine (state, human-task rows, journal, `next_timer_at`); the rest are copies of their rows
(the instance row with its state, and its open task row) so that 10,000 timers are due without 10,000 engine
starts. The same is done again, afresh, for the second round.

Each round launches worker processes (`python -m bench.worker_timers --child`: `create_app()` from the environment
and the worker's own timer loop, `webapp.notifications.worker.fire_timers`, called again until a pass finds
nothing due; that is what `tessere worker --once` does, without its 5,000-timers-per-pass cap and without the
outbox). The processes start while the benchmark holds a lock on `process_instance`, and all begin at its release,
so their start-up (imports, app) is not timed: the rate is timers fired / (last worker's end - release).

Afterwards the database is checked: every instance fired its timer exactly once (one `timer` journal entry each),
its first task is cancelled and the second open, no timer is left due, no instance is in error.

    .venv/bin/python -m bench.worker_timers [--quick] [--timers 10000] [--rounds 1] [--pg-url URL]

With `--rounds N` the pair of rounds (one worker, then two) is repeated N times and the rates are medians: the
machine's load drifts between rounds, alternating spreads the drift over both sides.

The last line is `RESULT timers=... one_worker_per_s=... two_workers_per_s=... speedup=... fired_once=yes|no`
(target: all fired exactly once, speedup >= 1.3).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

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

PROCESS_KEY = "prova"
STARTED_PER_ROUND = 200  # through the engine; the rest are copies of these


def timer_diagram() -> str:
    from tests import bpmn_samples

    return bpmn_samples.timer_task("P1D")


def seed_due_timers(app, count: int) -> list[int]:
    """`count` instances whose timer is due one day from now; returns their ids."""
    from sqlalchemy import insert, select

    from engine import Actor
    from engine.models import HumanTask, ProcessInstance
    from webapp.extensions import db
    from webapp.workflow import get_engine

    actor = Actor(id=1, label="Benchmark", roles=frozenset({"social_worker"}))
    with app.app_context():
        engine = get_engine()
        if engine.latest_version(db.session, PROCESS_KEY) is None:
            engine.deploy(db.session, timer_diagram())
        started = [
            engine.start(db.session, PROCESS_KEY, {"owner_user_id": 1}, actor).id
            for _ in range(min(STARTED_PER_ROUND, count))
        ]
        db.session.commit()
        instances = ProcessInstance.__table__
        tasks = HumanTask.__table__
        templates = [
            dict(row._mapping) for row in db.session.execute(select(instances).where(instances.c.id.in_(started)))
        ]
        task_rows = {
            row.instance_id: dict(row._mapping)
            for row in db.session.execute(select(tasks).where(tasks.c.instance_id.in_(started)))
        }
        copies = []  # (instance row, id of the instance it copies)
        for i in range(count - len(started)):
            row = dict(templates[i % len(templates)])
            template_id = row.pop("id")
            row["journal_head"] = None  # a copy has no journal of its own yet: its chain starts at the timer
            copies.append((row, template_id))
        ids = list(started)
        for chunk in range(0, len(copies), 2000):
            batch = copies[chunk : chunk + 2000]
            new_ids = db.session.scalars(
                insert(instances).returning(instances.c.id, sort_by_parameter_order=True), [r for r, _ in batch]
            ).all()
            task_copies = []
            for new_id, (_, template_id) in zip(new_ids, batch, strict=True):
                task = dict(task_rows[template_id])
                task.pop("id")
                task["instance_id"] = new_id
                task_copies.append(task)
            db.session.execute(insert(tasks), task_copies)
            ids.extend(new_ids)
        db.session.commit()
    return ids


def check_fired_once(app, ids: list[int]) -> tuple[bool, str]:
    from sqlalchemy import func, select

    from engine.models import HumanTask, JournalEntry, ProcessInstance
    from webapp.extensions import db

    with app.app_context():
        fired = Counter(
            db.session.scalars(
                select(JournalEntry.instance_id).where(JournalEntry.kind == "timer", JournalEntry.instance_id.in_(ids))
            )
        )
        tasks = Counter(
            db.session.execute(select(HumanTask.element_id, HumanTask.status).where(HumanTask.instance_id.in_(ids)))
        )
        statuses = Counter(db.session.scalars(select(ProcessInstance.status).where(ProcessInstance.id.in_(ids))))
        still_due = db.session.scalar(
            select(func.count())
            .select_from(ProcessInstance)
            .where(ProcessInstance.id.in_(ids), ProcessInstance.next_timer_at.is_not(None))
        )
        db.session.remove()
    n = len(ids)
    once = set(fired) == set(ids) and set(fired.values()) == {1}
    tasks_ok = tasks == {("t1", "cancelled"): n, ("t2", "open"): n}
    ok = once and tasks_ok and statuses == {"running": n} and still_due == 0
    detail = (
        f"timer journal entries per instance {dict(Counter(fired.values()))} over {len(fired)}/{n} instances; "
        f"tasks {dict(tasks)}; statuses {dict(statuses)}; still due {still_due}"
    )
    return ok, detail


def run_round(database, workers: int, fire_at: datetime) -> tuple[float, list[dict]]:
    """Launch `workers` child processes held by a table lock, release them together; (seconds, their reports)."""
    from sqlalchemy import create_engine, text

    env = database.environment()
    command = [sys.executable, "-m", "bench.worker_timers", "--child", "--now", fire_at.isoformat()]
    barrier = create_engine(database.url, connect_args={"options": f"-csearch_path={database.schema}"})
    processes: list[subprocess.Popen] = []
    try:
        with barrier.connect() as connection:
            transaction = connection.begin()
            connection.execute(text("LOCK TABLE process_instance IN ACCESS EXCLUSIVE MODE"))
            processes = [
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(workers)
            ]
            deadline = time.monotonic() + 120
            while True:  # every worker is blocked on the lock: they start together at its release
                if time.monotonic() > deadline:
                    raise RuntimeError("the workers never reached the database")
                for process in processes:
                    if process.poll() is not None:
                        raise RuntimeError(f"a worker stopped early: {process.communicate()}")
                waiting = connection.execute(
                    text(
                        "SELECT count(DISTINCT pid) FROM pg_locks "
                        "WHERE relation = 'process_instance'::regclass AND NOT granted"
                    )
                ).scalar_one()
                if waiting >= workers:
                    break
                time.sleep(0.02)
            released = time.time()
            transaction.commit()
        reports = []
        for process in processes:
            out, err = process.communicate(timeout=900)
            if process.returncode != 0:
                raise RuntimeError(f"worker failed:\n{err[-3000:]}")
            reports.append(json.loads(out.strip().splitlines()[-1]))
        return max(r["ended"] for r in reports) - released, reports
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        barrier.dispose()


def child(now_text: str) -> int:
    """One worker process: the worker's timer loop until nothing is due; prints a JSON report."""
    from webapp import create_app
    from webapp.extensions import db
    from webapp.notifications.worker import fire_timers
    from webapp.workflow import get_engine

    app = create_app()
    now = datetime.fromisoformat(now_text)
    fired = passes = 0
    with app.app_context():
        engine = get_engine()
        cpu_started = time.process_time()
        while True:
            handled = fire_timers(db.session, engine, now)
            passes += 1
            fired += handled
            if handled == 0:
                break
        ended = time.time()
        cpu = time.process_time() - cpu_started
    print(json.dumps({"fired": fired, "passes": passes, "ended": ended, "cpu": cpu}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1, help="repeat one-then-two; medians of the rates")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--quick", action="store_true", help="100 timers: checks the script runs")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--now", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.now)
    count = 100 if args.quick else args.timers
    print(machine_summary())
    why = postgres_reachable(args.pg_url)
    if why:
        print(f"PostgreSQL is needed (several workers run only there): {why}")
        print(result_line({"timers": count, "skipped": "no_postgresql"}))
        return 0
    fire_at = datetime.now(UTC) + timedelta(days=2)
    rates: dict[int, list[float]] = {1: [], 2: []}
    all_ok = True
    with bench_database("postgresql", args.pg_url, name="worker") as database:
        app = create_bench_app(database)
        # one worker, then two, repeated: the machine's load drifts, and alternating spreads the drift over both
        for round_number in range(1, args.rounds + 1):
            for workers in (1, 2):
                started = time.perf_counter()
                ids = seed_due_timers(app, count)
                print(
                    f"\nround {round_number}, {workers} worker(s): {len(ids)} due timers seeded in "
                    f"{time.perf_counter() - started:.1f} s"
                )
                seconds, reports = run_round(database, workers, fire_at)
                ok, detail = check_fired_once(app, ids)
                all_ok &= ok
                rates[workers].append(len(ids) / seconds)
                shares = ", ".join(f"{r['fired']} in {r['passes']} passes" for r in reports)
                cpu_ms = sum(r["cpu"] for r in reports) / len(ids) * 1000
                print(
                    f"round {round_number}, {workers} worker(s): {len(ids)} timers in {seconds:.2f} s = "
                    f"{rates[workers][-1]:.0f} timers/s ({shares}); worker CPU {cpu_ms:.2f} ms per timer; "
                    f"load {load_average()}"
                )
                print(f"check: {'fired exactly once' if ok else 'PROBLEM'}: {detail}")
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    speedup = two / one
    print(f"\ntwo workers / one worker = {speedup:.2f}x (target >= 1.3x); all fired exactly once: {all_ok}")
    print(
        result_line(
            {
                "timers": count,
                "one_worker_per_s": round(one, 1),
                "two_workers_per_s": round(two, 1),
                "speedup": round(speedup, 3),
                "fired_once": "yes" if all_ok else "no",
            }
        )
    )
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
