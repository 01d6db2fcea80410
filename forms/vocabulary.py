"""The domain's controlled vocabulary, taken from the municipality's plan.

"Linee operative" of the Tessere project (shared/seed/tessere-linee-operative.md) name six target groups and,
for each, the needs found ("bisogni rilevati"). Forms, the catalogue, the demo data and the dashboards all speak
these codes, so they live in one place that has no dependency on the database or the request.

Codes are stable identifiers stored in the database and in process data; labels are what people read, in their
language: they are Flask-Babel lazy strings (translated when shown), so whatever leaves the page (JSON, CSV, the
database, process data) takes `str(label)` or `label_for` / `target_group_label` / `need_label` (plain strings in the
reader's language), or `italian(label)` where the plan's own words are published whatever the reader's language
(open data, the HSDS API, e-mails and texts stored in the database). Never the lazy string itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l

Label = str | LazyString


@dataclass(frozen=True)
class TargetGroup:
    """One of the plan's six beneficiary types, with the needs the plan lists for it."""

    code: str
    label: Label
    special_category: bool  # health or violence data: shared on a need-to-know basis only
    needs: tuple[tuple[str, Label], ...]


TARGET_GROUPS: tuple[TargetGroup, ...] = (
    TargetGroup(
        "poverta",
        _l("Povertà e marginalità sociale"),
        False,
        (
            ("generi_alimentari", _l("Distribuzione generi alimentari")),
            ("mensa", _l("Servizi mensa")),
            ("accoglienza", _l("Accoglienza e ospitalità")),
            ("sostegno_economico", _l("Sostegno economico")),
            ("sostegno_solidale", _l("Sostegno solidale (empowerment), realizzazione PUC")),
            ("senza_dimora", _l("Supporti alle persone senza dimora (emergenza freddo, docce, punti di ristoro)")),
            ("lingua_italiana", _l("Corsi di lingua italiana ed educazione civica")),
            ("riuso", _l("Utilizzo e riuso di oggetti, vestiario e mobilia")),
        ),
    ),
    TargetGroup(
        "infanzia_famiglie",
        _l("Infanzia e responsabilità familiari"),
        False,
        (
            ("soggiorni_estivi", _l("Soggiorni estivi accessibili e inclusivi")),
            ("dopo_scuola", _l("Attività di dopo scuola")),
            ("attivita_educative", _l("Attività educative, socializzanti e aggreganti")),
            ("sport_minori", _l("Attività sportive")),
            ("post_adozione", _l("Attività di gruppo post adozione")),
            ("affido", _l("Diffusione e supporto alle attività del centro affidi di zona")),
            ("genitorialita", _l("Ascolto e supporto alla genitorialità")),
        ),
    ),
    TargetGroup(
        "anziani",
        _l("Anziani non autosufficienti e loro famiglie"),
        False,
        (
            ("spesa_farmaci", _l("Spesa e farmaci a domicilio")),
            ("socializzazione_anziani", _l("Attività di socializzazione")),
            ("accompagnamento", _l("Accompagnamento per commissioni ordinarie")),
            ("ascolto_anziani", _l("Ascolto e sostegno")),
            ("informazione_servizi", _l("Supporto e informazione sui servizi pubblici")),
            ("contrasto_solitudine", _l("Attività aggregative contro isolamento e solitudine")),
        ),
    ),
    TargetGroup(
        "disabilita",
        _l("Disabilità e ridotta autonomia"),
        True,
        (
            ("mobilita", _l("Supporto alla mobilità e all'accesso ai servizi pubblici")),
            ("inserimento_lavorativo", _l("Attività integrative e inserimenti lavorativi")),
            ("sollievo_famiglie", _l("Attività di sollievo alle famiglie")),
            ("pet_therapy", _l("Pet therapy")),
            ("comunicazione_sensoriale", _l("Attività di comunicazione sensoriale")),
            ("attivita_inclusive", _l("Attività inclusive nelle realtà del territorio")),
            ("sport_cultura_disabilita", _l("Attività sportive, culturali, ricreative e di socializzazione")),
            ("vita_comunitaria", _l("Partecipazione alla vita comunitaria")),
        ),
    ),
    TargetGroup(
        "violenza_genere",
        _l("Vittime di violenza di genere"),
        True,
        (
            ("normativa", _l("Diffusione e conoscenza della normativa vigente")),
            ("ascolto_antiviolenza", _l("Luoghi di ascolto in contatto con il centro antiviolenza")),
            ("sensibilizzazione", _l("Sensibilizzazione ai temi sociali e prevenzione")),
            ("contrasto_maltrattamento", _l("Contrasto al maltrattamento")),
        ),
    ),
    TargetGroup(
        "disagio_psichico",
        _l("Disagio psichico e dipendenze"),
        True,
        (
            ("ascolto_disagio_mentale", _l("Punto di ascolto per il disagio mentale")),
            ("fruizione_percorsi", _l("Supporto alla fruizione dei percorsi del territorio")),
            ("sensibilizzazione_esclusione", _l("Sensibilizzazione della comunità sui temi dell'esclusione sociale")),
            ("accompagnamento_quotidiano", _l("Accompagnamento nei compiti quotidiani")),
            ("sport_cultura_disagio", _l("Attività sportive, ricreative e culturali")),
            ("percorsi_inclusione", _l("Percorsi di inclusione sociale")),
        ),
    ),
)

