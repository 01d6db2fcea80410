"""Fuzzing every form of the app through its real page (hypothesis): hostile input never makes a 500, comes back
escaped, and stores nothing when the form refuses it.

Each example starts from a valid submission (where one is known) and replaces some fields with hostile values:
oversized strings, control characters, HTML and script, template syntax, formula prefixes, wrong types (text in
dates, numbers and choices), missing fields, and adds unknown fields. Then:
- the answer is never a server error;
- the markers of the hostile HTML never come back unescaped (in the page re-shown with the errors, or in the page the
  person lands on after a valid submission);
- when the form is refused, the database is exactly as before (every table, row by row; only the access log may
  grow, since showing a task page again is a logged read).

The task forms (`forms.registry.FORM_CLASSES`) are reached through the generic task page, each on a one-task
process deployed for the test (the same page, form building and engine step as the shipped diagrams); the two with a
page of their own (pact publication, membership review) and the other forms (membership scheda, offers, signals,
agreements, citizen's request, intake, login, password, tokens) through their pages with real objects.
Examples are few per form (`TESSERE_FUZZ_EXAMPLES`, default 6) so that it runs in a couple of minutes on each database.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from engine.models import HumanTask
from forms.registry import FORM_CLASSES, describe_form
from tests import factories as f
from tests.bpmn_samples import linear
from tests.test_crash_safety import snapshot
from webapp.auth.models import User
from webapp.auth.services import actor_for
from webapp.extensions import db
from webapp.workflow import get_engine

EXAMPLES = int(os.environ.get("TESSERE_FUZZ_EXAMPLES", "6"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror")
HOSTILE_SAMPLES = [
    SCRIPT,
    IMAGE,
    f"Nome {SCRIPT} con testo",
    "\x00\x01\x02\x1b[31m\x7f",
    "riga\r\nBcc: altro@example.org",
    "\u202eetnatropmi\u200b\ufeff",
    "A" * 20_000,
    "é" * 5_000,
    "{{ config }}{% raw %}",
    '=HYPERLINK("http://evil.example","x")',
    "Robert'); DROP TABLE beneficiary;--",
    "-1",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "2026-02-30",
    "31/12/2026",
    "",
    "   ",
    "y",
    "true",
]
HOSTILE = st.one_of(st.sampled_from(HOSTILE_SAMPLES), st.text(max_size=120))
KEEP = object()  # the baseline's valid value
DROP = object()  # the field left out of the post


def field_strategy(spec: dict) -> st.SearchStrategy:
    options: list[st.SearchStrategy] = [HOSTILE, st.just(DROP)]
    choices = [value for value, _label in spec.get("choices") or []]
    if choices:
        options.append(st.sampled_from(choices))
    if spec["type"] == "multichoice":
        return st.one_of(st.just(KEEP), st.just(DROP), st.lists(st.one_of(*options[:1], *options[2:]), max_size=3))
    if spec["type"] == "boolean":
        options.append(st.just("y"))
    elif spec["type"] == "date":
        options.append(st.dates().map(lambda d: d.isoformat()))
    elif spec["type"] in ("integer", "decimal"):
        options.append(st.integers(min_value=-(10**15), max_value=10**15).map(str))
    return st.one_of(st.just(KEEP), *options)


def submissions(specs: list[dict], baseline: dict) -> st.SearchStrategy[dict]:
    """A post: the baseline with fields replaced, dropped or added (unknown names)."""
    names = {spec["name"] for spec in specs} | set(baseline)
    per_field = {spec["name"]: field_strategy(spec) for spec in specs}
    for name in set(baseline) - set(per_field):  # fields the description misses (lists of sites, prefixes...)
        per_field[name] = st.one_of(st.just(KEEP), HOSTILE, st.just(DROP))
    unknown = st.dictionaries(
        st.from_regex(r"[a-z_]{1,12}", fullmatch=True).filter(lambda n: n not in names and n != "csrf_token"),
        HOSTILE,
        max_size=2,
    )

    def merge(chosen: dict, extra: dict) -> dict:
        data = {}
        for name, value in chosen.items():
            if value is KEEP:
                if name in baseline:
                    data[name] = baseline[name]
            elif value is not DROP:
                data[name] = value
        data.update(extra)
        return data

    return st.builds(merge, st.fixed_dictionaries(per_field), unknown)


def assert_escaped(body: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in body, f"unescaped {marker!r} in {where}"


def without_access_log(tables: dict) -> dict:
    return {name: rows for name, rows in tables.items() if name != "access_log"}


@dataclass
class Target:
    """One form behind one page: who posts it, where, from which valid baseline."""

    client: object
    url: Callable[[], str]
    baseline: dict
    specs: list[dict]
    ok_statuses: tuple[int, ...] = (200, 302, 400, 401, 404, 422)
    after_success: Callable[[], None] | None = None
    extra: dict = field(default_factory=dict)
    # Whether the form was accepted (then something may be stored); by default, a redirect after the post.
    accepted: Callable[[object], bool] = lambda response: response.status_code == 302
    environ: Callable[[], dict] = dict  # the request's WSGI environment (e.g. the client's address)


def fuzz(app, target: Target) -> None:
    @FUZZ
    @given(data=submissions(target.specs, target.baseline))
    def run(data):
        url = target.url()
        before = without_access_log(snapshot(app))
        response = target.client.post(url, data={**data, **target.extra}, environ_base=target.environ())
        status = response.status_code
        body = response.get_data(as_text=True)
        assert status < 500 and status in target.ok_statuses, (url, status, body[:1500])
        assert_escaped(body, url)
        if target.accepted(response):
            if status == 302:
                landing = target.client.get(response.headers["Location"])
                assert landing.status_code < 500, response.headers["Location"]
                assert_escaped(landing.get_data(as_text=True), response.headers["Location"])
            if target.after_success is not None:
                target.after_success()
        else:
            assert without_access_log(snapshot(app)) == before, f"{url} refused the form ({status}) but stored data"

    run()


def user(app, email: str) -> User:
    with app.app_context():
        found = db.session.scalar(select(User).where(User.email == email))
        db.session.expunge(found)
        return found


# ------------------------------------------------------------------ the task forms, through the generic task page
OWN_PAGES = {"pubblicazione_patto", "esame_domanda_adesione"}  # see the tests further down


class OneTaskProcess:
    """A deployed start -> user task (form key) -> end process; `task_id()` is always an open task of it."""

    def __init__(self, app, form_key: str, owner_email: str):
        self.app, self.form_key = app, form_key
        self.process_key = f"fuzz_{form_key}"
        self.owner = user(app, owner_email)
        with app.app_context():
            get_engine().deploy(db.session, linear(self.process_key, form_key), deployed_by="fuzz")
            db.session.commit()
        self.current: int | None = None

    def task_id(self) -> int:
        with self.app.app_context():
            task = db.session.get(HumanTask, self.current) if self.current else None
            if task is None or task.status != "open":
                owner = db.session.get(User, self.owner.id)
                instance = get_engine().start(
                    db.session, self.process_key, {"owner_user_id": owner.id}, actor_for(owner)
                )
                db.session.commit()
                self.current = db.session.scalar(
                    select(HumanTask.id).where(HumanTask.instance_id == instance.id, HumanTask.status == "open")
                )
            return self.current

    def specs(self) -> list[dict]:
        with self.app.test_request_context():
            from webapp.tasks.services import build_form

            task = db.session.get(HumanTask, self.task_id())
            return describe_form(build_form(db.session, task, None))


@pytest.mark.parametrize("form_key", sorted(set(FORM_CLASSES) - OWN_PAGES))
def test_every_task_form_survives_hostile_input_on_the_task_page(app, login, form_key):
    process = OneTaskProcess(app, form_key, f.SOCIAL_WORKER)
    specs = process.specs()
    assert specs, f"{form_key}: no fields described"
    client = login(f.SOCIAL_WORKER)
    # the monitoring tasks are shown on their own page (GET redirects there); the generic page still takes the post
    assert client.get(f"/attivita/{process.task_id()}").status_code in (200, 302)
    fuzz(app, Target(client, lambda: f"/attivita/{process.task_id()}", {}, specs))


def test_the_pact_publication_form_survives_hostile_input(app, login):
    from tests.test_pact import PACT_TEXT, start_publication

    manager = login(f.MANAGER)
    state = {"task": start_publication(manager)}

    def next_task():
        state["task"] = start_publication(manager)

    specs = _specs_of(app, FORM_CLASSES["pubblicazione_patto"])
    baseline = {"title": "Patto di rete", "text": PACT_TEXT, "valid_from": "2030-01-01", "valid_until": "2032-12-31"}
    fuzz(
        app, Target(manager, lambda: f"/patto/pubblicazione/{state['task']}", baseline, specs, after_success=next_task)
    )


def test_the_membership_review_form_survives_hostile_input(app, login):
    from stdnum import luhn
    from stdnum.it import iva

    from tests.test_membership import application_by_cf, submit_new

    manager = login(f.MANAGER)
    rng = random.Random(7)
    state = {}

    def new_application():
        cf = ""
        while not iva.is_valid(cf):  # an organization's codice fiscale: a partita IVA with its Luhn check digit
            body = "".join(str(rng.randrange(10)) for _ in range(7)) + "001"
            cf = body + luhn.calc_check_digit(body)
        submit_new(app.test_client(), codice_fiscale=cf)
        state["application"] = application_by_cf(app, cf).id

    new_application()
    specs = _specs_of(app, FORM_CLASSES["esame_domanda_adesione"])
    fuzz(
        app,
        Target(manager, lambda: f"/adesioni/{state['application']}", {}, specs, after_success=new_application),
    )


def _specs_of(app, form_class) -> list[dict]:
    with app.test_request_context():
        return describe_form(form_class())


# ------------------------------------------------------------------ the other forms of the app
def test_the_membership_scheda_survives_hostile_input(app):
    from forms.membership import SchedaRicognizioneForm
    from tests.test_membership import SCHEDA

    specs = _specs_of(app, SchedaRicognizioneForm)
    fuzz(app, Target(app.test_client(), lambda: "/aderisci/scheda", SCHEDA, specs, extra={"azione": "invia"}))


def test_the_offer_form_survives_hostile_input(app, login):
    from forms.offers import OfferForm
    from tests.test_offers import NEW_OFFER, signed

    signed(app, f.OPERATOR_A)  # only an organization that signed the pact publishes offers
    fuzz(app, Target(login(f.OPERATOR_A), lambda: "/le-nostre-offerte/nuova", NEW_OFFER, _specs_of(app, OfferForm)))


def test_the_signal_form_survives_hostile_input(app, login):
    from forms.signals import SegnalazioneForm
    from tests.test_signals import SIGNAL

    fuzz(app, Target(login(f.OPERATOR_A), lambda: "/segnalazioni/nuova", SIGNAL, _specs_of(app, SegnalazioneForm)))


def test_the_agreement_form_survives_hostile_input(app, login):
    from webapp.agreements.forms import AgreementForm

    baseline = {
        "title": "Accordo UFSMIA",
        "counterpart": "Azienda USL Toscana Centro",
        "valid_from": "2026-01-01",
        "valid_until": "2027-12-31",
    }
    fuzz(app, Target(login(f.MANAGER), lambda: "/accordi/nuovo", baseline, _specs_of(app, AgreementForm)))


def test_the_citizen_request_form_survives_hostile_input(app):
    from forms.citizen import RichiestaPartecipazioneForm
    from tests.journey import offer_id
    from tests.test_citizen import REQUEST

    url = f"/catalogo/offerte/{offer_id(app, 'Pacchi alimentari')}/partecipa"
    # 429: the requests from one address and to one e-mail are limited per hour (refused, nothing stored); each
    # example comes from another address so that the limit does not hide the rest of the form
    addresses = (f"10.9.{n // 250}.{n % 250 + 1}" for n in range(10_000))
    fuzz(
        app,
        Target(
            app.test_client(),
            lambda: url,
            REQUEST,
            _specs_of(app, RichiestaPartecipazioneForm),
            ok_statuses=(200, 302, 422, 429),
            environ=lambda: {"REMOTE_ADDR": next(addresses)},
        ),
    )


def test_the_intake_page_survives_hostile_input(app, login):
    from forms.referral import PresaInCaricoForm
    from tests.journey import INTAKE

    fuzz(app, Target(login(f.SOCIAL_WORKER), lambda: "/casi/nuovo", INTAKE, _specs_of(app, PresaInCaricoForm)))


def test_the_account_forms_survive_hostile_input(app, login):
    from webapp.auth.views import LoginForm
    from webapp.security.views import ChangePasswordForm, ForgotForm, TokenForm

    fuzz(
        app,
        Target(
            app.test_client(),
            lambda: "/accesso",
            {"email": f.OPERATOR_B, "password": "non-la-sua-password"},
            _specs_of(app, LoginForm),
        ),
    )
    fuzz(
        app,
        Target(app.test_client(), lambda: "/password/dimenticata", {"email": f.OPERATOR_B}, _specs_of(app, ForgotForm)),
    )
    operator = login(f.OPERATOR_B)
    fuzz(
        app,
        Target(
            operator,
            lambda: "/profilo/token",
            {"label": "Gestionale"},
            _specs_of(app, TokenForm),
            accepted=lambda response: 'id="nuovo-token"' in response.get_data(as_text=True),
        ),
    )
    # a wrong current password keeps every example from changing the password (and ending the test's session)
    fuzz(
        app,
        Target(
            operator,
            lambda: "/profilo/password",
            {"current": "sbagliata", "password": "una frase lunga e nuova", "confirm": "una frase lunga e nuova"},
            [spec for spec in _specs_of(app, ChangePasswordForm) if spec["name"] != "current"],
        ),
    )
