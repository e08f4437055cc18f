// Yishi 议事, the live room: the bar fixed to the bottom of the screen (templates/consultations/_turn.html),
// so that what concerns this person now is in view on a small phone without scrolling: you have the floor
// (the time left, the speech box docked in the bar, "I have finished"); you are number N in the queue; the
// chair called a vote (the vote buttons, with their review step); you are muted until when. The floor and
// a vote being called also announce themselves to screen readers (#turn-announce, aria-live) and with a
// short vibration where the phone allows it; focus moves to the bar.

import { $, dayTime, fillIn, isNeutralChair, pad, room, says } from './dom.js';

const bar = $('turn-bar');
const announce = $('turn-announce');
const seen = { floor: false, vote: null };
const placeholder = document.createComment('speak-form');
let tick = null;

const part = (name) => bar.querySelector(`[data-part="${name}"]`);
const slot = (name) => bar.querySelector(`[data-turn="${name}"]`);

function say(text) {
  if (!announce || !text) return;
  announce.textContent = '';
  setTimeout(() => { announce.textContent = text; }, 50);   // a change the reader notices, even if repeated
}

function buzz() {
  try { if (navigator.vibrate) navigator.vibrate([150, 80, 150]); } catch (e) { /* not allowed: fine */ }
}

/** The speech box moves into the bar while the floor is yours, and back to its place after. */
function dock(on) {
  const form = $('speak-form');
  const place = slot('dock');
  if (!form || !place) return false;
  if (on && form.parentElement !== place) {
    form.before(placeholder);
    place.appendChild(form);
  } else if (!on && form.parentElement === place && placeholder.parentNode) {
    placeholder.replaceWith(form);
  }
  return on;
}

function secondsLeft() {
  return room.floorDeadline ? Math.max(0, Math.round((room.floorDeadline - Date.now()) / 1000)) : 0;
}

function showCountdown() {
  const left = secondsLeft();
  const node = slot('countdown');
  if (node) {
    node.textContent = `${Math.floor(left / 60)}:${pad(left % 60)}`;
    node.classList.toggle('is-ending', left <= 15);
  }
  if (left <= 0) { clearInterval(tick); tick = null; renderTurn(); }
}

function resetVoteForm(form, motionId) {
  form.querySelectorAll('.vote-review, input[name="confirmed"]').forEach((n) => n.remove());
  form.querySelectorAll('button[data-choice]').forEach((b) => {
    b.hidden = false;
    b.setAttribute('data-motion-id', motionId);
  });
  const input = form.querySelector('input[name="motion_id"]');
  if (input) input.value = motionId;
}

export function renderTurn() {
  if (!bar) return;
  const you = room.you;
  const f = room.floor || {};
  const m = room.motion;
  const mine = !!f.holder && f.holder.id === you.id && secondsLeft() > 0;
  const place = (f.queue || []).findIndex((e) => e.user_id === you.id) + 1;
  const voteOpen = !!m && m.state === 'voting' && !!you.can_vote && !isNeutralChair() && !room.receipts[m.id];
  const muted = !!room.mutedUntil && Date.parse(room.mutedUntil) > Date.now();

  part('floor').hidden = !mine;
  part('queue').hidden = !place;
  part('vote').hidden = !voteOpen;
  part('muted').hidden = !muted;
  bar.hidden = !(mine || place || voteOpen || muted);

  if (place) slot('place').textContent = place;
  if (muted) slot('muted').textContent = says('muted_until', { time: dayTime(room.mutedUntil) });

  const docked = dock(mine);
  slot('go').hidden = docked;
  if (mine) {
    showCountdown();
    if (!tick) tick = setInterval(showCountdown, 1000);
    if (!seen.floor) {
      say(announce && announce.getAttribute('data-floor'));
      buzz();
      const box = docked ? slot('dock').querySelector('textarea') : slot('go').querySelector('a');
      if (box) box.focus();
    }
  }
  seen.floor = mine;

  if (voteOpen) {
    slot('motion').textContent = m.text;
    const form = part('vote').querySelector('form');
    if (seen.vote !== m.id) {
      resetVoteForm(form, m.id);
      say(fillIn(announce && announce.getAttribute('data-vote'), { text: m.text }));
      buzz();
      const first = form.querySelector('button[data-choice]');
      if (first && !mine) first.focus();
    }
  }
  seen.vote = voteOpen ? m.id : null;

  // the end of the page stays reachable above the bar
  document.body.style.paddingBottom = bar.hidden ? '' : `${bar.offsetHeight + 16}px`;
}

/** Muted by a moderator (or the mute ended): the bar says until when. */
export function setMutedUntil(until) {
  room.mutedUntil = until || null;
  renderTurn();
}

if (bar) {
  seen.floor = !part('floor').hidden;   // as the page was rendered: no announcement for what was already so
  seen.vote = part('vote').hidden ? null : (room.motion && room.motion.id);
  renderTurn();
}
