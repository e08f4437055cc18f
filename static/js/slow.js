/* Yishi 议事: a slow consultation (异步协商). The page works without this file.
   With it: the distribution of positions and the reaction counts follow the /slow room live
   (docs/slow.md), and a new reply shows a link to see it. */
(function () {
  'use strict';

  var page = document.getElementById('slow');
  if (!page || typeof window.io !== 'function') return;
  var consultationId = parseInt(page.getAttribute('data-consultation-id'), 10);
  var socket = window.io('/slow', { transports: ['websocket', 'polling'] });

  function positions(d) {
    var box = document.getElementById('distribution');
    if (!d || !box || String(d.motion_id) !== box.getAttribute('data-motion-id')) return;
    ['for', 'against', 'abstain', 'total'].forEach(function (key) {
      var node = box.querySelector('[data-d="' + key + '"]');
      if (node) node.textContent = String(d[key]);
    });
  }

  socket.on('connect', function () {
    socket.emit('join', { consultation_id: consultationId }, function (ack) { if (ack && ack.ok) positions(ack.positions); });
  });
  socket.on('positions', positions);
  socket.on('reactions', function (r) {
    ['agree', 'useful'].forEach(function (key) {
      var node = document.querySelector('[data-count="' + key + '-' + r.id + '"]');
      if (node) node.textContent = String(r[key]);
    });
  });
  socket.on('reply', function () {
    var note = document.getElementById('new-replies');
    if (note) note.hidden = false;
  });
  socket.on('proposal', function () { window.location.reload(); });
  socket.on('mode', function () { window.location.reload(); });
}());
