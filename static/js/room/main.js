// Yishi 议事, the live consultation room (templates/consultations/room.html). The page works without
// these modules: history is rendered by the server and every action is a form that posts. With them the
// room joins /consultations over Socket.IO and stays live; on reconnect it asks for what it missed.

import { keepDraft, updateCount } from './actions.js';
import { $, label, room, says, toast } from './dom.js';
import { renderFloor } from './floor.js';
import { ask, backoff, isLive, start, waiting } from './live.js';
import { addMessage, addModeration, hidePresence, setHidden, setLocked, showPresence } from './messages.js';
import { motionEvent, renderMotion } from './motion.js';

function applyRules(rules) {
  if (!rules) return false;
  const modeChanged = rules.mode && room.rules.mode && rules.mode !== room.rules.mode;
  room.rules = rules;
  document.querySelectorAll('#room [data-rule]').forEach((node) => {
    const value = rules[node.getAttribute('data-rule')];
    if (value != null) node.textContent = value;
  });
  const body = document.querySelector('#speak-form textarea');
  if (body && rules.max_speech_chars) body.maxLength = rules.max_speech_chars;
  updateCount();
  return modeChanged;
}

function reloadSoon() {
  keepDraft();
  setTimeout(() => window.location.reload(), 2000);
}

function phaseChanged(phase) {
  toast(says('phase_changed', { phase: label('phase', phase) }));
  reloadSoon();
}

/** The speeches missed before the join's last page (a long disconnect): older pages, on request. */
async function fillGap(beforeId, afterId) {
  let before = beforeId;
  for (let page = 0; page < 20 && before; page += 1) {
    const [err, res] = await ask('history', { consultation_id: room.id, before_id: before, after_id: afterId });
    if (err || !res || !res.ok || !res.messages || !res.messages.length) return;
    res.messages.forEach((m) => addMessage(m, false));
    if (!res.older) return;
    before = res.messages[0].id;
  }
}

let joining = 0;

/** Join the room: asked again with back-off and jitter (never at once) until answered, while connected. */
async function join(socket) {
  joining += 1;
  const mine = joining;  // a reconnect starts a new join; an older one still waiting gives way
  const had = room.lastId;
  let res = null;
  for (let attempt = 0; socket.connected && mine === joining; attempt += 1) {
    const [err, answer] = await ask('join', { consultation_id: room.id, after_id: had }, {
      ms: 15000,
      attempts: 1,
    });
    if (!err && !(answer && !answer.ok && answer.error && answer.error.code === 'busy')) { res = answer; break; }
    const wait = backoff(attempt, answer && answer.error ? answer.error.retry_after : 0);
    waiting(answer && answer.error && answer.error.message);
    await new Promise((resolve) => { setTimeout(resolve, wait); });
  }
  if (!res || mine !== joining) return;
  if (!res.ok) { toast((res.error && res.error.message) || says('error'), true); return; }
  if (res.you) room.you = res.you;
  if (res.motion && room.you.receipt) room.receipts[res.motion.id] = room.you.receipt;
  applyRules(res.rules);
  (res.messages || []).forEach((m) => addMessage(m, false));
  renderFloor(res.floor);
  renderMotion(res.motion);
  isLive();
  if (res.presence) showPresence(res.presence);
  if (res.consultation) {
    setLocked(res.consultation.locked);
    if (res.consultation.phase && res.consultation.phase !== room.phase) phaseChanged(res.consultation.phase);
  }
  const first = (res.messages || []).length ? res.messages[0].id : null;
  if (res.older && had && first) fillGap(first, had);
}

let liveSocket = null;
let countedAt = null; // the meeting this page has been counted online at

/** A meeting of this consultation moved to another agenda item (app/meetings): say which, or hide it.
 * The first news of a meeting under way joins again (spread over ten seconds): the server counts those in
 * the room when they come in, and this page may have come in before the meeting opened. */
function showMeetingItem(e) {
  const note = $('meeting-item');
  const item = e && e.item;
  if (note) {
    note.hidden = !item;
    if (item) note.textContent = `${note.dataset.label.replace('{no}', item.position)} · ${item.title}`;
  }
  if (e && e.state === 'open' && countedAt !== e.meeting && liveSocket) {
    countedAt = e.meeting;
    setTimeout(() => { if (liveSocket.connected) join(liveSocket); }, Math.random() * 10000);
  }
}

if ($('room') && room.id) {
  liveSocket = start({
    onConnect: join,
    onAnswer: (res) => {
      if (res.floor) renderFloor(res.floor);
      if (res.motion) renderMotion(res.motion);
    },
    events: {
      disconnect: hidePresence,
      message: (m) => addMessage(m, false),
      message_hidden: (e) => {
        const li = e && $(`m-${e.id}`);
        if (li) setHidden(li, e.reason);
      },
      floor: renderFloor,
      motion: motionEvent,
      presence: showPresence,
      moderation: addModeration,
      rules_changed: (rules) => {
        toast(says('rules_changed'));
        if (applyRules(rules)) reloadSoon();
      },
      phase_changed: (p) => phaseChanged(p && p.phase),
      meeting_item: showMeetingItem,
    },
  });
}
