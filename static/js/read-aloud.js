/* Yishi 议事: 朗读 (read aloud). Each [data-read-aloud] block (a speech, a motion, a notice, a result) gets a
   button that reads it in Mandarin with the browser's own speech synthesis: no server, no network. Where the
   browser has no Chinese voice there is no button. Blocks added later (the live room) get one too. The
   button's words come from <body data-read-label data-stop-label>, in the page's language. */
(function () {
  'use strict';

  var synth = window.speechSynthesis;
  if (!synth || !window.SpeechSynthesisUtterance) return;
  var readLabel = document.body.getAttribute('data-read-label') || '朗读';
  var stopLabel = document.body.getAttribute('data-stop-label') || '停止';
  var voice = null;
  var speaking = null;

  function chineseVoice() {
    var voices = synth.getVoices().filter(function (v) { return /^zh/i.test(v.lang); });
    return voices.filter(function (v) { return /^zh[-_]CN/i.test(v.lang); })[0] || voices[0] || null;
  }

  function reset(button) {
    button.setAttribute('aria-pressed', 'false');
    button.lastChild.textContent = ' ' + readLabel;
    if (speaking === button) speaking = null;
  }

  function textOf(block, button) {
    return Array.prototype.map.call(block.childNodes, function (node) {
      return node === button ? '' : (node.innerText || node.textContent || '');
    }).join(' ').replace(/\s+/g, ' ').trim();
  }

  function equip(block) {
    if (block.querySelector(':scope > .read-aloud')) return;
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn btn-small read-aloud';
    button.setAttribute('aria-pressed', 'false');
    var icon = document.createElement('span');
    icon.setAttribute('aria-hidden', 'true');
    icon.textContent = '🔊';
    button.appendChild(icon);
    button.appendChild(document.createTextNode(' ' + readLabel));
    button.addEventListener('click', function () {
      var was = speaking;
      synth.cancel();
      if (was) reset(was);
      if (was === button) return;  // a second tap stops
      var utterance = new window.SpeechSynthesisUtterance(textOf(block, button));
      utterance.voice = voice;
      utterance.lang = voice.lang;
      utterance.rate = 0.9;  // a little slower than the default, for older listeners
      utterance.onend = utterance.onerror = function () { reset(button); };
      speaking = button;
      button.setAttribute('aria-pressed', 'true');
      button.lastChild.textContent = ' ' + stopLabel;
      synth.speak(utterance);
    });
    block.appendChild(button);
  }

  function start() {
    if (voice || !(voice = chineseVoice())) return;
    document.querySelectorAll('[data-read-aloud]').forEach(equip);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1) return;
          if (node.matches('[data-read-aloud]')) equip(node);
          node.querySelectorAll('[data-read-aloud]').forEach(equip);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  start();
  if (!voice && synth.addEventListener) synth.addEventListener('voiceschanged', start);
  window.addEventListener('pagehide', function () { synth.cancel(); });
}());
