"""The elenco della rete as open data: the public fields of the approved organizations, as CSV and JSON.

Public means what an organization publishes about itself: name, type, codice fiscale and partita IVA, seats and
opening hours, public contacts, activities, sectors, beneficiaries and needs, area, affiliations and enrolments.
Never the people: not the legal representative, not the referent, not the PEC (kept for official mail).

Organizations that joined before Fase 1 (no scheda) appear with the fields their `Organization` row has.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return) are prefixed
with an apostrophe (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from forms.membership import ALBO_COOP_SECTIONS, AREA_SCOPES, RUNTS_SECTIONS, SECTORS
from forms.vocabulary import NEED_LABELS, ORGANIZATION_TYPES, TARGET_GROUPS_BY_CODE, italian
from webapp.membership.models import APPROVED, MembershipApplication
from webapp.network.models import Organization

LICENSE = "CC-BY-4.0"
TITLE = "Elenco delle organizzazioni della rete Tessere – Comune di Campi Bisenzio"

CSV_COLUMNS = (
    "denominazione",
    "tipo",
    "tipo_descrizione",
    "codice_fiscale",
    "partita_iva",
    "sede_legale",
    "sedi_operative",
    "telefono",
    "email",
    "sito_web",
    "descrizione_attivita",
    "ambiti",
    "tipologie_beneficiari",
    "bisogni",
    "area_operativita",
    "affiliazioni",
    "iscrizioni_registri",
    "iscritta_dal",
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TYPES = dict(ORGANIZATION_TYPES)
_SECTORS = dict(SECTORS)
_AREAS = dict(AREA_SCOPES)
_RUNTS = dict(RUNTS_SECTIONS)
_ALBO = dict(ALBO_COOP_SECTIONS)
_REGISTRIES = {"runts": "RUNTS", "albo_cooperative_sociali": "Albo regionale cooperative sociali", "altro": "Altro"}


def _coded(codes, labels) -> list[dict]:
    return [{"codice": code, "descrizione": italian(labels.get(code, code))} for code in codes or []]


def elenco_entries(session: Session) -> list[dict]:
    """One dict per approved organization, by name: the public fields only."""
    organizations = list(
        session.scalars(select(Organization).where(Organization.status == "approved").order_by(Organization.name))
    )
    schede: dict[int, MembershipApplication] = {}
    if organizations:
        for application in session.scalars(
            select(MembershipApplication)
            .options(selectinload(MembershipApplication.sites), selectinload(MembershipApplication.enrolments))
            .where(
                MembershipApplication.status == APPROVED,
                MembershipApplication.organization_id.in_([o.id for o in organizations]),
            )
            .order_by(MembershipApplication.decided_at, MembershipApplication.id)
        ):
            schede[application.organization_id] = application  # the latest approved scheda wins
    return [_entry(organization, schede.get(organization.id)) for organization in organizations]


def _entry(organization: Organization, scheda: MembershipApplication | None) -> dict:
    entry = {
        "denominazione": organization.name,
        "tipo": organization.type,
        "tipo_descrizione": italian(_TYPES.get(organization.type, organization.type)),
        "codice_fiscale": organization.codice_fiscale,
        "partita_iva": None,
        "sede_legale": organization.address,
        "sedi_operative": [],
        "telefono": organization.phone,
        "email": organization.email,
        "sito_web": None,
        "descrizione_attivita": organization.description,
        "ambiti": [],
        "tipologie_beneficiari": [],
        "bisogni": [],
        "area_operativita": organization.area,
        "affiliazioni": {"provinciale": None, "regionale": None, "nazionale": None},
        "iscrizioni_registri": (
            [{"registro": "Altro", "sezione": None, "numero": None, "descrizione": organization.registry_enrolment}]
            if organization.registry_enrolment
            else []
        ),
        "iscritta_dal": _date(organization.created_at),
    }
    if scheda is None:
        return entry
    entry.update(
        {
            "partita_iva": scheda.partita_iva,
            "sedi_operative": [
                {
                    "nome": site.name,
                    "indirizzo": site.address,
                    "cap": site.postcode,
                    "comune": site.municipality,
                    "orari": site.opening_hours,
                }
                for site in scheda.sites
            ],
            "sito_web": scheda.website,
            "ambiti": _coded(scheda.sectors, _SECTORS),
            "tipologie_beneficiari": _coded(
                scheda.target_groups, {code: g.label for code, g in TARGET_GROUPS_BY_CODE.items()}
            ),
            "bisogni": _coded(scheda.needs, NEED_LABELS),
            "area_operativita": " – ".join(
                p for p in (italian(_AREAS.get(scheda.area_scope or "")), scheda.area_detail) if p
            ),
            "affiliazioni": {
                "provinciale": scheda.affiliation_provincial,
                "regionale": scheda.affiliation_regional,
                "nazionale": scheda.affiliation_national,
            },
            "iscrizioni_registri": [
                {
                    "registro": _REGISTRIES.get(enrolment.kind, enrolment.kind),
                    "sezione": italian(
                        (_RUNTS if enrolment.kind == "runts" else _ALBO).get(enrolment.section or "", enrolment.section)
                    )
                    or None,
                    "numero": enrolment.number,
                    "descrizione": enrolment.description,
                }
                for enrolment in scheda.enrolments
            ],
            "iscritta_dal": _date(scheda.decided_at),
        }
    )
    return entry


def _date(moment: datetime | None) -> str | None:
    return moment.date().isoformat() if moment else None


def elenco_json(entries: list[dict], now: datetime) -> dict:
    return {
        "titolo": TITLE,
        "licenza": LICENSE,
        "generato_il": now.isoformat(timespec="seconds"),
        "numero_organizzazioni": len(entries),
        "organizzazioni": entries,
    }


def safe_cell(value) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _flat(entry: dict) -> list[str]:
    sites = " | ".join(
        ", ".join(p for p in (s["nome"], s["indirizzo"], " ".join(x for x in (s["cap"], s["comune"]) if x)) if p)
        + (f" (orari: {s['orari']})" if s["orari"] else "")
        for s in entry["sedi_operative"]
    )
    affiliations = " | ".join(f"{level}: {name}" for level, name in entry["affiliazioni"].items() if name)
    enrolments = " | ".join(
        " ".join(
            p
            for p in (
                e["registro"],
                f"– {e['sezione']}" if e["sezione"] else "",
                f"n. {e['numero']}" if e["numero"] else "",
                e["descrizione"] if e["registro"] == "Altro" else "",
            )
            if p
        )
        for e in entry["iscrizioni_registri"]
    )
    values = {
        **entry,
        "sedi_operative": sites,
        "ambiti": " | ".join(item["descrizione"] for item in entry["ambiti"]),
        "tipologie_beneficiari": " | ".join(item["descrizione"] for item in entry["tipologie_beneficiari"]),
        "bisogni": " | ".join(item["descrizione"] for item in entry["bisogni"]),
        "affiliazioni": affiliations,
        "iscrizioni_registri": enrolments,
    }
    return [safe_cell(values[column]) for column in CSV_COLUMNS]


def elenco_csv(entries: list[dict]) -> str:
    """RFC 4180 CSV (comma, double quotes, CRLF), UTF-8, one header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(_flat(entry))
    return buffer.getvalue()
