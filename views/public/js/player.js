// The player page on the app origin: listens to the lesson's host page on the content origin (origin and
// source both checked) and keeps the table of contents in step with what the lesson reports.
(function () {
  'use strict';
  var root = document.querySelector('[data-player]');
  var frame = document.querySelector('[data-lesson-frame]');
  if (!root || !frame) return;
  var contentOrigin = root.getAttribute('data-content-origin');
  var LABELS = { passed: 'Passed', failed: 'Failed', completed: 'Completed', incomplete: 'In progress', not_attempted: 'Not started', unknown: 'Not started' };

  function stateFrom(element, value) {
    if (element === 'cmi.core.lesson_status') {
      return { passed: 'passed', failed: 'failed', completed: 'completed', browsed: 'completed', incomplete: 'incomplete', 'not attempted': 'not_attempted' }[value] || null;
    }
    if (element === 'cmi.success_status' && (value === 'passed' || value === 'failed')) return value;
    if (element === 'cmi.completion_status' && LABELS[value]) return value;
    return null;
  }

  function showState(itemId, state) {
    var link = document.querySelector('.toc a[data-item="' + itemId + '"]');
    if (!link) return;
    var icon = link.querySelector('[data-status]');
    var current = (icon.className.match(/toc__status--(\w+)/) || [])[1];
    // Passed or failed stays shown over a later completion report.
    if ((current === 'passed' || current === 'failed') && (state === 'completed' || state === 'incomplete')) return;
    icon.className = 'toc__status toc__status--' + state;
    link.querySelector('[data-status-label]').textContent = '(' + LABELS[state] + ')';
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== contentOrigin || event.source !== frame.contentWindow) return;
    var message = event.data;
    if (!message || message.source !== 'partner-academy-host') return;
    if (message.type === 'value') {
      var state = stateFrom(message.element, message.value);
      if (state) showState(message.item, state);
    }
    if (message.type === 'finished' && message.navRequest === 'continue') {
      var next = document.querySelector('[data-next-lesson]');
      if (next) window.location.assign(next.href);
    }
  });
})();
