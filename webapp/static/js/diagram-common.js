/* Helpers shared by the diagram viewer and the modeler (both bpmn-js canvases). */
(function () {
  'use strict';

  // Centre an element at its natural size (a fitted diagram is often too small to read).
  function centreOn(canvas, element) {
    var points = element.waypoints || [
      { x: element.x, y: element.y },
      { x: element.x + element.width, y: element.y + element.height }
    ];
    var xs = points.map(function (p) { return p.x; });
    var ys = points.map(function (p) { return p.y; });
    var cx = (Math.min.apply(null, xs) + Math.max.apply(null, xs)) / 2;
    var cy = (Math.min.apply(null, ys) + Math.max.apply(null, ys)) / 2;
    var outer = canvas.viewbox().outer;
    canvas.viewbox({ x: cx - outer.width / 2, y: cy - outer.height / 2, width: outer.width, height: outer.height });
  }

  window.TessereDiagram = { centreOn: centreOn };
})();
