/*
 * Tessere – read-only BPMN diagrams (bpmn-js NavigatedViewer, global `BpmnJS`).
 *
 * Markup (no inline scripts: everything comes from data- attributes):
 *
 *   <div class="tessere-diagram-canvas" data-diagram-viewer data-mode="instance|version"
 *        data-source="URL of a JSON with {xml, states?, completed_count?}"
 *        data-summary="id of an element that receives the textual summary (instance mode)"></div>
 *
 *   <div data-diagram-compare data-source="URL of {old: {xml}, new: {xml}, changes: [...]}"
 *        data-old="id of the old canvas" data-new="id of the new canvas"></div>
 *
 *   <button data-diagram-svg="id of a canvas" data-filename="name.svg">  downloads the drawn diagram as SVG
 *   <button data-diagram-zoom="in|out|fit" data-target="id of a canvas">  zoom controls for keyboard users
 *   <button data-diagram-focus="element id" data-target="id,id">          centres an element in the canvases
 *
 * Instance mode colours the elements with canvas markers (css/modeler.css): completed, active, waiting, error;
 * a sequence flow counts as taken when its source completed and its target was reached.
 */
(function () {
  'use strict';

  var centreOn = window.TessereDiagram.centreOn; // from diagram-common.js

  var viewers = {};
  // The page's language: the data-texts attribute of this script's tag (modeler/_assets.html) overrides these
  // Italian defaults (an attribute, not an inline script, for the CSP).
  var TEXT = (function () {
    var defaults = {
      active: 'In corso',
      waiting: 'In attesa (scadenza o evento)',
      completed: 'Completati',
      error: 'In errore',
      unavailable: 'Il diagramma non è disponibile (errore {status}).',
      noSteps: 'Il processo non ha ancora svolto alcun passo.',
      times: '{count} volte',
      cannotShow: 'Il diagramma non può essere mostrato.',
      cannotCompare: 'Il confronto non può essere mostrato.'
    };
    var script = document.currentScript;
    try {
      return Object.assign(defaults, JSON.parse((script && script.getAttribute('data-texts')) || '{}'));
    } catch (e) {
      return defaults;
    }
  })();
  var STATE_LABELS = { active: TEXT.active, waiting: TEXT.waiting, completed: TEXT.completed, error: TEXT.error };
  var DIFF_MARKERS = { added: 'tessere-diff-added', removed: 'tessere-diff-removed', changed: 'tessere-diff-changed' };

  function fetchJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (response) {
      if (!response.ok) {
        throw new Error(TEXT.unavailable.replace('{status}', response.status));
      }
      return response.json();
    });
  }

  function showError(container, message) {
    container.classList.add('tessere-diagram-failed');
    var note = document.createElement('p');
    note.className = 'alert alert-warning m-2';
    note.setAttribute('role', 'status');
    note.textContent = message;
    container.appendChild(note);
  }

  function createViewer(container) {
    var viewer = new BpmnJS({ container: container });
    if (container.id) {
      viewers[container.id] = viewer;
    }
    return viewer;
  }

  function importXml(viewer, xml) {
    return viewer.importXML(xml).then(function () {
      viewer.get('canvas').zoom('fit-viewport', 'auto');
      return viewer;
    });
  }

  function labelOf(element) {
    var bo = element.businessObject || {};
    return (bo.name || bo.id || '').replace(/\s+/g, ' ').trim();
  }

  function markInstance(viewer, data, summary) {
    var canvas = viewer.get('canvas');
    var registry = viewer.get('elementRegistry');
    var states = data.states || {};
    var counts = data.completed_count || {};
    var byState = { active: [], waiting: [], error: [], completed: [] };
    (data.order || Object.keys(states)).forEach(function (id) {
      var element = registry.get(id);
      if (!element || element === canvas.getRootElement()) {
        return;
      }
      canvas.addMarker(id, 'tessere-state-' + states[id]);
      if (byState[states[id]] && element.type !== 'bpmn:SequenceFlow') {
        var label = labelOf(element);
        label = (data.names && data.names[label]) || label; // the diagram's name in the page's language
        if (counts[id] > 1) {
          label += ' (' + TEXT.times.replace('{count}', counts[id]) + ')';
        }
        byState[states[id]].push(label);
      }
    });
    registry.filter(function (element) {
      return element.type === 'bpmn:SequenceFlow';
    }).forEach(function (flow) {
      var source = flow.source && states[flow.source.id];
      var target = flow.target && states[flow.target.id];
      if (source === 'completed' && target) {
        canvas.addMarker(flow.id, 'tessere-state-flow-taken');
      }
    });
    if (summary) {
      summary.textContent = '';
      var list = document.createElement('ul');
      list.className = 'tessere-diagram-summary-list';
      ['error', 'active', 'waiting', 'completed'].forEach(function (state) {
        if (!byState[state].length) {
          return;
        }
        var item = document.createElement('li');
        var title = document.createElement('strong');
        title.textContent = STATE_LABELS[state] + ': ';
        item.appendChild(title);
        const steps = byState[state].join('; ');
        // a full stop closes the list, unless its last name already ends a sentence ("Accettato?")
        item.appendChild(document.createTextNode(/[.?!]$/.test(steps) ? steps : steps + '.'));
        list.appendChild(item);
      });
      if (!list.children.length) {
        var none = document.createElement('li');
        none.textContent = TEXT.noSteps;
        list.appendChild(none);
      }
      summary.appendChild(list);
    }
  }

  function initViewer(container) {
    var viewer = createViewer(container);
    var mode = container.getAttribute('data-mode') || 'version';
    var summary = document.getElementById(container.getAttribute('data-summary') || '');
    fetchJson(container.getAttribute('data-source'))
      .then(function (data) {
        return importXml(viewer, data.xml).then(function () {
          if (mode === 'instance') {
            markInstance(viewer, data, summary);
          }
          container.setAttribute('data-ready', 'true');
        });
      })
      .catch(function (error) {
        showError(container, error.message || TEXT.cannotShow);
        if (summary) {
          summary.textContent = '';
        }
      });
  }

  function initCompare(root) {
    var oldContainer = document.getElementById(root.getAttribute('data-old'));
    var newContainer = document.getElementById(root.getAttribute('data-new'));
    var oldViewer = createViewer(oldContainer);
    var newViewer = createViewer(newContainer);
    fetchJson(root.getAttribute('data-source'))
      .then(function (data) {
        return Promise.all([importXml(oldViewer, data.old.xml), importXml(newViewer, data.new.xml)]).then(function () {
          (data.changes || []).forEach(function (change) {
            var marker = DIFF_MARKERS[change.kind];
            [[oldViewer, change.kind !== 'added'], [newViewer, change.kind !== 'removed']].forEach(function (pair) {
              var element = pair[0].get('elementRegistry').get(change.element_id);
              // never the root (a process without pool): a marker there would colour the whole diagram
              if (pair[1] && element && element !== pair[0].get('canvas').getRootElement()) {
                pair[0].get('canvas').addMarker(change.element_id, marker);
              }
            });
          });
          oldContainer.setAttribute('data-ready', 'true');
          newContainer.setAttribute('data-ready', 'true');
        });
      })
      .catch(function (error) {
        showError(newContainer, error.message || TEXT.cannotCompare);
      });
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

  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-diagram-svg], [data-diagram-zoom], [data-diagram-focus]');
    if (!button) {
      return;
    }
    if (button.hasAttribute('data-diagram-svg')) {
      var source = viewers[button.getAttribute('data-diagram-svg')];
      if (source) {
        source.saveSVG().then(function (result) {
          download(button.getAttribute('data-filename') || 'diagramma.svg', result.svg, 'image/svg+xml');
        });
      }
      return;
    }
    var targets = (button.getAttribute('data-target') || '').split(',');
    targets.forEach(function (id) {
      var viewer = viewers[id.trim()];
      if (!viewer) {
        return;
      }
      var canvas = viewer.get('canvas');
      if (button.hasAttribute('data-diagram-zoom')) {
        var how = button.getAttribute('data-diagram-zoom');
        if (how === 'fit') {
          canvas.zoom('fit-viewport', 'auto');
        } else {
          canvas.zoom(canvas.zoom() * (how === 'in' ? 1.25 : 0.8));
        }
      } else {
        var element = viewer.get('elementRegistry').get(button.getAttribute('data-diagram-focus'));
        if (element) {
          centreOn(canvas, element);
        }
      }
    });
  });

  document.addEventListener('DOMContentLoaded', function () {
    if (typeof BpmnJS === 'undefined') {
      return;
    }
    document.querySelectorAll('[data-diagram-viewer]').forEach(initViewer);
    document.querySelectorAll('[data-diagram-compare]').forEach(initCompare);
  });
})();
