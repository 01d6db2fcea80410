"""The domain's controlled vocabulary, taken from the municipality's plan.

"Linee operative" of the Tessere project (shared/seed/tessere-linee-operative.md) name six target groups and,
for each, the needs found ("bisogni rilevati"). Forms, the catalogue, the demo data and the dashboards all speak
these codes, so they live in one place that has no dependency on Flask or the database.

Codes are stable identifiers stored in the database and in process data; labels are what people read.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TargetGroup:
    """One of the plan's six beneficiary types, with the needs the plan lists for it."""

    code: str
    label: str
    special_category: bool  # health or violence data: shared on a need-to-know basis only
    needs: tuple[tuple[str, str], ...]


TARGET_GROUPS: tuple[TargetGroup, ...] = (
    TargetGroup(
        "poverta",
        "Povertà e marginalità sociale",
        False,
        (
            ("generi_alimentari", "Distribuzione generi alimentari"),
            ("mensa", "Servizi mensa"),
            ("accoglienza", "Accoglienza e ospitalità"),
            ("sostegno_economico", "Sostegno economico"),
            ("sostegno_solidale", "Sostegno solidale (empowerment), realizzazione PUC"),
            ("senza_dimora", "Supporti alle persone senza dimora (emergenza freddo, docce, punti di ristoro)"),
            ("lingua_italiana", "Corsi di lingua italiana ed educazione civica"),
            ("riuso", "Utilizzo e riuso di oggetti, vestiario e mobilia"),
        ),
    ),
    TargetGroup(
        "infanzia_famiglie",
        "Infanzia e responsabilità familiari",
        False,
        (
            ("soggiorni_estivi", "Soggiorni estivi accessibili e inclusivi"),
            ("dopo_scuola", "Attività di dopo scuola"),
            ("attivita_educative", "Attività educative, socializzanti e aggreganti"),
            ("sport_minori", "Attività sportive"),
            ("post_adozione", "Attività di gruppo post adozione"),
            ("affido", "Diffusione e supporto alle attività del centro affidi di zona"),
            ("genitorialita", "Ascolto e supporto alla genitorialità"),
        ),
    ),
    TargetGroup(
        "anziani",
        "Anziani non autosufficienti e loro famiglie",
        False,
        (
            ("spesa_farmaci", "Spesa e farmaci a domicilio"),
            ("socializzazione_anziani", "Attività di socializzazione"),
            ("accompagnamento", "Accompagnamento per commissioni ordinarie"),
            ("ascolto_anziani", "Ascolto e sostegno"),
            ("informazione_servizi", "Supporto e informazione sui servizi pubblici"),
            ("contrasto_solitudine", "Attività aggregative contro isolamento e solitudine"),
        ),
    ),
    TargetGroup(
        "disabilita",
        "Disabilità e ridotta autonomia",
        True,
        (
            ("mobilita", "Supporto alla mobilità e all'accesso ai servizi pubblici"),
            ("inserimento_lavorativo", "Attività integrative e inserimenti lavorativi"),
            ("sollievo_famiglie", "Attività di sollievo alle famiglie"),
            ("pet_therapy", "Pet therapy"),
            ("comunicazione_sensoriale", "Attività di comunicazione sensoriale"),
            ("attivita_inclusive", "Attività inclusive nelle realtà del territorio"),
            ("sport_cultura_disabilita", "Attività sportive, culturali, ricreative e di socializzazione"),
            ("vita_comunitaria", "Partecipazione alla vita comunitaria"),
        ),
    ),
    TargetGroup(
        "violenza_genere",
        "Vittime di violenza di genere",
        True,
        (
            ("normativa", "Diffusione e conoscenza della normativa vigente"),
            ("ascolto_antiviolenza", "Luoghi di ascolto in contatto con il centro antiviolenza"),
            ("sensibilizzazione", "Sensibilizzazione ai temi sociali e prevenzione"),
            ("contrasto_maltrattamento", "Contrasto al maltrattamento"),
        ),
    ),
    TargetGroup(
        "disagio_psichico",
        "Disagio psichico e dipendenze",
        True,
        (
            ("ascolto_disagio_mentale", "Punto di ascolto per il disagio mentale"),
            ("fruizione_percorsi", "Supporto alla fruizione dei percorsi del territorio"),
            ("sensibilizzazione_esclusione", "Sensibilizzazione della comunità sui temi dell'esclusione sociale"),
            ("accompagnamento_quotidiano", "Accompagnamento nei compiti quotidiani"),
            ("sport_cultura_disagio", "Attività sportive, ricreative e culturali"),
            ("percorsi_inclusione", "Percorsi di inclusione sociale"),
        ),
    ),
)

TARGET_GROUPS_BY_CODE: dict[str, TargetGroup] = {group.code: group for group in TARGET_GROUPS}

NEED_LABELS: dict[str, str] = {code: label for group in TARGET_GROUPS for code, label in group.needs}

NEED_GROUP: dict[str, str] = {code: group.code for group in TARGET_GROUPS for code, _ in group.needs}

SPECIAL_CATEGORY_GROUPS: frozenset[str] = frozenset(g.code for g in TARGET_GROUPS if g.special_category)

ORGANIZATION_TYPES: tuple[tuple[str, str], ...] = (
    ("associazione", "Associazione"),
    ("aps", "Associazione di promozione sociale (APS)"),
    ("odv", "Organizzazione di volontariato (ODV)"),
    ("cooperativa_sociale", "Cooperativa sociale"),
    ("parrocchia", "Parrocchia"),
    ("circolo", "Circolo ricreativo o culturale"),
    ("associazione_sportiva", "Associazione sportiva"),
    ("ets", "Altro ente del terzo settore"),
)

DECLINE_REASONS: tuple[tuple[str, str], ...] = (
    ("posti_esauriti", "Posti esauriti"),
    ("non_idoneo", "La persona non rientra nei requisiti dell'offerta"),
    ("non_raggiungibile", "La persona non è raggiungibile"),
    ("altro", "Altro motivo"),
)

INTERVENTION_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("in_corso", "Percorso in corso"),
    ("concluso_positivo", "Concluso con esito positivo"),
    ("concluso_parziale", "Concluso con esito parziale"),
    ("interrotto_persona", "Interrotto dalla persona"),
    ("interrotto_organizzazione", "Interrotto dall'organizzazione"),
    ("mai_iniziato", "La persona non si è presentata"),
)

CLOSING_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("obiettivi_raggiunti", "Obiettivi raggiunti"),
    ("obiettivi_parziali", "Obiettivi raggiunti in parte"),
    ("obiettivi_non_raggiunti", "Obiettivi non raggiunti"),
    ("nessuna_offerta_adatta", "Nessuna offerta adatta nella rete"),
    ("rinuncia", "Rinuncia della persona"),
    ("trasferimento", "Trasferimento ad altro servizio"),
)


def target_group_choices() -> list[tuple[str, str]]:
    """Choices for a select of target groups, in the plan's order."""
    return [(group.code, group.label) for group in TARGET_GROUPS]


def need_choices(target_group: str | None = None) -> list[tuple[str, str]]:
    """Choices for a select of needs; all of them, or those of one target group."""
    groups = [TARGET_GROUPS_BY_CODE[target_group]] if target_group in TARGET_GROUPS_BY_CODE else TARGET_GROUPS
    return [need for group in groups for need in group.needs]
