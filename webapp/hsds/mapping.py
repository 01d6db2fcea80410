"""Tessere's organizations and offers as HSDS 3.0 `organization` and `service` objects.

Identifiers: HSDS wants UUIDs, Tessere has integer keys. Each kind of object gets a fixed UUID-shaped prefix and
the integer in the last twelve hex digits (`3f1c...-0000-4000-8000-00000000002a` is offer 42), so an id read back
from a URL maps to its row without a lookup table, and ids stay stable as long as the row exists. Objects that are
not rows of their own (phones, schedules, zones, taxonomy terms) get name-based UUIDs (uuid5).

Codes of the plan's vocabulary (target groups, needs) are published as attributes with taxonomy terms of two local
taxonomies; the offer's capacity too, since HSDS has no field for it. The codice fiscale is the organization's
`tax_id` and an `organization_identifier` with scheme "IT-CF".
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import contains_eager, load_only

from forms.offers import AREA_LABELS, LANGUAGE_LABELS
from forms.vocabulary import NEED_LABELS, ORGANIZATION_TYPES, TARGET_GROUPS_BY_CODE, italian
from webapp.network.models import Offer, Organization

HSDS_VERSION = "3.0"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://tessere.comune.campi-bisenzio.fi.it/hsds")
IDENTIFIER_SCHEME = "IT-CF"
TAXONOMIES = {
    "destinatari": "Tessere – gruppi di destinatari (linee operative del Comune di Campi Bisenzio)",
    "bisogni": "Tessere – bisogni rilevati (linee operative del Comune di Campi Bisenzio)",
    "capacita": "Tessere – disponibilità quantificata dell'offerta",
}
TYPE_LABELS = dict(ORGANIZATION_TYPES)
ROME = ZoneInfo("Europe/Rome")
ADDRESS = re.compile(r"^(?P<street>[^,]+),\s*(?P<cap>\d{5})\s+(?P<city>[^()]+?)\s*\((?P<province>[A-Z]{2})\)\s*$")
KINDS = ("organization", "service", "location", "service_at_location", "organization_location")
_PREFIX = {kind: uuid.uuid5(NAMESPACE, kind).hex[:8] for kind in KINDS}

Url = Callable[[str, int], str]  # (kind of page, id) -> absolute URL of the public catalogue page


def object_id(kind: str, key: int) -> str:
    return f"{_PREFIX[kind]}-0000-4000-8000-{key:012x}"


def key_of(kind: str, value: str) -> int | None:
    """The integer key behind an HSDS id of this kind (plain integers are accepted too); None if it is not one."""
    if value.isdigit():
        return int(value)
    match = re.fullmatch(rf"{_PREFIX[kind]}-0000-4000-8000-([0-9a-f]{{12}})", value.lower())
    return int(match.group(1), 16) if match else None


def _name_id(*parts: Any) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """HSDS fields are typed strings, numbers or arrays: leave out what Tessere does not know (never null)."""
    return {key: value for key, value in data.items() if value is not None and value != ""}


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def _local_date(moment: datetime | None) -> str | None:
    """The day in Campi Bisenzio (HSDS dates carry no time zone)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ROME).date().isoformat()


def _phones(number: str | None, owner: str, owner_id: str) -> list[dict]:
    if not number:
        return []
    return [
        _compact({"id": _name_id("phone", owner, owner_id), f"{owner}_id": owner_id, "number": number, "type": "voice"})
    ]


def _address(text: str | None, location_id: str) -> list[dict]:
    match = ADDRESS.match((text or "").strip())
    if not match:
        return []
    return [
        {
            "id": _name_id("address", location_id),
            "location_id": location_id,
            "address_1": match["street"].strip(),
            "city": match["city"].strip(),
            "state_province": match["province"],
            "region": "Toscana",
            "postal_code": match["cap"],
            "country": "IT",
            "address_type": "physical",
        }
    ]


def _term(taxonomy: str, code: str, label: str) -> dict:
    return {
        "id": _name_id("term", taxonomy, code),
        "code": code,
        "name": label,
        "description": label,
        "taxonomy": taxonomy,
        "language": "it",
        "taxonomy_detail": {
            "id": _name_id("taxonomy", taxonomy),
            "name": taxonomy,
            "description": TAXONOMIES[taxonomy],
            "version": "1",
        },
    }


def _attribute(service_id: str, term: dict, value: str | None = None) -> dict:
    return _compact(
        {
            "id": _name_id("attribute", service_id, term["id"]),
            "link_id": service_id,
            "link_type": "service",
            "link_entity": "service",
            "taxonomy_term_id": term["id"],
            "taxonomy_term": term,
            "value": value,
        }
    )


@lru_cache(maxsize=64)
def _legal_status(organization_type: str) -> str:
    """The type's label in Italian, worked out once per type: a page of 50 services switched the locale 50 times
    (`italian`), the largest share of the HSDS list's own work at 10,000 offers (bench/catalogue.py)."""
    return italian(TYPE_LABELS.get(organization_type, organization_type))


# --------------------------------------------------------------------------------------------- organizations
def organization_basic(organization: Organization, url: Url) -> dict:
    """The one-to-one fields of an organization (the shape of HSDS `organization_list`)."""
    return _compact(
        {
            "id": object_id("organization", organization.id),
            "name": organization.name,
            "description": organization.description or organization.name,
            "email": organization.email,
            "tax_id": organization.codice_fiscale,
            "legal_status": _legal_status(organization.type),
            "uri": url("organization", organization.id),
        }
    )


