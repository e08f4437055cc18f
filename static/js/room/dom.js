// Yishi 议事, the live room: finding, cloning and filling the page's own markup.
// Every text shown comes from the page: the <template> elements rendered from the same partials as the
// room itself (templates/consultations/_*.html), #room-labels and #room-says. User text goes in with
// textContent only; the server's escaped body_html is the one thing set as HTML.
// Also here: what the script knows of the room (from #room-data, then from the socket).


export const $ = (id) => document.getElementById(id);

function readData(templateId, attribute) {
  const found = new Map();
  const template = $(templateId);
  if (!template) return found;
  template.content.querySelectorAll(`[${attribute}]`).forEach((node) => {
    const key = attribute === 'data-group' ? `${node.getAttribute('data-group')}:${node.value}` : node.getAttribute(attribute);
    found.set(key, node.textContent.trim());
  });
  return found;
}

const LABELS = readData('room-labels', 'data-group');
const SAYS = readData('room-says', 'data-say');

/** A sentence's `{name}` parts filled in (as text). */
export function fillIn(pattern, vars = {}) {
  let text = pattern || '';
  Object.keys(vars).forEach((key) => { text = text.split(`{${key}}`).join(String(vars[key])); });
  return text;
}

/** One of the script's own sentences (#room-says), translated by the page. */
export function says(key, vars) { return fillIn(SAYS.get(key) || SAYS.get('error') || '', vars); }

/** A display label: stance, motion_state, badge, action or phase. */
export function label(group, key) { return LABELS.get(`${group}:${key}`) || key || ''; }

/** A copy of a <template>'s content (a fragment). */
export function clone(id) {
  const template = $(id);
  return template ? template.content.cloneNode(true) : document.createDocumentFragment();
}

/** Remove every [data-if=name] part (and `root` itself never) whose flag is not set. */
export function prune(root, flags) {
  root.querySelectorAll('[data-if]').forEach((node) => {
    if (!flags[node.getAttribute('data-if')]) node.remove();
  });
  return root;
}

/** Set the text of every [data-slot=name] part that has a value. */
export function fill(root, slots) {
  root.querySelectorAll('[data-slot]').forEach((node) => {
    const value = slots[node.getAttribute('data-slot')];
    if (value !== undefined && value !== null) node.textContent = String(value);
  });
  return root;
}

/** Take the [data-each=name] pattern out of a fragment: the caller clones it once per item. */
export function takePattern(root, name) {
  const pattern = root.querySelector(`[data-each="${name}"]`);
  if (!pattern) return null;
  const parent = pattern.parentNode;
  const next = pattern.nextSibling;
  pattern.remove();
  return { pattern, parent, next };
}

export const pad = (n) => (n < 10 ? '0' : '') + n;

export function hhmm(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function dayTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getMonth() + 1}/${d.getDate()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// The snackbar at the bottom (#room-status): what an action did, or why it did not.
const snack = $('room-status');
let snackTimer = null;
if (snack) {
  const close = snack.querySelector('button');
  if (close) close.addEventListener('click', () => { snack.hidden = true; });
}

export function toast(text, isError = false) {
  if (!snack || !text) return;
  snack.querySelector('span').textContent = text;
  snack.classList.toggle('is-error', isError);
  snack.hidden = false;
  clearTimeout(snackTimer);
  snackTimer = setTimeout(() => { snack.hidden = true; }, isError ? 12000 : 6000);
}

export function errorText(res) {
  return (res && res.error && res.error.message) || says('error');
}

const dataEl = document.getElementById('room-data');
let data = {};
try { data = JSON.parse(dataEl ? dataEl.textContent : '{}'); } catch (e) { data = {}; }

export const room = {
  id: data.consultation_id,
  phase: data.phase,
  locked: !!data.locked,
  you: data.you || {},
  rules: data.rules || {},
  floor: data.floor || null,
  motion: data.motion || null,
  lastId: data.last_id || 0,
  receipts: {},            // motion id -> receipt code of this user's vote
};
if (room.motion && room.you.receipt) room.receipts[room.motion.id] = room.you.receipt;

export const isNeutralChair = () => !!(room.you.is_chair && room.rules.chair_neutral);
export const takesTurns = () => !!room.you.can_speak && !isNeutralChair() && room.phase === 'open';
