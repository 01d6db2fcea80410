"""The worklist as people use it (issue #9) and as the database sees it (issue #8).

Filters, sorting, the search over cases, restricted cases never named in lists or found by name, organizations
never seeing each other's tasks through any filter, group tasks claimed and released (one winner when two people
claim at once), empty states that say what to do next, and a page loaded in a constant number of queries.

Most tests build task rows directly (a world of known cases and deadlines, fast); claims on real referral tasks go
through the engine and the HTTP client as people would.
"""

from __future__ import annotations

import re
import threading
import zlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from engine import TaskConflict
from engine.models import HumanTask, JournalEntry, ProcessInstance, ProcessVersion
from tests import factories as f
from tests.conftest import POSTGRES_URL
from tests.test_concurrency import OPERATOR_A2, answer, prepare_referrals
from webapp.auth.models import User
from webapp.extensions import db
from webapp.network.models import Organization
from webapp.referrals.models import Beneficiary, Case, Referral
from webapp.tasks.services import claim_task
from webapp.workflow import get_engine

NOW = datetime.now(UTC)
MANAGER_2 = "resp2@test.it"


# ------------------------------------------------------------------------------------------ a known world
def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _org(cf: str) -> Organization:
    return db.session.scalar(select(Organization).where(Organization.codice_fiscale == cf))


def _instance(process_key: str) -> ProcessInstance:
    version = db.session.scalar(select(ProcessVersion).where(ProcessVersion.process_key == process_key))
    instance = ProcessInstance(
        process_version_id=version.id,
        process_key=process_key,
        status="waiting",
        state_blob=zlib.compress(b"{}"),
        started_at=NOW,
        updated_at=NOW,
    )
    db.session.add(instance)
    db.session.flush()
    return instance


def add_case(owner: User, first: str, last: str, group: str = "poverta", restricted: bool = False, org=None):
    """A case of `owner` with its instance; `org`: the organization it was referred to (with a referral)."""
    instance = _instance("percorso_beneficiario")
    person = Beneficiary(first_name=first, last_name=last, created_at=NOW)
    db.session.add(person)
    db.session.flush()
    case = Case(
        beneficiary_id=person.id,
        owner_id=owner.id,
        instance_id=instance.id,
        target_group=group,
        needs=["generi_alimentari"],
        restricted=restricted,
        consent_share=True,
        status="open",
        opened_at=NOW,
    )
    db.session.add(case)
    db.session.flush()
    if org is not None:
        offer = org_offer(org)
        db.session.add(Referral(case_id=case.id, offer_id=offer, organization_id=org.id, message="m", sent_at=NOW))
        db.session.flush()
    return case


def org_offer(org) -> int:
    from webapp.network.models import Offer

    return db.session.scalar(select(Offer.id).where(Offer.organization_id == org.id).limit(1))


def add_task(
    instance_id: int,
    title: str,
    role: str = "social_worker",
    assignee: User | None = None,
    org=None,
    due: timedelta | None = None,
    created: timedelta = timedelta(0),
    process_key: str = "percorso_beneficiario",
    status: str = "open",
) -> HumanTask:
    task = HumanTask(
        instance_id=instance_id,
        process_key=process_key,
        spiff_task_id=f"t-{title}",
        element_id="e",
        title=title,
        lane=role,
        role=role,
        organization_id=org.id if org is not None else None,
        assignee_id=assignee.id if assignee is not None else None,
        form_key="risposta_invio" if role == "association" else "scelta_offerta",
        status=status,
        due_at=NOW + due if due is not None else None,
        created_at=NOW + created,
    )
    db.session.add(task)
    db.session.flush()
    return task


