// Sends an upload form with XMLHttpRequest so the page can show the bytes sent, then follows the server's answer.
// The CSRF token goes in a header: the server reads the multipart body only after the token was checked.
(function () {
  'use strict';
  for (const form of document.querySelectorAll('form[data-upload-form]')) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      const progress = form.querySelector('[data-upload-progress]');
      const bar = progress.querySelector('progress');
      const status = form.querySelector('[data-upload-status]');
      const errorBox = form.querySelector('[data-upload-error]');
      const button = form.querySelector('button[type="submit"]');
      const file = form.querySelector('input[type="file"]');
      errorBox.hidden = true;
      if (!file.files.length) {
        showError('Choose the SCORM package (.zip) to upload.');
        file.focus();
        return;
      }
      const data = new FormData(form);
      const xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('Accept', 'application/json');
      xhr.setRequestHeader('X-CSRF-Token', form.querySelector('input[name="_csrf"]').value);
      xhr.upload.addEventListener('progress', function (e) {
        if (!e.lengthComputable) return;
        const percent = Math.floor((e.loaded / e.total) * 100);
        bar.value = percent;
        status.textContent = percent < 100 ? percent + '% sent (' + megabytes(e.loaded) + ' of ' + megabytes(e.total) + ')' : 'Sent. Checking and unpacking the package…';
      });
      xhr.addEventListener('load', function () {
        let body = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch (_) {
          /* not JSON: reported below */
        }
        if (xhr.status >= 200 && xhr.status < 300 && body && body.location) {
          window.location.assign(body.location);
          return;
        }
        reset();
        showError(body && body.error ? body.error.message : 'The upload failed (HTTP ' + xhr.status + '). Try again.');
      });
      xhr.addEventListener('error', function () {
        reset();
        showError('The connection was lost during the upload. Check your network and try again.');
      });
      progress.hidden = false;
      bar.value = 0;
      status.textContent = 'Starting upload…';
      button.disabled = true;
      xhr.send(data);

      function reset() {
        button.disabled = false;
        progress.hidden = true;
      }
      function showError(message) {
        errorBox.textContent = message;
        errorBox.hidden = false;
        errorBox.focus();
      }
    });
  }
  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1) + ' MB';
  }
})();
