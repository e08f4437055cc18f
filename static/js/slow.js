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

  // a join unanswered (10 s) or answered "busy" is asked again after a wait that doubles from 1 s, at least
  // what the server asked for, times 0.5-1.5: never at once, so that a thousand phones calm a storm
  function join(attempt) {
    socket.timeout(10000).emit('join', { consultation_id: consultationId }, function (err, ack) {
      var busy = !!(ack && !ack.ok && ack.error && ack.error.code === 'busy');
      if (!err && !busy) { if (ack && ack.ok) positions(ack.positions); return; }
      if (attempt >= 3 || !socket.connected) return;
      var wait = Math.max(1000 * Math.pow(2, attempt), busy ? (ack.error.retry_after || 0) * 1000 : 0);
      setTimeout(function () { join(attempt + 1); }, Math.round(Math.min(wait, 30000) * (0.5 + Math.random())));
    });
  }

  socket.on('connect', function () { join(0); });
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
