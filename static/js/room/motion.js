// Yishi 议事, the live room: the pending motion, a copy of <template id="tpl-motion">.

import { $, clone, fill, fillIn, isNeutralChair, label, prune, room, toast } from './dom.js';
import { renderTurn } from './turn.js';

const box = $('motion-content');
const PENDING = ['moved', 'debate', 'voting'];

function votedText(code) {
  const node = clone('tpl-motion').querySelector('[data-if="voted"]');
  return node ? fillIn(node.getAttribute('data-text'), { code }) : '';
}

/** "N of M have voted", in the words of the tally's own template text. */
function writeTally(node, m) {
  node.textContent = fillIn(node.getAttribute('data-text'), { eligible: m.eligible, voted: m.votes_cast });
}

function motionParts(m) {
  const you = room.you;
  const receipt = room.receipts[m.id];
  const isMover = !!m.mover && m.mover.id === you.id;
  const neutral = isNeutralChair();
  const c = m.counts;
  const flags = {
    seconder: !!m.seconder,
    votes_cast: m.state === 'voting' && typeof m.votes_cast === 'number' && typeof m.eligible === 'number',
    counts: !!c,
    quorum_met: !!c && !!c.quorum_met,
    quorum_not_met: !!c && !c.quorum_met,
    voted: !!receipt,
    second: m.state === 'moved' && !!you.can_vote && !isMover && !neutral,
    withdraw: (m.state === 'moved' || m.state === 'debate') && isMover,
    call_vote: m.state === 'debate' && !!you.is_chair,
    vote: m.state === 'voting' && !!you.can_vote && !neutral && !receipt,
    close_vote: m.state === 'voting' && !!you.is_chair,
    none: false,
  };
  flags.actions = flags.second || flags.withdraw || flags.call_vote || flags.vote || flags.close_vote;

  const frag = prune(clone('tpl-motion'), flags);
  fill(frag, {
    text: m.text,
    mover: m.mover ? m.mover.name : '',
    seconder: m.seconder ? m.seconder.name : '',
    state: label('motion_state', m.state),
    for: c && c.for,
    against: c && c.against,
    abstain: c && c.abstain,
    eligible: c && c.eligible,
  });
  frag.querySelector('[data-slot="state"]').classList.add(`motion-${m.state}`);
  if (receipt) frag.querySelector('[data-if="voted"]').textContent = votedText(receipt);
  const tally = frag.querySelector('[data-if="votes_cast"]');
  if (tally) writeTally(tally, m);
  frag.querySelectorAll('input[name="motion_id"]').forEach((input) => { input.value = m.id; });
  frag.querySelectorAll('[data-motion-id]').forEach((b) => b.setAttribute('data-motion-id', m.id));
  return frag;
}

/** A voter is reviewing their choice in the panel ("You chose: In favour…") and the vote is still theirs to
 *  send: the panel is kept as it is and only its running count changes (in a vote of a thousand the count
 *  comes several times a second, and each would have taken the review away from under their finger). */
function keepReview(m) {
  if (!(m && room.motion && room.motion.id === m.id && m.state === 'voting' && !room.receipts[m.id])) return false;
  if (!box.querySelector('.vote-review')) return false;
  const tally = box.querySelector('[data-if="votes_cast"]');
  if (tally && typeof m.votes_cast === 'number' && typeof m.eligible === 'number') writeTally(tally, m);
  return true;
}

export function renderMotion(m) {
  if (!box) return;
  if (m && (m.state === 'withdrawn' || m.state === 'lapsed')) {
    if (room.motion && room.motion.id === m.id) toast(`${label('motion_state', m.state)} · ${m.text}`);
    m = null;
  }
  if (keepReview(m)) {
    room.motion = m;
    renderTurn();
    return;
  }
  room.motion = m;
  const move = $('move');
  if (move) move.hidden = !!(m && PENDING.includes(m.state));
  if (m) {
    box.replaceChildren(motionParts(m));
  } else {
    box.replaceChildren(clone('tpl-motion').querySelector('[data-if="none"]'));
  }
  renderTurn();
}

/** A `motion` event: the pending motion changed (an older motion's late echo is ignored). */
export function motionEvent(m) {
  if (!m) return;
  if (room.motion && room.motion.id !== m.id && !PENDING.includes(m.state)) return;
  renderMotion(m);
}

export function recordVote(motionId, receipt) {
  room.receipts[motionId] = receipt;
  if (room.motion && room.motion.id === motionId) renderMotion(room.motion);
  toast(votedText(receipt));
}