@pytest.fixture
def world(app):
    """A social worker's tasks on four cases (one restricted), a colleague's, two organizations' and a manager's."""
    with app.app_context():
        worker, colleague = _user(f.SOCIAL_WORKER), _user(f.SOCIAL_WORKER_2)
        org_a, org_b = _org(f.ORG_A_CF), _org(f.ORG_B_CF)
        f.make_user(db.session, MANAGER_2, "manager")
        rossi = add_case(worker, "Mario", "Rossi", org=org_a)
        bianchi = add_case(worker, "Giulia", "Bianchi", group="anziani")
        verdi = add_case(worker, "Anna", "Verdi", group="violenza_genere", restricted=True, org=org_a)
        neri = add_case(colleague, "Paolo", "Neri", org=org_b)
        ids = {
            "rossi": rossi.id,
            "bianchi": bianchi.id,
            "verdi": verdi.id,
            "neri": neri.id,
            "overdue": add_task(rossi.instance_id, "Valuta risposta", assignee=worker, due=-timedelta(days=2)).id,
            "soon": add_task(bianchi.instance_id, "Scegli offerta", assignee=worker, due=timedelta(days=1)).id,
            "later": add_task(
                verdi.instance_id, "Chiudi caso", assignee=worker, due=timedelta(days=20), created=-timedelta(days=9)
            ).id,
            "nodue": add_task(
                _instance("segnalazione").id,
                "Valuta segnalazione",
                process_key="segnalazione",
                created=-timedelta(days=3),
            ).id,
            "colleague": add_task(neri.instance_id, "Del collega", assignee=colleague, due=timedelta(days=1)).id,
            "done": add_task(rossi.instance_id, "Già fatta", assignee=worker, status="completed").id,
            "org_a": add_task(
                rossi.instance_id, "Rispondi all'invio", role="association", org=org_a, due=timedelta(days=4)
            ).id,
            "org_a_verdi": add_task(
                verdi.instance_id, "Rispondi all'invio riservato", role="association", org=org_a, due=timedelta(days=1)
            ).id,
            "org_b": add_task(
                neri.instance_id, "Rispondi (B)", role="association", org=org_b, due=timedelta(days=4)
            ).id,
            "manager": add_task(
                _instance("fase1_adesione").id,
                "Valuta adesione",
                role="manager",
                process_key="fase1_adesione",
                due=timedelta(days=2),
            ).id,
        }
        db.session.commit()
        return ids


class TokenClient:
    """The API as a script calls it: `Authorization: Bearer TOKEN` on every request."""

    def __init__(self, app, email: str):
        from webapp.auth.services import create_token

        with app.app_context():
            token = create_token(db.session, _user(email))
            db.session.commit()
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url, **kwargs):
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url, **kwargs):
        return self.client.post(url, headers=self.headers, **kwargs)


