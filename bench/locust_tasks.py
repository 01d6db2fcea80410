"""Locust users for bench/http_load.py (not run by itself: the benchmark launches locust with this file).

The plan (a JSON file named by `BENCH_PLAN`) gives each simulated person their API token and the ids of their own
open tasks: the tasks are partitioned per user, so two users never race for the same task (no 409 by design).

* `TaskCompleter`: a social worker completing their intake tasks one after the other through the JSON API,
  `POST /api/v1/tasks/{id}/complete` with the intake form's data.
* `BareUpdater`: the same number of clients calling the bench-only endpoint that does one indexed UPDATE and a
  commit (`POST /bench/aggiornamento/{n}`, its own row per client).
"""

from __future__ import annotations

import itertools
import json
import os
from collections import Counter

from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

with open(os.environ["BENCH_PLAN"], encoding="utf-8") as plan_file:
    PLAN = json.load(plan_file)
_next_slot = itertools.count()
# Answers seen, by request name and status, and the span from the first request's start to the last one's end:
# written next to the plan when locust quits. The benchmark takes its counts and rates from here (locust's CSV is
# written every few seconds and can miss the last ones).
ANSWERS: Counter = Counter()
SPAN = {"first": None, "last": None}


@events.request.add_listener
def _count_answer(name, response=None, exception=None, start_time=None, response_time=0, **_kwargs):
    status = getattr(response, "status_code", None) if exception is None else f"error:{type(exception).__name__}"
    ANSWERS[f"{name} {status}"] += 1
    if start_time is not None:
        end = start_time + (response_time or 0) / 1000
        SPAN["first"] = start_time if SPAN["first"] is None else min(SPAN["first"], start_time)
        SPAN["last"] = end if SPAN["last"] is None else max(SPAN["last"], end)


@events.quit.add_listener
def _write_answers(**_kwargs):
    with open(os.environ["BENCH_PLAN"] + ".answers.json", "w", encoding="utf-8") as out:
        json.dump({"answers": dict(ANSWERS), **SPAN}, out)


FIRST_NAMES = ("Mario", "Giulia", "Ahmed", "Lucia", "Wei", "Fatima", "Paolo", "Elena")
LAST_NAMES = ("Rossi", "Bianchi", "Benali", "Ferri", "Chen", "Diallo", "Conti", "Gori")


def intake_data(n: int) -> dict:
    """What a social worker types at intake (no codice fiscale: optional, and it would have to be unique)."""
    return {
        "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
        "last_name": LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)],
        "birth_date": f"19{50 + n % 50}-0{1 + n % 9}-1{n % 10}",
        "phone": "333 1234567",
        "email": f"persona{n}@example.org",
        "address": "Via Roma 1, Campi Bisenzio",
        "target_group": "poverta",
        "needs": ["generi_alimentari"],
        "notes": "Segue il servizio da marzo.",
        "consent_share": True,
    }


class TaskCompleter(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        slot = next(_next_slot)
        if slot >= len(PLAN["users"]):
            raise StopUser()  # more locust users than planned people: never share a person's tasks
        person = PLAN["users"][slot]
        self.headers = {"Authorization": f"Bearer {person['token']}", "Content-Type": "application/json"}
        self.tasks_left = list(person["task_ids"])

    @task
    def complete_intake(self) -> None:
        if not self.tasks_left:
            raise StopUser()
        task_id = self.tasks_left.pop(0)
        body = json.dumps({"data": intake_data(task_id)})
        with self.client.post(
            f"/api/v1/tasks/{task_id}/complete",
            data=body,
            headers=self.headers,
            name="complete",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {(response.text or '')[:200]}")


class BareUpdater(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.row = next(_next_slot) % PLAN["bare_rows"] + 1

    @task
    def bare_update(self) -> None:
        with self.client.post(f"/bench/aggiornamento/{self.row}", name="bare", catch_response=True) as response:
            if response.status_code != 204:
                response.failure(f"{response.status_code}")
