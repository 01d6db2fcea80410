"""Monitoring figures against hand-computed expectations on a small data set, the privacy rule, and the exports.

The data set (period 1 January – 31 March 2026, Europe/Rome; "now" is 10 April 2026):

    ref  local day  group      organization / offer   state        answered after  needs counted
    r9   1 Jan *    poverta    A Pacchi alimentari    rifiutato    1 day           riuso
    r1   10 Jan     poverta    A Pacchi alimentari    accettato    1 day           generi_alimentari
    r2   20 Jan     poverta    B Mensa solidale       rifiutato    2 days          mensa
    r6   1 Feb      violenza   A Ascolto donne        accettato    0.5 day         ascolto_antiviolenza
    r3   5 Feb      poverta    B Mensa solidale       concluso     3 days          mensa, generi_alimentari
    r4   15 Feb     anziani    B Compagnia            scaduto      —               contrasto_solitudine
    r7   3 Mar      violenza   A Ascolto donne        accettato    1.5 days        ascolto_antiviolenza
    r5   31 Mar **  anziani    B Compagnia            inviato      —               contrasto_solitudine
    r8   5 Apr      poverta    (outside the period)

    *  sent 31 Dec 2025 at 23:30 UTC, already 1 January in Campi Bisenzio
    ** sent 30 Mar at 22:30 UTC (31 March in Campi Bisenzio), still waiting on 10 April: overdue
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests import factories
from webapp.extensions import db
from webapp.monitoring import exports, privacy
from webapp.monitoring.figures import Filters, compute_dashboard
from webapp.monitoring.tables import COUNT, Cell, Column, FigureTable, Row
from webapp.network.models import Offer
from webapp.referrals.models import Beneficiary, Case, Referral

NOW = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)
PERIOD = Filters(date(2026, 1, 1), date(2026, 3, 31))


def _offer(title: str) -> Offer:
    return db.session.scalar(select(Offer).where(Offer.title == title))


def _case(group: str, needs: list[str], closed: tuple[datetime, str] | None = None) -> Case:
    owner = db.session.scalar(select(factories.User).where(factories.User.email == factories.SOCIAL_WORKER))
    person = Beneficiary(first_name="Persona", last_name="Prova", created_at=NOW)
    db.session.add(person)
    db.session.flush()
    case = Case(
        beneficiary_id=person.id,
        owner_id=owner.id,
        target_group=group,
        needs=needs,
        restricted=group in privacy.SPECIAL_CATEGORY_GROUPS,
        consent_share=True,
        status="closed" if closed else "open",
        opened_at=NOW - timedelta(days=200),
        closed_at=closed[0] if closed else None,
        closing_outcome=closed[1] if closed else None,
    )
    db.session.add(case)
    db.session.flush()
    return case


def _referral(case, offer_title, sent, status, answered_days=None, outcome=None) -> Referral:
    offer = _offer(offer_title)
    referral = Referral(
        case_id=case.id,
        offer_id=offer.id,
        organization_id=offer.organization_id,
        message="prova",
        status=status,
        sent_at=sent,
        answered_at=sent + timedelta(days=answered_days) if answered_days is not None else None,
        outcome=outcome,
    )
    db.session.add(referral)
    return referral


def seed_small_data_set() -> None:
    utc = lambda *a: datetime(*a, tzinfo=UTC)  # noqa: E731
    _referral(_case("poverta", ["riuso"]), "Pacchi alimentari", utc(2025, 12, 31, 23, 30), "rifiutato", 1)
    _referral(
        _case("poverta", ["generi_alimentari"]), "Pacchi alimentari", utc(2026, 1, 10, 10), "accettato", 1, "in_corso"
    )
    _referral(_case("poverta", ["mensa"]), "Mensa solidale", utc(2026, 1, 20, 10), "rifiutato", 2)
    _referral(
        _case("violenza_genere", ["ascolto_antiviolenza"]), "Ascolto donne", utc(2026, 2, 1, 10), "accettato", 0.5
    )
    closed = _case("poverta", ["mensa", "generi_alimentari"], (utc(2026, 3, 10, 10), "obiettivi_raggiunti"))
    _referral(closed, "Mensa solidale", utc(2026, 2, 5, 10), "concluso", 3, "concluso_positivo")
    _referral(_case("anziani", ["contrasto_solitudine"]), "Compagnia agli anziani", utc(2026, 2, 15, 10), "scaduto")
    _referral(
        _case("violenza_genere", ["ascolto_antiviolenza"]), "Ascolto donne", utc(2026, 3, 3, 10), "accettato", 1.5
    )
    _referral(_case("anziani", ["contrasto_solitudine"]), "Compagnia agli anziani", utc(2026, 3, 30, 22, 30), "inviato")
    _referral(_case("poverta", ["mensa"]), "Mensa solidale", utc(2026, 4, 5, 10), "inviato")
    db.session.commit()


@pytest.fixture
def seeded(app):
    with app.app_context():
        seed_small_data_set()
    return app


@pytest.fixture
def ctx(seeded):
    """An app context for computing figures in-process (HTTP requests are made outside it, see `seeded`)."""
    with seeded.app_context():
        yield db.session


def _rows(table: dict) -> dict[str, dict[str, str]]:
    keys = [c["key"] for c in table["columns"]]
    rows = {row["key"]: dict(zip(keys, (c["text"] for c in row["cells"]), strict=True)) for row in table["rows"]}
    if table["total"]:
        rows["totale"] = dict(zip(keys, (c["text"] for c in table["total"]["cells"]), strict=True))
    return rows


def test_poverty_figures_match_the_hand_computed_ones(ctx):
    dashboard = compute_dashboard(ctx, Filters(PERIOD.start, PERIOD.end, "poverta"), now=NOW)
    tables = dashboard.tables()
    kpi = {i.key: i.text for i in dashboard.indicators}
    assert kpi["inviati"] == "4" and kpi["accettati"] == "2"
    assert kpi["tasso"] == "50,0%" and kpi["mediana"] == "1,5" and kpi["ritardo"] == "0"

    trend = _rows(tables["andamento"])
    assert [tables["andamento"]["rows"][i]["label"] for i in range(3)] == ["gen 2026", "feb 2026", "mar 2026"]
    assert trend["2026-01-01"] == {**trend["2026-01-01"], "inviati": "3", "accettati": "1", "rifiutati": "2"}
    assert trend["2026-02-01"]["inviati"] == "1" and trend["2026-02-01"]["conclusi"] == "1"
    assert trend["2026-03-01"]["inviati"] == "0"
    assert trend["totale"]["inviati"] == "4" and trend["totale"]["conclusi"] == "1"

    needs = _rows(tables["bisogni"])
    assert needs["generi_alimentari"]["inviati"] == "2" and needs["generi_alimentari"]["accettati"] == "2"
    assert needs["mensa"]["inviati"] == "2" and needs["mensa"]["accettati"] == "1"
    assert needs["riuso"] == {"inviati": "1", "accettati": "0", "tasso": "0,0%"}

    organizations = {row["label"]: row for row in tables["organizzazioni"]["rows"]}
    assert [c["text"] for c in organizations["Emporio Solidale di prova"]["cells"][:5]] == ["2", "1", "1", "0", "0"]
    assert [c["text"] for c in organizations["Cooperativa di prova"]["cells"][:5]] == ["2", "1", "1", "0", "0"]

    closing = _rows(tables["esiti_chiusura"])
    assert closing["obiettivi_raggiunti"]["n"] == "1" and closing["totale"]["quota"] == "100,0%"
    outcomes = _rows(tables["esiti_interventi"])
    assert outcomes["in_corso"]["n"] == "1" and outcomes["concluso_positivo"]["quota"] == "50,0%"


def test_whole_period_totals_median_and_overdue(ctx):
    dashboard = compute_dashboard(ctx, PERIOD, now=NOW)
    groups = _rows(dashboard.tables()["gruppi"])
    assert groups["totale"]["inviati"] == "8"  # r8 (5 April) is outside; r9 (1 January in Rome) inside
    assert groups["poverta"]["mediana_giorni"] == "1,5"
    overdue = _rows(dashboard.tables()["ritardi"])
    assert overdue["totale"]["in_ritardo"] == "2"  # r4 lapsed, r5 waiting for more than five days
    anziani = _rows(compute_dashboard(ctx, Filters(PERIOD.start, PERIOD.end, "anziani"), now=NOW).tables()["gruppi"])
    assert anziani["anziani"]["scaduti"] == "1" and anziani["anziani"]["in_attesa"] == "1"
    assert anziani["anziani"]["tasso"] == "0,0%"


def test_special_category_counts_under_five_are_suppressed_with_their_complements(ctx):
    dashboard = compute_dashboard(ctx, PERIOD, now=NOW)
    groups = dashboard.tables()["gruppi"]
    rows = _rows(groups)
    assert rows["violenza_genere"]["inviati"] == "<5" and rows["violenza_genere"]["accettati"] == "<5"
    assert rows["violenza_genere"]["rifiutati"] == "0"  # zero reveals nobody
    assert rows["violenza_genere"]["tasso"] == "n.d." and rows["violenza_genere"]["mediana_giorni"] == "n.d."
    assert rows["totale"]["inviati"] == "8"
    # Column "inviati": the violence row alone hidden would be total minus the others: another one is hidden too.
    assert rows["anziani"]["inviati"] == "n.d."
    assert rows["poverta"]["inviati"] == "4"
    _assert_no_relation_reveals_a_hidden_cell(groups)
    kpi = {i.key: i.text for i in dashboard.indicators}
    assert kpi["accettati"] == "<5"  # 4 accepted, two of them victims of violence
    # Nothing hidden leaves the server: the chart data and the exports carry markers, never the number.
    for row in groups["rows"]:
        for cell in row["cells"]:
            if cell["suppressed"]:
                assert cell["value"] in ("<5", "n.d.")


def _assert_no_relation_reveals_a_hidden_cell(table: dict) -> None:
    index = {c["key"]: i for i, c in enumerate(table["columns"])}
    parts = ["accettati", "rifiutati", "scaduti", "in_attesa"]
    for row in [*table["rows"], table["total"]]:
        hidden = [k for k in [*parts, "inviati"] if row["cells"][index[k]]["suppressed"]]
        assert len(hidden) != 1, f"row {row['label']}: {hidden} could be computed back"
    for key in [*parts, "inviati"]:
        hidden = [r["label"] for r in [*table["rows"], table["total"]] if r["cells"][index[key]]["suppressed"]]
        assert len(hidden) != 1, f"column {key}: {hidden} could be computed back"


def test_suppression_helper_on_a_hand_made_table():
    columns = [
        Column("tot", "Totale", COUNT, total=True),
        Column("a", "A", COUNT, part=True),
        Column("b", "B", COUNT, part=True),
    ]
    table = FigureTable("t", "Prova", columns)
    table.rows = [
        Row("x", "Violenza", {"tot": Cell(3, 3, True), "a": Cell(1, 1, True), "b": Cell(2, 2, True)}),
        Row("y", "Povertà", {"tot": Cell(10, 10), "a": Cell(6, 6), "b": Cell(4, 4)}),
        Row("z", "Anziani", {"tot": Cell(7, 7), "a": Cell(5, 5), "b": Cell(2, 2)}),
    ]
    table.total = Row("totale", "Totale", {"tot": Cell(20, 20, True), "a": Cell(12, 12, True), "b": Cell(8, 8, True)})
    privacy.suppress(table)
    shown = {r.key: {k: c.display(COUNT) for k, c in r.cells.items()} for r in table.all_rows()}
    assert shown["x"] == {"tot": "<5", "a": "<5", "b": "<5"}
    # each column had one hidden cell: the smallest other positive cell of the column is hidden as well
    assert shown["z"]["tot"] == "n.d." and shown["z"]["b"] == "n.d."
    assert shown["totale"] == {"tot": "20", "a": "12", "b": "8"}
    assert shown["y"] == {"tot": "10", "a": "6", "b": "4"}
    # a count of five or more special-category people, or of non-special people, is never hidden
    assert not privacy.needs_primary_suppression(Cell(5, 5, True))
    assert not privacy.needs_primary_suppression(Cell(2, 2, False))
    assert privacy.needs_primary_suppression(Cell(9, 4, True))  # 9 referrals but only 4 people


def test_an_organization_sees_only_its_own_figures(seeded, login):
    with seeded.app_context():
        org_a = db.session.scalar(
            select(factories.Organization).where(factories.Organization.codice_fiscale == factories.ORG_A_CF)
        )
        dashboard = compute_dashboard(db.session, PERIOD, now=NOW, organization_scope=org_a.id)
    assert "organizzazioni" not in dashboard.tables() and "rete" not in dashboard.tables()
    offers = {row["label"] for row in dashboard.tables()["offerte"]["rows"]}
    assert offers == {"Pacchi alimentari (Emporio Solidale di prova)", "Ascolto donne (Emporio Solidale di prova)"}
    client = login(factories.OPERATOR_A)
    response = client.get("/monitoraggio?dal=2026-01-01&al=2026-03-31&organizzazione=999")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Emporio Solidale di prova" in page and "Pacchi alimentari" in page
    assert "Cooperativa di prova" not in page and "Mensa solidale" not in page
    assert client.get("/monitoraggio/programmazione").status_code == 404
    assert login(factories.SOCIAL_WORKER).get("/monitoraggio").status_code == 404


def test_csv_export_has_the_table_and_neutralises_formulas(seeded, login):
    with seeded.app_context():
        _offer("Mensa solidale").organization.name = '=HYPERLINK("http://x")'
        db.session.commit()
    client = login(factories.MANAGER)
    response = client.get("/monitoraggio/esporta/organizzazioni.csv?dal=2026-01-01&al=2026-03-31&gruppo=poverta")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Invii per organizzazione"]
    header = next(r for r in rows if r and r[0] == "Organizzazione")
    assert header[1:6] == ["Inviati", "Accettati", "Rifiutati", "Scaduti senza risposta", "In attesa"]
    body = {r[0]: r[1:] for r in rows[rows.index(header) + 1 :] if len(r) > 2}
    assert body['\'=HYPERLINK("http://x")'][:3] == ["2", "1", "1"]
    assert body["Totale"][:3] == ["4", "2", "2"] and body["Totale"][5] == "50,0"
    assert exports.safe_text("+1") == "'+1" and exports.safe_text("@x") == "'@x" and exports.safe_text("-") == "'-"


def test_xlsx_export_has_numbers_markers_and_no_formulas(seeded, login):
    with seeded.app_context():
        _offer("Ascolto donne").title = "@SUM(A1:A9)"
        db.session.commit()
    client = login(factories.MANAGER)
    response = client.get("/monitoraggio/esporta/tutte.xlsx?dal=2026-01-01&al=2026-03-31")
    assert response.status_code == 200 and response.mimetype == exports.XLSX_MIMETYPE
    book = load_workbook(io.BytesIO(response.data))
    sheets = {book[name]["A1"].value: book[name] for name in book.sheetnames}  # sheet names are cut at 31
    sheet = sheets["Invii per gruppo di destinatari"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if row[0] == "Gruppo di destinatari")
    rows = {row[0]: row[1:] for row in values[header + 1 :] if row and row[0]}
    assert rows["Povertà e marginalità sociale"][:5] == [4, 2, 2, 0, 0]
    assert rows["Vittime di violenza di genere"][:2] == ["<5", "<5"]
    assert rows["Totale"][0] == 8
    for name in book.sheetnames:
        for row in book[name].iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {name}!{cell.coordinate}"
    offers = [[c.value for c in row] for row in sheets["Invii per offerta"].iter_rows()]
    assert any(row[0] == "'@SUM(A1:A9) (Emporio Solidale di prova)" for row in offers)


def test_dashboard_page_renders_charts_data_and_tables(seeded, login):
    page = login(factories.MANAGER).get("/monitoraggio?dal=2026-01-01&al=2026-03-31").get_data(as_text=True)
    assert (
        'data-chart-source="dati-andamento"' in page and '<script type="application/json" id="dati-andamento">' in page
    )
    assert 'id="tabella-gruppi"' in page and "<caption>Invii per gruppo di destinatari</caption>" in page
    assert "Bisogni del piano senza alcuna offerta" in page and "js/dashboard.js" in page
    assert "<script>" not in page and 'style="' not in page
