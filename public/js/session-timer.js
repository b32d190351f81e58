// Warns before the session ends: five minutes before two idle hours are up
// (or before the twelve-hour end), with "Stay signed in"; after the end, says
// that saving will ask to sign in again and keep what was typed.
(function () {
  'use strict';
  var box = document.getElementById('session-timer');
  if (!box) return;
  var idleMs = Number(box.dataset.idleSeconds) * 1000;
  var endsAt = Number(box.dataset.endsAt);
  var warnMs = Number(box.dataset.warnSeconds) * 1000;
  if (!(idleMs > 0) || !(endsAt > 0)) return;
  var lastRequest = Date.now();
  var timer = null;
  var clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });

  function endOfSession() {
    return Math.min(lastRequest + idleMs, endsAt);
  }

  function clear() {
    while (box.firstChild) box.removeChild(box.firstChild);
  }

  function paragraph(text) {
    var p = document.createElement('p');
    p.textContent = text;
    box.appendChild(p);
    return p;
  }

  function stay() {
    window
      .fetch('/admin/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (res) {
        if (!res.ok || res.redirected) throw new Error('signed out');
        return res.json();
      })
      .then(function (answer) {
        lastRequest = Date.now();
        if (answer.endsAt) endsAt = answer.endsAt;
        box.hidden = true;
        schedule();
      })
      .catch(function () {
        ended();
      });
  }

  function warn() {
    var end = endOfSession();
    var absolute = end === endsAt;
    clear();
    paragraph(
      absolute
        ? 'Your session ends at ' + clock.format(end) + ' (twelve hours after signing in). Save what you are working on; after that, saving asks you to sign in again and keeps what you typed.'
        : 'You will be signed out at ' + clock.format(end) + ' after two hours without activity. Anything you send after that asks you to sign in again and keeps what you typed.',
    );
    if (!absolute) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Stay signed in';
      button.addEventListener('click', stay);
      box.appendChild(button);
    }
    box.hidden = false;
    timer = window.setTimeout(ended, Math.max(0, end - Date.now()));
  }

  function ended() {
    clear();
    paragraph('Your session has ended. Saving a form now asks you to sign in again, then brings the form back with everything you typed.');
    box.hidden = false;
  }

  function schedule() {
    window.clearTimeout(timer);
    var wait = endOfSession() - warnMs - Date.now();
    timer = window.setTimeout(warn, Math.max(0, wait));
  }

  schedule();
})();
