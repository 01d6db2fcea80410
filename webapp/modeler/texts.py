"""The texts of the modeler's side panel and messages (static/js/modeler.js), in the reader's language.

modeler.js is written with its Italian texts; the page hands it this mapping (Italian -> the reader's language) in a
JSON data block (`<script type="application/json" id="i18n-modeler">`: the CSP forbids inline scripts, not data).
A text of modeler.js missing here is shown in Italian; `{name}` placeholders are filled in by modeler.js.
Keep the keys identical to the strings passed to `t()` in modeler.js.
"""

from __future__ import annotations

from flask_babel import gettext as _


def modeler_texts() -> dict[str, str]:
    return {
        "Processo": _("Processo"),
        "Collaborazione": _("Collaborazione"),
        "Partecipante (processo)": _("Partecipante (processo)"),
        "Corsia": _("Corsia"),
        "Evento di inizio": _("Evento di inizio"),
        "Evento di fine": _("Evento di fine"),
        "Evento intermedio": _("Evento intermedio"),
        "Evento di bordo": _("Evento di bordo"),
        "Attività utente": _("Attività utente"),
        "Attività manuale": _("Attività manuale"),
        "Attività di servizio": _("Attività di servizio"),
        "Attività script": _("Attività script"),
        "Attività di invio": _("Attività di invio"),
        "Attività di ricezione": _("Attività di ricezione"),
        "Regola di business": _("Regola di business"),
        "Attività senza tipo": _("Attività senza tipo"),
        "Richiamo di processo": _("Richiamo di processo"),
        "Sottoprocesso": _("Sottoprocesso"),
        "Gateway esclusivo": _("Gateway esclusivo"),
        "Gateway inclusivo": _("Gateway inclusivo"),
        "Gateway parallelo": _("Gateway parallelo"),
        "Gateway basato su eventi": _("Gateway basato su eventi"),
        "Gateway complesso": _("Gateway complesso"),
        "Flusso": _("Flusso"),
        "Annotazione": _("Annotazione"),
        "Gruppo": _("Gruppo"),
        "Oggetto dati": _("Oggetto dati"),
        "Deposito dati": _("Deposito dati"),
        "minuti": _("minuti"),
        "ore": _("ore"),
        "giorni": _("giorni"),
        "settimane": _("settimane"),
        "mesi": _("mesi"),
        "Il diagramma è troppo grande per essere inviato.": _("Il diagramma è troppo grande per essere inviato."),
        "La sessione è scaduta: ricaricare la pagina (le modifiche non salvate vanno esportate prima).": _(
            "La sessione è scaduta: ricaricare la pagina (le modifiche non salvate vanno esportate prima)."
        ),
        "Il server non ha risposto come previsto (errore {status}). Riprovare.": _(
            "Il server non ha risposto come previsto (errore {status}). Riprovare."
        ),
        "Modifiche non salvate.": _("Modifiche non salvate."),
        "Sconosciuto: {value}": _("Sconosciuto: {value}"),
        "Espressione non valida: ": _("Espressione non valida: "),
        "Espressione valida.": _("Espressione valida."),
        "{count} elementi selezionati: selezionarne uno per vederne le proprietà.": _(
            "{count} elementi selezionati: selezionarne uno per vederne le proprietà."
        ),
        "Selezionare un elemento del diagramma (o il partecipante, per le proprietà del processo).": _(
            "Selezionare un elemento del diagramma (o il partecipante, per le proprietà del processo)."
        ),
        "Identificativo": _("Identificativo"),
        "Nome": _("Nome"),
        "Attività senza tipo: usare «Cambia tipo» (chiave inglese) e scegliere attività utente o di servizio.": _(
            "Attività senza tipo: usare «Cambia tipo» (chiave inglese) e scegliere attività utente o di servizio."
        ),
        "Descrizione": _("Descrizione"),
        "Mostrata a chi svolge l'attività e nei confronti tra versioni.": _(
            "Mostrata a chi svolge l'attività e nei confronti tra versioni."
        ),
        "Chiave del processo": _("Chiave del processo"),
        "La chiave del processo può contenere solo lettere, cifre, _ e -, e inizia con una lettera.": _(
            "La chiave del processo può contenere solo lettere, cifre, _ e -, e inizia con una lettera."
        ),
        "Identifica il processo per sempre: sceglierla prima della prima pubblicazione (es. richiesta_contributo).": _(
            "Identifica il processo per sempre: sceglierla prima della prima pubblicazione (es. richiesta_contributo)."
        ),
        "Nome del processo": _("Nome del processo"),
        "Processo eseguibile": _("Processo eseguibile"),
        "Solo i processi eseguibili vengono pubblicati.": _("Solo i processi eseguibili vengono pubblicati."),
        "Ruolo della corsia": _("Ruolo della corsia"),
        "Scegliere il ruolo…": _("Scegliere il ruolo…"),
        "Le attività nella corsia sono svolte da chi ha questo ruolo; il nome della corsia lo indica.": _(
            "Le attività nella corsia sono svolte da chi ha questo ruolo; il nome della corsia lo indica."
        ),
        "Il nome attuale della corsia non corrisponde a nessun ruolo.": _(
            "Il nome attuale della corsia non corrisponde a nessun ruolo."
        ),
        "Modulo": _("Modulo"),
        "Scegliere il modulo…": _("Scegliere il modulo…"),
        "Il modulo che la persona compila per completare l'attività.": _(
            "Il modulo che la persona compila per completare l'attività."
        ),
        "Svolta da": _("Svolta da"),
        "(ruolo sconosciuto)": _("(ruolo sconosciuto)"),
        "nessuna corsia: spostarla in una corsia": _("nessuna corsia: spostarla in una corsia"),
        "Operazione": _("Operazione"),
        "Scegliere l'operazione…": _("Scegliere l'operazione…"),
        "L'operazione di Tessere che l'attività esegue in automatico.": _(
            "L'operazione di Tessere che l'attività esegue in automatico."
        ),
        "Scadenza": _("Scadenza"),
        "Indicare un numero intero maggiore di zero.": _("Indicare un numero intero maggiore di zero."),
        "Valore nel diagramma: {value}": _("Valore nel diagramma: {value}"),
        "Scadenza non ancora indicata.": _("Scadenza non ancora indicata."),
        "Dopo": _("Dopo"),
        "Unità": _("Unità"),
        "Espressione della scadenza": _("Espressione della scadenza"),
        "Scadenza scritta come espressione o data (avanzato).": _(
            "Scadenza scritta come espressione o data (avanzato)."
        ),
        "Interrompe l'attività": _("Interrompe l'attività"),
        "Se la scadenza arriva, l'attività viene chiusa e il processo prosegue dal timer.": _(
            "Se la scadenza arriva, l'attività viene chiusa e il processo prosegue dal timer."
        ),
        "Percorso predefinito": _("Percorso predefinito"),
        "Seguito quando nessuna condizione degli altri flussi è vera.": _(
            "Seguito quando nessuna condizione degli altri flussi è vera."
        ),
        "Condizione": _("Condizione"),
        'Es.: esito_invio == "accettato". Solo confronti, and/or/not e poche funzioni.': _(
            'Es.: esito_invio == "accettato". Solo confronti, and/or/not e poche funzioni.'
        ),
        "Ciclo": _("Ciclo"),
        "Numero massimo di ripetizioni": _("Numero massimo di ripetizioni"),
        "Obbligatorio, da 1 a 100.": _("Obbligatorio, da 1 a 100."),
        "Ripetere finché": _("Ripetere finché"),
        "Condizione valutata dopo ogni ripetizione.": _("Condizione valutata dopo ogni ripetizione."),
        "Da correggere:": _("Da correggere:"),
        "Processo (nessun elemento selezionato)": _("Processo (nessun elemento selezionato)"),
        "Verifica: nessun problema": _("Verifica: nessun problema"),
        "Il diagramma può essere pubblicato.": _("Il diagramma può essere pubblicato."),
        "Verifica: 1 problema da correggere": _("Verifica: 1 problema da correggere"),
        "Verifica: {count} problemi da correggere": _("Verifica: {count} problemi da correggere"),
        "Bozza salvata alle {time}.": _("Bozza salvata alle {time}."),
        "Bozza salvata: non è ancora pubblicata, i processi continuano a usare la versione attuale.": _(
            "Bozza salvata: non è ancora pubblicata, i processi continuano a usare la versione attuale."
        ),
        "Indirizzo della bozza": _("Indirizzo della bozza"),
        "Il diagramma non è stato pubblicato: correggere i problemi elencati e segnati sul diagramma.": _(
            "Il diagramma non è stato pubblicato: correggere i problemi elencati e segnati sul diagramma."
        ),
        "Pubblicata la versione {version}.": _("Pubblicata la versione {version}."),
        "Versione {version} pubblicata: i nuovi processi useranno questa versione, quelli in corso restano sulla loro.": _(  # noqa: E501
            "Versione {version} pubblicata: i nuovi processi useranno questa versione, quelli in corso restano sulla loro."  # noqa: E501
        ),
        "Vedi le versioni": _("Vedi le versioni"),
        "{count} processi in corso sono su versioni precedenti:": _(
            "{count} processi in corso sono su versioni precedenti:"
        ),
        "verifica la migrazione": _("verifica la migrazione"),
        "Il file è troppo grande (massimo 2 MB).": _("Il file è troppo grande (massimo 2 MB)."),
        "File «{name}» aperto: verificare i problemi segnalati, poi salvare o pubblicare.": _(
            "File «{name}» aperto: verificare i problemi segnalati, poi salvare o pubblicare."
        ),
        "Attenzione: il file descrive il processo «{found}», non «{expected}». Per importarlo come nuovo processo usare «Nuovo processo».": _(  # noqa: E501
            "Attenzione: il file descrive il processo «{found}», non «{expected}». Per importarlo come nuovo processo usare «Nuovo processo»."  # noqa: E501
        ),
        "Importato con {count} avvisi (elementi non riconosciuti ignorati).": _(
            "Importato con {count} avvisi (elementi non riconosciuti ignorati)."
        ),
        "Il file non è un diagramma BPMN leggibile": _("Il file non è un diagramma BPMN leggibile"),
        "Il diagramma non può essere aperto": _("Il diagramma non può essere aperto"),
        "errore {status}": _("errore {status}"),
        "Bozza aperta (non ancora pubblicata).": _("Bozza aperta (non ancora pubblicata)."),
        "Il modellatore non può essere avviato: {error}. Ricaricare la pagina.": _(
            "Il modellatore non può essere avviato: {error}. Ricaricare la pagina."
        ),
    }
