"""Helpers that walk the referral journey through the HTTP client, as people would."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.models import HumanTask
from webapp.extensions import db
from webapp.network.models import Offer

INTAKE = {
    "first_name": "Mario",
    "last_name": "Rossi",
    "codice_fiscale": "RSSMRA80A01D612Y",
    "phone": "333 1234567",
    "target_group": "poverta",
    "needs": ["generi_alimentari"],
    "notes": "Segue il servizio da marzo.",
    "consent_share": "y",
}


def open_task(app, instance_id: int, form_key: str) -> HumanTask:
    with app.app_context():
        task = db.session.scalar(
            select(HumanTask).where(
                HumanTask.instance_id == instance_id, HumanTask.form_key == form_key, HumanTask.status == "open"
            )
        )
        assert task is not None, f"no open {form_key} task on instance {instance_id}"
        db.session.expunge(task)
        return task


def offer_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Offer.id).where(Offer.title == title))


def start_case(app, client, intake: dict | None = None) -> int:
    """Fill in the intake form of a new presa in carico; returns the process instance id."""
    response = client.post("/casi/nuovo", data=intake or INTAKE)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    task_id = int(re.search(r"/attivita/(\d+)", response.headers["Location"]).group(1))
    with app.app_context():
        return db.session.get(HumanTask, task_id).instance_id


def submit(client, task_id: int, data: dict, expect: int = 302):
    response = client.post(f"/attivita/{task_id}", data=data)
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


def send_to_offer(app, client, instance_id: int, title: str, message: str = "Contattare al mattino."):
    task = open_task(app, instance_id, "scelta_offerta")
    return submit(
        client,
        task.id,
        {"offer_id": offer_id(app, title), "message": message, "share_last_name": "y", "share_phone": "y"},
    )
