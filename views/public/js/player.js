// The player page on the app origin: listens to the lesson's host page on the content origin (origin and
// source both checked) and keeps the table of contents in step with what the lesson reports. For SCORM 2004
// courses the host's sequencing engine decides navigation: this page sends it the learner's requests
// (previous, next, a lesson chosen in the table of contents) and enables only what the engine allows.
(function () {
  'use strict';
  var root = document.querySelector('[data-player]');
  var frame = document.querySelector('[data-lesson-frame]');
  if (!root || !frame) return;
  var contentOrigin = root.getAttribute('data-content-origin');
  var sequenced = root.hasAttribute('data-sequenced');
  var saveStatus = root.querySelector('[data-save-status]');
  var LABELS = { passed: 'Passed', failed: 'Failed', completed: 'Completed', incomplete: 'In progress', not_attempted: 'Not started', unknown: 'Not started' };

  function stateFrom(element, value) {
    if (element === 'cmi.core.lesson_status') {
      return { passed: 'passed', failed: 'failed', completed: 'completed', browsed: 'completed', incomplete: 'incomplete', 'not attempted': 'not_attempted' }[value] || null;
    }
    if (element === 'cmi.success_status' && (value === 'passed' || value === 'failed')) return value;
    if (element === 'cmi.completion_status' && LABELS[value]) return value;
    return null;
  }

  function tocLink(itemId) {
    return document.querySelector('.toc a[data-item="' + itemId + '"]');
  }

  function showState(itemId, state) {
    var link = tocLink(itemId);
    if (!link) return;
    var icon = link.querySelector('[data-status]');
    var current = (icon.className.match(/toc__status--(\w+)/) || [])[1];
    // Passed or failed stays shown over a later completion report.
    if ((current === 'passed' || current === 'failed') && (state === 'completed' || state === 'incomplete')) return;
    icon.className = 'toc__status toc__status--' + state;
    link.querySelector('[data-status-label]').textContent = '(' + LABELS[state] + ')';
  }

  function sendToHost(message) {
    frame.contentWindow.postMessage(Object.assign({ source: 'partner-academy-player' }, message), contentOrigin);
  }

  /** The engine delivered another lesson inside the same frame: show it as the current one. */
  function showDelivered(itemId, title) {
    Array.prototype.forEach.call(document.querySelectorAll('.toc a[aria-current]'), function (link) { link.removeAttribute('aria-current'); });
    var link = tocLink(itemId);
    if (link) link.setAttribute('aria-current', 'page');
    if (title) {
      frame.title = 'Lesson: ' + title;
      document.title = document.title.replace(/^[^·]*·/, title + ' ·');
    }
    frame.setAttribute('data-item', itemId);
    // A reload (or the back link and a return) opens this lesson again.
    var url = new URL(window.location.href);
    url.searchParams.set('item', itemId);
    url.searchParams.delete('attempt');
    window.history.replaceState(null, '', url.pathname + url.search);
  }

  function applyNavigation(message) {
    var hidden = message.hideLmsUi || [];
    [['previous', message.previous], ['continue', message.continue]].forEach(function (pair) {
      var button = root.querySelector('[data-nav="' + pair[0] + '"]');
      if (!button) return;
      button.disabled = !pair[1];
      button.hidden = hidden.indexOf(pair[0]) !== -1;
    });
    Array.prototype.forEach.call(document.querySelectorAll('.toc a[data-item]'), function (link) {
      var allowed = message.choice[link.getAttribute('data-item')];
      if (allowed === false) link.setAttribute('aria-disabled', 'true');
      else link.removeAttribute('aria-disabled');
    });
  }

  if (sequenced) {
    Array.prototype.forEach.call(root.querySelectorAll('[data-nav]'), function (button) {
      button.addEventListener('click', function () {
        if (!button.disabled) sendToHost({ type: 'navigate', request: button.getAttribute('data-nav') });
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll('.toc a[data-item]'), function (link) {
      link.addEventListener('click', function (event) {
        event.preventDefault();
        if (link.getAttribute('aria-disabled') === 'true' || link.getAttribute('aria-current') === 'page') return;
        sendToHost({ type: 'navigate', request: 'choice', item: link.getAttribute('data-item') });
      });
    });
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== contentOrigin || event.source !== frame.contentWindow) return;
    var message = event.data;
    if (!message || message.source !== 'partner-academy-host') return;
    if (message.type === 'value') {
      var state = stateFrom(message.element, message.value);
      if (state) showState(message.item, state);
    }
    if (message.type === 'saveStatus' && saveStatus) {
      saveStatus.textContent = message.state === 'saved' ? '' : message.message;
    }
    if (sequenced && message.type === 'navigation') applyNavigation(message);
    if (sequenced && message.type === 'delivered') showDelivered(message.item, message.title);
    if (sequenced && message.type === 'ended') window.location.assign(root.getAttribute('data-course-href'));
    if (!sequenced && message.type === 'finished' && message.navRequest === 'continue') {
      var next = document.querySelector('[data-next-lesson]');
      if (next) window.location.assign(next.href);
    }
  });
})();
