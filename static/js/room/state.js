// Yishi 议事, the live room: what the script knows of the room (from #room-data, then from the socket).

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
