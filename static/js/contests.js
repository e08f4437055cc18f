/* Yishi 议事: proposal contests. The pages work without this file.
   With it: the turnout panel (#turnout) follows the /contests room live (docs/realtime.md), and
   the ballot counts the boxes checked and stops at k (the server checks again). */
(function () {
  'use strict';

  var ballot = document.querySelector('form.ballot');
  if (ballot) {
    var max = parseInt(ballot.getAttribute('data-max'), 10) || 1;
    var counter = ballot.querySelector('.ballot-count');
    var boxes = ballot.querySelectorAll('input[name=entry]');
    var update = function () {
      var n = 0;
      boxes.forEach(function (b) { if (b.checked) n += 1; });
      boxes.forEach(function (b) { b.disabled = !b.checked && n >= max; });
      if (counter) counter.textContent = (counter.getAttribute('data-template') || '').split('{n}').join(String(n));
    };
    boxes.forEach(function (b) { b.addEventListener('change', update); });
    ballot.addEventListener('submit', function () { boxes.forEach(function (b) { b.disabled = false; }); });
    update();
  }

  var panel = document.getElementById('turnout');
  if (!panel || typeof window.io !== 'function') return;
  var contestId = parseInt(panel.getAttribute('data-contest-id'), 10);
  var socket = window.io('/contests', { transports: ['websocket', 'polling'] });

  function show(t) {
    if (!t) return;
    var set = function (scope, key, value) {
      var node = scope.querySelector('[data-turnout="' + key + '"]');
      if (node) node.textContent = String(value);
    };
    set(panel, 'voted', t.voted);
    set(panel, 'eligible', t.eligible);
    (t.by_building || []).forEach(function (row) {
      var key = row.building_id === null ? '' : String(row.building_id);
      var tr = panel.querySelector('tr[data-building="' + key + '"]');
      if (tr) { set(tr, 'b-voted', row.voted); set(tr, 'b-eligible', row.eligible); }
    });
  }

  // a join unanswered (10 s) or answered "busy" is asked again after a wait that doubles from 1 s, at least
  // what the server asked for, times 0.5-1.5: never at once, so that a thousand phones calm a storm
  function join(attempt) {
    socket.timeout(10000).emit('join', { contest_id: contestId }, function (err, ack) {
      var busy = !!(ack && !ack.ok && ack.error && ack.error.code === 'busy');
      if (!err && !busy) { if (ack && ack.ok) show(ack.turnout); return; }
      if (attempt >= 3 || !socket.connected) return;
      var wait = Math.max(1000 * Math.pow(2, attempt), busy ? (ack.error.retry_after || 0) * 1000 : 0);
      setTimeout(function () { join(attempt + 1); }, Math.round(Math.min(wait, 30000) * (0.5 + Math.random())));
    });
  }

  socket.on('connect', function () { join(0); });
  socket.on('turnout', show);
  socket.on('phase', function () { window.location.reload(); });
  socket.on('results', function () { window.location.reload(); });
}());
