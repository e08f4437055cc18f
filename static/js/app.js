/* Yishi 议事: small progressive enhancements. Every page works without this file.
   (a) data-confirm="text" on a form (or on its submit button): ask before sending.
   (b) live notifications over Socket.IO for logged-in users: bump the unread
       badge and show a dismissable toast.
   (c) the micro-project form's budget total, live as lines are typed.
   (d) the service worker (/sw.js): the static shell and an offline page, never a page with personal data
       (app/core/pwa.py). */
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

  // (c) The micro-project form's budget total, live: quantity × unit price per line, added up in whole
  // fen (no floating point). A line that is not a whole quantity and a price with at most two decimals
  // makes the total "—" until it is. The server computes the total again when the form is saved.
  var budgetTotal = document.querySelector('[data-budget-total]');
  if (budgetTotal) {
    var budget = budgetTotal.closest('fieldset');
    var sum = budgetTotal.querySelector('[data-budget-sum]');
    var toFen = function (text) {
      var match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.replace(/[¥￥,，\s]/g, ''));
      return match ? parseInt(match[1], 10) * 100 + parseInt(((match[2] || '') + '00').slice(0, 2), 10) : null;
    };
    var yuan = function (fen) {
      var whole = String(Math.floor(fen / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
      return '\u00a5' + whole + '.' + String(fen % 100).padStart(2, '0');
    };
    var update = function () {
      var fen = 0;
      var complete = true;
      budget.querySelectorAll('.budget-line').forEach(function (line) {
        var quantity = (line.querySelector('input[name$="-quantity"]') || {}).value || '';
        var price = (line.querySelector('input[name$="-unit_price"]') || {}).value || '';
        if (!quantity.trim() && !price.trim()) return;
        var count = /^\d{1,6}$/.test(quantity.trim()) ? parseInt(quantity, 10) : 0;
        var each = toFen(price);
        if (count < 1 || count > 100000 || each === null) complete = false;
        else fen += count * each;
      });
      sum.textContent = complete ? yuan(fen) : '\u2014';
    };
    budget.addEventListener('input', update);
    update();
    budgetTotal.hidden = false;
  }

  // (d) The service worker, registered once the page has loaded (it precaches the shell then).
  if ('serviceWorker' in navigator && window.isSecureContext) {
    window.addEventListener('load', function () {
      navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () {});
    });
  }

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
