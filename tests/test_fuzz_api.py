"""Fuzzing the JSON API from its OpenAPI description (schemathesis, in-process over WSGI) and the forms
(hypothesis): hostile and malformed input never makes a 500, never stores corrupted data, and comes back escaped.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests import factories as f
from tests.test_api import token_for
from webapp.extensions import db

FUZZ_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_the_api_never_answers_500_on_inputs_generated_from_its_openapi_description(app, login):
    """Every operation of /api/openapi.json, with hypothesis-generated parameters and bodies (schemathesis)."""
    from tests.journey import send_to_offer, start_case

    worker = login(f.SOCIAL_WORKER)
    send_to_offer(app, worker, start_case(app, worker), "Pacchi alimentari")
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    token = token_for(app, f.SOCIAL_WORKER)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    for operation in operations:

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy())
        def run(case):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
            response = case.call()
            assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
            assert response.headers.get("content-type", [""])[0].startswith("application/json"), case.formatted_path

        run()


HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            '"><img src=x onerror=alert(1)>',
            '=HYPERLINK("http://evil.example","x")',
            "\x00\x01\x1b[31m",
            "A" * 20_000,
            "{{ config }}",
            "Robert'); DROP TABLE beneficiary;--",
        ]
    ),
)


@FUZZ_SETTINGS
@given(first=HOSTILE, last=HOSTILE, notes=HOSTILE, phone=HOSTILE)
def test_the_intake_form_refuses_or_stores_hostile_text_without_errors_and_escapes_it(
    app, login, first, last, notes, phone
):
    from tests.journey import INTAKE
    from webapp.referrals.models import Beneficiary

    worker = login(f.SOCIAL_WORKER)
    data = {**INTAKE, "first_name": first, "last_name": last, "notes": notes, "phone": phone}
    response = worker.post("/casi/nuovo", data=data)
    assert response.status_code in (302, 422), response.status_code
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "<img src=x onerror" not in page
    if response.status_code == 302:
        with app.app_context():
            person = db.session.scalars(select(Beneficiary).order_by(Beneficiary.id.desc())).first()
            assert person.first_name == first.strip() or person.first_name == first
            assert len(person.first_name) <= 100 and "\x00" not in person.first_name
        shown = worker.get("/casi").get_data(as_text=True)
        assert "<script>alert(1)</script>" not in shown and "<img src=x onerror" not in shown


@FUZZ_SETTINGS
@given(
    body=st.one_of(
        st.none(),
        st.integers(),
        st.text(max_size=50),
        st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=10), st.one_of(st.none(), st.integers(), st.text(max_size=30)), max_size=5),
        st.fixed_dictionaries(
            {
                "data": st.dictionaries(
                    st.text(max_size=15),
                    st.one_of(
                        st.none(),
                        st.booleans(),
                        st.integers(),
                        st.floats(allow_nan=True),
                        st.text(max_size=50),
                        st.lists(st.text(max_size=5), max_size=3),
                    ),
                    max_size=6,
                )
            }
        ),
    )
)
def test_completing_a_task_through_the_api_with_wrong_types_and_unknown_fields_never_fails(app, body):
    from engine.models import HumanTask
    from tests.journey import INTAKE  # noqa: F401

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_for(app, f.SOCIAL_WORKER)}"}
    started = client.post("/api/v1/processes/percorso_beneficiario/instances", json={"data": {}}, headers=headers)
    assert started.status_code == 201
    with app.app_context():
        task = db.session.scalar(
            select(HumanTask).where(HumanTask.instance_id == started.get_json()["id"], HumanTask.status == "open")
        )
    response = client.post(f"/api/v1/tasks/{task.id}/complete", json=body, headers=headers)
    assert response.status_code in (200, 400, 422), response.get_data(as_text=True)[:500]
    assert response.is_json


def test_oversized_and_non_json_bodies_are_refused_cleanly(app):
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token_for(app, f.SOCIAL_WORKER)}"}
    url = "/api/v1/processes/percorso_beneficiario/instances"
    assert (
        client.post(url, data=b"{not json", headers={**headers, "Content-Type": "application/json"}).status_code == 400
    )
    huge = b'{"data": {"x": "' + b"a" * (5 * 1024 * 1024) + b'"}}'
    response = client.post(url, data=huge, headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 413 and response.is_json
