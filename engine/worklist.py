"""What a worklist query may ask of the open human tasks: filters and orderings the engine understands.

The engine knows tasks, not cases: filters about the domain (a case's target group, a person's name) are passed in
by the web application as extra SQL conditions on `HumanTask.instance_id`. Everything here reads only the
`human_task` table, whose partial indexes on open rows keep the cost proportional to the open work, not the history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_

from engine.models import HumanTask

# A task is "due soon" when its deadline falls within this window from now.
DUE_SOON = timedelta(days=3)

STATES = ("overdue", "due_soon", "mine", "unclaimed")
SORTS = ("due", "created", "process")


@dataclass(frozen=True)
class WorklistQuery:
    """Filters and ordering of a worklist; every filter only narrows what the actor may see anyway.

    `state`: "overdue" (deadline passed), "due_soon" (deadline within DUE_SOON), "mine" (claimed by the actor or
    assigned to them personally), "unclaimed" (group tasks nobody has taken on); None for every open task.
    `due_from` / `due_to`: the deadline falls in [due_from, due_to). `extra_where`: SQL conditions from the caller.
    """

    process_key: str | None = None
    state: str | None = None
    due_from: datetime | None = None
    due_to: datetime | None = None
    instance_id: int | None = None
    sort: str = "due"
    descending: bool = False
    now: datetime | None = None
    extra_where: Sequence[Any] = field(default_factory=tuple)


def filter_clauses(query: WorklistQuery, actor_id: int | None) -> list:
    now = query.now or datetime.now(UTC)
    where = []
    if query.instance_id is not None:
        where.append(HumanTask.instance_id == query.instance_id)
    if query.process_key:
        where.append(HumanTask.process_key == query.process_key)
    if query.state == "overdue":
        where.append(HumanTask.due_at < now)
    elif query.state == "due_soon":
        where.append(and_(HumanTask.due_at >= now, HumanTask.due_at < now + DUE_SOON))
    elif query.state == "mine":
        where.append((HumanTask.claimed_by_id == actor_id) | (HumanTask.assignee_id == actor_id))
    elif query.state == "unclaimed":
        where.append(and_(HumanTask.assignee_id.is_(None), HumanTask.claimed_by_id.is_(None)))
    if query.due_from is not None:
        where.append(HumanTask.due_at >= query.due_from)
    if query.due_to is not None:
        where.append(HumanTask.due_at < query.due_to)
    where.extend(query.extra_where)
    return where


def ordering(query: WorklistQuery) -> list:
    """Tasks without a deadline come last whatever the direction; ties broken by age then id (stable pages)."""
    if query.sort == "created":
        created = HumanTask.created_at.desc() if query.descending else HumanTask.created_at.asc()
        identity = HumanTask.id.desc() if query.descending else HumanTask.id.asc()
        return [created, identity]
    due = (HumanTask.due_at.desc() if query.descending else HumanTask.due_at.asc()).nulls_last()
    tail = [due, HumanTask.created_at.asc(), HumanTask.id.asc()]
    if query.sort == "process":
        process = HumanTask.process_key.desc() if query.descending else HumanTask.process_key.asc()
        return [process, *tail]
    return tail