TARGET_GROUPS_BY_CODE: dict[str, TargetGroup] = {group.code: group for group in TARGET_GROUPS}

NEED_LABELS: dict[str, Label] = {code: label for group in TARGET_GROUPS for code, label in group.needs}

NEED_GROUP: dict[str, str] = {code: group.code for group in TARGET_GROUPS for code, _label in group.needs}

SPECIAL_CATEGORY_GROUPS: frozenset[str] = frozenset(g.code for g in TARGET_GROUPS if g.special_category)

ORGANIZATION_TYPES: tuple[tuple[str, Label], ...] = (
    ("associazione", _l("Associazione")),
    ("aps", _l("Associazione di promozione sociale (APS)")),
    ("odv", _l("Organizzazione di volontariato (ODV)")),
    ("cooperativa_sociale", _l("Cooperativa sociale")),
    ("parrocchia", _l("Parrocchia")),
    ("circolo", _l("Circolo ricreativo o culturale")),
    ("associazione_sportiva", _l("Associazione sportiva")),
    ("ets", _l("Altro ente del terzo settore")),
)

DECLINE_REASONS: tuple[tuple[str, Label], ...] = (
    ("posti_esauriti", _l("Posti esauriti")),
    ("non_idoneo", _l("La persona non rientra nei requisiti dell'offerta")),
    ("non_raggiungibile", _l("La persona non è raggiungibile")),
    ("altro", _l("Altro motivo")),
)

INTERVENTION_OUTCOMES: tuple[tuple[str, Label], ...] = (
    ("in_corso", _l("Percorso in corso")),
    ("concluso_positivo", _l("Concluso con esito positivo")),
    ("concluso_parziale", _l("Concluso con esito parziale")),
    ("interrotto_persona", _l("Interrotto dalla persona")),
    ("interrotto_organizzazione", _l("Interrotto dall'organizzazione")),
    ("mai_iniziato", _l("La persona non si è presentata")),
)

CLOSING_OUTCOMES: tuple[tuple[str, Label], ...] = (
    ("obiettivi_raggiunti", _l("Obiettivi raggiunti")),
    ("obiettivi_parziali", _l("Obiettivi raggiunti in parte")),
    ("obiettivi_non_raggiunti", _l("Obiettivi non raggiunti")),
    ("nessuna_offerta_adatta", _l("Nessuna offerta adatta nella rete")),
    ("rinuncia", _l("Rinuncia della persona")),
    ("trasferimento", _l("Trasferimento ad altro servizio")),
)


def label_for(
    vocabulary: Mapping[str, Label] | Sequence[tuple[str, Label]], code: str | None, default: str = ""
) -> str:
    """The label of a code in the current language, as a plain string; `default` (or the code) when unknown."""
    labels = vocabulary if isinstance(vocabulary, Mapping) else dict(vocabulary)
    if code in labels:
        return str(labels[code])
    return default or (code or "")


def italian(label: Label | None) -> str:
    """The label in Italian whatever the page's language: open data and the HSDS API publish the plan's own words."""
    if label is None:
        return ""
    with force_locale("it"):
        return str(label)


def target_group_label(code: str | None, default: str = "") -> str:
    group = TARGET_GROUPS_BY_CODE.get(code or "")
    return str(group.label) if group else (default or code or "")


def need_label(code: str) -> str:
    return label_for(NEED_LABELS, code)


def target_group_choices() -> list[tuple[str, Label]]:
    """Choices for a select of target groups, in the plan's order."""
    return [(group.code, group.label) for group in TARGET_GROUPS]


def need_choices(target_group: str | None = None) -> list[tuple[str, Label]]:
    """Choices for a select of needs; all of them, or those of one target group."""
    groups = [TARGET_GROUPS_BY_CODE[target_group]] if target_group in TARGET_GROUPS_BY_CODE else TARGET_GROUPS
    return [need for group in groups for need in group.needs]
