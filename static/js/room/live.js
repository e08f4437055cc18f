// Yishi 议事, the live room: the Socket.IO connection (/consultations, docs/realtime.md) and the status
// line that says, in plain words, when it cannot be made or is lost. Without it every action still
// works: its form posts over HTTP (consultations/room_http.py) and the page reloads.

import { $, errorText, says, toast } from './dom.js';

const line = $('live-status');
const roomEl = $('room');
let socket = null;
let everLive = false;
let leaving = false;
let slowTimer = null;

window.addEventListener('pagehide', () => { leaving = true; });
window.addEventListener('beforeunload', () => { leaving = true; });

/** Say that the room is not live: 'refused' (never connected) or 'lost' (dropped). */
function notLive(kind) {
  roomEl.classList.remove('is-live');
  if (!line || leaving) return;
  const text = line.getAttribute(`data-${kind}`);
  if (line.textContent !== text) line.textContent = text;
  const wasHidden = line.hidden;
  line.hidden = false;
  // A page sent to a section (#floor after a form post) that is still where it landed: keep that section
  // below the line that now covers the top.
  const target = wasHidden && window.location.hash.length > 1 && document.getElementById(window.location.hash.slice(1));
  if (target && Math.abs(target.getBoundingClientRect().top) < 4) target.scrollIntoView();
}

/** The room is live again (after its join was answered). */
export function isLive() {
  everLive = true;
  clearTimeout(slowTimer);
  roomEl.classList.add('is-live');
  if (line) { line.hidden = true; line.textContent = ''; }
}

export const connected = () => !!socket && socket.connected && roomEl.classList.contains('is-live');

let answered = () => {};

/** Send an action; its acknowledgement comes back to `answered` (then `onOk`), a refusal as a toast. */
export function send(event, payload, button, onOk) {
  if (button) button.disabled = true;
  socket.timeout(10000).emit(event, payload, (err, res) => {
    if (button) button.disabled = false;
    if (err) { toast(says('timeout'), true); return; }
    if (!res || !res.ok) { toast(errorText(res), true); return; }
    answered(res);
    if (onOk) onOk(res);
  });
}

/** Emit with an acknowledgement, as a promise of [err, res]. */
export function ask(event, payload, ms = 10000) {
  return new Promise((resolve) => {
    socket.timeout(ms).emit(event, payload, (err, res) => resolve([err, res]));
  });
}

/**
 * Connect: `onConnect` joins the room (and calls isLive() when it is in); `events` are the room's
 * broadcasts; `onAnswer` sees every acknowledged action's answer.
 */
export function start({ onConnect, events, onAnswer }) {
  answered = onAnswer || answered;
  if (typeof window.io !== 'function') { notLive('refused'); return null; }
  socket = window.io('/consultations', { transports: ['websocket', 'polling'] });
  // A connection that is neither made nor refused within a few seconds is said, too.
  slowTimer = setTimeout(() => { if (!everLive) notLive('refused'); }, 8000);
  socket.on('connect', () => onConnect(socket));
  socket.on('connect_error', () => notLive(everLive ? 'lost' : 'refused'));
  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    notLive(everLive ? 'lost' : 'refused');
    if (events.disconnect) events.disconnect(reason);
  });
  Object.keys(events).forEach((name) => {
    if (name !== 'disconnect') socket.on(name, events[name]);
  });
  return socket;
}
