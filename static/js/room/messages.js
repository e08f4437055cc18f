// Yishi 议事, the live room: speeches (#messages), each a copy of <template id="tpl-message">.
// Also here: the moderator log (copies of <template id="tpl-modlog">), the lock and the
// mute notice, and presence.

import { setMutedUntil } from './turn.js';
import { $, clone, dayTime, fill, fillIn, hhmm, label, prune, room, says, takePattern } from './dom.js';

const list = $('messages');
const latest = $('latest');

function nearBottom() {
  return !!latest && latest.getBoundingClientRect().top < window.innerHeight + 160;
}

function hiddenNote(reason) {
  const note = clone('tpl-message').querySelector('.msg-hidden-note');
  note.removeAttribute('data-if');
  note.textContent = fillIn(note.getAttribute('data-text'), { reason: reason || '' });
  return note;
}

/** A speech hidden by the chair or staff: its body gives way to the reason. */
export function setHidden(li, reason) {
  li.classList.add('msg-hidden');
  const body = li.querySelector('.msg-body');
  const note = hiddenNote(reason);
  if (body) body.replaceWith(note); else li.appendChild(note);
  li.querySelectorAll('[data-action="report"], [data-action="hide"]').forEach((b) => b.remove());
}

function messageItem(m) {
  const author = m.author || {};
  const you = room.you;
  const own = author.id === you.id;
  const canReport = you.verified !== undefined ? you.verified : you.can_speak;
  const badges = author.badges || [];
  const flags = {
    by_chair: !!m.by_chair,
    stance: !!m.stance,
    hidden: false,
    shown: true,
    report: canReport && !own,
    hide: !!you.can_moderate,
    warn: !!you.can_moderate && !own,
    mute: !!you.can_moderate && !own,
  };
  flags.tools = flags.report || flags.hide || flags.warn || flags.mute;

  const li = clone('tpl-message').firstElementChild;
  const badge = takePattern(li, 'badge');
  prune(li, flags);
  li.id = `m-${m.id}`;
  li.setAttribute('data-id', m.id);
  li.setAttribute('data-author-id', author.id);
  li.classList.toggle('msg-own', own);
  li.classList.toggle('msg-chair', !!m.by_chair);
  li.classList.toggle('msg-official', badges.length > 0);
  fill(li, { author: author.name, stance: label('stance', m.stance) });
  if (m.stance) li.querySelector('.stance').classList.add(`stance-${m.stance}`);
  if (badge) {
    badges.forEach((b) => {
      const node = badge.pattern.cloneNode(true);
      node.removeAttribute('data-each');
      node.textContent = label('badge', b);
      badge.parent.insertBefore(node, badge.next);
      badge.parent.insertBefore(document.createTextNode(' '), node);
    });
  }
  const time = li.querySelector('time');
  time.setAttribute('datetime', m.created_at || '');
  time.textContent = hhmm(m.created_at);
  li.querySelector('.msg-body').innerHTML = m.body_html || '';   // escaped by the server (docs/realtime.md)
  li.querySelectorAll('[data-user-id]').forEach((b) => b.setAttribute('data-user-id', author.id));
  if (m.hidden) setHidden(li, m.hidden_reason);
  return li;
}

/** Add a speech once, in id order (a live event may overtake the join's replay). */
export function addMessage(m, scroll = false) {
  if (!m || typeof m.id !== 'number' || !list || $(`m-${m.id}`)) return;
  const follow = scroll || nearBottom();
  const li = messageItem(m);
  let before = null;
  for (let node = list.lastElementChild; node; node = node.previousElementSibling) {
    if (Number(node.getAttribute('data-id')) < m.id) break;
    before = node;
  }
  list.insertBefore(li, before);
  if (m.id > room.lastId) room.lastId = m.id;
  const empty = $('no-messages');
  if (empty) empty.hidden = true;
  const typing = document.activeElement && document.activeElement.tagName === 'TEXTAREA';
  if (follow && !(typing && !scroll)) li.scrollIntoView({ block: 'nearest' });
}

/** The name shown on a member's speeches (for the moderator log). */
export function authorName(userId) {
  const node = document.querySelector(
    `#messages li[data-author-id="${userId}"] .msg-author, #messages-older li[data-author-id="${userId}"] .msg-author`,
  );
  return node ? node.textContent : '';
}

// Server-rendered times in the viewer's own clock, like the ones added live.
document.querySelectorAll('#room time.js-hhmm').forEach((node) => {
  const text = hhmm(node.getAttribute('datetime'));
  if (text) node.textContent = text;
});

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
  setMutedUntil(until);
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
