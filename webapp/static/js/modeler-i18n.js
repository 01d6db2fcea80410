/*
 * Tessere – Italian for the bpmn-js modeler's own interface (palette, context pad, "change element" menu).
 *
 * bpmn-js asks a `translate(template, replacements)` service for every string it shows; modeler.js passes this
 * one as an additional module. Strings not listed here stay in English. bpmn-js speaks English by itself: on a
 * page in English (<html lang="en">) the table is not used.
 */
(function () {
  'use strict';

  var IT = {
    // palette
    'Activate hand tool': 'Strumento mano (sposta la vista)',
    'Activate lasso tool': 'Strumento lazo (seleziona più elementi)',
    'Activate create/remove space tool': 'Crea o togli spazio',
    'Activate global connect tool': 'Collega elementi',
    'Create start event': 'Evento di inizio',
    'Create intermediate/boundary event': 'Evento intermedio o di bordo',
    'Create end event': 'Evento di fine',
    'Create gateway': 'Gateway',
    'Create task': 'Attività',
    'Create expanded sub-process': 'Sottoprocesso',
    'Create data object reference': 'Oggetto dati',
    'Create data store reference': 'Deposito dati',
    'Create pool/participant': 'Partecipante (pool)',
    'Create group': 'Gruppo',
    'Search in diagram': 'Cerca nel diagramma',
    // context pad
    'Append end event': 'Aggiungi evento di fine',
    'Append gateway': 'Aggiungi gateway',
    'Append task': 'Aggiungi attività',
    'Append intermediate/boundary event': 'Aggiungi evento intermedio',
    'Append timer intermediate catch event': 'Aggiungi timer',
    'Append message intermediate catch event': 'Aggiungi evento di messaggio',
    'Append signal intermediate catch event': 'Aggiungi evento di segnale',
    'Append conditional intermediate catch event': 'Aggiungi evento condizionale',
    'Append receive task': 'Aggiungi attività di ricezione',
    'Append compensation activity': 'Aggiungi attività di compensazione',
    'Add text annotation': 'Aggiungi annotazione',
    'Add lane above': 'Aggiungi corsia sopra',
    'Add lane below': 'Aggiungi corsia sotto',
    'Divide into two lanes': 'Dividi in due corsie',
    'Divide into three lanes': 'Dividi in tre corsie',
    'Change element': 'Cambia tipo',
    'Connect to other element': 'Collega a un altro elemento',
    'Connect using association': 'Collega con un\'associazione',
    'Connect using data input association': 'Collega con un\'associazione di dati',
    'Delete': 'Elimina',
    'Toggle non-interrupting': 'Interrompente / non interrompente',
    'Loop': 'Ciclo',
    'Parallel multi-instance': 'Multi-istanza parallela',
    'Sequential multi-instance': 'Multi-istanza sequenziale',
    'Collection': 'Collezione',
    'Participant multiplicity': 'Molteplicità del partecipante',
    // "change element" menu
    'Task': 'Attività',
    'User task': 'Attività utente (con un modulo)',
    'Service task': 'Attività di servizio (con un\'operazione)',
    'Manual task': 'Attività manuale',
    'Send task': 'Attività di invio',
    'Receive task': 'Attività di ricezione',
    'Script task': 'Attività script (non consentita)',
    'Business rule task': 'Regola di business (non supportata)',
    'Call activity': 'Richiamo di processo',
    'Sub-process': 'Sottoprocesso',
    'Sub-process (collapsed)': 'Sottoprocesso (chiuso)',
    'Sub-process (expanded)': 'Sottoprocesso (espanso)',
    'Event sub-process': 'Sottoprocesso di evento',
    'Transaction': 'Transazione',
    'Ad-hoc sub-process': 'Sottoprocesso ad hoc',
    'Ad-hoc sub-process (collapsed)': 'Sottoprocesso ad hoc (chiuso)',
    'Ad-hoc sub-process (expanded)': 'Sottoprocesso ad hoc (espanso)',
    'Exclusive gateway': 'Gateway esclusivo',
    'Parallel gateway': 'Gateway parallelo',
    'Inclusive gateway': 'Gateway inclusivo',
    'Complex gateway': 'Gateway complesso',
    'Event-based gateway': 'Gateway basato su eventi',
    'Start event': 'Evento di inizio',
    'End event': 'Evento di fine',
    'Intermediate throw event': 'Evento intermedio',
    'Boundary event': 'Evento di bordo',
    'Terminate end event': 'Fine che termina il processo',
    'Timer start event': 'Inizio a tempo',
    'Timer intermediate catch event': 'Timer intermedio',
    'Timer boundary event': 'Timer di bordo (interrompe)',
    'Timer boundary event (non-interrupting)': 'Timer di bordo (non interrompe)',
    'Timer start event (non-interrupting)': 'Inizio a tempo (non interrompe)',
    'Message start event': 'Inizio su messaggio',
    'Message intermediate catch event': 'Attesa di un messaggio',
    'Message intermediate throw event': 'Invio di un messaggio',
    'Message end event': 'Fine con messaggio',
    'Message boundary event': 'Messaggio di bordo',
    'Message boundary event (non-interrupting)': 'Messaggio di bordo (non interrompe)',
    'Error boundary event': 'Errore di bordo',
    'Error end event': 'Fine con errore',
    'Error start event': 'Inizio su errore',
    'Signal start event': 'Inizio su segnale',
    'Signal end event': 'Fine con segnale',
    'Signal boundary event': 'Segnale di bordo',
    'Signal intermediate catch event': 'Attesa di un segnale',
    'Signal intermediate throw event': 'Invio di un segnale',
    'Conditional start event': 'Inizio condizionale',
    'Conditional boundary event': 'Condizione di bordo',
    'Conditional intermediate catch event': 'Attesa di una condizione',
    'Escalation end event': 'Fine con escalation',
    'Escalation boundary event': 'Escalation di bordo',
    'Escalation intermediate throw event': 'Escalation intermedia',
    'Compensation end event': 'Fine con compensazione',
    'Compensation boundary event': 'Compensazione di bordo',
    'Compensation intermediate throw event': 'Compensazione intermedia',
    'Link intermediate catch event': 'Collegamento (arrivo)',
    'Link intermediate throw event': 'Collegamento (partenza)',
    'Cancel end event': 'Fine con annullamento',
    'Cancel boundary event': 'Annullamento di bordo',
    'Sequence flow': 'Flusso',
    'Default flow': 'Flusso predefinito',
    'Conditional flow': 'Flusso condizionato',
    'Data object reference': 'Oggetto dati',
    'Data store reference': 'Deposito dati',
    'Expanded pool/participant': 'Partecipante espanso',
    'Empty pool/participant': 'Partecipante vuoto'
  };

  function translate(template, replacements) {
    replacements = replacements || {};
    var italian = (document.documentElement.lang || 'it') === 'it';
    var text = italian && Object.prototype.hasOwnProperty.call(IT, template) ? IT[template] : template;
    return text.replace(/{([^}]+)}/g, function (_, key) {
      return Object.prototype.hasOwnProperty.call(replacements, key) ? replacements[key] : '{' + key + '}';
    });
  }

  window.TessereModelerI18n = { translate: translate };
})();
