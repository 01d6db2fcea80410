"""Forms of Fase 1 (adesione alla rete): the scheda di ricognizione, the manager's review, the applicant's confirmation.

The scheda follows the municipality's plan ("Linee operative", fase 1): name, codice fiscale, legal seat, operating
sites, public contacts, activities by sector and by beneficiary type, legal representative, founding data, area of
operation, affiliations and registry enrolments. The plan's rule for the third sector is checked here, because it
is a rule about what the applicant typed: an APS must declare its RUNTS enrolment in the APS section, an ODV in the
ODV section, a social cooperative its enrolment in the Albo regionale delle cooperative sociali, any other ente del
terzo settore its RUNTS enrolment. Duplicates (a codice fiscale already in the elenco) need the database: the
membership services check them and put the message on the field.

Every message is plain Italian (English through the catalogues); nothing here touches the database or the request.
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    FormField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, Regexp

from forms.choices import choices
from forms.referral import ItalianForm
from forms.validators import no_control_characters, valid_phone
from forms.vocabulary import NEED_GROUP, NEED_LABELS, ORGANIZATION_TYPES, label_for, need_label, target_group_choices

REQUIRED = _l("Campo obbligatorio.")
MAX_SITES = 20

# Sectors of activity ("ambiti"), after the activities of general interest of art. 5 d.lgs. 117/2017, grouped the
# way a small municipality's network speaks of them.
SECTORS: tuple[tuple[str, str], ...] = (
    ("servizi_sociali", _l("Interventi e servizi sociali")),
    ("socio_sanitario", _l("Prestazioni sanitarie e socio-sanitarie")),
    ("educazione", _l("Educazione, istruzione e formazione")),
    ("cultura", _l("Attività culturali, artistiche e ricreative")),
    ("sport", _l("Attività sportive dilettantistiche")),
    ("beneficenza", _l("Beneficenza e distribuzione di beni (alimenti, vestiario, mobilia)")),
    ("inserimento_lavorativo", _l("Inserimento lavorativo di persone svantaggiate")),
    ("accoglienza", _l("Accoglienza e integrazione delle persone migranti")),
    ("alloggio", _l("Alloggio sociale e accoglienza abitativa")),
    ("diritti", _l("Tutela dei diritti, legalità e pari opportunità")),
    ("ambiente", _l("Tutela dell'ambiente e del territorio")),
    ("protezione_civile", _l("Protezione civile")),
    ("pastorale", _l("Attività parrocchiali e oratoriali")),
    ("altro", _l("Altro")),
)

# Sections of the Registro unico nazionale del Terzo settore (art. 46 d.lgs. 117/2017).
RUNTS_SECTIONS: tuple[tuple[str, str], ...] = (
    ("odv", _l("a) Organizzazioni di volontariato")),
    ("aps", _l("b) Associazioni di promozione sociale")),
    ("enti_filantropici", _l("c) Enti filantropici")),
    ("imprese_sociali", _l("d) Imprese sociali, incluse le cooperative sociali")),
    ("reti_associative", _l("e) Reti associative")),
    ("mutuo_soccorso", _l("f) Società di mutuo soccorso")),
    ("altri_ets", _l("g) Altri enti del Terzo settore")),
)

# Sections of the Albo regionale delle cooperative sociali (L.R. Toscana 58/2018).
ALBO_COOP_SECTIONS: tuple[tuple[str, str], ...] = (
    ("A", _l("Sezione A – servizi socio-sanitari ed educativi")),
    ("B", _l("Sezione B – inserimento lavorativo")),
    ("C", _l("Sezione C – consorzi")),
)

AREA_SCOPES: tuple[tuple[str, str], ...] = (
    ("comunale", _l("Territorio comunale di Campi Bisenzio")),
    ("zona", _l("Zona della Piana fiorentina")),
    ("metropolitana", _l("Città metropolitana di Firenze")),
    ("regionale", _l("Toscana")),
    ("nazionale", _l("Tutto il territorio nazionale")),
)

# The plan's rule: the enrolment each third-sector type must declare (registry, required section or None = any).
REQUIRED_ENROLMENT: dict[str, tuple[str, str | None]] = {
    "aps": ("runts", "aps"),
    "odv": ("runts", "odv"),
    "cooperativa_sociale": ("albo_cooperative_sociali", None),
    "ets": ("runts", None),
}

REVIEW_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("approva", _l("Approvare: l'organizzazione entra nell'elenco della rete")),
    ("modifiche", _l("Chiedere modifiche al richiedente")),
    ("rifiuta", _l("Respingere la domanda")),
)

POSTCODE = re.compile(r"^\d{5}$")
PROVINCE = re.compile(r"^[A-Za-z]{2}$")
URL = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]{2,}$", re.IGNORECASE)


def normalize_tax_code(value: str | None) -> str:
    return re.sub(r"[\s.\-]", "", value or "").upper()


def valid_organization_cf(form, field) -> None:
    """The organization's codice fiscale: 11 digits with the check digit, or 16 characters (ditte individuali)."""
    from stdnum.it import codicefiscale, iva  # here: python-stdnum imports pydoc, ≈ 30 ms of every start (issue #8)

    value = normalize_tax_code(field.data)
    field.data = value
    if not value:
        return
    if value.isdigit():
        if len(value) != 11:
            raise ValidationError(_("Il codice fiscale di un'organizzazione ha 11 cifre."))
        if not iva.is_valid(value):
            raise ValidationError(_("Il codice fiscale non è valido: controlla le cifre (l'ultima è di controllo)."))
        return
    if len(value) != 16:
        raise ValidationError(_("Il codice fiscale deve avere 11 cifre (16 caratteri solo per le ditte individuali)."))
    if not codicefiscale.is_valid(value):
        raise ValidationError(_("Il codice fiscale non è valido: controlla lettere e cifre."))