def organization_full(organization: Organization, offers: list[Offer], url: Url) -> dict:
    """A fully nested organization: identifiers, phone, seat, and its services (basic)."""
    oid = object_id("organization", organization.id)
    location_id = object_id("organization_location", organization.id)
    locations = []
    if organization.address:
        locations.append(
            _compact(
                {
                    "id": location_id,
                    "location_type": "physical",
                    "organization_id": oid,
                    "name": f"Sede di {organization.name}",
                    "description": organization.area,
                    "addresses": _address(organization.address, location_id),
                }
            )
        )
    return {
        **organization_basic(organization, url),
        "organization_identifiers": [
            {
                "id": _name_id("identifier", oid, IDENTIFIER_SCHEME),
                "organization_id": oid,
                "identifier_scheme": IDENTIFIER_SCHEME,
                "identifier_type": "Codice fiscale",
                "identifier": organization.codice_fiscale,
            }
        ],
        "phones": _phones(organization.phone, "organization", oid),
        "locations": locations,
        "contacts": [],
        "funding": [],
        "programs": [],
        "attributes": [],
        "metadata": [],
        "services": [service_basic(offer, url, with_organization=False) for offer in offers],
    }


# -------------------------------------------------------------------------------------------------- services
# What `service_basic` reads, with `organization_basic`: a list of basic services loads only these columns (a page
# holds up to 200, and the JSON lists, schedules and contacts were decoded for each and never read). Reading any
# other column of such a page raises (raiseload) instead of quietly costing one query per service.
SERVICE_BASIC_COLUMNS = (
    load_only(
        Offer.id,
        Offer.organization_id,
        Offer.title,
        Offer.description,
        Offer.active,
        Offer.how_to_access,
        Offer.cost,
        Offer.eligibility,
        Offer.verified_at,
        Offer.updated_at,
        Offer.created_at,
        raiseload=True,
    ),
    contains_eager(Offer.organization).load_only(
        Organization.id,
        Organization.name,
        Organization.description,
        Organization.email,
        Organization.codice_fiscale,
        Organization.type,
        Organization.status,
        raiseload=True,
    ),
)


def service_basic(offer: Offer, url: Url, with_organization: bool = True) -> dict:
    """The one-to-one fields of a service (the shape of HSDS `service_list`), with its organization."""
    organization = offer.organization
    data = _compact(
        {
            "id": object_id("service", offer.id),
            "organization_id": object_id("organization", offer.organization_id),
            "name": offer.title,
            "description": offer.description,
            "url": url("service", offer.id),
            "email": organization.email,
            "status": "active" if offer.active and organization.status == "approved" else "inactive",
            "application_process": offer.how_to_access,
            "fees_description": offer.cost,
            "eligibility_description": offer.eligibility,
            "assured_date": _local_date(offer.verified_at),
            "last_modified": _iso(offer.updated_at or offer.created_at),
        }
    )
    if with_organization:
        data["organization"] = organization_basic(organization, url)
    return data


def service_full(offer: Offer, url: Url) -> dict:
    """A fully nested service: where, when, languages, zones, target groups and needs, capacity."""
    sid = object_id("service", offer.id)
    location_id = object_id("location", offer.id)
    service_at_locations = []
    if offer.location:
        service_at_locations.append(
            {
                "id": object_id("service_at_location", offer.id),
                "service_id": sid,
                "location_id": location_id,
                "location": _compact(
                    {
                        "id": location_id,
                        "location_type": "physical",
                        "organization_id": object_id("organization", offer.organization_id),
                        "name": offer.location,
                        "addresses": _address(offer.location, location_id),
                    }
                ),
            }
        )
    attributes = [
        _attribute(sid, _term("destinatari", code, italian(TARGET_GROUPS_BY_CODE[code].label)))
        for code in offer.target_groups or []
        if code in TARGET_GROUPS_BY_CODE
    ]
    attributes += [
        _attribute(sid, _term("bisogni", code, italian(NEED_LABELS[code])))
        for code in offer.needs or []
        if code in NEED_LABELS
    ]
    attributes += [
        _attribute(sid, _term("capacita", "capacita_massima", "Disponibilità massima"), str(offer.capacity_total)),
        _attribute(sid, _term("capacita", "capacita_disponibile", "Disponibili ora"), str(offer.capacity_available)),
        _attribute(sid, _term("capacita", "unita_capacita", "Unità della disponibilità"), offer.capacity_unit),
    ]
    return {
        **service_basic(offer, url),
        "phones": _phones(offer.organization.phone, "service", sid),
        "schedules": [{"id": _name_id("schedule", sid), "service_id": sid, "description": offer.schedule}]
        if offer.schedule
        else [],
        "service_areas": [
            {
                "id": _name_id("service_area", sid, code),
                "service_id": sid,
                "name": italian(AREA_LABELS.get(code, code)),
                "description": f"{italian(AREA_LABELS.get(code, code))}, Comune di Campi Bisenzio (FI)",
            }
            for code in offer.areas or []
        ],
        "service_at_locations": service_at_locations,
        "languages": [
            {
                "id": _name_id("language", sid, code),
                "service_id": sid,
                "name": italian(LANGUAGE_LABELS.get(code, code)),
                "code": code,
            }
            for code in offer.languages or []
        ],
        "funding": [],
        "cost_options": [],
        "required_documents": [],
        "contacts": [],
        "attributes": attributes,
        "metadata": [],
    }


def page(contents: list[dict], total: int, page_number: int, per_page: int) -> dict:
    """An HSDA page: the counts first, then `contents`."""
    total_pages = (total + per_page - 1) // per_page
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page_number,
        "size": len(contents),
        "first_page": page_number == 1,
        "last_page": page_number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }
