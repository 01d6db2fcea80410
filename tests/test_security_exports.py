"""Exports are safe against formula injection: a cell typed as "=..." reaches the spreadsheet as text."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from tests import factories as f
from webapp.extensions import db
from webapp.network.models import Organization

PAYLOADS = ['=HYPERLINK("http://evil.example","clic")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_public_elenco_csv_never_starts_a_cell_with_a_formula(app, client, payload):
    with app.app_context():
        organization = db.session.scalar(select(Organization).where(Organization.codice_fiscale == f.ORG_A_CF))
        organization.name = payload + " Emporio"
        organization.description = payload
        db.session.commit()
    body = client.get("/elenco.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert any(payload.strip() in cell for cell in cells)
    dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert not dangerous, dangerous


def test_the_persons_data_export_is_json_and_not_a_spreadsheet(app, login):
    from tests.journey import INTAKE, start_case
    from webapp.referrals.models import Case

    worker = login(f.SOCIAL_WORKER)
    instance_id = start_case(app, worker, {**INTAKE, "notes": '=HYPERLINK("http://evil.example")'})
    with app.app_context():
        case_id = db.session.scalar(select(Case.id).where(Case.instance_id == instance_id))
    response = worker.get(f"/casi/{case_id}/dati-personali")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
