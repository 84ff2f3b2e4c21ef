// Co-branding template editor: draws a box per field over the page preview; boxes are moved and resized with
// pointer events (or arrow keys), which writes the numbers into the form. Any change refreshes the live preview
// (debounced). The form itself works without this script: it posts the same numbers.
(function () {
  'use strict';
  var editor = document.querySelector('[data-cobrand-editor]');
  if (!editor) return;
  var form = editor.querySelector('[data-cobrand-form]');
  var stage = editor.querySelector('[data-cobrand-stage]');
  var preview = editor.querySelector('[data-cobrand-preview]');
  var status = editor.querySelector('[data-cobrand-status]');
  var previewError = editor.querySelector('[data-cobrand-preview-error]');
  var assetId = editor.getAttribute('data-asset-id');
  var currentPage = Number(editor.getAttribute('data-page'));
  var pageWidth = Number(editor.getAttribute('data-page-width'));
  var pageHeight = Number(editor.getAttribute('data-page-height'));
  var PREVIEW_DELAY_MS = 400;
  var KIND_LABELS = { logo: 'Logo', name: 'Partner name', contact: 'Contact details', qr: 'QR code' };
  var previewTimer = null;

  function fieldsets() {
    return Array.prototype.slice.call(form.querySelectorAll('[data-cobrand-field]'));
  }
  function input(fieldset, prop) {
    return fieldset.querySelector('[data-prop="' + prop + '"]');
  }
  function numberOf(fieldset, prop) {
    var value = input(fieldset, prop).value.trim();
    return value === '' ? NaN : Number(value);
  }
  function pageOf(fieldset) {
    var value = input(fieldset, 'page').value.trim().toLowerCase();
    return value === 'all' ? 'all' : Number(value);
  }
  /** The same placements the server builds from the posted form. */
  function placements() {
    return fieldsets().map(function (fieldset) {
      return {
        kind: input(fieldset, 'kind').value,
        page: pageOf(fieldset),
        box: { x: numberOf(fieldset, 'x'), y: numberOf(fieldset, 'y'), width: numberOf(fieldset, 'width'), height: numberOf(fieldset, 'height') },
        fontSize: numberOf(fieldset, 'fontSize'),
        colour: input(fieldset, 'colour').value,
        align: input(fieldset, 'align').value,
      };
    });
  }
  function round(value) {
    return Math.round(value * 10) / 10;
  }
  function clamp(value, min, max) {
    return Math.min(Math.max(value, min), max);
  }

  function setStatus(text) {
    status.textContent = text;
  }

  function refreshPreview() {
    var json = JSON.stringify(placements(), function (key, value) {
      return typeof value === 'number' && !isFinite(value) ? null : value;
    });
    var url = '/library/assets/' + assetId + '/cobranding/preview?page=' + currentPage + '&placements=' + encodeURIComponent(json);
    preview.setAttribute('data-state', 'loading');
    preview.onload = function () {
      preview.setAttribute('data-state', 'loaded');
      previewError.hidden = true;
    };
    preview.onerror = function () {
      preview.setAttribute('data-state', 'failed');
      // The image request failed; ask again for the message (a box outside the page, a missing page...).
      fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (res) {
          return res.json();
        })
        .then(function (body) {
          previewError.textContent = (body && body.error && body.error.message) || body.message || 'The preview could not be drawn.';
          previewError.hidden = false;
        })
        .catch(function () {
          previewError.textContent = 'The preview could not be drawn.';
          previewError.hidden = false;
        });
    };
    preview.src = url;
  }
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refreshPreview, PREVIEW_DELAY_MS);
  }

  var boxes = [];
  function layoutBoxes() {
    boxes.forEach(function (box) {
      box.remove();
    });
    boxes = [];
    fieldsets().forEach(function (fieldset, index) {
      var page = pageOf(fieldset);
      if (page !== 'all' && page !== currentPage) return;
      var x = numberOf(fieldset, 'x');
      var y = numberOf(fieldset, 'y');
      var width = numberOf(fieldset, 'width');
      var height = numberOf(fieldset, 'height');
      if (![x, y, width, height].every(isFinite)) return;
      var box = document.createElement('div');
      box.className = 'cobrand-box';
      box.tabIndex = 0;
      box.setAttribute('role', 'button');
      var label = 'Field ' + (index + 1) + ': ' + (KIND_LABELS[input(fieldset, 'kind').value] || 'field');
      box.setAttribute('aria-label', label + '. Arrow keys move it, Shift with arrows moves it further, Alt with arrows resizes it.');
      box.setAttribute('data-field-index', String(index));
      box.style.left = (x / pageWidth) * 100 + '%';
      box.style.top = (y / pageHeight) * 100 + '%';
      box.style.width = (width / pageWidth) * 100 + '%';
      box.style.height = (height / pageHeight) * 100 + '%';
      var caption = document.createElement('span');
      caption.className = 'cobrand-box__label';
      caption.textContent = label;
      caption.setAttribute('aria-hidden', 'true');
      var handle = document.createElement('span');
      handle.className = 'cobrand-box__handle';
      handle.setAttribute('data-resize', '');
      handle.setAttribute('aria-hidden', 'true');
      box.appendChild(caption);
      box.appendChild(handle);
      stage.appendChild(box);
      boxes.push(box);
      attachDrag(box, fieldset);
      attachKeys(box, fieldset);
    });
  }

  function write(fieldset, values) {
    Object.keys(values).forEach(function (prop) {
      input(fieldset, prop).value = String(round(values[prop]));
    });
  }
  function changed() {
    layoutBoxes();
    schedulePreview();
  }
  function highlight(fieldset, on) {
    fieldset.classList.toggle('cobrand-field--active', on);
  }

  function attachDrag(box, fieldset) {
    box.addEventListener('pointerdown', function (event) {
      if (event.button !== 0) return;
      event.preventDefault();
      var resizing = event.target.hasAttribute('data-resize');
      var scale = pageWidth / stage.clientWidth;
      var start = { px: event.clientX, py: event.clientY, x: numberOf(fieldset, 'x'), y: numberOf(fieldset, 'y'), width: numberOf(fieldset, 'width'), height: numberOf(fieldset, 'height') };
      box.setPointerCapture(event.pointerId);
      box.classList.add('cobrand-box--active');
      highlight(fieldset, true);
      function move(e) {
        var dx = (e.clientX - start.px) * scale;
        var dy = (e.clientY - start.py) * scale;
        if (resizing) {
          write(fieldset, { width: clamp(start.width + dx, 1, pageWidth - start.x), height: clamp(start.height + dy, 1, pageHeight - start.y) });
        } else {
          write(fieldset, { x: clamp(start.x + dx, 0, pageWidth - start.width), y: clamp(start.y + dy, 0, pageHeight - start.height) });
        }
        box.style.left = (numberOf(fieldset, 'x') / pageWidth) * 100 + '%';
        box.style.top = (numberOf(fieldset, 'y') / pageHeight) * 100 + '%';
        box.style.width = (numberOf(fieldset, 'width') / pageWidth) * 100 + '%';
        box.style.height = (numberOf(fieldset, 'height') / pageHeight) * 100 + '%';
      }
      function end() {
        box.removeEventListener('pointermove', move);
        box.removeEventListener('pointerup', end);
        box.removeEventListener('pointercancel', end);
        highlight(fieldset, false);
        setStatus('Field ' + (Number(box.getAttribute('data-field-index')) + 1) + ' is at x ' + input(fieldset, 'x').value + ', y ' + input(fieldset, 'y').value + ', ' + input(fieldset, 'width').value + ' × ' + input(fieldset, 'height').value + '.');
        changed();
      }
      box.addEventListener('pointermove', move);
      box.addEventListener('pointerup', end);
      box.addEventListener('pointercancel', end);
    });
  }

  function attachKeys(box, fieldset) {
    box.addEventListener('keydown', function (event) {
      var steps = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[event.key];
      if (!steps) return;
      event.preventDefault();
      var step = event.shiftKey ? 10 : 1;
      var x = numberOf(fieldset, 'x');
      var y = numberOf(fieldset, 'y');
      var width = numberOf(fieldset, 'width');
      var height = numberOf(fieldset, 'height');
      if (event.altKey) write(fieldset, { width: clamp(width + steps[0] * step, 1, pageWidth - x), height: clamp(height + steps[1] * step, 1, pageHeight - y) });
      else write(fieldset, { x: clamp(x + steps[0] * step, 0, pageWidth - width), y: clamp(y + steps[1] * step, 0, pageHeight - height) });
      var index = box.getAttribute('data-field-index');
      changed();
      var again = stage.querySelector('[data-field-index="' + index + '"]');
      if (again) again.focus();
    });
  }

  form.addEventListener('input', function (event) {
    if (event.target.hasAttribute('data-prop')) changed();
  });
  form.addEventListener('change', function (event) {
    if (event.target.hasAttribute('data-prop')) changed();
  });
  layoutBoxes();
})();