def api(client, **params) -> dict:
    response = client.get("/api/v1/tasks", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def titles(body: dict) -> list[str]:
    return [item["title"] for item in body["items"]]


# ------------------------------------------------------------------------------------------------ filters
def test_filters_by_state_process_and_due_range_narrow_the_social_workers_own_tasks(world, login):
    client = login(f.SOCIAL_WORKER)
    everything = api(client)
    assert set(titles(everything)) == {"Valuta risposta", "Scegli offerta", "Chiudi caso", "Valuta segnalazione"}
    assert everything["total"] == 4
    assert titles(api(client, state="overdue")) == ["Valuta risposta"]
    assert titles(api(client, state="due_soon")) == ["Scegli offerta"]
    assert titles(api(client, state="unclaimed")) == ["Valuta segnalazione"]
    assert titles(api(client, process_key="segnalazione")) == ["Valuta segnalazione"]
    tomorrow = (NOW + timedelta(days=1)).astimezone(UTC).date()
    window = api(client, due_from=(NOW - timedelta(days=3)).date().isoformat(), due_to=tomorrow.isoformat())
    assert set(titles(window)) == {"Valuta risposta", "Scegli offerta"}
    overdue_row = next(i for i in everything["items"] if i["title"] == "Valuta risposta")
    assert overdue_row["overdue"] is True and overdue_row["group_task"] is False
    # the documented fields are still there
    assert {"id", "title", "form_key", "process_key", "instance_id", "lane", "due_at"} <= set(overdue_row)


def test_invalid_filters_are_refused_with_the_reason(world, login):
    client = login(f.SOCIAL_WORKER)
    response = client.get("/api/v1/tasks?state=forse")
    assert response.status_code == 400 and "Stato non valido" in response.get_json()["error"]
    response = client.get("/api/v1/tasks?due_from=31-12-2026")
    assert response.status_code == 400 and "AAAA-MM-GG" in response.get_json()["error"]
    page = client.get("/attivita?scadenza_dal=ieri")
    assert page.status_code == 400
    assert "AAAA-MM-GG" in page.get_data(as_text=True)


def test_target_group_filter_finds_cases_of_that_group(world, login):
    client = login(f.SOCIAL_WORKER)
    assert titles(api(client, target_group="anziani")) == ["Scegli offerta"]
    assert titles(api(client, target_group="violenza_genere")) == ["Chiudi caso"]


def test_organization_filter_for_staff_finds_cases_sent_to_it(world, login):
    client = login(f.SOCIAL_WORKER)
    org_a = None
    with client.application.app_context():
        org_a = _org(f.ORG_A_CF).id
    assert set(titles(api(client, organization_id=org_a))) == {"Valuta risposta", "Chiudi caso"}


# ------------------------------------------------------------------------------------------------ sorting
def test_sorting_by_due_created_and_process_in_both_directions(world, login):
    client = login(f.SOCIAL_WORKER)
    assert titles(api(client)) == ["Valuta risposta", "Scegli offerta", "Chiudi caso", "Valuta segnalazione"]
    # no deadline stays last whatever the direction
    assert titles(api(client, sort="due", order="desc")) == [
        "Chiudi caso",
        "Scegli offerta",
        "Valuta risposta",
        "Valuta segnalazione",
    ]
    assert titles(api(client, sort="created")) == [
        "Chiudi caso",
        "Valuta segnalazione",
        "Valuta risposta",
        "Scegli offerta",
    ]
    assert titles(api(client, sort="created", order="desc"))[0] == "Scegli offerta"
    assert titles(api(client, sort="process"))[-1] == "Valuta segnalazione"
    assert titles(api(client, sort="process", order="desc"))[0] == "Valuta segnalazione"


def test_sortable_headers_say_the_order_and_keep_the_filters(world, login):
    client = login(f.SOCIAL_WORKER)
    html = client.get("/attivita?stato=scadute&ordina=creazione&verso=decrescente").get_data(as_text=True)
    header = re.search(r'<th scope="col" aria-sort="descending">\s*<a[^>]*href="([^"]+)"', html)
    assert header, "the active column says its order with aria-sort"
    link = header.group(1).replace("&amp;", "&")
    assert "stato=scadute" in link and "ordina=creazione" in link and "verso=crescente" in link


def test_pagination_keeps_the_filters(app, world, login):
    with app.app_context():
        worker = _user(f.SOCIAL_WORKER)
        case = db.session.get(Case, world["rossi"])
        for n in range(30):
            add_task(case.instance_id, f"Lotto {n:02d}", assignee=worker, due=-timedelta(hours=n + 1))
        db.session.commit()
    client = login(f.SOCIAL_WORKER)
    html = client.get("/attivita?stato=scadute&cerca=Rossi").get_data(as_text=True)
    assert "31 attività trovate" in html
    pages = re.findall(r'href="(/attivita\?[^"]*pagina=2[^"]*)"', html)
    assert pages and all("stato=scadute" in p and "cerca=Rossi" in p for p in pages)
    second = client.get(pages[0].replace("&amp;", "&")).get_data(as_text=True)
    assert "pagina 2 di 2" in second and "Lotto 00" in second and "Lotto 29" not in second


# ------------------------------------------------------------------------------------------------- search
def test_search_by_case_number_and_by_name(world, login):
    client = login(f.SOCIAL_WORKER)
    assert titles(api(client, q=str(world["bianchi"]))) == ["Scegli offerta"]
    assert titles(api(client, q=f"n. {world['bianchi']}")) == ["Scegli offerta"]
    assert titles(api(client, q="rossi")) == ["Valuta risposta"]
    assert titles(api(client, q="mario ROSSI")) == ["Valuta risposta"]
    assert titles(api(client, q="100%")) == []
    # the owner of a restricted case finds it by name
    assert titles(api(client, q="Verdi")) == ["Chiudi caso"]


def test_restricted_cases_are_masked_in_lists_and_never_found_by_name_by_others(app, world, login):
    with app.app_context():  # the manager has a task on the restricted case
        verdi = db.session.get(Case, world["verdi"])
        add_task(verdi.instance_id, "Supervisione", role="manager", due=timedelta(days=1))
        db.session.commit()
    manager = login(f.MANAGER)
    assert titles(api(manager, q="Verdi")) == []
    assert titles(api(manager, q="Anna")) == []
    assert "Supervisione" in titles(api(manager, q=str(world["verdi"])))
    html = manager.get(f"/attivita?cerca={world['verdi']}").get_data(as_text=True)
    assert "Supervisione" in html and "caso riservato" in html
    assert "Verdi" not in html and "Anna" not in html
    html = manager.get("/attivita?gruppo=violenza_genere").get_data(as_text=True)
    assert "Supervisione" in html and "Verdi" not in html
    # the organization the restricted case was sent to: found by its referral number, never by name
    operator = login(f.OPERATOR_A)
    assert titles(api(operator, q="Anna")) == []
    assert titles(api(operator, q="Mario")) == ["Rispondi all'invio"]


# ------------------------------------------------------------------------------------ association isolation
def test_an_association_never_sees_another_organizations_tasks_through_any_filter(app, world, login):
    with app.app_context():
        org_a = _org(f.ORG_A_CF).id
        neri_case = world["neri"]
        referral_b = db.session.scalar(select(Referral.id).where(Referral.case_id == neri_case))
    client = login(f.OPERATOR_A)
    own = {"Rispondi all'invio", "Rispondi all'invio riservato"}
    probes = [
        {},
        {"organization_id": org_a},
        {"organization_id": _org_b_id(app)},
        {"q": "Paolo"},
        {"q": "Neri"},
        {"q": str(neri_case)},
        {"q": str(referral_b)},
        {"state": "unclaimed"},
        {"state": "due_soon"},
        {"target_group": "poverta"},
        {"process_key": "percorso_beneficiario"},
        {"sort": "process", "order": "desc"},
    ]
    for params in probes:
        seen = set(titles(api(client, **params)))
        assert seen <= own, (params, seen)
    page = client.get("/attivita?cerca=Neri&organizzazione=1&gruppo=poverta").get_data(as_text=True)
    assert "Rispondi (B)" not in page and "Paolo" not in page
    assert 'id="f-organizzazione"' not in page and 'id="f-gruppo"' not in page


def _org_b_id(app) -> int:
    with app.app_context():
        return _org(f.ORG_B_CF).id


# -------------------------------------------------------------------------------------------- empty states
def test_empty_states_tell_no_tasks_from_no_match(app, world, login):
    client = login(f.ADMIN)
    html = client.get("/attivita").get_data(as_text=True)
    assert 'id="worklist-empty"' in html and "Nessuna attività da completare" in html
    worker = login(f.SOCIAL_WORKER)
    html = worker.get("/attivita?cerca=Zzzz").get_data(as_text=True)
    assert 'id="worklist-no-match"' in html and "Nessuna attività corrisponde ai filtri" in html
    assert "Hai 4 attività aperte in tutto" in html and "Azzera i filtri" in html
    html = worker.get("/attivita").get_data(as_text=True)
    assert 'id="worklist-no-match"' not in html and 'id="worklist-empty"' not in html


def test_overdue_rows_stand_out_with_words_not_only_colour(world, login):
    html = login(f.SOCIAL_WORKER).get("/attivita").get_data(as_text=True)
    row = re.search(r'<tr class="task-overdue">(.*?)</tr>', html, re.S)
    assert row and "Valuta risposta" in row.group(1) and "Scaduta" in row.group(1)
    assert "In scadenza" in html  # the task due tomorrow


# ------------------------------------------------------------------------------------------- no N+1
def test_the_worklist_page_runs_the_same_number_of_queries_for_4_or_25_rows(app, world, login):
    """Rows of cases and of signals (tasks without a case) alike: no query per row."""
    client = login(f.SOCIAL_WORKER)
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def queries_for(url: str) -> int:
        statements.clear()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = queries_for("/attivita")
    with app.app_context():
        worker = _user(f.SOCIAL_WORKER)
        for n in range(16):
            case = add_case(worker, f"Persona{n}", "Test")
            add_task(case.instance_id, f"Compito {n}", assignee=worker, due=timedelta(days=5))
        for n in range(6):
            add_task(_instance("segnalazione").id, f"Segnalazione {n}", process_key="segnalazione")
        db.session.commit()
    many = queries_for("/attivita")
    assert "Compito 15" in client.get("/attivita").get_data(as_text=True)
    assert many == few, f"{few} queries for 4 rows, {many} for 25"


# --------------------------------------------------------------------------------------------- group tasks
def test_claim_and_release_a_group_task_through_the_api(app, login):
    task_id = prepare_referrals(app, 1)[0]
    first, second = TokenClient(app, f.OPERATOR_A), TokenClient(app, OPERATOR_A2)

    claimed = first.post(f"/api/v1/tasks/{task_id}/claim")
    assert claimed.status_code == 200 and claimed.get_json()["claimed_by_id"] is not None
    # the colleague still sees it, with who took it
    row = next(i for i in api(second)["items"] if i["id"] == task_id)
    assert row["claimed_by"] == "op.a" and row["group_task"] is True
    assert task_id not in [i["id"] for i in api(second, state="unclaimed")["items"]]
    assert task_id in [i["id"] for i in api(first, state="mine")["items"]]
    # ... and can neither claim nor complete it
    refused = second.post(f"/api/v1/tasks/{task_id}/claim")
    assert refused.status_code == 409 and "già stata presa in carico" in refused.get_json()["error"]
    blocked = second.post(f"/api/v1/tasks/{task_id}/complete", json={"data": answer(OPERATOR_A2)})
    assert blocked.status_code == 409 and "presa in carico" in blocked.get_json()["error"]
    page = login(OPERATOR_A2).get(f"/attivita/{task_id}").get_data(as_text=True)
    assert "Presa in carico da op.a" in page and 'id="task-form"' not in page
    # the other organization does not even know it exists
    assert TokenClient(app, f.OPERATOR_B).post(f"/api/v1/tasks/{task_id}/claim").status_code == 404
    # released: back to the group, the colleague can complete it
    assert second.post(f"/api/v1/tasks/{task_id}/release").status_code == 409
    released = first.post(f"/api/v1/tasks/{task_id}/release")
    assert released.status_code == 200 and released.get_json()["claimed_by_id"] is None
    done = second.post(f"/api/v1/tasks/{task_id}/complete", json={"data": answer(OPERATOR_A2)})
    assert done.status_code == 200, done.get_json()
    with app.app_context():
        instance_id = db.session.get(HumanTask, task_id).instance_id
        kinds = db.session.scalars(
            select(JournalEntry.kind).where(JournalEntry.instance_id == instance_id).order_by(JournalEntry.id)
        ).all()
        assert kinds.count("task_claimed") == 1 and kinds.count("task_released") == 1
        last_completion = len(kinds) - 1 - kinds[::-1].index("task_completed")
        assert kinds.index("task_claimed") < kinds.index("task_released") < last_completion


def test_claim_and_release_from_the_pages(app, login):
    task_id = prepare_referrals(app, 1)[0]
    client = login(f.OPERATOR_A)
    html = client.get("/attivita").get_data(as_text=True)
    assert "Di gruppo, libera" in html and f"/attivita/{task_id}/prendi-in-carico" in html
    response = client.post(f"/attivita/{task_id}/prendi-in-carico", data={"torna": "/attivita?stato=libere"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/attivita?stato=libere")
    html = client.get("/attivita?stato=mie").get_data(as_text=True)
    assert "Presa in carico da te" in html and f"/attivita/{task_id}/rilascia" in html
    assert "Hai preso in carico" in html
    # an outside address in `torna` is ignored: back to the task
    response = client.post(f"/attivita/{task_id}/rilascia", data={"torna": "https://example.org/attivita"})
    assert response.headers["Location"].endswith(f"/attivita/{task_id}")
    with app.app_context():
        assert db.session.get(HumanTask, task_id).claimed_by_id is None


def test_a_manager_takes_over_a_colleagues_claim_and_others_may_not(app, world, login):
    task_id = world["manager"]
    first, second = TokenClient(app, f.MANAGER), TokenClient(app, MANAGER_2)
    assert first.post(f"/api/v1/tasks/{task_id}/claim").status_code == 200
    assert second.post(f"/api/v1/tasks/{task_id}/claim").status_code == 409
    taken = second.post(f"/api/v1/tasks/{task_id}/claim", json={"take_over": True})
    assert taken.status_code == 200
    with app.app_context():
        assert db.session.get(HumanTask, task_id).claimed_by_id == _user(MANAGER_2).id
        entry = db.session.scalar(select(JournalEntry).where(JournalEntry.kind == "task_taken_over"))
        assert entry.details["previous_claimant_id"] == _user(f.MANAGER).id
    # a task assigned to one person is not a group task
    worker = TokenClient(app, f.SOCIAL_WORKER)
    refused = worker.post(f"/api/v1/tasks/{world['soon']}/claim")
    assert refused.status_code == 409 and "assegnata a una persona" in refused.get_json()["error"]
    # organizations' operators may not take over (no manager among them)
    task_a = world["org_a"]
    assert TokenClient(app, f.OPERATOR_A).post(f"/api/v1/tasks/{task_a}/claim").status_code == 200
    with app.app_context():
        f.make_user(db.session, OPERATOR_A2, "association", _org(f.ORG_A_CF))
        db.session.commit()
    again = TokenClient(app, OPERATOR_A2).post(f"/api/v1/tasks/{task_a}/claim", json={"take_over": True})
    assert again.status_code == 409


def test_a_stale_claim_loses_to_the_one_already_committed(app, world):
    """Deterministic interleaving on every database: both saw the task free; the later UPDATE matches no row."""
    from sqlalchemy.orm import Session

    from webapp.auth.services import actor_for

    task_id = world["org_a"]
    with app.app_context():
        engine = get_engine()
        f.make_user(db.session, OPERATOR_A2, "association", _org(f.ORG_A_CF))
        db.session.commit()
        late = Session(db.engine)
        try:
            loser = late.scalar(select(User).where(User.email == OPERATOR_A2))
            assert late.get(HumanTask, task_id).claimed_by_id is None  # seen free, kept in this session
            claim_task(db.session, engine, _user(f.OPERATOR_A), task_id)  # the other person commits first
            with pytest.raises(TaskConflict, match="già stata presa in carico"):
                engine.claim(late, task_id, actor_for(loser))
            late.rollback()
        finally:
            late.close()
        db.session.expire_all()
        assert db.session.get(HumanTask, task_id).claimed_by_id == _user(f.OPERATOR_A).id
        claims = db.session.scalar(
            select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "task_claimed")
        )
        assert claims == 1


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="needs TESSERE_TEST_DATABASE_URL (PostgreSQL)")
@pytest.mark.parametrize("database", ["postgresql"])
def test_two_people_claim_the_same_task_at_once_exactly_one_wins_on_postgresql(app):
    task_ids = prepare_referrals(app, 10)
    people = (f.OPERATOR_A, OPERATOR_A2)
    for task_id in task_ids:
        start_line = threading.Barrier(2, timeout=60)
        outcomes: list[tuple[str, str] | None] = [None, None]

        def claim_in_thread(index: int, email: str, task_id: int = task_id, start_line=start_line, outcomes=outcomes):
            with app.app_context():
                try:
                    user = _user(email)
                    db.session.commit()
                    start_line.wait()
                    claim_task(db.session, get_engine(), user, task_id)
                    outcomes[index] = ("ok", email)
                except TaskConflict as exc:
                    outcomes[index] = ("conflict", str(exc))
                except BaseException as exc:  # noqa: BLE001 - reported by the assertion
                    outcomes[index] = ("error", f"{type(exc).__name__}: {exc}")
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=claim_in_thread, args=(i, e), daemon=True) for i, e in enumerate(people)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
            assert not thread.is_alive()
        kinds = sorted(o[0] for o in outcomes)
        assert kinds == ["conflict", "ok"], outcomes
        loser = next(o for o in outcomes if o[0] == "conflict")
        assert "presa in carico da un'altra persona" in loser[1] or "aggiornato questo caso" in loser[1], loser
        winner_email = next(o[1] for o in outcomes if o[0] == "ok")
        with app.app_context():
            task = db.session.get(HumanTask, task_id)
            assert task.claimed_by_id == _user(winner_email).id
            claims = db.session.scalar(
                select(func.count())
                .select_from(JournalEntry)
                .where(JournalEntry.instance_id == task.instance_id, JournalEntry.kind == "task_claimed")
            )
            assert claims == 1
            db.session.remove()
