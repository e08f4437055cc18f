// Yishi 议事, the live room: the moderator log (copies of <template id="tpl-modlog">), the lock and the
// mute notice, and presence.

import { $, clone, dayTime, fill, fillIn, hhmm, label, prune, says } from './dom.js';
import { authorName } from './messages.js';
import { room } from './state.js';

export function setLocked(value) {
  room.locked = !!value;
  const note = $('locked-note');
  if (note) note.hidden = !room.locked;
  const b = $('lock-button');
  if (b) b.textContent = b.getAttribute(room.locked ? 'data-label-unlock' : 'data-label-lock');
}

function showMuted(until) {
  const note = $('muted-note');
  if (!note) return;
  note.textContent = says('muted_until', { time: dayTime(until) });
  note.hidden = false;
}

export function addModeration(e) {
  const log = $('modlog');
  if (!log || !e) return;
  const target = e.target && e.target.user_id ? authorName(e.target.user_id) : '';
  const li = clone('tpl-modlog').firstElementChild;
  prune(li, { target: !!target, by: !!e.by, automatic: !e.by, until: !!e.until, reason: !!e.reason });
  fill(li, { at: hhmm(e.at), action: label('action', e.action), target, reason: e.reason });
  li.querySelector('time').setAttribute('datetime', e.at || '');
  const by = li.querySelector('[data-slot="by"]');
  if (by) by.textContent = fillIn(by.getAttribute('data-text'), { name: e.by });
  const until = li.querySelector('[data-slot="until"]');
  if (until) until.textContent = fillIn(until.getAttribute('data-text'), { time: dayTime(e.until) });
  log.insertBefore(li, log.firstChild);
  const empty = $('modlog-empty');
  if (empty) empty.hidden = true;
  if (e.action === 'mute' && e.target && e.target.user_id === room.you.id && e.until) showMuted(e.until);
  if (e.action === 'lock' || e.action === 'unlock') setLocked(e.action === 'lock');
}

export function showPresence(p) {
  const node = $('presence');
  if (!node || !p || typeof p.count !== 'number') return;
  node.textContent = says('presence', { num: p.count });
  node.hidden = false;
}

export function hidePresence() {
  const node = $('presence');
  if (node) node.hidden = true;
}
