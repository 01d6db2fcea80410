"""The period report: the figures, the charts, the questionnaires and the manager's conclusions, as HTML and PDF.

At publication the report is frozen (`build_snapshot`): the already-suppressed tables, the questionnaires and the
conclusions go into `MonitoringPeriod.snapshot` and its PDF into `report_pdf`, so the archive never changes when
the data does (a referral answered late, an organization renamed). Before publication the same builder gives the
manager a draft from live data. The PDF is made by WeasyPrint from the print template; its charts are SVG
(`svgcharts`), the tables printed beside them.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import Session

from webapp.monitoring import services, svgcharts
from webapp.monitoring.figures import Filters, compute_dashboard, local_day
from webapp.monitoring.models import MonitoringPeriod
from webapp.monitoring.tables import chart_data

log = logging.getLogger(__name__)
SNAPSHOT_VERSION = 1


def build_snapshot(session: Session, period: MonitoringPeriod, now: datetime) -> dict[str, Any]:
    """Everything the report shows, as plain JSON (no suppressed number is in it).

    Always in Italian, whoever publishes it or looks at the draft: the report is an official document of the
    Comune and its archive must not depend on the language of the person who happened to publish it (the pages
    around it follow the reader's language; the figures' titles and labels inside stay as archived).
    """
    with force_locale("it"):
        return _build_snapshot(session, period, now)


def _build_snapshot(session: Session, period: MonitoringPeriod, now: datetime) -> dict[str, Any]:
    dashboard = compute_dashboard(session, Filters(period.start, period.end, granularity="mese"), now=now)
    items = services.questionnaires(session, period)
    publisher = period.published_by.name if period.published_by is not None else None
    return {
        "version": SNAPSHOT_VERSION,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": services.label(period)},
        "generated_at": now.isoformat(),
        "indicators": [asdict(i) for i in dashboard.indicators],
        "sections": [{"id": s.id, "title": s.title, "tables": s.tables} for s in dashboard.sections],
        "questionnaires": [
            {
                "organization": q.organization.name,
                "status": q.status,
                "status_label": q.status_label,
                "activities": q.activities,
                "activities_count": q.activities_count,
                "people_reached": q.people_reached,
                "volunteers": q.volunteers,
                "difficulties": q.difficulties,
                "proposals": q.proposals,
                "submitted_at": q.submitted_at.isoformat() if q.submitted_at else None,
            }
            for q in items
        ],
        "questionnaire_totals": services.questionnaire_totals(items),
        "good_practices": [
            {
                "title": p.title,
                "organizations": [o.name for o in p.organizations],
                "description": p.description,
                "results": p.results,
            }
            for p in services.practices_of_period(session, period)
        ],
        "conclusions": {
            "summary": period.summary,
            "issues": period.issues,
            "sustainability": period.sustainability,
        },
        "published_at": period.published_at.isoformat() if period.published_at else None,
        "published_by": publisher,
    }


def report_of(session: Session, period: MonitoringPeriod, now: datetime) -> tuple[dict[str, Any], bool]:
    """The archived report of a published period, or a draft from today's data; and whether it is the archive."""
    if period.status == "pubblicato" and period.snapshot:
        return period.snapshot, True
    return build_snapshot(session, period, now), False


def template_context(report: dict[str, Any]) -> dict[str, Any]:
    """What the report templates need besides the report: chart data and SVG, and date helpers."""
    charts = {}
    for section in report["sections"]:
        for table in section["tables"]:
            data = chart_data(table)
            if data:
                charts[table["id"]] = {"data": data, "svg": svgcharts.render(data)}
    return {"report": report, "charts": charts, "iso_day": _iso_day}


def _iso_day(value: str | None) -> str:
    """dd/mm/yyyy of an ISO date or moment (moments as the day in Campi Bisenzio)."""
    if not value:
        return "—"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return f"{local_day(moment) if moment.tzinfo else moment.date():%d/%m/%Y}"


def render_pdf(report: dict[str, Any]) -> bytes:
    """The report as PDF (A4, Italian, like the archived report it prints), through WeasyPrint."""
    import weasyprint

    # Straight from the Jinja environment: the app's context processors expect a request (the worker has none).
    template = current_app.jinja_env.get_template("monitoring/report_print.html")
    with force_locale("it"):
        html = template.render(**template_context(report), fonts_dir=_fonts_dir(), current_locale="it")
    return weasyprint.HTML(string=html, base_url=str(Path(current_app.static_folder))).write_pdf()


def _fonts_dir() -> str | None:
    folder = Path(current_app.static_folder) / "vendor" / "bootstrap-italia" / "fonts" / "Titillium_Web"
    return folder.as_uri() if folder.is_dir() else None


def store_pdf(period: MonitoringPeriod, now: datetime) -> bool:
    """Make and keep the PDF of a published report; False (and logged) when the PDF library cannot run here —
    the report stays published and the PDF is made at the first download."""
    try:
        period.report_pdf = render_pdf(period.snapshot)
    except (ImportError, OSError) as exc:
        log.warning("PDF del rapporto %s non generato: %s", period.id, exc)
        return False
    period.report_pdf_at = now
    return True


def pdf_filename(report: dict[str, Any]) -> str:
    period = report["period"]
    return f"tessere-monitoraggio-{period['start']}-{period['end']}.pdf"
