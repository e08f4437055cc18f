/* Yishi 议事: small progressive enhancements. Every page works without this file.
   (a) data-confirm="text" on a form (or on its submit button): ask before sending.
   (b) live notifications over Socket.IO for logged-in users: bump the unread
       badge and show a dismissable toast. */
(function () {
  'use strict';

  // (a) Confirm before submitting.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var submitter = event.submitter;
    var text = (submitter && submitter.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
    if (text && !window.confirm(text)) event.preventDefault();
  });

  // (b) Live notifications.
  var body = document.body;
  if (!body || !body.getAttribute('data-user-id') || typeof window.io !== 'function') return;

  var MAX_TOASTS = 3;
  var seen = new Set();

  function safeUrl(url) {
    // Only paths on this site: never another host or a javascript: URL.
    return typeof url === 'string' && url.charAt(0) === '/' && url.charAt(1) !== '/' && url.charAt(1) !== '\\';
  }

  function bumpUnread() {
    var badge = document.getElementById('unread-count');
    if (!badge) {
      var link = document.querySelector('[data-nav="notifications"]');
      if (!link) return;
      badge = document.createElement('span');
      badge.id = 'unread-count';
      badge.className = 'badge badge-count';
      badge.textContent = '0';
      link.appendChild(document.createTextNode(' '));
      link.appendChild(badge);
    }
    var count = (parseInt(badge.textContent, 10) || 0) + 1;
    badge.textContent = count > 99 ? '99+' : String(count);
    badge.hidden = false;
    var wrapper = badge.closest('.unread');
    if (wrapper) wrapper.hidden = false;
  }

  function toastArea() {
    var area = document.getElementById('toasts');
    if (!area) {
      area = document.createElement('div');
      area.id = 'toasts';
      area.className = 'toasts';
      area.setAttribute('aria-live', 'polite');
      body.appendChild(area);
    }
    return area;
  }

  function showToast(note) {
    var area = toastArea();
    var toast = document.createElement('div');
    toast.className = 'toast';

    var text = document.createElement('p');
    text.className = 'toast-text';
    if (safeUrl(note.url)) {
      var link = document.createElement('a');
      link.href = note.url;
      link.textContent = note.text;
      text.appendChild(link);
    } else {
      text.textContent = note.text;
    }

    var close = document.createElement('button');
    close.type = 'button';
    close.className = 'toast-close';
    close.setAttribute('aria-label', area.getAttribute('data-close-label') || '×');
    close.textContent = '×';
    close.addEventListener('click', function () { toast.remove(); });

    toast.appendChild(text);
    toast.appendChild(close);
    area.appendChild(toast);
    while (area.children.length > MAX_TOASTS) area.removeChild(area.firstElementChild);
  }

  document.addEventListener('keydown', function (event) {
    if (event.key !== 'Escape') return;
    var area = document.getElementById('toasts');
    if (area && area.lastElementChild) area.removeChild(area.lastElementChild);
  });

  var socket = window.io('/notifications', { transports: ['websocket', 'polling'] });
  socket.on('notification', function (note) {
    if (!note || typeof note !== 'object' || typeof note.text !== 'string') return;
    if (note.id != null) {
      if (seen.has(note.id)) return;
      seen.add(note.id);
    }
    bumpUnread();
    showToast(note);
  });
})();
