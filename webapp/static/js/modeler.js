/*
 * Tessere – the process modeler: bpmn-js Modeler (global `BpmnJS`) with a side panel of our own.
 *
 * The side panel edits what Tessere's engine reads, with choices wherever there are choices:
 *   user task      the form (spiffworkflow:properties / property formKey), from the forms registry
 *   service task   the operation (spiffworkflow:serviceTaskOperator id), from the operations registry
 *   lane           the role (the lane's name), from the engine's lane roles
 *   timer event    the duration (ISO 8601, built from a number and a unit)
 *   flow           the condition (checked live by the restricted evaluator on the server), default flow
 *   loop           the maximum of repetitions and the loop condition
 *   every element  name and description; the process: executable, and its id while it is new
 * Every change goes through bpmn-js `modeling`, so undo and redo work as for the drawing.
 *
 * The server validates the diagram (on demand, after each change, before saving and publishing): the elements
 * with problems are marked on the canvas and listed in Italian next to it.
 *
 * Configuration: data- attributes of #tessere-modeler (URLs, CSRF token, process key); no inline script.
 */
(function () {
  'use strict';

  var centreOn = window.TessereDiagram.centreOn; // from diagram-common.js

  // The page's language: the data-texts attribute of this script's tag maps each Italian text of this file to the
  // reader's language (rendered from webapp/modeler/texts.py; an attribute, not an inline script, for the CSP);
  // {name} placeholders are filled in here. A text missing there is shown in Italian.
  var TEXTS = (function () {
    var script = document.currentScript;
    try { return JSON.parse((script && script.getAttribute('data-texts')) || '{}'); } catch (e) { return {}; }
  })();
  var LOCALE = document.documentElement.lang === 'en' ? 'en-GB' : 'it-IT';
  function t(text, values) {
    var result = Object.prototype.hasOwnProperty.call(TEXTS, text) ? TEXTS[text] : text;
    return result.replace(/\{([a-z_]+)\}/g, function (match, key) {
      return values && Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  var root = document.getElementById('tessere-modeler');
  if (!root || typeof BpmnJS === 'undefined') {
    return;
  }

  var config = {
    source: root.getAttribute('data-source'),
    vocabulary: root.getAttribute('data-vocabulary'),
    moddle: root.getAttribute('data-moddle'),
    validate: root.getAttribute('data-validate'),
    save: root.getAttribute('data-save'),
    publish: root.getAttribute('data-publish'),
    checkExpression: root.getAttribute('data-check-expression'),
    csrf: root.getAttribute('data-csrf'),
    processKey: root.getAttribute('data-process-key') || null
  };
  var MAX_FILE_BYTES = 2 * 1024 * 1024;
  var TYPE_LABELS = {
    'bpmn:Process': t('Processo'),
    'bpmn:Collaboration': t('Collaborazione'),
    'bpmn:Participant': t('Partecipante (processo)'),
    'bpmn:Lane': t('Corsia'),
    'bpmn:StartEvent': t('Evento di inizio'),
    'bpmn:EndEvent': t('Evento di fine'),
    'bpmn:IntermediateCatchEvent': t('Evento intermedio'),
    'bpmn:IntermediateThrowEvent': t('Evento intermedio'),
    'bpmn:BoundaryEvent': t('Evento di bordo'),
    'bpmn:UserTask': t('Attività utente'),
    'bpmn:ManualTask': t('Attività manuale'),
    'bpmn:ServiceTask': t('Attività di servizio'),
    'bpmn:ScriptTask': t('Attività script'),
    'bpmn:SendTask': t('Attività di invio'),
    'bpmn:ReceiveTask': t('Attività di ricezione'),
    'bpmn:BusinessRuleTask': t('Regola di business'),
    'bpmn:Task': t('Attività senza tipo'),
    'bpmn:CallActivity': t('Richiamo di processo'),
    'bpmn:SubProcess': t('Sottoprocesso'),
    'bpmn:ExclusiveGateway': t('Gateway esclusivo'),
    'bpmn:InclusiveGateway': t('Gateway inclusivo'),
    'bpmn:ParallelGateway': t('Gateway parallelo'),
    'bpmn:EventBasedGateway': t('Gateway basato su eventi'),
    'bpmn:ComplexGateway': t('Gateway complesso'),
    'bpmn:SequenceFlow': t('Flusso'),
    'bpmn:TextAnnotation': t('Annotazione'),
    'bpmn:Group': t('Gruppo'),
    'bpmn:DataObjectReference': t('Oggetto dati'),
    'bpmn:DataStoreReference': t('Deposito dati')
  };
  var UNITS = [
    { value: 'M', time: true, label: t('minuti') },
    { value: 'H', time: true, label: t('ore') },
    { value: 'D', time: false, label: t('giorni') },
    { value: 'W', time: false, label: t('settimane') },
    { value: 'M', time: false, label: t('mesi') }
  ];

  var modeler = null;
  var vocabulary = { forms: [], operations: [], roles: [] };
  var state = {
    revision: null,
    baseVersion: null,
    dirty: false,
    issues: [],
    markedIds: [],
    validateTimer: null,
    fieldCounter: 0
  };

  var panel = document.getElementById('modeler-panel-body');
  var picker = document.getElementById('modeler-element-picker');
  var issuesBox = document.getElementById('modeler-issues');
  var statusBox = document.getElementById('modeler-status');
  var savedBox = document.getElementById('modeler-saved');

  // ------------------------------------------------------------------------------------------------- helpers
  function service(name) {
    return modeler.get(name);
  }

  function request(url, options) {
    options = options || {};
    var headers = options.headers || {};
    headers['X-CSRFToken'] = config.csrf;
    headers.Accept = 'application/json';
    options.headers = headers;
    options.credentials = 'same-origin';
    return fetch(url, options).then(function (response) {
      var type = response.headers.get('Content-Type') || '';
      var body = type.indexOf('application/json') >= 0 ? response.json() : Promise.resolve({});
      return body.then(function (data) {
        return { status: response.status, ok: response.ok, data: data };
      });
    });
  }

  function httpMessage(result) {
    if (result.data && result.data.error) {
      return result.data.error;
    }
    if (result.status === 413) {
      return t('Il diagramma è troppo grande per essere inviato.');
    }
    if (result.status === 400) {
      return t('La sessione è scaduta: ricaricare la pagina (le modifiche non salvate vanno esportate prima).');
    }
    return t('Il server non ha risposto come previsto (errore {status}). Riprovare.', { status: result.status });
  }

  function announce(message, kind) {
    statusBox.textContent = '';
    var box = document.createElement('div');
    box.className = 'alert alert-' + (kind || 'info') + ' mb-0';
    box.textContent = message;
    statusBox.appendChild(box);
    return box;
  }

  function appendLink(box, href, text) {
    box.appendChild(document.createTextNode(' '));
    var link = document.createElement('a');
    link.href = href;
    link.textContent = text;
    box.appendChild(link);
  }

  function setDirty(dirty) {
    state.dirty = dirty;
    root.setAttribute('data-dirty', dirty ? 'true' : 'false');
    if (dirty) {
      savedBox.textContent = t('Modifiche non salvate.');
    }
  }

  function download(filename, text, type) {
    var blob = new Blob([text], { type: type });
    var link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () {
      URL.revokeObjectURL(link.href);
      link.remove();
    }, 0);
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === 'text') {
        node.textContent = attrs[key];
      } else if (key === 'className') {
        node.className = attrs[key];
      } else if (attrs[key] !== null && attrs[key] !== undefined && attrs[key] !== false) {
        node.setAttribute(key, attrs[key] === true ? '' : attrs[key]);
      }
    });
    (children || []).forEach(function (child) {
      if (child) {
        node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  function fieldId(name) {
    state.fieldCounter += 1;
    return 'prop-' + name + '-' + state.fieldCounter;
  }

  // Inputs carry data-field (their name): after the panel is drawn again, focus returns to the same field.
  function fieldName(id) {
    return id.replace(/^prop-/, '').replace(/-\d+$/, '');
  }

  function businessObject(element) {
    return element.businessObject;
  }

  function typeOf(element) {
    return businessObject(element).$type;
  }

  function is(element, type) {
    var bo = businessObject(element);
    return bo && typeof bo.$instanceOf === 'function' && bo.$instanceOf(type);
  }

  function extension(bo, type) {
    var values = (bo.extensionElements && bo.extensionElements.get('values')) || [];
    for (var i = 0; i < values.length; i += 1) {
      if (values[i].$instanceOf && values[i].$instanceOf(type)) {
        return values[i];
      }
    }
    return null;
  }

  function ensureExtensionElements(element, bo) {
    var modeling = service('modeling');
    var moddle = service('moddle');
    if (!bo.extensionElements) {
      var created = moddle.create('bpmn:ExtensionElements', { values: [] });
      created.$parent = bo;
      if (bo === businessObject(element)) {
        modeling.updateProperties(element, { extensionElements: created });
      } else {
        modeling.updateModdleProperties(element, bo, { extensionElements: created });
      }
    }
    return bo.extensionElements;
  }

  function ensureExtension(element, bo, type, properties) {
    var found = extension(bo, type);
    if (found) {
      return found;
    }
    var extensionElements = ensureExtensionElements(element, bo);
    var created = service('moddle').create(type, properties || {});
    created.$parent = extensionElements;
    service('modeling').updateModdleProperties(element, extensionElements, {
      values: extensionElements.get('values').concat([created])
    });
    return created;
  }

  // ------------------------------------------------------------------------------ reading what the engine reads
  function formKeyOf(bo) {
    var properties = extension(bo, 'spiffworkflow:properties');
    var list = (properties && properties.get('properties')) || [];
    for (var i = 0; i < list.length; i += 1) {
      if (list[i].name === 'formKey') {
        return list[i].value || '';
      }
    }
    return '';
  }

  function setFormKey(element, value) {
    var bo = businessObject(element);
    var properties = ensureExtension(element, bo, 'spiffworkflow:properties', { properties: [] });
    var list = properties.get('properties');
    for (var i = 0; i < list.length; i += 1) {
      if (list[i].name === 'formKey') {
        service('modeling').updateModdleProperties(element, list[i], { value: value });
        return;
      }
    }
    var created = service('moddle').create('spiffworkflow:property', { name: 'formKey', value: value });
    created.$parent = properties;
    service('modeling').updateModdleProperties(element, properties, { properties: list.concat([created]) });
  }

  function operationOf(bo) {
    var operator = extension(bo, 'spiffworkflow:serviceTaskOperator');
    return operator ? operator.id || '' : '';
  }

  function setOperation(element, value) {
    var operator = ensureExtension(element, businessObject(element), 'spiffworkflow:serviceTaskOperator', {
      id: value
    });
    service('modeling').updateModdleProperties(element, operator, { id: value });
  }

  function documentationOf(bo) {
    var docs = bo.get ? bo.get('documentation') : bo.documentation;
    return docs && docs.length ? docs[0].text || '' : '';
  }

  function setDocumentation(element, bo, text) {
    var docs = text ? [service('moddle').create('bpmn:Documentation', { text: text })] : [];
    if (bo === businessObject(element)) {
      service('modeling').updateProperties(element, { documentation: docs });
    } else {
      service('modeling').updateModdleProperties(element, bo, { documentation: docs });
    }
  }

  function timerOf(bo) {
    var definitions = bo.get ? bo.get('eventDefinitions') || [] : [];
    for (var i = 0; i < definitions.length; i += 1) {
      if (definitions[i].$instanceOf('bpmn:TimerEventDefinition')) {
        return definitions[i];
      }
    }
    return null;
  }

  function parseDuration(text) {
    var value = (text || '').trim().replace(/^["']|["']$/g, '');
    var match = /^PT(\d+)([HM])$/.exec(value);
    if (match) {
      return { amount: parseInt(match[1], 10), unit: match[2], time: true };
    }
    match = /^P(\d+)([DWM])$/.exec(value);
    if (match) {
      return { amount: parseInt(match[1], 10), unit: match[2], time: false };
    }
    return null;
  }

  function formatDuration(amount, unitIndex) {
    var unit = UNITS[unitIndex];
    return (unit.time ? 'PT' : 'P') + amount + unit.value;
  }

  function setTimerDuration(element, definition, iso) {
    var expression = service('moddle').create('bpmn:FormalExpression', { body: iso });
    expression.$parent = definition;
    service('modeling').updateModdleProperties(element, definition, {
      timeDuration: expression,
      timeDate: undefined,
      timeCycle: undefined
    });
  }

  function laneOf(element) {
    var lanes = service('elementRegistry').filter(function (shape) {
      return shape.type === 'bpmn:Lane';
    });
    var bo = businessObject(element);
    while (bo) {
      for (var i = lanes.length - 1; i >= 0; i -= 1) {
        var refs = businessObject(lanes[i]).get('flowNodeRef') || [];
        if (refs.indexOf(bo) >= 0) {
          return businessObject(lanes[i]);
        }
      }
      bo = bo.$parent && bo.$parent.$instanceOf && bo.$parent.$instanceOf('bpmn:SubProcess') ? bo.$parent : null;
    }
    return null;
  }

  function roleOfLane(name) {
    var normalized = (name || '').trim().toLowerCase();
    for (var i = 0; i < vocabulary.roles.length; i += 1) {
      if (vocabulary.roles[i].aliases.indexOf(normalized) >= 0) {
        return vocabulary.roles[i];
      }
    }
    return null;
  }

  function processOf(element) {
    if (!element) {
      return null;
    }
    var bo = businessObject(element);
    if (bo.$instanceOf('bpmn:Participant')) {
      return bo.processRef || null;
    }
    if (bo.$instanceOf('bpmn:Process')) {
      return bo;
    }
    return null;
  }

  // ------------------------------------------------------------------------------------------- panel widgets
  function group(label, input, help, extraId) {
    var helpNode = null;
    if (help) {
      helpNode = el('small', { id: input.id + '-help', className: 'form-text d-block', text: help });
      input.setAttribute('aria-describedby', input.id + '-help' + (extraId ? ' ' + extraId : ''));
    } else if (extraId) {
      input.setAttribute('aria-describedby', extraId);
    }
    return el('div', { className: 'tessere-prop mb-3' }, [
      el('label', { for: input.id, className: 'form-label', text: label }),
      input,
      helpNode
    ]);
  }

  function textInput(name, value, onChange, attrs) {
    var input = el('input', Object.assign({ type: 'text', id: fieldId(name), className: 'form-control' }, attrs || {}));
    input.value = value || '';
    input.addEventListener('change', function () {
      onChange(input.value.trim());
    });
    return input;
  }

  function textArea(name, value, onChange, rows) {
    var input = el('textarea', { id: fieldId(name), className: 'form-control', rows: String(rows || 3) });
    input.value = value || '';
    input.addEventListener('change', function () {
      onChange(input.value.trim());
    });
    return input;
  }

  function selectInput(name, options, value, onChange, placeholder) {
    var select = el('select', { id: fieldId(name), className: 'form-select' });
    if (placeholder) {
      select.appendChild(el('option', { value: '', text: placeholder }));
    }
    var known = false;
    options.forEach(function (option) {
      var node = el('option', { value: option.value, text: option.label });
      if (option.value === value) {
        node.selected = true;
        known = true;
      }
      select.appendChild(node);
    });
    if (value && !known) {
      var unknown = el('option', { value: value, text: t('Sconosciuto: {value}', { value: value }) });
      unknown.selected = true;
      select.appendChild(unknown);
    }
    select.addEventListener('change', function () {
      onChange(select.value);
    });
    return select;
  }

  function checkbox(name, label, checked, onChange, help) {
    var input = el('input', { type: 'checkbox', id: fieldId(name), className: 'form-check-input' });
    input.checked = !!checked;
    input.addEventListener('change', function () {
      onChange(input.checked);
    });
    var helpNode = help ? el('small', { id: input.id + '-help', className: 'form-text d-block', text: help }) : null;
    if (help) {
      input.setAttribute('aria-describedby', input.id + '-help');
    }
    return el('div', { className: 'form-check tessere-prop mb-3' }, [
      input,
      el('label', { for: input.id, className: 'form-check-label', text: label }),
      helpNode
    ]);
  }

  function readonly(label, value) {
    return el('div', { className: 'tessere-prop mb-2' }, [
      el('span', { className: 'tessere-prop-label', text: label + ': ' }),
      el('span', { className: 'tessere-prop-value', text: value })
    ]);
  }

  // An expression field: saved on change, checked live (debounced) by the server's restricted evaluator.
  function expressionField(name, label, value, help, onChange) {
    var input = textArea(name, value, onChange, 2);
    input.classList.add('tessere-expression');
    input.setAttribute('spellcheck', 'false');
    var resultId = input.id + '-check';
    var result = el('div', { id: resultId, className: 'tessere-expression-check', 'aria-live': 'polite' });
    var timer = null;
    function check() {
      var text = input.value.trim();
      if (!text) {
        result.textContent = '';
        result.className = 'tessere-expression-check';
        return;
      }
      request(config.checkExpression, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ expression: text })
      }).then(function (response) {
        if (input.value.trim() !== text) {
          return;
        }
        var problems = (response.data && response.data.problems) || [];
        result.textContent = '';
        if (!response.ok) {
          result.className = 'tessere-expression-check is-unknown';
          result.textContent = httpMessage(response);
        } else if (problems.length) {
          result.className = 'tessere-expression-check is-invalid';
          result.appendChild(el('span', { text: t('Espressione non valida: ') }));
          result.appendChild(document.createTextNode(problems.join(' ')));
          input.setAttribute('aria-invalid', 'true');
        } else {
          result.className = 'tessere-expression-check is-valid';
          result.textContent = t('Espressione valida.');
          input.removeAttribute('aria-invalid');
        }
      });
    }
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(check, 350);
    });
    if (value) {
      setTimeout(check, 0);
    }
    var wrapper = group(label, input, help, resultId);
    wrapper.appendChild(result);
    return wrapper;
  }

  // ----------------------------------------------------------------------------------------------- the panel
  function currentElement() {
    var selected = service('selection').get();
    return selected.length === 1 ? selected[0] : null;
  }

  function renderPanel() {
    if (!modeler) {
      return;
    }
    var focused = panel.contains(document.activeElement) && document.activeElement.id
      ? fieldName(document.activeElement.id)
      : null;
    drawPanel();
    if (focused) {
      var again = panel.querySelector('[id^="prop-' + focused + '-"]');
      if (again) {
        again.focus();
      }
    }
  }

  function drawPanel() {
    var selected = service('selection').get();
    panel.textContent = '';
    if (selected.length > 1) {
      panel.appendChild(el('p', { text: t('{count} elementi selezionati: selezionarne uno per vederne le proprietà.', { count: selected.length }) }));
      return;
    }
    var element = selected[0] || service('canvas').getRootElement();
    if (!element || !element.businessObject) {
      return; // the implicit root, while a diagram is being imported
    }
    renderElement(element, !selected.length);
  }

  function renderElement(element, isRoot) {
    var bo = businessObject(element);
    var modeling = service('modeling');
    var type = typeOf(element);
    var heading = el('h3', { className: 'h6 tessere-panel-type', text: TYPE_LABELS[type] || type.replace('bpmn:', '') });
    panel.appendChild(heading);
    if (isRoot && bo.$instanceOf('bpmn:Collaboration')) {
      panel.appendChild(
        el('p', {
          className: 'small',
          text: t('Selezionare un elemento del diagramma (o il partecipante, per le proprietà del processo).')
        })
      );
      return;
    }
    panel.appendChild(readonly(t('Identificativo'), bo.id || '—'));

    var process = processOf(element);
    if (process) {
      renderProcess(element, bo, process);
      return;
    }
    if (!bo.$instanceOf('bpmn:SequenceFlow') || bo.name || isConditional(element)) {
      panel.appendChild(
        group(t('Nome'), textInput('name', bo.name, function (value) {
          modeling.updateProperties(element, { name: value || undefined });
        }))
      );
    }
    if (is(element, 'bpmn:Lane')) {
      renderLane(element, bo);
      return;
    }
    if (is(element, 'bpmn:UserTask') || is(element, 'bpmn:ManualTask')) {
      renderHumanTask(element, bo);
    } else if (is(element, 'bpmn:ServiceTask')) {
      renderServiceTask(element, bo);
    } else if (is(element, 'bpmn:Task') && type === 'bpmn:Task') {
      panel.appendChild(
        el('p', {
          className: 'alert alert-warning small',
          text: t('Attività senza tipo: usare «Cambia tipo» (chiave inglese) e scegliere attività utente o di servizio.')
        })
      );
    }
    var timer = timerOf(bo);
    if (timer) {
      renderTimer(element, bo, timer);
    }
    if (is(element, 'bpmn:SequenceFlow')) {
      renderFlow(element, bo);
    }
    if (bo.loopCharacteristics && bo.loopCharacteristics.$instanceOf('bpmn:StandardLoopCharacteristics')) {
      renderLoop(element, bo.loopCharacteristics);
    }
    if (!is(element, 'bpmn:TextAnnotation') && !is(element, 'bpmn:Group')) {
      panel.appendChild(
        group(t('Descrizione'), textArea('documentation', documentationOf(bo), function (value) {
          setDocumentation(element, bo, value);
        }), t('Mostrata a chi svolge l\'attività e nei confronti tra versioni.'))
      );
    }
    renderElementIssues(bo.id);
  }

  function renderProcess(element, bo, process) {
    var modeling = service('modeling');
    var isNew = !config.processKey;
    if (isNew) {
      panel.appendChild(
        group(t('Chiave del processo'), textInput('process-id', process.id, function (value) {
          if (!/^[A-Za-z_][A-Za-z0-9_-]{0,99}$/.test(value)) {
            announce(t('La chiave del processo può contenere solo lettere, cifre, _ e -, e inizia con una lettera.'), 'warning');
            renderPanel();
            return;
          }
          if (process === bo) {
            modeling.updateProperties(element, { id: value });
          } else {
            modeling.updateModdleProperties(element, process, { id: value });
          }
        }), t('Identifica il processo per sempre: sceglierla prima della prima pubblicazione (es. richiesta_contributo).'))
      );
    } else {
      panel.appendChild(readonly(t('Chiave del processo'), process.id));
    }
    panel.appendChild(
      group(t('Nome del processo'), textInput('process-name', process.name || bo.name, function (value) {
        if (bo !== process) {
          modeling.updateProperties(element, { name: value || undefined });
          modeling.updateModdleProperties(element, process, { name: value || undefined });
        } else {
          modeling.updateProperties(element, { name: value || undefined });
        }
      }))
    );
    panel.appendChild(
      checkbox('executable', t('Processo eseguibile'), process.isExecutable, function (checked) {
        if (process === bo) {
          modeling.updateProperties(element, { isExecutable: checked });
        } else {
          modeling.updateModdleProperties(element, process, { isExecutable: checked });
        }
      }, t('Solo i processi eseguibili vengono pubblicati.'))
    );
    panel.appendChild(
      group(t('Descrizione'), textArea('process-documentation', documentationOf(process), function (value) {
        setDocumentation(element, process, value);
      }, 4))
    );
    renderElementIssues(process.id);
    if (bo !== process) {
      renderElementIssues(bo.id);
    }
  }

  function renderLane(element, bo) {
    var role = roleOfLane(bo.name);
    var options = vocabulary.roles.map(function (item) {
      return { value: item.value, label: item.lane + ' — ' + item.label };
    });
    panel.appendChild(
      group(t('Ruolo della corsia'), selectInput('lane-role', options, role ? role.value : '', function (value) {
        var chosen = vocabulary.roles.filter(function (item) {
          return item.value === value;
        })[0];
        if (chosen) {
          service('modeling').updateProperties(element, { name: chosen.lane });
        }
      }, t('Scegliere il ruolo…')), t('Le attività nella corsia sono svolte da chi ha questo ruolo; il nome della corsia lo indica.'))
    );
    if (!role) {
      panel.appendChild(
        el('p', { className: 'small text-danger', text: t('Il nome attuale della corsia non corrisponde a nessun ruolo.') })
      );
    }
    renderElementIssues(bo.id);
  }

  function renderHumanTask(element, bo) {
    panel.appendChild(
      group(t('Modulo'), selectInput('form', vocabulary.forms, formKeyOf(bo), function (value) {
        setFormKey(element, value);
      }, t('Scegliere il modulo…')), t('Il modulo che la persona compila per completare l\'attività.'))
    );
    var lane = laneOf(element);
    var role = lane ? roleOfLane(lane.name) : null;
    panel.appendChild(
      readonly(
        t('Svolta da'),
        lane ? (lane.name || lane.id) + (role ? ' (' + role.label + ')' : ' ' + t('(ruolo sconosciuto)')) : t('nessuna corsia: spostarla in una corsia')
      )
    );
  }

  function renderServiceTask(element, bo) {
    panel.appendChild(
      group(t('Operazione'), selectInput('operation', vocabulary.operations, operationOf(bo), function (value) {
        setOperation(element, value);
      }, t('Scegliere l\'operazione…')), t('L\'operazione di Tessere che l\'attività esegue in automatico.'))
    );
  }

  function renderTimer(element, bo, definition) {
    var modeling = service('modeling');
    var expression = definition.timeDuration || definition.timeDate || definition.timeCycle;
    var text = expression ? expression.body || '' : '';
    var parsed = definition.timeDuration || !expression ? parseDuration(text) : null;
    var box = el('fieldset', { className: 'tessere-prop-group mb-3' }, [el('legend', { className: 'h6', text: t('Scadenza') })]);
    if (parsed || !text) {
      var amount = el('input', { type: 'number', min: '1', max: '9999', step: '1', id: fieldId('timer-amount'), className: 'form-control' });
      amount.value = parsed ? String(parsed.amount) : '';
      var unitIndex = 2;
      UNITS.forEach(function (unit, index) {
        if (parsed && unit.value === parsed.unit && unit.time === parsed.time) {
          unitIndex = index;
        }
      });
      var unit = el('select', { id: fieldId('timer-unit'), className: 'form-select' });
      UNITS.forEach(function (item, index) {
        var option = el('option', { value: String(index), text: item.label });
        option.selected = index === unitIndex;
        unit.appendChild(option);
      });
      var iso = el('small', { className: 'form-text d-block', id: amount.id + '-iso' });
      var update = function () {
        var value = parseInt(amount.value, 10);
        if (!value || value < 1) {
          iso.textContent = t('Indicare un numero intero maggiore di zero.');
          return;
        }
        var duration = formatDuration(value, parseInt(unit.value, 10));
        iso.textContent = t('Valore nel diagramma: {value}', { value: duration });
        setTimerDuration(element, definition, duration);
      };
      amount.addEventListener('change', update);
      unit.addEventListener('change', update);
      iso.textContent = text ? t('Valore nel diagramma: {value}', { value: text }) : t('Scadenza non ancora indicata.');
      amount.setAttribute('aria-describedby', iso.id);
      box.appendChild(
        el('div', { className: 'tessere-timer-row' }, [
          el('div', {}, [el('label', { for: amount.id, className: 'form-label', text: t('Dopo') }), amount]),
          el('div', {}, [el('label', { for: unit.id, className: 'form-label', text: t('Unità') }), unit])
        ])
      );
      box.appendChild(iso);
    } else {
      box.appendChild(
        expressionField('timer-expression', t('Espressione della scadenza'), text, t('Scadenza scritta come espressione o data (avanzato).'), function (value) {
          var created = service('moddle').create('bpmn:FormalExpression', { body: value });
          var property = definition.timeDate ? 'timeDate' : definition.timeCycle ? 'timeCycle' : 'timeDuration';
          var update = {};
          update[property] = created;
          modeling.updateModdleProperties(element, definition, update);
        })
      );
    }
    panel.appendChild(box);
    if (is(element, 'bpmn:BoundaryEvent')) {
      panel.appendChild(
        checkbox('interrupting', t('Interrompe l\'attività'), bo.cancelActivity !== false, function (checked) {
          modeling.updateProperties(element, { cancelActivity: checked });
        }, t('Se la scadenza arriva, l\'attività viene chiusa e il processo prosegue dal timer.'))
      );
    }
  }

  function isConditional(element) {
    var source = element.source;
    return !!(
      source &&
      (is(source, 'bpmn:ExclusiveGateway') || is(source, 'bpmn:InclusiveGateway'))
    );
  }

  function renderFlow(element, bo) {
    var modeling = service('modeling');
    if (!isConditional(element)) {
      return;
    }
    var gateway = element.source;
    var isDefault = businessObject(gateway).default === bo;
    panel.appendChild(
      checkbox('default-flow', t('Percorso predefinito'), isDefault, function (checked) {
        if (checked) {
          modeling.updateProperties(element, { conditionExpression: undefined });
        }
        modeling.updateProperties(gateway, { default: checked ? bo : undefined });
      }, t('Seguito quando nessuna condizione degli altri flussi è vera.'))
    );
    if (!isDefault) {
      var condition = bo.conditionExpression ? bo.conditionExpression.body || '' : '';
      panel.appendChild(
        expressionField('condition', t('Condizione'), condition, t('Es.: esito_invio == "accettato". Solo confronti, and/or/not e poche funzioni.'), function (value) {
          var expression = value ? service('moddle').create('bpmn:FormalExpression', { body: value }) : undefined;
          modeling.updateProperties(element, { conditionExpression: expression });
        })
      );
    }
  }

  function renderLoop(element, loop) {
    var modeling = service('modeling');
    var box = el('fieldset', { className: 'tessere-prop-group mb-3' }, [el('legend', { className: 'h6', text: t('Ciclo') })]);
    var maximum = el('input', { type: 'number', min: '1', max: '100', step: '1', id: fieldId('loop-max'), className: 'form-control' });
    maximum.value = loop.loopMaximum ? String(loop.loopMaximum) : '';
    maximum.addEventListener('change', function () {
      var value = parseInt(maximum.value, 10);
      modeling.updateModdleProperties(element, loop, { loopMaximum: value > 0 ? value : undefined });
    });
    box.appendChild(group(t('Numero massimo di ripetizioni'), maximum, t('Obbligatorio, da 1 a 100.')));
    var condition = loop.loopCondition ? loop.loopCondition.body || '' : '';
    box.appendChild(
      expressionField('loop-condition', t('Ripetere finché'), condition, t('Condizione valutata dopo ogni ripetizione.'), function (value) {
        var expression = value ? service('moddle').create('bpmn:FormalExpression', { body: value }) : undefined;
        modeling.updateModdleProperties(element, loop, { loopCondition: expression });
      })
    );
    panel.appendChild(box);
  }

  function renderElementIssues(id) {
    var mine = state.issues.filter(function (issue) {
      return issue.element_id === id;
    });
    if (!mine.length) {
      return;
    }
    var list = el('ul', { className: 'tessere-element-issues small' });
    mine.forEach(function (issue) {
      list.appendChild(el('li', { text: issue.message }));
    });
    panel.appendChild(el('div', { className: 'alert alert-danger p-2', role: 'note' }, [el('strong', { text: t('Da correggere:') }), list]));
  }


  // ------------------------------------------------------------------------------------- the element picker
  // Every element of the diagram in a list: a way to reach each one with the keyboard (and a screen reader).
  function elementLabel(element) {
    var bo = businessObject(element);
    var name = (bo.name || '').replace(/\s+/g, ' ').trim();
    var type = TYPE_LABELS[bo.$type] || bo.$type.replace('bpmn:', '');
    return type + ': ' + (name ? name + ' (' + bo.id + ')' : bo.id);
  }

  function fillPicker() {
    var selected = currentElement();
    var elements = service('elementRegistry').filter(function (element) {
      return element.businessObject && !element.labelTarget && element.type !== 'label' &&
        element !== service('canvas').getRootElement() && !/^bpmndi|__implicitroot/.test(element.id);
    });
    elements.sort(function (a, b) {
      return elementLabel(a).localeCompare(elementLabel(b), LOCALE);
    });
    picker.textContent = '';
    picker.appendChild(el('option', { value: '', text: t('Processo (nessun elemento selezionato)') }));
    elements.forEach(function (element) {
      var option = el('option', { value: element.id, text: elementLabel(element) });
      option.selected = !!selected && selected.id === element.id;
      picker.appendChild(option);
    });
  }

  function syncPicker() {
    var selected = currentElement();
    picker.value = selected ? selected.id : '';
  }

  picker.addEventListener('change', function () {
    var element = picker.value ? service('elementRegistry').get(picker.value) : null;
    if (element) {
      service('selection').select(element);
      centreOn(service('canvas'), element);
    } else {
      service('selection').select(null);
    }
  });

  var pickerTimer = null;
  function schedulePicker() {
    clearTimeout(pickerTimer);
    pickerTimer = setTimeout(fillPicker, 300);
  }

  // ------------------------------------------------------------------------------------------------ validation
  function clearIssueMarks() {
    var canvas = service('canvas');
    var overlays = service('overlays');
    var registry = service('elementRegistry');
    state.markedIds.forEach(function (id) {
      if (registry.get(id)) {
        canvas.removeMarker(id, 'tessere-issue');
        canvas.removeMarker(id, 'tessere-issue-container');
      }
    });
    overlays.remove({ type: 'tessere-issue' });
    state.markedIds = [];
  }

  // The shape an issue is about: the element itself, or the pool of a process (a process has no shape of its own
  // in a collaboration). Never the root: a marker there would colour the whole diagram.
  function issueTarget(id) {
    if (!id) {
      return null;
    }
    var registry = service('elementRegistry');
    var element = registry.get(id);
    if (!element) {
      element = registry.filter(function (candidate) {
        var bo = candidate.businessObject;
        return bo && bo.$instanceOf && bo.$instanceOf('bpmn:Participant') && bo.processRef && bo.processRef.id === id;
      })[0];
    }
    return element && element !== service('canvas').getRootElement() ? element : null;
  }

  function showIssues(issues) {
    state.issues = issues || [];
    clearIssueMarks();
    var registry = service('elementRegistry');
    var canvas = service('canvas');
    var overlays = service('overlays');
    var counts = {};
    state.issues.forEach(function (issue) {
      var target = issueTarget(issue.element_id);
      if (target) {
        counts[target.id] = (counts[target.id] || 0) + 1;
      }
    });
    Object.keys(counts).forEach(function (id) {
      var element = registry.get(id);
      // pools, lanes and subprocesses: only their border, so what they contain stays readable
      canvas.addMarker(id, element.children && element.children.length ? 'tessere-issue-container' : 'tessere-issue');
      state.markedIds.push(id);
      if (element.waypoints) {
        return;
      }
      overlays.add(id, 'tessere-issue', {
        position: { top: -12, right: 12 },
        html: el('span', { className: 'tessere-issue-badge', 'aria-hidden': 'true', text: String(counts[id]) })
      });
    });

    issuesBox.textContent = '';
    var heading = el('h2', { className: 'h5', id: 'modeler-issues-title', tabindex: '-1' });
    issuesBox.appendChild(heading);
    if (!state.issues.length) {
      heading.textContent = t('Verifica: nessun problema');
      issuesBox.appendChild(el('p', { className: 'small mb-0', text: t('Il diagramma può essere pubblicato.') }));
      root.setAttribute('data-issues', '0');
      renderPanel();
      return;
    }
    heading.textContent =
      state.issues.length === 1 ? t('Verifica: 1 problema da correggere') : t('Verifica: {count} problemi da correggere', { count: state.issues.length });
    var list = el('ol', { className: 'tessere-issue-list' });
    state.issues.forEach(function (issue) {
      var item = el('li', { 'data-element-id': issue.element_id || '' });
      var element = issueTarget(issue.element_id);
      if (element) {
        var button = el('button', { type: 'button', className: 'btn btn-link p-0 text-start', text: issue.message });
        button.addEventListener('click', function () {
          service('selection').select(element);
          centreOn(canvas, element);
          panel.focus();
        });
        item.appendChild(button);
      } else {
        item.appendChild(document.createTextNode(issue.message));
      }
      list.appendChild(item);
    });
    issuesBox.appendChild(list);
    root.setAttribute('data-issues', String(state.issues.length));
    renderPanel();
  }

  function currentXml() {
    return modeler.saveXML({ format: true }).then(function (result) {
      return result.xml;
    });
  }

  function validate() {
    return currentXml().then(function (xml) {
      return request(config.validate, {
        method: 'POST',
        headers: { 'Content-Type': 'application/xml' },
        body: xml
      }).then(function (result) {
        if (!result.ok) {
          announce(httpMessage(result), 'danger');
          return null;
        }
        showIssues(result.data.errors);
        return result.data.errors;
      });
    });
  }

  function scheduleValidation() {
    clearTimeout(state.validateTimer);
    state.validateTimer = setTimeout(validate, 900);
  }

  // --------------------------------------------------------------------------------------------------- actions
  function processKeyInDiagram() {
    var rootElement = service('canvas').getRootElement();
    var bo = businessObject(rootElement);
    if (bo.$instanceOf('bpmn:Process')) {
      return bo.id;
    }
    var participants = bo.get('participants') || [];
    for (var i = 0; i < participants.length; i += 1) {
      if (participants[i].processRef && participants[i].processRef.isExecutable) {
        return participants[i].processRef.id;
      }
    }
    return participants.length && participants[0].processRef ? participants[0].processRef.id : null;
  }

  function saveDraft() {
    return currentXml().then(function (xml) {
      return request(config.save, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          xml: xml,
          revision: state.revision,
          process_key: config.processKey,
          base_version: state.baseVersion
        })
      }).then(function (result) {
        if (!result.ok) {
          announce(httpMessage(result), result.status === 409 ? 'warning' : 'danger');
          return;
        }
        state.revision = result.data.revision;
        setDirty(false);
        savedBox.textContent = t('Bozza salvata alle {time}.', { time: new Date(result.data.saved_at).toLocaleTimeString(LOCALE) });
        var box = announce(t('Bozza salvata: non è ancora pubblicata, i processi continuano a usare la versione attuale.'), 'success');
        if (!config.processKey) {
          config.processKey = result.data.process_key;
          root.setAttribute('data-process-key', config.processKey);
          if (window.history && window.history.replaceState) {
            window.history.replaceState(null, '', result.data.edit_url);
          }
          appendLink(box, result.data.edit_url, t('Indirizzo della bozza'));
        }
        showIssues(result.data.errors);
      });
    });
  }

  function publish() {
    var button = document.getElementById('modeler-publish');
    button.disabled = true;
    return currentXml()
      .then(function (xml) {
        return request(config.publish, {
          method: 'POST',
          headers: { 'Content-Type': 'application/xml' },
          body: xml
        });
      })
      .then(function (result) {
        if (result.status === 422) {
          showIssues(result.data.errors);
          announce(t('Il diagramma non è stato pubblicato: correggere i problemi elencati e segnati sul diagramma.'), 'danger');
          var heading = document.getElementById('modeler-issues-title');
          if (heading) {
            heading.focus();
          }
          return;
        }
        if (!result.ok) {
          announce(httpMessage(result), 'danger');
          return;
        }
        state.revision = null;
        state.baseVersion = result.data.version;
        config.processKey = result.data.process_key;
        root.setAttribute('data-process-key', config.processKey);
        setDirty(false);
        savedBox.textContent = t('Pubblicata la versione {version}.', { version: result.data.version });
        showIssues([]);
        var box = announce(
          t('Versione {version} pubblicata: i nuovi processi useranno questa versione, quelli in corso restano sulla loro.', {
            version: result.data.version
          }),
          'success'
        );
        appendLink(box, result.data.process_url, t('Vedi le versioni'));
        if (result.data.migration_url) {
          box.appendChild(
            document.createTextNode(
              ' ' + t('{count} processi in corso sono su versioni precedenti:', { count: result.data.running_on_older_versions })
            )
          );
          appendLink(box, result.data.migration_url, t('verifica la migrazione'));
        }
      })
      .finally(function () {
        button.disabled = false;
      });
  }

  function openFile(file) {
    if (!file) {
      return;
    }
    if (file.size > MAX_FILE_BYTES) {
      announce(t('Il file è troppo grande (massimo 2 MB).'), 'danger');
      return;
    }
    var reader = new FileReader();
    reader.onload = function () {
      load(String(reader.result), true).then(function (ok) {
        if (ok) {
          setDirty(true);
          announce(t('File «{name}» aperto: verificare i problemi segnalati, poi salvare o pubblicare.', { name: file.name }), 'info');
          if (config.processKey && processKeyInDiagram() !== config.processKey) {
            announce(
              t('Attenzione: il file descrive il processo «{found}», non «{expected}». Per importarlo come nuovo processo usare «Nuovo processo».', {
                found: processKeyInDiagram(),
                expected: config.processKey
              }),
              'warning'
            );
          }
        }
      });
    };
    reader.readAsText(file);
  }

  function load(xml, fromFile) {
    state.markedIds = []; // the markers and overlays of the previous diagram go with it
    return modeler
      .importXML(xml)
      .then(function (result) {
        service('canvas').zoom('fit-viewport', 'auto');
        if (result.warnings && result.warnings.length) {
          savedBox.textContent = t('Importato con {count} avvisi (elementi non riconosciuti ignorati).', { count: result.warnings.length });
        }
        renderPanel();
        fillPicker();
        validate();
        return true;
      })
      .catch(function (error) {
        announce(
          (fromFile ? t('Il file non è un diagramma BPMN leggibile') : t('Il diagramma non può essere aperto')) +
            ': ' + (error.message || error),
          'danger'
        );
        return false;
      });
  }

  function updateUndoButtons() {
    var stack = service('commandStack');
    document.getElementById('modeler-undo').disabled = !stack.canUndo();
    document.getElementById('modeler-redo').disabled = !stack.canRedo();
  }

  function bindToolbar() {
    document.getElementById('modeler-validate').addEventListener('click', function () {
      validate().then(function (issues) {
        if (issues && issues.length) {
          var heading = document.getElementById('modeler-issues-title');
          if (heading) {
            heading.focus();
          }
        }
      });
    });
    document.getElementById('modeler-save').addEventListener('click', saveDraft);
    document.getElementById('modeler-publish').addEventListener('click', publish);
    document.getElementById('modeler-undo').addEventListener('click', function () {
      service('commandStack').undo();
    });
    document.getElementById('modeler-redo').addEventListener('click', function () {
      service('commandStack').redo();
    });
    document.getElementById('modeler-fit').addEventListener('click', function () {
      service('canvas').zoom('fit-viewport', 'auto');
    });
    document.getElementById('modeler-export-bpmn').addEventListener('click', function () {
      currentXml().then(function (xml) {
        download((processKeyInDiagram() || 'diagramma') + '.bpmn', xml, 'application/xml');
      });
    });
    document.getElementById('modeler-export-svg').addEventListener('click', function () {
      modeler.saveSVG().then(function (result) {
        download((processKeyInDiagram() || 'diagramma') + '.svg', result.svg, 'image/svg+xml');
      });
    });
    var fileInput = document.getElementById('modeler-file');
    fileInput.addEventListener('change', function () {
      openFile(fileInput.files[0]);
      fileInput.value = '';
    });
    window.addEventListener('beforeunload', function (event) {
      if (state.dirty) {
        event.preventDefault();
        event.returnValue = '';
      }
    });
  }

  // ------------------------------------------------------------------------------------------------------ start
  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (response) {
      if (!response.ok) {
        throw new Error(t('errore {status}', { status: response.status }));
      }
      return response.json();
    });
  }

  Promise.all([getJson(config.moddle), getJson(config.vocabulary), getJson(config.source)])
    .then(function (results) {
      vocabulary = results[1];
      var source = results[2];
      state.revision = typeof source.revision === 'number' ? source.revision : null;
      state.baseVersion = typeof source.base_version === 'number' ? source.base_version : null;
      modeler = new BpmnJS({
        container: document.getElementById('modeler-canvas'),
        moddleExtensions: { spiffworkflow: results[0] },
        additionalModules: [{ translate: ['value', window.TessereModelerI18n.translate] }]
      });
      var eventBus = service('eventBus');
      eventBus.on('selection.changed', function () {
        renderPanel();
        syncPicker();
      });
      eventBus.on(['shape.added', 'shape.removed', 'connection.added', 'connection.removed', 'elements.changed'], schedulePicker);
      eventBus.on('elements.changed', function (event) {
        var element = currentElement();
        var touched = (event.elements || []).some(function (changed) {
          return !element || changed === element || changed.id === element.id;
        });
        var typing = panel.contains(document.activeElement) && /^(INPUT|TEXTAREA)$/.test(document.activeElement.tagName) &&
          document.activeElement.type !== 'checkbox';
        if (touched && !typing) {
          renderPanel();
        }
      });
      eventBus.on('commandStack.changed', function () {
        setDirty(true);
        updateUndoButtons();
        scheduleValidation();
      });
      bindToolbar();
      return load(source.xml, false).then(function () {
        setDirty(false);
        updateUndoButtons();
        root.setAttribute('data-ready', 'true');
        if (source.draft) {
          savedBox.textContent = t('Bozza aperta (non ancora pubblicata).');
        }
      });
    })
    .catch(function (error) {
      announce(t('Il modellatore non può essere avviato: {error}. Ricaricare la pagina.', { error: error.message || error }), 'danger');
    });
})();