def valid_partita_iva(form, field) -> None:
    from stdnum.it import iva  # here: see valid_organization_cf

    value = normalize_tax_code(field.data)
    if value.startswith("IT"):
        value = value[2:]
    field.data = value
    if not value:
        return
    if not value.isdigit() or len(value) != 11:
        raise ValidationError(_("La partita IVA deve avere 11 cifre."))
    if not iva.is_valid(value):
        raise ValidationError(_("La partita IVA non è valida: controlla le cifre (l'ultima è di controllo)."))


def valid_url(form, field) -> None:
    value = (field.data or "").strip()
    field.data = value
    if value and not URL.match(value):
        raise ValidationError(_("Indirizzo del sito non valido: deve iniziare con https:// (o http://)."))


def not_in_the_future(form, field) -> None:
    if isinstance(field.data, date) and field.data > date.today():
        raise ValidationError(_("La data non può essere nel futuro."))


class MultiCheckboxField(SelectMultipleField):
    """Choices shown as checkboxes (the name tells `render_field`), with a plain invalid-choice message."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("invalid_choice_message", _l("Scelta non valida (%(value)s): ricarica la pagina e riprova."))
        super().__init__(*args, **kwargs)


class OperatingSiteForm(ItalianForm):
    """One operating site (sede operativa): where the organization works, and when it is open."""

    name = StringField(
        _l("Nome della sede"),
        [Optional(), Length(max=200), no_control_characters],
        description=_l("Facoltativo, per esempio «Emporio di via Barberinese»."),
    )
    address = StringField(
        _l("Indirizzo"),
        [DataRequired(REQUIRED), Length(max=300), no_control_characters],
        description=_l("Via e numero civico della sede in cui si svolgono le attività."),
    )
    postcode = StringField(
        _l("CAP"),
        [Optional(), Regexp(POSTCODE, message=_l("Il CAP ha 5 cifre."))],
        description=_l("Per esempio 50013."),
    )
    municipality = StringField(
        _l("Comune"),
        [DataRequired(REQUIRED), Length(max=100), no_control_characters],
        default="Campi Bisenzio",
        description=_l("Il comune della sede operativa."),
    )
    opening_hours = StringField(
        _l("Giorni e orari di apertura"),
        [DataRequired(REQUIRED), Length(max=300), no_control_characters],
        description=_l("Per esempio «lunedì e giovedì 15-18, sabato 9-12»."),
    )


class SchedaRicognizioneForm(ItalianForm):
    """The scheda di ricognizione dell'offerta: what an organization declares to join the network."""

    # -- the organization
    name = StringField(
        _l("Denominazione"),
        [DataRequired(REQUIRED), Length(max=300), no_control_characters],
        description=_l("Il nome ufficiale dell'organizzazione, come nello statuto; compare nel catalogo pubblico."),
    )
    org_type = SelectField(
        _l("Tipo di organizzazione"),
        [InputRequired(REQUIRED)],
        choices=choices([("", _l("— scegli —")), *ORGANIZATION_TYPES]),
        default="",
        description=_l("La forma giuridica dell'organizzazione."),
    )
    codice_fiscale = StringField(
        _l("Codice fiscale dell'organizzazione"),
        [DataRequired(REQUIRED), valid_organization_cf],
        description=_l("11 cifre, come nello statuto o nel certificato di attribuzione."),
    )
    partita_iva = StringField(
        _l("Partita IVA"), [Optional(), valid_partita_iva], description=_l("Solo se l'organizzazione ne ha una.")
    )
    founded_on = DateField(
        _l("Data di costituzione"),
        [InputRequired(_l("Indica la data di costituzione.")), not_in_the_future],
        description=_l("Se non conosci il giorno esatto indica il 1° gennaio dell'anno di costituzione."),
    )
    founding_deed = StringField(
        _l("Estremi dell'atto costitutivo"),
        [Optional(), Length(max=300), no_control_characters],
        description=_l("Per esempio «scrittura privata registrata a Firenze il 12/03/2004, n. 1234»."),
    )

    # -- legal seat
    legal_address = StringField(
        _l("Indirizzo della sede legale"),
        [DataRequired(REQUIRED), Length(max=300), no_control_characters],
        description=_l("Via e numero civico, come nello statuto o nell'atto costitutivo."),
    )
    legal_postcode = StringField(
        _l("CAP"),
        [DataRequired(REQUIRED), Regexp(POSTCODE, message=_l("Il CAP ha 5 cifre."))],
        description=_l("Cinque cifre, per esempio 50013."),
    )
    legal_municipality = StringField(
        _l("Comune"),
        [DataRequired(REQUIRED), Length(max=100), no_control_characters],
        default="Campi Bisenzio",
        description=_l("Il comune della sede legale."),
    )
    legal_province = StringField(
        _l("Provincia (sigla)"),
        [DataRequired(REQUIRED), Regexp(PROVINCE, message=_l("Indica la sigla della provincia, per esempio FI."))],
        default="FI",
        description=_l("Due lettere, per esempio FI."),
    )

    # -- operating sites
    sites = FieldList(
        FormField(OperatingSiteForm),
        min_entries=1,
        max_entries=MAX_SITES,
        description=_l("Almeno una sede in cui si svolgono le attività."),
    )

    # -- public contacts
    phone = StringField(
        _l("Telefono"),
        [Optional(), Length(max=30), valid_phone],
        description=_l("Facoltativo; il numero pubblico dell'organizzazione, mostrato nel catalogo."),
    )
    email = EmailField(
        _l("E-mail pubblica"),
        [DataRequired(REQUIRED), Email(_l("Indirizzo e-mail non valido.")), Length(max=200)],
        description=_l("Compare nell'elenco pubblico della rete."),
    )
    website = StringField(
        _l("Sito web"),
        [Optional(), Length(max=300), valid_url],
        description=_l("Facoltativo; l'indirizzo completo, per esempio https://www.esempio.it."),
    )
    pec = EmailField(
        _l("PEC"),
        [Optional(), Email(_l("Indirizzo PEC non valido.")), Length(max=200)],
        description=_l("Per le comunicazioni ufficiali con il Comune; non viene pubblicata."),
    )

    # -- activities
    description = TextAreaField(
        _l("Descrizione delle attività"),
        [DataRequired(REQUIRED), Length(max=6000), no_control_characters],
        description=_l("Cosa fate, per chi, con quali volontari o operatori."),
    )
    sectors = MultiCheckboxField(
        _l("Ambiti di attività"),
        choices=choices(SECTORS),
        description=_l("Scegli tutti gli ambiti in cui operate: servono per cercare le organizzazioni nel catalogo."),
    )
    target_groups = MultiCheckboxField(
        _l("Tipologie di beneficiari"),
        choices=choices(target_group_choices()),
        description=_l("Le sei tipologie del progetto Tessere."),
    )
    needs = MultiCheckboxField(
        _l("Bisogni a cui rispondete"),
        choices=choices(NEED_LABELS.items()),
        description=_l("Scegli i bisogni delle tipologie di beneficiari indicate."),
    )
    area_scope = SelectField(
        _l("Area geografica di operatività"),
        [InputRequired(REQUIRED)],
        choices=choices([("", _l("— scegli —")), *AREA_SCOPES]),
        default="",
        description=_l("Dove svolgete le vostre attività: aiuta a proporle alle persone giuste."),
    )
    area_detail = StringField(
        _l("Frazioni, quartieri o comuni in cui operate"),
        [Optional(), Length(max=300), no_control_characters],
        description=_l("Facoltativo, per esempio «Capalle, San Donnino»."),
    )

    # -- legal representative
    representative_name = StringField(
        _l("Nome e cognome"),
        [DataRequired(REQUIRED), Length(max=200), no_control_characters],
        description=_l("Chi rappresenta legalmente l'organizzazione."),
    )
    representative_role = StringField(
        _l("Carica"),
        [DataRequired(REQUIRED), Length(max=100), no_control_characters],
        default="Presidente",
        description=_l("Per esempio Presidente o Legale rappresentante."),
    )

    # -- affiliations and coordination
    affiliation_provincial = StringField(
        _l("Affiliazione o coordinamento provinciale"),
        [Optional(), Length(max=300), no_control_characters],
        description=_l("Coordinamento provinciale a cui aderite, se c'è."),
    )
    affiliation_regional = StringField(
        _l("Affiliazione o coordinamento regionale"),
        [Optional(), Length(max=300), no_control_characters],
        description=_l("Coordinamento regionale a cui aderite, se c'è."),
    )
    affiliation_national = StringField(
        _l("Affiliazione o coordinamento nazionale"),
        [Optional(), Length(max=300), no_control_characters],
        description=_l("Rete o federazione nazionale a cui aderite, se c'è."),
    )

    # -- registry enrolments
    runts_section = SelectField(
        _l("Sezione del RUNTS"),
        choices=choices([("", _l("— non iscritta al RUNTS —")), *RUNTS_SECTIONS]),
        default="",
        description=_l("Registro unico nazionale del Terzo settore."),
    )
    runts_number = StringField(
        _l("Numero di iscrizione al RUNTS"),
        [Optional(), Length(max=50), no_control_characters],
        description=_l("Facoltativo; solo per gli enti del Terzo settore iscritti al Registro unico nazionale."),
    )
    runts_date = DateField(
        _l("Data di iscrizione al RUNTS"),
        [Optional(), not_in_the_future],
        description=_l("Facoltativa; non può essere nel futuro."),
    )
    albo_coop_section = SelectField(
        _l("Sezione dell'Albo regionale delle cooperative sociali"),
        choices=choices([("", _l("— non iscritta all'Albo —")), *ALBO_COOP_SECTIONS]),
        default="",
        description=_l("Solo per le cooperative sociali; le altre organizzazioni lasciano «non iscritta»."),
    )
    albo_coop_number = StringField(
        _l("Numero di iscrizione all'Albo"),
        [Optional(), Length(max=50), no_control_characters],
        description=_l("Solo per le cooperative sociali iscritte all'Albo regionale."),
    )
    other_registry = StringField(
        _l("Altri registri o albi"),
        [Optional(), Length(max=300), no_control_characters],
        description=_l("Per esempio il Registro nazionale delle attività sportive dilettantistiche, con il numero."),
    )

    # -- who follows the application (and, if approved, becomes the first operator)
    contact_name = StringField(
        _l("Nome e cognome del referente"),
        [DataRequired(REQUIRED), Length(max=200), no_control_characters],
        description=_l("La persona che il Comune contatta per la domanda e che riceverà l'accesso a Tessere."),
    )
    contact_email = EmailField(
        _l("E-mail del referente"),
        [DataRequired(REQUIRED), Email(_l("Indirizzo e-mail non valido.")), Length(max=200)],
        description=_l(
            "Qui arrivano il link per riprendere la compilazione, la ricevuta e, se la domanda è approvata, "
            "l'invito a creare l'accesso a Tessere."
        ),
    )
    contact_phone = StringField(
        _l("Telefono del referente"),
        [Optional(), Length(max=30), valid_phone],
        description=_l("Facoltativo; per esempio 055 1234567 o 333 1234567."),
    )

    # -- declarations
    declaration_truthful = BooleanField(
        _l("Dichiaro, ai sensi degli articoli 46 e 47 del D.P.R. 445/2000, che le informazioni fornite sono veritiere"),
        [DataRequired(_l("Per inviare la domanda serve la dichiarazione di veridicità."))],
        description=_l("Il Comune può verificare quanto dichiarato."),
    )
    declaration_privacy = BooleanField(
        _l("Ho letto l'informativa sul trattamento dei dati personali"),
        [DataRequired(_l("Per inviare la domanda serve la presa visione dell'informativa."))],
        description=_l("L'informativa spiega come il Comune tratta i dati della domanda."),
    )
    declaration_publication = BooleanField(
        _l(
            "Acconsento alla pubblicazione dei dati pubblici dell'organizzazione nell'elenco della rete, "
            "anche come dati aperti"
        ),
        [DataRequired(_l("L'elenco della rete è pubblico: per aderire serve il consenso alla pubblicazione."))],
        description=_l("Nome, sedi, contatti e offerte compaiono nel catalogo pubblico; i dati delle persone no."),
    )

    def validate_sectors(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Scegli almeno un ambito di attività."))

    def validate_target_groups(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Scegli almeno una tipologia di beneficiari."))

    def validate_needs(self, field) -> None:
        if not field.data:
            raise ValidationError(_("Scegli almeno un bisogno a cui rispondete."))
        groups = set(self.target_groups.data or [])
        wrong = [need_label(need) for need in field.data if NEED_GROUP.get(need) not in groups]
        if wrong:
            raise ValidationError(
                _(
                    "Questi bisogni non appartengono alle tipologie di beneficiari indicate: %(needs)s.",
                    needs="; ".join(wrong),
                )
            )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return self._check_enrolments() and valid

    def _check_enrolments(self) -> bool:
        """Section and number go together; third-sector types declare the enrolment the plan asks of them."""
        problems: list[tuple[object, str]] = []
        runts = self.runts_section.data or ""
        runts_number = (self.runts_number.data or "").strip()
        albo = self.albo_coop_section.data or ""
        albo_number = (self.albo_coop_number.data or "").strip()
        if runts and not runts_number:
            problems.append((self.runts_number, _("Indica il numero di iscrizione al RUNTS.")))
        if runts_number and not runts:
            problems.append((self.runts_section, _("Indica la sezione del RUNTS in cui l'organizzazione è iscritta.")))
        if albo and not albo_number:
            problems.append((self.albo_coop_number, _("Indica il numero di iscrizione all'Albo.")))
        if albo_number and not albo:
            problems.append((self.albo_coop_section, _("Indica la sezione dell'Albo.")))

        kind = self.org_type.data or ""
        rule = REQUIRED_ENROLMENT.get(kind)
        if rule is not None:
            registry, section = rule
            label = label_for(ORGANIZATION_TYPES, kind)
            section_label = label_for(RUNTS_SECTIONS, section) if section else ""
            if registry == "runts" and not runts:
                if section:
                    message = _(
                        "Per il tipo «%(type)s» è richiesta l'iscrizione al RUNTS nella sezione «%(section)s»: "
                        "indica sezione e numero di iscrizione.",
                        type=label,
                        section=section_label,
                    )
                else:
                    message = _(
                        "Per il tipo «%(type)s» è richiesta l'iscrizione al RUNTS: indica sezione e numero.", type=label
                    )
                problems.append((self.runts_section, message))
            elif registry == "runts" and section and runts != section:
                problems.append(
                    (
                        self.runts_section,
                        _(
                            "Per il tipo «%(type)s» la sezione del RUNTS è «%(section)s»: "
                            "controlla il tipo di organizzazione o la sezione.",
                            type=label,
                            section=section_label,
                        ),
                    )
                )
            elif registry == "albo_cooperative_sociali" and not albo:
                problems.append(
                    (
                        self.albo_coop_section,
                        _(
                            "Una cooperativa sociale deve indicare l'iscrizione all'Albo regionale delle cooperative "
                            "sociali: sezione e numero."
                        ),
                    )
                )
        for field, message in problems:
            field.errors = [*field.errors, message]
        return not problems


class EsameDomandaForm(ItalianForm):
    """The Ufficio di piano decides on an application: approve, ask for changes, or reject with a reason."""

    esito_esame = RadioField(
        _l("Esito dell'esame"),
        [InputRequired(_l("Scegli l'esito dell'esame."))],
        choices=choices(REVIEW_OUTCOMES),
        description=_l("Approvare, chiedere integrazioni o respingere: l'organizzazione riceve l'esito per e-mail."),
    )
    motivazione_esame = TextAreaField(
        _l("Motivazione o modifiche richieste"),
        [Length(max=4000), no_control_characters],  # no Optional(): it would skip the check below when empty
        description=_l("Obbligatoria per chiedere modifiche o respingere la domanda: il testo arriva al richiedente."),
    )

    def validate_motivazione_esame(self, field) -> None:
        text = (field.data or "").strip()
        if self.esito_esame.data == "modifiche" and not text:
            raise ValidationError(_("Scrivi quali modifiche chiedi al richiedente."))
        if self.esito_esame.data == "rifiuta" and not text:
            raise ValidationError(_("Scrivi il motivo per cui la domanda è respinta."))


class IntegrazioneDomandaForm(ItalianForm):
    """The applicant sends back the amended scheda (the scheda itself is saved in the domain tables)."""

    conferma = BooleanField(
        _l("Confermo l'invio della domanda modificata"),
        [DataRequired(_l("Conferma l'invio della domanda modificata."))],
        description=_l("Con la conferma la domanda torna all'ufficio del Comune per un nuovo esame."),
    )


class ImpostaPasswordForm(ItalianForm):
    """The first operator of an approved organization accepts the invitation by choosing a password."""

    name = StringField(
        _l("Nome e cognome"),
        [DataRequired(REQUIRED), Length(max=200), no_control_characters],
        description=_l("Il tuo nome, come lo vedranno gli operatori della rete."),
    )
    password = PasswordField(
        _l("Password"),
        [
            DataRequired(_l("Scegli una password.")),
            Length(min=10, message=_l("La password deve avere almeno 10 caratteri.")),
        ],
        description=_l("Almeno 10 caratteri. Meglio una frase facile da ricordare per te e difficile per altri."),
    )
    password_again = PasswordField(
        _l("Ripeti la password"),
        [DataRequired(_l("Ripeti la password."))],
        description=_l("Scrivi di nuovo la stessa password, per evitare errori di battitura."),
    )

    def validate_password_again(self, field) -> None:
        if self.password.data and field.data != self.password.data:
            raise ValidationError(_("Le due password non coincidono."))
