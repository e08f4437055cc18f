// Yishi 议事, the live room: the room's actions. Each is a form (raise or lower the hand, give or yield
// the floor, move, second or withdraw a motion, call or close the vote, vote): while the room is live it
// goes over the socket; otherwise the form posts as it is (the page works the same, reloading).
// The moderators' tools (report, hide, warn, mute, lock) need the socket and are shown only when live.
// Also here: the speaking form. Over the socket while the room is live (retried once with
// the same client_id), a normal form post otherwise; a draft survives the reload a phase change causes.

import { $, errorText, fillIn, label, room, says, toast } from './dom.js';
import { ask, connected, send } from './live.js';
import { addMessage, setLocked } from './messages.js';
import { recordVote } from './motion.js';

function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID().replace(/-/g, '');
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');
}

const numberIn = (form, name) => Number((form.querySelector(`input[name="${name}"]`) || {}).value);

function submitted(form, button, action) {
  const cid = room.id;
  switch (action) {
    case 'raise_hand': {
      const picked = form.querySelector('input[name="stance"]:checked');
      const stance = picked ? picked.value : null;
      send('raise_hand', { consultation_id: cid, stance }, button, () => {
        // the same side is preselected for the speech that follows
        const speak = $('speak-form');
        const same = speak && stance && speak.querySelector(`input[name="stance"][value="${stance}"]`);
        if (same) same.checked = true;
      });
      break;
    }
    case 'lower_hand':
    case 'yield_floor':
      send(action, { consultation_id: cid }, button);
      break;
    case 'grant_floor':
      send(action, { consultation_id: cid, user_id: numberIn(form, 'user_id') }, button);
      break;
    case 'second':
    case 'withdraw':
    case 'call_vote':
    case 'close_vote':
      send(action, { motion_id: numberIn(form, 'motion_id') }, button);
      break;
    case 'vote': {
      if (!button.hasAttribute('data-confirmed')) { reviewVote(form, button); break; }
      const motionId = numberIn(form, 'motion_id');
      send('vote', { motion_id: motionId, choice: button.value }, button, (res) => recordVote(motionId, res.receipt));
      break;
    }
    case 'move': {
      const field = form.querySelector('textarea');
      const clientField = form.querySelector('input[name="client_id"]');
      const text = field.value.trim();
      if (!text) { field.focus(); return; }
      send('move', { consultation_id: cid, client_id: clientField.value, text }, button, () => {
        field.value = '';
        clientField.value = newClientId();
        const details = $('move');
        if (details) details.open = false;
      });
      break;
    }
    default:
  }
}

/** The review step, in place: "You chose: In favour. Once sent, it cannot be changed." with one large button
 *  that sends it and one that brings the three choices back. If the live connection drops meanwhile, the
 *  button posts the form as it is, with confirmed=1 (the page without the script has its own review page). */
export function reviewVote(form, button) {
  const choices = Array.from(form.querySelectorAll('button[data-choice]:not([data-confirmed])'));
  const chosen = button.getAttribute('data-choice');
  const box = document.createElement('div');
  box.className = 'vote-review stack-sm';
  const text = document.createElement('p');
  text.className = 'review-choice';
  text.textContent = fillIn(form.getAttribute('data-review'), { choice: label('vote', chosen) });
  const confirmed = document.createElement('input');
  Object.assign(confirmed, { type: 'hidden', name: 'confirmed', value: '1' });
  const sendButton = document.createElement('button');
  Object.assign(sendButton, { type: 'submit', name: 'choice', value: chosen, className: `btn btn-primary btn-large vote-${chosen}` });
  sendButton.setAttribute('data-action', 'vote');
  sendButton.setAttribute('data-choice', chosen);
  sendButton.setAttribute('data-confirmed', '');
  sendButton.textContent = fillIn(form.getAttribute('data-send'), { choice: label('vote', chosen) });
  const back = document.createElement('button');
  Object.assign(back, { type: 'button', className: 'btn btn-large' });
  back.textContent = form.getAttribute('data-back');
  back.addEventListener('click', () => {
    box.remove();
    confirmed.remove();
    choices.forEach((b) => { b.hidden = false; });
    button.focus();
  });
  const actions = document.createElement('div');
  actions.className = 'form-actions review-actions';
  actions.append(sendButton, back);
  box.append(text, actions);
  choices.forEach((b) => { b.hidden = true; });
  form.append(confirmed, box);
  sendButton.focus();
}

// After app.js's confirmation (data-confirm), which listens first: a cancelled one arrives prevented.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (event.defaultPrevented || !(form instanceof HTMLFormElement) || !form.classList.contains('room-action')) return;
  if (!connected()) return;   // the plain post
  const button = event.submitter || form.querySelector('[data-action]');
  const action = button && button.getAttribute('data-action');
  if (!action) return;
  event.preventDefault();
  submitted(form, button, action);
});

