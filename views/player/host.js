// The SCORM host page, on the content origin. It runs the real scorm-again API synchronously next to the SCO
// (the SCO finds it as window.parent.API or API_1484_11), loads the learner's saved data before the SCO
// starts, and commits to ./commit with the launch token in the path as the only credential.
(function () {
  'use strict';
  var statusBox = document.getElementById('status');
  var itemId = new URLSearchParams(location.search).get('item') || '';

  function fail(message) {
    statusBox.textContent = message;
    statusBox.hidden = false;
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error('could not load ' + src)); };
      document.head.appendChild(script);
    });
  }

  fetch('launch?item=' + encodeURIComponent(itemId), { cache: 'no-store' })
    .then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error((body && body.error && body.error.message) || 'This lesson could not be opened (HTTP ' + res.status + ').');
        return body;
      });
    })
    .then(function (launch) {
      var is2004 = launch.standard === 'scorm2004';
      return loadScript(is2004 ? 'scorm2004.js' : 'scorm12.js').then(function () { start(launch, is2004); });
    })
    .catch(function (err) { fail(err.message + ' Reload the page to try again.'); });

  function start(launch, is2004) {
    var Api = is2004 ? window.Scorm2004API : window.Scorm12API;
    var appOrigin = launch.appOrigin;
    var api = new Api({
      autocommit: true,
      autocommitSeconds: 10,
      lmsCommitUrl: 'commit',
      dataCommitFormat: 'json',
      logLevel: 4,
      // Each commit names its SCO and carries a sequence that outranks every earlier launch's commits:
      // the server keeps the newest and acknowledges a repeat without writing it twice.
      requestHandler: function (commit, meta) {
        return { item: launch.item.identifier, sequence: launch.sequenceBase + meta.sequence, final: Boolean(meta.isTerminateCommit), cmi: commit.cmi || commit };
      },
    });
    // Saved location, suspend data, entry (resume or ab-initio), credit and mode, before the SCO initialises.
    api.loadFromJSON(launch.cmi);
    if (is2004) window.API_1484_11 = api;
    else window.API = api;

    // The player on the app origin shows progress in its table of contents: tell it what changed, pinned to its origin.
    function tellPlayer(message) {
      if (window.parent !== window && appOrigin) window.parent.postMessage(Object.assign({ source: 'partner-academy-host', item: launch.item.id }, message), appOrigin);
    }
    var statusElements = is2004 ? ['cmi.completion_status', 'cmi.success_status', 'cmi.score.scaled'] : ['cmi.core.lesson_status', 'cmi.core.score.raw'];
    statusElements.forEach(function (element) {
      api.on((is2004 ? 'SetValue.' : 'LMSSetValue.') + element, function (name, value) {
        tellPlayer({ type: 'value', element: name, value: String(value) });
      });
    });
    api.on(is2004 ? 'Commit' : 'LMSCommit', function () { tellPlayer({ type: 'committed' }); });
    api.on(is2004 ? 'Terminate' : 'LMSFinish', function () {
      tellPlayer({ type: 'finished', navRequest: is2004 ? String(api.GetValue('adl.nav.request') || '') : '' });
    });

    // Leaving the page (tab closed, next lesson chosen) without LMSFinish: end the session so its data is sent
    // by scorm-again's terminating beacon rather than lost.
    window.addEventListener('pagehide', function () {
      try {
        if (api.isInitialized() && !api.isTerminated()) {
          if (is2004) api.Terminate('');
          else api.LMSFinish('');
        }
      } catch (_) {
        /* the page is going away; nothing else can be done */
      }
    });

    document.getElementById('sco').src = '../' + launch.item.launchHref;
  }
})();
