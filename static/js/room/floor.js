// Yishi 议事, the live room: the floor (formal mode), a copy of <template id="tpl-floor">, and the
// hand controls (#hand-raise, #hand-lower) that go with it.

import { $, clone, fill, label, pad, prune, room, takePattern, takesTurns } from './dom.js';
import { renderTurn } from './turn.js';

const box = $('floor-content');
let deadline = 0;
let tick = null;

function showCountdown() {
  const node = box && box.querySelector('.countdown');
  if (!node) { clearInterval(tick); tick = null; return; }
  const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
  node.textContent = left > 0 ? `${Math.floor(left / 60)}:${pad(left % 60)}` : node.getAttribute('data-time-up');
  node.classList.toggle('is-ending', left <= 15);
  if (left <= 0) { clearInterval(tick); tick = null; }
}

function startCountdown(secondsLeft) {
  deadline = Date.now() + secondsLeft * 1000;
  room.floorDeadline = deadline;
  showCountdown();
  if (!tick) tick = setInterval(showCountdown, 1000);
}

function queueItem(pattern, e) {
  const li = pattern.cloneNode(true);
  li.removeAttribute('data-each');
  prune(li, { stance: !!e.stance, grant: !!room.you.is_chair });
  fill(li, { name: e.name, stance: label('stance', e.stance) });
  if (e.stance) li.querySelector('.stance').classList.add(`stance-${e.stance}`);
  li.querySelectorAll('input[name="user_id"]').forEach((input) => { input.value = e.user_id; });
  li.querySelectorAll('[data-user-id]').forEach((b) => b.setAttribute('data-user-id', e.user_id));
  return li;
}

export function renderFloor(f) {
  if (!f) return;
  room.floor = f;
  const you = room.you;
  const holder = f.holder && f.seconds_left > 0 ? f.holder : null;
  const mine = !!holder && holder.id === you.id;
  const queue = f.queue || [];
  if (box) {
    const frag = clone('tpl-floor');
    const entry = takePattern(frag, 'entry');
    prune(frag, {
      holder: !!holder,
      yours: mine,
      take_back: !!holder && !mine && !!you.is_chair,
      no_holder: !holder,
      queue: queue.length > 0,
      queue_empty: queue.length === 0,
    });
    fill(frag, { holder: holder ? holder.name : '' });
    if (entry) queue.forEach((e) => entry.parent.appendChild(queueItem(entry.pattern, e)));
    const count = frag.querySelector('.countdown');
    if (count && f.ends_at) count.setAttribute('data-ends-at', f.ends_at);
    box.replaceChildren(frag);
    if (holder) startCountdown(f.seconds_left); else showCountdown();
  }
  const waiting = queue.some((e) => e.user_id === you.id);
  const raise = $('hand-raise');
  const lower = $('hand-lower');
  if (raise) raise.hidden = waiting || mine || !takesTurns();
  if (lower) lower.hidden = !waiting;
  if (!holder) room.floorDeadline = 0;
  renderTurn();
}

// The countdown the page was rendered with keeps running.
if (room.floor && room.floor.holder && room.floor.seconds_left > 0) startCountdown(room.floor.seconds_left);
