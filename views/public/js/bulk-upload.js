// Bulk upload: every chosen file goes as its own POST /library/assets with XMLHttpRequest (two at a time), so each
// shows its own progress bar and its own error, and one bad file does not stop the others. Same approach as
// upload.js: the CSRF token in a header, JSON answers. Without JavaScript the form posts the first file.
(function () {
  'use strict';
  var PARALLEL = 2;
  var form = document.querySelector('form[data-bulk-upload]');
  if (!form) return;
  var input = form.querySelector('input[type="file"]');
  var errorBox = form.querySelector('[data-bulk-error]');
  var results = document.querySelector('[data-bulk-results]');
  var list = document.querySelector('[data-bulk-list]');
  var live = document.querySelector('[data-bulk-live]');
  var summary = document.querySelector('[data-bulk-summary]');
  var button = form.querySelector('button[type="submit"]');
  var maxBytes = Number(input.getAttribute('data-max-bytes')) || Infinity;
  var counter = 0;

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    var files = Array.prototype.slice.call(input.files);
    if (!files.length) {
      errorBox.textContent = 'Choose one or more files to upload.';
      errorBox.hidden = false;
      input.focus();
      return;
    }
    list.innerHTML = '';
    summary.textContent = '';
    results.hidden = false;
    button.disabled = true;
    var shared = new FormData(form);
    shared.delete('file');
    var jobs = files.map(function (file) { return { file: file, row: addRow(file) }; });
    var done = 0;
    var failed = 0;
    var next = 0;
    function startNext() {
      if (next >= jobs.length) return;
      var job = jobs[next++];
      upload(job, shared, function (ok) {
        done++;
        if (!ok) failed++;
        if (done === jobs.length) finish();
        else startNext();
      });
    }
    for (var i = 0; i < Math.min(PARALLEL, jobs.length); i++) startNext();

    function finish() {
      button.disabled = false;
      var succeeded = jobs.length - failed;
      summary.textContent = succeeded + ' of ' + jobs.length + ' uploaded' + (failed ? '; ' + failed + ' failed (see the messages above).' : '.');
    }
  });

  function addRow(file) {
    var id = 'bulk-' + ++counter;
    var item = document.createElement('li');
    item.className = 'bulk-item';
    var name = document.createElement('span');
    name.className = 'bulk-item__name';
    name.id = id + '-name';
    name.textContent = file.name;
    var bar = document.createElement('progress');
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute('aria-labelledby', id + '-name');
    var status = document.createElement('p');
    status.className = 'bulk-item__status';
    status.textContent = 'Waiting…';
    item.appendChild(name);
    item.appendChild(bar);
    item.appendChild(status);
    list.appendChild(item);
    return { item: item, bar: bar, status: status };
  }

  function titleOf(fileName) {
    var dot = fileName.lastIndexOf('.');
    return (dot > 0 ? fileName.slice(0, dot) : fileName).slice(0, 200);
  }

  function fail(job, message) {
    job.row.item.classList.add('bulk-item--failed');
    job.row.status.textContent = 'Not uploaded: ' + message;
    live.textContent = job.file.name + ' was not uploaded: ' + message;
  }

  function upload(job, shared, callback) {
    if (job.file.size > maxBytes) {
      fail(job, 'the file is larger than the ' + (maxBytes / 1048576).toFixed(0) + ' MB the library accepts.');
      return callback(false);
    }
    var data = new FormData();
    shared.forEach(function (value, key) { data.append(key, value); });
    data.append('title', titleOf(job.file.name));
    data.append('file', job.file, job.file.name);
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('X-CSRF-Token', form.querySelector('input[name="_csrf"]').value);
    xhr.upload.addEventListener('progress', function (e) {
      if (!e.lengthComputable) return;
      var percent = Math.floor((e.loaded / e.total) * 100);
      job.row.bar.value = percent;
      job.row.status.textContent = percent < 100 ? percent + '% sent' : 'Sent. Checking the file and making a preview…';
    });
    xhr.addEventListener('load', function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON: reported below */ }
      if (xhr.status === 201 && body && body.url) {
        job.row.bar.value = 100;
        job.row.item.classList.add('bulk-item--done');
        job.row.status.textContent = '';
        var link = document.createElement('a');
        link.href = body.url;
        link.textContent = 'Uploaded: open ' + titleOf(job.file.name);
        job.row.status.appendChild(link);
        live.textContent = job.file.name + ' uploaded.';
        return callback(true);
      }
      fail(job, body && body.error ? body.error.message : 'the server answered HTTP ' + xhr.status + '. Try again.');
      callback(false);
    });
    xhr.addEventListener('error', function () {
      fail(job, 'the connection was lost. Check your network and try again.');
      callback(false);
    });
    job.row.status.textContent = 'Starting…';
    xhr.send(data);
  }
})();
