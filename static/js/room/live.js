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

// When a thousand phones open the room at once, a client that asks again at once feeds the storm. Every
// acknowledged event is asked again only after a wait that doubles each time, with jitter (never all at
// once), or after the wait the server asks for when it is saturated ("busy", retry_after seconds). Every
// event is safe to ask twice: a join is one member, a speech or motion carries its client_id, a vote its
// ballot, a report counts once.
const BASE_MS = 1000;
const MAX_MS = 30000;

/** How long to wait before attempt `attempt` + 1: doubling from BASE_MS, at least what the server asked
 * for, capped, and spread over half to one and a half times that. */
export function backoff(attempt, retryAfterSeconds = 0) {
  const wanted = Math.max(BASE_MS * 2 ** attempt, (retryAfterSeconds || 0) * 1000);
  return Math.round(Math.min(wanted, MAX_MS) * (0.5 + Math.random()));
}

const busy = (res) => !!(res && !res.ok && res.error && res.error.code === 'busy');
const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

/**
 * Emit with an acknowledgement, as a promise of [err, res]; a timeout or a "busy" answer is asked again
 * after backoff(), up to `attempts` times in all, while the socket is connected. `onWait(ms)` hears each wait.
 */
export async function ask(event, payload, { ms = 10000, attempts = 4, onWait } = {}) {
  let result = [null, null];
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    result = await new Promise((resolve) => {
      socket.timeout(ms).emit(event, payload, (err, res) => resolve([err, res]));
    });
    const [err, res] = result;
    if (!err && !busy(res)) return result;
    if (attempt + 1 >= attempts || !socket.connected) break;
    const wait = backoff(attempt, busy(res) ? res.error.retry_after : 0);
    if (onWait) onWait(wait, res);
    await sleep(wait);
  }
  return result;
}

/** Send an action; its acknowledgement comes back to `answered` (then `onOk`), a refusal as a toast. */
export async function send(event, payload, button, onOk) {
  if (button) button.disabled = true;
  const [err, res] = await ask(event, payload, { onWait: (_ms, r) => { if (busy(r)) toast(errorText(r)); } });
  if (button) button.disabled = false;
  if (err) { toast(says('timeout'), true); return; }
  if (!res || !res.ok) { toast(errorText(res), true); return; }
  answered(res);
  if (onOk) onOk(res);
}

/** Say on the status line that the room is waiting its turn (the server is saturated). */
export function waiting(message) {
  if (!line || leaving) return;
  line.textContent = message || says('busy');
  line.hidden = false;
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
