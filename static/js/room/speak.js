// Yishi 议事, the live room: the speaking form. Over the socket while the room is live (retried once with
// the same client_id), a normal form post otherwise; a draft survives the reload a phase change causes.

import { $, errorText, says } from './dom.js';
import { ask, connected } from './live.js';
import { addMessage } from './messages.js';
import { room } from './state.js';
import { newClientId } from './actions.js';

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
    let [err, res] = await ask('speak', payload);
    if (err && connected()) [err, res] = await ask('speak', payload);   // once more, the same client_id
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
