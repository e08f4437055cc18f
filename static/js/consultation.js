/* Yishi 议事: the live consultation room (templates/consultations/room.html).
   The page works without this file: history is server-rendered and the speaking form posts.
   With it, the room joins /consultations over Socket.IO (docs/realtime.md) and stays live.
   Every text shown comes from the page (#room-data strings and labels); user text goes in with
   textContent, only the server's escaped body_html with innerHTML. */
(function () {
  'use strict';

  var dataEl = document.getElementById('room-data');
  var room = document.getElementById('room');
  if (!dataEl || !room) return;
  var data;
  try { data = JSON.parse(dataEl.textContent); } catch (e) { return; }

  var S = data.strings || {};
  var L = data.labels || {};
  var cid = data.consultation_id;
  var you = data.you || {};
  var rules = data.rules || {};
  var phase = data.phase;
  var locked = !!data.locked;
  var lastId = data.last_id || 0;
  var motion = data.motion || null;
  var receipts = {};           // motion id -> receipt code of this user's vote
  if (data.motion && data.you && data.you.receipt) receipts[data.motion.id] = data.you.receipt;
  var draftKey = 'yishi-draft-' + cid;

  function $(id) { return document.getElementById(id); }

  function t(key, vars) {
    var s = S[key] || '';
    Object.keys(vars || {}).forEach(function (k) { s = s.split('{' + k + '}').join(String(vars[k])); });
    return s;
  }

  function label(group, key) { return (L[group] && L[group][key]) || key || ''; }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }

  function button(action, text, cls, attrs) {
    var b = el('button', cls || 'btn', text);
    b.type = 'button';
    b.setAttribute('data-action', action);
    Object.keys(attrs || {}).forEach(function (k) { b.setAttribute('data-' + k, attrs[k]); });
    return b;
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }

  function hhmm(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? '' : pad(d.getHours()) + ':' + pad(d.getMinutes());
  }

  function timeEl(iso) {
    var node = el('time', 'js-hhmm', hhmm(iso));
    node.setAttribute('datetime', iso || '');
    return node;
  }

  function dayTime(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '';
    return d.getMonth() + 1 + '/' + d.getDate() + ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes());
  }

  // Server-rendered times in the viewer's own clock, like the ones added live.
  Array.prototype.forEach.call(room.querySelectorAll('time.js-hhmm'), function (node) {
    var text = hhmm(node.getAttribute('datetime'));
    if (text) node.textContent = text;
  });

  // -- status line (a snackbar) -------------------------------------------------------------------

  var statusBox = $('room-status');
  var statusTimer = null;

  function say(text, isError) {
    if (!statusBox || !text) return;
    statusBox.textContent = '';
    statusBox.className = 'room-status' + (isError ? ' is-error' : '');
    statusBox.appendChild(el('span', null, text));
    var close = el('button', 'room-status-close', '×');
    close.type = 'button';
    close.setAttribute('aria-label', S.close || '×');
    close.addEventListener('click', function () { statusBox.hidden = true; });
    statusBox.appendChild(close);
    statusBox.hidden = false;
    clearTimeout(statusTimer);
    statusTimer = setTimeout(function () { statusBox.hidden = true; }, isError ? 12000 : 6000);
  }

  function errorText(res) {
    return (res && res.error && res.error.message) || S.error;
  }

  // -- messages ---------------------------------------------------------------------------------

  var list = $('messages');
  var latest = $('latest');

  function nearBottom() {
    if (!latest) return false;
    return latest.getBoundingClientRect().top < window.innerHeight + 160;
  }

  function setHidden(li, reason) {
    li.classList.add('msg-hidden');
    var old = li.querySelector('.msg-body');
    var note = el('p', 'msg-body msg-hidden-note', t('hidden', { reason: reason || '' }));
    if (old) old.replaceWith(note); else li.appendChild(note);
    Array.prototype.forEach.call(li.querySelectorAll('[data-action="report"], [data-action="hide"]'), function (b) {
      b.remove();
    });
  }

  function messageItem(m) {
    var author = m.author || {};
    var own = author.id === you.id;
    var li = el('li', 'msg');
    li.id = 'm-' + m.id;
    li.setAttribute('data-id', m.id);
    li.setAttribute('data-author-id', author.id);
    if (own) li.classList.add('msg-own');
    if (m.by_chair) li.classList.add('msg-chair');
    if (author.badges && author.badges.length) li.classList.add('msg-official');

    var meta = el('p', 'msg-meta');
    meta.appendChild(el('strong', 'msg-author', author.name));
    if (m.by_chair) { meta.append(' '); meta.appendChild(el('span', 'badge badge-chair', S.chair)); }
    (author.badges || []).forEach(function (b) {
      meta.append(' ');
      meta.appendChild(el('span', 'badge badge-official', label('badge', b)));
    });
    if (m.stance) { meta.append(' '); meta.appendChild(el('span', 'stance stance-' + m.stance, label('stance', m.stance))); }
    meta.append(' ');
    meta.appendChild(timeEl(m.created_at));
    li.appendChild(meta);

    var body = el('div', 'msg-body');
    body.innerHTML = m.body_html || '';   // escaped by the server (docs/realtime.md)
    li.appendChild(body);

    var canReport = you.verified !== undefined ? you.verified : you.can_speak;
    var tools = el('p', 'msg-tools live-only');
    if (canReport && !own) tools.appendChild(button('report', S.report, 'btn-link'));
    if (you.can_moderate) {
      tools.appendChild(button('hide', S.hide, 'btn-link'));
      if (!own) tools.appendChild(button('warn', S.warn, 'btn-link', { 'user-id': author.id }));
      if (!own) tools.appendChild(button('mute', S.mute, 'btn-link', { 'user-id': author.id }));
    }
    if (tools.children.length) li.appendChild(tools);
    if (m.hidden) setHidden(li, m.hidden_reason);
    return li;
  }

  function addMessage(m, scroll) {
    if (!m || typeof m.id !== 'number' || !list || $('m-' + m.id)) return;
    var follow = scroll || nearBottom();
    var li = messageItem(m);
    // keep id order even if a live event overtakes the join replay
    var before = null;
    for (var node = list.lastElementChild; node; node = node.previousElementSibling) {
      if (Number(node.getAttribute('data-id')) < m.id) break;
      before = node;
    }
    list.insertBefore(li, before);
    if (m.id > lastId) lastId = m.id;
    var empty = $('no-messages');
    if (empty) empty.hidden = true;
    if (follow && !(document.activeElement && document.activeElement.tagName === 'TEXTAREA' && !scroll)) {
      li.scrollIntoView({ block: 'nearest' });
    }
  }

  function authorName(userId) {
    var li = list && list.querySelector('li[data-author-id="' + userId + '"] .msg-author');
    return li ? li.textContent : '';
  }

  // -- the floor (formal mode) --------------------------------------------------------------------

  var floorBox = $('floor-content');
  var deadline = 0;
  var tick = null;

  function showCountdown() {
    var node = floorBox && floorBox.querySelector('.countdown');
    if (!node) { clearInterval(tick); tick = null; return; }
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    node.textContent = left > 0 ? Math.floor(left / 60) + ':' + pad(left % 60) : S.time_up;
    node.classList.toggle('is-ending', left <= 15);
    if (left <= 0) { clearInterval(tick); tick = null; }
  }

  function canTakeTurns() {
    return you.can_speak && !(you.is_chair && rules.chair_neutral) && phase === 'open';
  }

  function renderFloor(f) {
    if (!floorBox || !f) return;
    floorBox.textContent = '';
    var holder = f.holder;
    if (holder && f.seconds_left > 0) {
      var p = el('p', 'floor-holder');
      p.appendChild(el('strong', null, holder.name));
      p.append(' ' + S.has_floor + ' ');
      var count = el('span', 'countdown');
      if (f.ends_at) count.setAttribute('data-ends-at', f.ends_at);
      p.appendChild(count);
      floorBox.appendChild(p);
      if (holder.id === you.id) {
        var yours = el('p', 'floor-yours');
        var jump = el('a', null, S.your_turn);
        jump.href = '#speak';
        yours.appendChild(jump);
        floorBox.appendChild(yours);
        floorBox.appendChild(button('yield_floor', S.yield_floor, 'btn'));
      } else if (you.is_chair) {
        floorBox.appendChild(button('yield_floor', S.take_back, 'btn btn-small'));
      }
      deadline = Date.now() + f.seconds_left * 1000;
      showCountdown();
      if (!tick) tick = setInterval(showCountdown, 1000);
    } else {
      holder = null;
      floorBox.appendChild(el('p', 'muted', S.no_holder));
    }
    floorBox.appendChild(el('h3', null, S.queue));
    var queue = f.queue || [];
    if (!queue.length) {
      floorBox.appendChild(el('p', 'muted', S.queue_empty));
    } else {
      var ol = el('ol', 'queue');
      queue.forEach(function (e) {
        var li = el('li');
        li.appendChild(el('span', 'queue-name', e.name));
        if (e.stance) { li.append(' '); li.appendChild(el('span', 'stance stance-' + e.stance, label('stance', e.stance))); }
        if (you.is_chair) { li.append(' '); li.appendChild(button('grant_floor', S.give_floor, 'btn btn-small', { 'user-id': e.user_id })); }
        ol.appendChild(li);
      });
      floorBox.appendChild(ol);
    }
    var waiting = queue.some(function (e) { return e.user_id === you.id; });
    var mine = holder && holder.id === you.id;
    var raise = $('hand-raise');
    var lower = $('hand-lower');
    if (raise) raise.hidden = waiting || mine || !canTakeTurns();
    if (lower) lower.hidden = !waiting;
  }

  // -- the motion ---------------------------------------------------------------------------------

  var motionBox = $('motion-content');
  var PENDING = ['moved', 'debate', 'voting'];

  function renderMotion(m) {
    if (!motionBox) return;
    if (m && (m.state === 'withdrawn' || m.state === 'lapsed')) {
      if (motion && motion.id === m.id) say(label('motion_state', m.state) + ' · ' + m.text);
      m = null;
    }
    motion = m;
    motionBox.textContent = '';
    var move = $('move');
    if (move) move.hidden = !!(m && PENDING.indexOf(m.state) >= 0);
    if (!m) { motionBox.appendChild(el('p', 'muted', S.no_motion)); return; }

    motionBox.appendChild(el('p', 'motion-text', m.text));
    var meta = S.moved_by + ': ' + (m.mover ? m.mover.name : '');
    if (m.seconder) meta += ' · ' + S.seconded_by + ': ' + m.seconder.name;
    motionBox.appendChild(el('p', 'motion-meta', meta));
    var state = el('p');
    state.appendChild(el('span', 'pill motion-state motion-' + m.state, label('motion_state', m.state)));
    motionBox.appendChild(state);
    if (m.state === 'voting' && typeof m.votes_cast === 'number') {
      motionBox.appendChild(el('p', 'motion-counts', S.votes_cast + ': ' + m.votes_cast));
    }
    if (m.counts) {
      var c = m.counts;
      motionBox.appendChild(el('p', 'motion-counts',
        label('stance', 'for') + ' ' + c['for'] + ' · ' + label('stance', 'against') + ' ' + c.against +
        ' · ' + S.abstain + ' ' + c.abstain + ' · ' + S.eligible + ' ' + c.eligible));
      motionBox.appendChild(el('p', 'muted', c.quorum_met ? S.quorum_met : S.quorum_not_met));
    }
    if (receipts[m.id]) motionBox.appendChild(el('p', 'motion-voted', t('voted', { code: receipts[m.id] })));

    var actions = el('div', 'actions live-only');
    var ids = { 'motion-id': m.id };
    var isMover = m.mover && m.mover.id === you.id;
    var neutral = you.is_chair && rules.chair_neutral;
    if (m.state === 'moved' && you.can_speak && !isMover && !neutral) actions.appendChild(button('second', S.second, 'btn', ids));
    if ((m.state === 'moved' || m.state === 'debate') && isMover) actions.appendChild(button('withdraw', S.withdraw, 'btn', ids));
    if (m.state === 'debate' && you.is_chair) actions.appendChild(button('call_vote', S.call_vote, 'btn btn-primary', ids));
    if (m.state === 'voting' && you.can_speak && !neutral && !receipts[m.id]) {
      actions.appendChild(button('vote', S.vote_for, 'btn vote-for', { 'motion-id': m.id, choice: 'for' }));
      actions.appendChild(button('vote', S.vote_against, 'btn vote-against', { 'motion-id': m.id, choice: 'against' }));
      actions.appendChild(button('vote', S.abstain, 'btn', { 'motion-id': m.id, choice: 'abstain' }));
    }
    if (m.state === 'voting' && you.is_chair) actions.appendChild(button('close_vote', S.close_vote, 'btn btn-primary', ids));
    if (actions.children.length) motionBox.appendChild(actions);
  }

  // -- room-wide state ----------------------------------------------------------------------------

  function setLocked(value) {
    locked = !!value;
    var note = $('locked-note');
    if (note) note.hidden = !locked;
    var b = $('lock-button');
    if (b) b.textContent = locked ? S.unlock : S.lock;
  }

  function showMuted(until) {
    var note = $('muted-note');
    if (!note) return;
    note.textContent = t('muted_until', { time: dayTime(until) });
    note.hidden = false;
  }

  function addModeration(e) {
    var log = $('modlog');
    if (!log || !e) return;
    var li = el('li');
    li.appendChild(timeEl(e.at));
    li.append(' ');
    li.appendChild(el('strong', null, label('action', e.action)));
    var target = e.target && e.target.user_id ? authorName(e.target.user_id) : '';
    var text = (target ? ' · ' + target : '') + ' · ' + (e.by ? t('by', { name: e.by }) : S.automatic);
    if (e.until) text += ' · ' + t('until', { time: dayTime(e.until) });
    li.append(text);
    if (e.reason) { li.appendChild(el('br')); li.appendChild(el('span', 'modlog-reason', e.reason)); }
    log.insertBefore(li, log.firstChild);
    var empty = $('modlog-empty');
    if (empty) empty.hidden = true;
    if (e.action === 'mute' && e.target && e.target.user_id === you.id && e.until) showMuted(e.until);
    if (e.action === 'lock' || e.action === 'unlock') setLocked(e.action === 'lock');
  }

  function applyRules(r) {
    if (!r) return;
    var modeChanged = r.mode && rules.mode && r.mode !== rules.mode;
    rules = r;
    Array.prototype.forEach.call(room.querySelectorAll('[data-rule]'), function (node) {
      var value = r[node.getAttribute('data-rule')];
      if (value != null) node.textContent = value;
    });
    var body = speakForm && speakForm.querySelector('textarea');
    if (body && r.max_speech_chars) body.maxLength = r.max_speech_chars;
    updateCount();
    return modeChanged;
  }

  function reloadSoon() {
    var body = speakForm && speakForm.querySelector('textarea');
    try { if (body && body.value) sessionStorage.setItem(draftKey, body.value); } catch (e) { /* private mode */ }
    setTimeout(function () { window.location.reload(); }, 2000);
  }

  // -- the speaking form --------------------------------------------------------------------------

  var speakForm = $('speak-form');
  var speakStatus = $('speak-status');
  var sending = false;

  function newClientId() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID().replace(/-/g, '');
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) window.crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  function setSpeakStatus(text, isError) {
    if (!speakStatus) return;
    speakStatus.textContent = text || '';
    speakStatus.classList.toggle('is-error', !!isError);
  }

  function updateCount() {
    if (!speakForm) return;
    var body = speakForm.querySelector('textarea');
    var count = speakForm.querySelector('[data-count]');
    if (!body || !count) return;
    var n = Array.from(body.value).length;
    count.textContent = n;
    var box = $('char-count');
    if (box) box.classList.toggle('is-over', n > (rules.max_speech_chars || Infinity));
  }

  // -- socket -------------------------------------------------------------------------------------

  if (typeof window.io !== 'function') return;
  var socket = window.io('/consultations', { transports: ['websocket', 'polling'] });

  function join() {
    socket.timeout(15000).emit('join', { consultation_id: cid, after_id: lastId }, function (err, res) {
      if (err) { if (socket.connected) join(); return; }
      if (!res || !res.ok) { say(errorText(res), true); return; }
      room.classList.add('is-live');
      if (res.you) you = res.you;
      if (res.motion && you.receipt) receipts[res.motion.id] = you.receipt;
      applyRules(res.rules);
      (res.messages || []).forEach(function (m) { addMessage(m, false); });
      renderFloor(res.floor);
      renderMotion(res.motion);
      if (res.presence) showPresence(res.presence);
      if (res.consultation) {
        setLocked(res.consultation.locked);
        if (res.consultation.phase && res.consultation.phase !== phase) {
          say(t('phase_changed', { phase: label('phase', res.consultation.phase) }));
          reloadSoon();
        }
      }
    });
  }

  function showPresence(p) {
    var node = $('presence');
    if (!node || !p || typeof p.count !== 'number') return;
    node.textContent = t('presence', { num: p.count });
    node.hidden = false;
  }

  socket.on('connect', join);
  socket.on('disconnect', function () {
    room.classList.remove('is-live');
    var presence = $('presence');
    if (presence) presence.hidden = true;
  });
  socket.on('message', function (m) { addMessage(m, false); });
  socket.on('message_hidden', function (e) {
    var li = e && $('m-' + e.id);
    if (li) setHidden(li, e.reason);
  });
  socket.on('floor', renderFloor);
  socket.on('motion', function (m) {
    if (!m) return;
    if (motion && motion.id !== m.id && PENDING.indexOf(m.state) < 0) return;  // an old motion's echo
    renderMotion(m);
  });
  socket.on('presence', showPresence);
  socket.on('moderation', addModeration);
  socket.on('rules_changed', function (r) {
    say(S.rules_changed);
    if (applyRules(r)) reloadSoon();
  });
  socket.on('phase_changed', function (p) {
    say(t('phase_changed', { phase: label('phase', p && p.phase) }));
    reloadSoon();
  });

  // Live actions: every button with data-action; the answer comes in its acknowledgement.
  function send(event, payload, btn, onOk) {
    if (!socket.connected) { say(S.offline, true); return; }
    if (btn) btn.disabled = true;
    socket.timeout(10000).emit(event, payload, function (err, res) {
      if (btn) btn.disabled = false;
      if (err) { say(S.timeout, true); return; }
      if (!res || !res.ok) { say(errorText(res), true); return; }
      if (res.floor) renderFloor(res.floor);
      if (res.motion) renderMotion(res.motion);
      if (onOk) onOk(res);
    });
  }

  function ask(text, value) {
    var answer = window.prompt(text, value || '');
    return answer === null ? null : answer.trim();
  }

  room.addEventListener('click', function (event) {
    var btn = event.target.closest('[data-action]');
    if (!btn || !room.contains(btn)) return;
    var action = btn.getAttribute('data-action');
    var li = btn.closest('li[data-id]');
    var messageId = li ? Number(li.getAttribute('data-id')) : null;
    var motionId = Number(btn.getAttribute('data-motion-id')) || (motion && motion.id);
    var reason;
    switch (action) {
      case 'raise_hand': {
        var picked = room.querySelector('input[name="hand-stance"]:checked');
        var stance = picked ? picked.value : null;
        send('raise_hand', { consultation_id: cid, stance: stance }, btn, function () {
          // the same side is preselected for the speech that follows
          var same = speakForm && stance && speakForm.querySelector('input[name="stance"][value="' + stance + '"]');
          if (same) same.checked = true;
        });
        break;
      }
      case 'lower_hand':
      case 'yield_floor':
        send(action, { consultation_id: cid }, btn);
        break;
      case 'grant_floor':
        send(action, { consultation_id: cid, user_id: Number(btn.getAttribute('data-user-id')) }, btn);
        break;
      case 'withdraw':
        if (!window.confirm(S.confirm_withdraw)) return;
        send(action, { motion_id: motionId }, btn);
        break;
      case 'close_vote':
        if (!window.confirm(S.confirm_close)) return;
        send(action, { motion_id: motionId }, btn);
        break;
      case 'second':
      case 'call_vote':
        send(action, { motion_id: motionId }, btn);
        break;
      case 'vote':
        send('vote', { motion_id: motionId, choice: btn.getAttribute('data-choice') }, btn, function (res) {
          receipts[motionId] = res.receipt;
          if (motion && motion.id === motionId) renderMotion(motion);
          say(t('voted', { code: res.receipt }));
        });
        break;
      case 'report':
        reason = ask(S.report_prompt);
        if (!reason || messageId == null) return;
        send('report', { message_id: messageId, reason: reason }, btn, function () { say(S.reported); });
        break;
      case 'hide':
        reason = ask(S.hide_prompt);
        if (!reason || messageId == null) return;
        send('hide', { message_id: messageId, reason: reason }, btn, function () { say(S.done); });
        break;
      case 'warn':
        reason = ask(S.warn_reason_prompt);
        if (!reason) return;
        send('warn', { consultation_id: cid, user_id: Number(btn.getAttribute('data-user-id')), reason: reason },
          btn, function () { say(S.done); });
        break;
      case 'mute': {
        var minutes = parseInt(ask(S.mute_minutes_prompt, '10'), 10);
        if (!(minutes > 0)) return;
        reason = ask(S.mute_reason_prompt);
        if (!reason) return;
        send('mute', {
          consultation_id: cid, user_id: Number(btn.getAttribute('data-user-id')), minutes: minutes, reason: reason,
        }, btn, function () { say(S.done); });
        break;
      }
      case 'lock': {
        var payload = { consultation_id: cid, locked: !locked };
        if (!locked) {
          reason = ask(S.lock_prompt);
          if (!reason) return;
          payload.reason = reason;
        }
        send('lock', payload, btn, function (res) { if (res.consultation) setLocked(res.consultation.locked); });
        break;
      }
      default:
        return;
    }
  });

  // Proposing a motion (live only; there is no form post for it).
  var moveForm = $('move-form');
  var moveClientId = newClientId();
  if (moveForm) {
    moveForm.addEventListener('submit', function (event) {
      event.preventDefault();
      var field = moveForm.querySelector('textarea');
      var text = field.value.trim();
      if (!text) { field.focus(); return; }
      send('move', { consultation_id: cid, client_id: moveClientId, text: text }, moveForm.querySelector('button'), function () {
        field.value = '';
        moveClientId = newClientId();
        var details = $('move');
        if (details) details.open = false;
      });
    });
  }

  // The speaking form: over the socket when connected (retried once with the same client_id),
  // a normal form post otherwise.
  if (speakForm) {
    var body = speakForm.querySelector('textarea');
    var clientField = speakForm.querySelector('input[name="client_id"]');
    var submit = speakForm.querySelector('button[type="submit"]');
    try {
      var saved = sessionStorage.getItem(draftKey);
      if (saved && body && !body.value) body.value = saved;
      sessionStorage.removeItem(draftKey);
    } catch (e) { /* private mode */ }
    if (body) body.addEventListener('input', function () { updateCount(); if (!sending) setSpeakStatus(''); });
    updateCount();

    var done = function () { sending = false; if (submit) submit.disabled = false; };
    var speak = function (payload, retry) {
      socket.timeout(10000).emit('speak', payload, function (err, res) {
        if (err) {
          if (retry && socket.connected) { speak(payload, false); return; }
          done();
          setSpeakStatus(S.timeout, true);
          return;
        }
        done();
        if (!res || !res.ok) { setSpeakStatus(errorText(res), true); return; }
        setSpeakStatus('');
        body.value = '';
        updateCount();
        Array.prototype.forEach.call(speakForm.querySelectorAll('input[name="stance"]'), function (r) { r.checked = false; });
        if (clientField) clientField.value = newClientId();
        addMessage(res.message, true);
      });
    };

    speakForm.addEventListener('submit', function (event) {
      if (!socket.connected || !body || !clientField) return;   // the normal post
      event.preventDefault();
      if (sending) return;
      if (!body.value.trim()) { setSpeakStatus(S.write_something, true); body.focus(); return; }
      var picked = speakForm.querySelector('input[name="stance"]:checked');
      sending = true;
      if (submit) submit.disabled = true;
      setSpeakStatus(S.sending);
      speak({ consultation_id: cid, client_id: clientField.value, body: body.value, stance: picked ? picked.value : null }, true);
    });
  }
})();
