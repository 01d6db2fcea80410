"""Forms of fase 3 (monitoraggio): the organizations' questionnaire and the manager's review (user tasks of
`fase3_monitoraggio`), the schedule of the periods, a good practice, and the dashboard's filters."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from forms.choices import choices
from forms.referral import REQUIRED, ItalianForm
from forms.validators import no_control_characters
from forms.vocabulary import target_group_choices

MAX_TEXT = 5000
NO_PERSONAL_DATA = _l(
    "Non scrivere nomi o altri dati delle persone seguite: il testo compare nel rapporto del periodo."
)
WHOLE_NUMBER = _l("Indica un numero intero, zero o più.")


def optional_int(value) -> int | None:
    """Coerce for selects with an empty first option ("nessuno")."""
    if value in (None, "", "None"):
        return None
    return int(value)


def _count(label, description):
    return IntegerField(
        label,
        [InputRequired(REQUIRED), NumberRange(min=0, max=1_000_000, message=WHOLE_NUMBER)],
        description=description,
    )


class QuestionarioMonitoraggioForm(ItalianForm):
    """What one organization did in the period, in a few numbers and words."""

    activities = TextAreaField(
        _l("Attività svolte nel periodo"),
        [DataRequired(REQUIRED), Length(max=MAX_TEXT), no_control_characters],
        description=NO_PERSONAL_DATA,
    )
    activities_count = _count(_l("Numero di attività o iniziative svolte"), _l("Incontri, corsi, turni, eventi…"))
    people_reached = _count(
        _l("Persone raggiunte"), _l("Quante persone hanno partecipato o ricevuto un servizio, anche non inviate.")
    )
    volunteers = _count(
        _l("Volontari e operatori coinvolti"),
        _l("Un numero intero: le persone che hanno lavorato alle attività nel periodo."),
    )
    difficulties = TextAreaField(
        _l("Difficoltà incontrate"),
        [Optional(), Length(max=MAX_TEXT), no_control_characters],
        description=NO_PERSONAL_DATA,
    )
    proposals = TextAreaField(
        _l("Proposte per la rete"),
        [Optional(), Length(max=MAX_TEXT), no_control_characters],
        description=NO_PERSONAL_DATA,
    )


class RevisioneMonitoraggioForm(ItalianForm):
    """The manager's conclusions on the period: they close the report, which is then published and archived."""

    summary = TextAreaField(
        _l("Sintesi del periodo"),
        [DataRequired(REQUIRED), Length(max=MAX_TEXT * 2), no_control_characters],
        description=_l("Cosa dicono i dati e i questionari: andamento degli invii, della rete, delle risposte."),
    )
    issues = TextAreaField(
        _l("Criticità emerse"),
        [DataRequired(REQUIRED), Length(max=MAX_TEXT * 2), no_control_characters],
        description=_l("Che cosa non ha funzionato nel periodo e perché; compare nel rapporto."),
    )
    sustainability = TextAreaField(
        _l("Azioni per la sostenibilità e il rafforzamento della rete"),
        [DataRequired(REQUIRED), Length(max=MAX_TEXT * 2), no_control_characters],
        description=_l("Le linee operative chiedono, nella fase 3, una strategia per la sostenibilità di Tessere."),
    )
    confirm = BooleanField(
        _l("Ho verificato dati e questionari: pubblica il rapporto del periodo"),
        [DataRequired(_l("Conferma di aver verificato i dati per pubblicare il rapporto."))],
        description=_l("Il rapporto pubblicato viene archiviato e non cambia più."),
    )


INTERVALS = (
    (3, _l("Ogni 3 mesi (trimestre)")),
    (4, _l("Ogni 4 mesi")),
    (6, _l("Ogni 6 mesi (semestre)")),
    (12, _l("Ogni anno")),
)


class ProgrammazioneForm(ItalianForm):
    """How often a monitoring period starts, and how long organizations have to answer."""

    interval_months = SelectField(
        _l("Durata di ogni periodo"),
        [InputRequired(REQUIRED)],
        choices=choices(INTERVALS),
        coerce=int,
        default=6,
        description=_l("Ogni quanti mesi si chiede alle organizzazioni di compilare il questionario."),
    )
    next_period_start = DateField(
        _l("Inizio del prossimo periodo"),
        [InputRequired(REQUIRED)],
        description=_l(
            "Il primo giorno di un mese. Il processo parte all'inizio del periodo e, alla sua fine, "
            "chiede i questionari alle organizzazioni."
        ),
    )
    questionnaire_days = IntegerField(
        _l("Giorni per compilare il questionario"),
        [InputRequired(REQUIRED), NumberRange(min=7, max=90, message=_l("Da 7 a 90 giorni."))],
        default=30,
        description=_l("Da 7 a 90 giorni; poi si apre la revisione."),
    )
    active = BooleanField(
        _l("Monitoraggio periodico attivo"),
        default=True,
        description=_l("Se attivo, Tessere avvia da solo il monitoraggio all'inizio di ogni periodo."),
    )

    def validate_next_period_start(self, field) -> None:
        if field.data is not None and field.data.day != 1:
            raise ValidationError(_("Il periodo deve iniziare il primo giorno di un mese."))


class BuonaPraticaForm(ItalianForm):
    """A good practice for the public catalogue: nothing in it may identify the people it helped."""

    title = StringField(
        _l("Titolo"),
        [DataRequired(REQUIRED), Length(max=200), no_control_characters],
        description=_l("Un titolo breve che dica che cosa è stato fatto."),
    )
    organization_ids = SelectMultipleField(
        _l("Organizzazioni coinvolte"),
        [DataRequired(_l("Indica almeno un'organizzazione."))],
        coerce=int,
        choices=[],
        description=_l("Le organizzazioni della rete che hanno realizzato la pratica."),
    )
    target_groups = SelectMultipleField(
        _l("Gruppi di destinatari"),
        [Optional()],
        choices=choices(target_group_choices()),
        description=_l("Facoltativo; a chi si è rivolta la pratica."),
    )
    description = TextAreaField(
        _l("Descrizione"),
        [DataRequired(REQUIRED), Length(max=MAX_TEXT * 2), no_control_characters],
        description=_l("Che cosa è stato fatto, da chi, come. Testo pubblico: nessun dato delle persone seguite."),
    )
    results = TextAreaField(
        _l("Risultati"),
        [DataRequired(REQUIRED), Length(max=MAX_TEXT * 2), no_control_characters],
        description=_l("Che cosa è cambiato per le persone, con numeri se li avete; senza dati personali."),
    )
    period_id = SelectField(
        _l("Periodo di monitoraggio in cui è emersa"),
        coerce=optional_int,
        choices=[],
        description=_l("Facoltativo; il periodo in cui la pratica è stata segnalata."),
    )
    published = BooleanField(
        _l("Pubblicata nel catalogo pubblico"),
        default=True,
        description=_l("Se spuntata, la pratica è visibile a tutti nella pagina delle buone pratiche."),
    )