function prompted(text, value) {
  const answer = window.prompt(text || '', value || '');
  return answer === null ? null : answer.trim();
}

// The moderators' tools and reporting (buttons, live only).
const roomEl = $('room');
roomEl.addEventListener('click', (event) => {
  const button = event.target.closest('button[type="button"][data-action]');
  if (!button || !roomEl.contains(button)) return;
  const action = button.getAttribute('data-action');
  const li = button.closest('li[data-id]');
  const messageId = li ? Number(li.getAttribute('data-id')) : null;
  const userId = Number(button.getAttribute('data-user-id'));
  const ask = button.getAttribute('data-prompt');
  let reason;
  switch (action) {
    case 'report':
      reason = prompted(ask);
      if (!reason || messageId == null) return;
      send('report', { message_id: messageId, reason }, button, () => toast(says('reported')));
      break;
    case 'hide':
      reason = prompted(ask);
      if (!reason || messageId == null) return;
      send('hide', { message_id: messageId, reason }, button, () => toast(says('done')));
      break;
    case 'warn':
      reason = prompted(ask);
      if (!reason) return;
      send('warn', { consultation_id: room.id, user_id: userId, reason }, button, () => toast(says('done')));
      break;
    case 'mute': {
      const minutes = parseInt(prompted(button.getAttribute('data-prompt-minutes'), '10'), 10);
      if (!(minutes > 0)) return;
      reason = prompted(ask);
      if (!reason) return;
      send('mute', { consultation_id: room.id, user_id: userId, minutes, reason }, button, () => toast(says('done')));
      break;
    }
    case 'lock': {
      const payload = { consultation_id: room.id, locked: !room.locked };
      if (!room.locked) {
        reason = prompted(ask);
        if (!reason) return;
        payload.reason = reason;
      }
      send('lock', payload, button, (res) => { if (res.consultation) setLocked(res.consultation.locked); });
      break;
    }
    default:
  }
});

export { newClientId };

const form = $('speak-form');
const statusLine = $('speak-status');
const draftKey = `yishi-draft-${room.id}`;
let sending = false;

function setStatus(text, isError = false) {
  if (!statusLine) return;
  statusLine.textContent = text || '';
  statusLine.classList.toggle('is-error', isError);
}

export function updateCount() {
  if (!form) return;
  const body = form.querySelector('textarea');
  const count = form.querySelector('[data-count]');
  if (!body || !count) return;
  const n = Array.from(body.value).length;
  count.textContent = n;
  const box = $('char-count');
  if (box) box.classList.toggle('is-over', n > (room.rules.max_speech_chars || Infinity));
}

/** Keep what is being written before the page reloads itself. */
export function keepDraft() {
  const body = form && form.querySelector('textarea');
  try { if (body && body.value) sessionStorage.setItem(draftKey, body.value); } catch (e) { /* private mode */ }
}

if (form) {
  const body = form.querySelector('textarea');
  const clientField = form.querySelector('input[name="client_id"]');
  const submit = form.querySelector('button[type="submit"]');
  try {
    const saved = sessionStorage.getItem(draftKey);
    if (saved && body && !body.value) body.value = saved;
    sessionStorage.removeItem(draftKey);
  } catch (e) { /* private mode */ }
  if (body) body.addEventListener('input', () => { updateCount(); if (!sending) setStatus(''); });
  updateCount();

  const speak = async (payload) => {
    // asked again with back-off while unanswered or busy: the same client_id, so one speech
    const [err, res] = await ask('speak', payload);
    sending = false;
    if (submit) submit.disabled = false;
    if (err) { setStatus(says('timeout'), true); return; }
    if (!res || !res.ok) { setStatus(errorText(res), true); return; }
    setStatus('');
    body.value = '';
    updateCount();
    form.querySelectorAll('input[name="stance"]').forEach((r) => { r.checked = false; });
    if (clientField) clientField.value = newClientId();
    addMessage(res.message, true);
  };

  form.addEventListener('submit', (event) => {
    if (!connected() || !body || !clientField) return;   // the normal post
    event.preventDefault();
    if (sending) return;
    if (!body.value.trim()) { setStatus(says('write_something'), true); body.focus(); return; }
    const picked = form.querySelector('input[name="stance"]:checked');
    sending = true;
    if (submit) submit.disabled = true;
    setStatus(says('sending'));
    speak({ consultation_id: room.id, client_id: clientField.value, body: body.value, stance: picked ? picked.value : null });
  });
}
