// The SCORM host page, on the content origin. It runs the real scorm-again API synchronously next to the SCO
// (the SCO finds it as window.parent.API or API_1484_11), loads the learner's saved data before the SCO
// starts, and commits to ./commit with the launch token in the path as the only credential.
// SCORM 2004: scorm-again's sequencing engine, fed with the activity tree built from the manifest, decides what
// continue, previous and choice may do; this page switches SCOs in its frame as the engine delivers them and
// tells the player (on the app origin) which controls to enable.
(function () {
  'use strict';
  var statusBox = document.getElementById('status');
  var frame = document.getElementById('sco');
  var requestedItemId = new URLSearchParams(location.search).get('item') || '';
  var RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000, 30000];

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

  function fetchLaunch(itemId) {
    return fetch('launch?item=' + encodeURIComponent(itemId), { cache: 'no-store' }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error((body && body.error && body.error.message) || 'This lesson could not be opened (HTTP ' + res.status + ').');
        return body;
      });
    });
  }

  fetchLaunch(requestedItemId)
    .then(function (launch) {
      var is2004 = launch.standard === 'scorm2004';
      return loadScript(is2004 ? 'scorm2004.js' : 'scorm12.js').then(function () { start(launch, is2004); });
    })
    .catch(function (err) { fail(err.message + ' Reload the page to try again.'); });

  // The player on the app origin shows progress and navigation: tell it what changed, pinned to its origin.
  var appOrigin = null;
  function tellPlayer(message) {
    if (window.parent !== window && appOrigin) window.parent.postMessage(Object.assign({ source: 'partner-academy-host' }, message), appOrigin);
  }

  /**
   * scorm-again's HTTP service, replaced so that a commit counts as stored only when the server answers
   * { result: true } (after its database transaction). Anything else is a failure: the SCO is told (Commit returns
   * "false"), and a failure that may pass (network, 5xx, 429) is sent again with back-off until it is stored or
   * a newer commit of the same SCO is (every commit carries the whole CMI, so the newer one supersedes it).
   * Refusals that cannot pass by retrying (invalid or too-long data, a stale sequence) are not retried.
   */
  function createCommitService(buildPayload) {
    var pending = {}; // item identifier -> { url, payload, tries, timer }
    var unloading = false;

    function outcomeOf(status, text) {
      var body = null;
      try { body = JSON.parse(text); } catch (_) { /* not JSON: a proxy's error page, say */ }
      if (status === 200 && body && body.result === true) return { stored: true };
      var retry = status === 0 || status === 408 || status === 429 || status >= 500;
      return { stored: false, retry: retry, message: (body && body.error && body.error.message) || 'HTTP ' + status };
    }

    function saveState(state, message) {
      tellPlayer({ type: 'saveStatus', state: state, message: message || '' });
    }

    function forget(item) {
      var entry = pending[item];
      if (entry && entry.timer) clearTimeout(entry.timer);
      delete pending[item];
      if (Object.keys(pending).length === 0) saveState('saved');
    }

    function schedule(item, url, payload) {
      var entry = pending[item];
      // Only the newest payload of a SCO is worth sending; it carries everything the older ones did.
      if (entry && entry.payload.sequence > payload.sequence) return;
      if (entry && entry.timer) clearTimeout(entry.timer);
      var tries = entry ? entry.tries : 0;
      entry = pending[item] = { url: url, payload: payload, tries: tries, timer: null };
      var delay = RETRY_DELAYS_MS[Math.min(tries, RETRY_DELAYS_MS.length - 1)];
      entry.timer = setTimeout(function () { retry(item); }, delay);
      saveState('retrying', 'Your progress could not be saved yet; trying again.');
    }

    function retry(item) {
      var entry = pending[item];
      if (!entry) return;
      entry.timer = null;
      entry.tries += 1;
      fetch(entry.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(entry.payload), keepalive: true, cache: 'no-store' })
        .then(function (res) { return res.text().then(function (text) { return outcomeOf(res.status, text); }); }, function () { return { stored: false, retry: true, message: 'network error' }; })
        .then(function (outcome) {
          if (pending[item] !== entry) return; // superseded meanwhile
          if (outcome.stored || !outcome.retry) {
            forget(item);
            if (!outcome.stored) saveState('failed', 'Your progress could not be saved: ' + outcome.message);
          } else {
            schedule(item, entry.url, entry.payload);
          }
        });
    }

    /** On page hide: hand every payload still waiting to the browser, which sends beacons after the page is gone. */
    function flushOnUnload() {
      unloading = true;
      Object.keys(pending).forEach(function (item) {
        var entry = pending[item];
        if (entry.timer) clearTimeout(entry.timer);
        navigator.sendBeacon(entry.url, new Blob([JSON.stringify(entry.payload)], { type: 'text/plain;charset=UTF-8' }));
        delete pending[item];
      });
    }

    return {
      flushOnUnload: flushOnUnload,
      updateSettings: function () {},
      processHttpRequest: function (url, params, immediate, _apiLog, _processListeners, metadata) {
        var payload = buildPayload(params, metadata || {});
        var body = JSON.stringify(payload);
        if (unloading) {
          // A synchronous request is not allowed while the page unloads; a beacon is what the browser still sends.
          var queued = navigator.sendBeacon(url, new Blob([body], { type: 'text/plain;charset=UTF-8' }));
          return { result: queued ? 'true' : 'false', errorCode: queued ? 0 : 391 };
        }
        var outcome;
        try {
          var xhr = new XMLHttpRequest();
          xhr.open('POST', url, false);
          xhr.setRequestHeader('Content-Type', 'application/json');
          xhr.send(body);
          outcome = outcomeOf(xhr.status, xhr.responseText);
        } catch (_) {
          outcome = { stored: false, retry: true, message: 'network error' };
        }
        if (outcome.stored) {
          if (pending[payload.item] && pending[payload.item].payload.sequence < payload.sequence) forget(payload.item);
          return { result: 'true', errorCode: 0 };
        }
        if (outcome.retry) schedule(payload.item, url, payload);
        else saveState('failed', 'Your progress could not be saved: ' + outcome.message);
        return { result: 'false', errorCode: 391, errorMessage: outcome.message };
      },
    };
  }

  function start(first, is2004) {
    var Api = is2004 ? window.Scorm2004API : window.Scorm12API;
    appOrigin = first.appOrigin;
    var current = null; // the launch data of the SCO in the frame
    var sequencing = is2004 && first.sequencing ? first.sequencing : null;
    var identifierById = {};
    if (sequencing) Object.keys(sequencing.itemIds).forEach(function (identifier) { identifierById[sequencing.itemIds[identifier]] = identifier; });

    // Each commit names its SCO and carries a sequence that outranks every earlier launch's commits: the server
    // keeps the newest and acknowledges a repeat without writing it twice.
    var commits = createCommitService(function (commit, meta) {
      return { item: current.item.identifier, sequence: current.sequenceBase + (meta.sequence || 0), final: Boolean(meta.isTerminateCommit), cmi: commit.cmi || commit };
    });
    var settings = { autocommit: true, autocommitSeconds: 10, lmsCommitUrl: 'commit', dataCommitFormat: 'json', logLevel: 4, httpService: commits };
    var deliveredIdentifier = null;
    if (sequencing) {
      settings.sequencing = {
        activityTree: sequencing.activityTree,
        collections: sequencing.collections,
        eventListeners: {
          onNavigationValidityUpdate: function (validity) {
            tellPlayer({ type: 'navigation', continue: Boolean(validity.continue), previous: Boolean(validity.previous), choice: choiceByItemId(validity.choice), hideLmsUi: validity.hideLmsUi || [] });
          },
          onActivityDelivery: function (activity) { deliveredIdentifier = activity.id; },
          onSequencingSessionEnd: function (data) { tellPlayer({ type: 'ended', reason: (data && data.reason) || '' }); },
        },
      };
    }
    var api = new Api(settings);
    if (is2004) window.API_1484_11 = api;
    else window.API = api;

    function choiceByItemId(choice) {
      var out = {};
      Object.keys(choice || {}).forEach(function (identifier) {
        if (sequencing.itemIds[identifier]) out[sequencing.itemIds[identifier]] = choice[identifier] === 'true';
      });
      return out;
    }

    var statusElements = is2004 ? ['cmi.completion_status', 'cmi.success_status', 'cmi.score.scaled'] : ['cmi.core.lesson_status', 'cmi.core.score.raw'];
    statusElements.forEach(function (element) {
      api.on((is2004 ? 'SetValue.' : 'LMSSetValue.') + element, function (name, value) {
        tellPlayer({ type: 'value', item: current && current.item.id, element: name, value: String(value) });
      });
    });
    api.on(is2004 ? 'Commit' : 'LMSCommit', function () {
      tellPlayer({ type: 'committed', item: current && current.item.id });
      saveSequencingState(false);
    });
    api.on(is2004 ? 'Terminate' : 'LMSFinish', function () {
      tellPlayer({ type: 'finished', item: current && current.item.id, navRequest: !sequencing && is2004 ? String(api.GetValue('adl.nav.request') || '') : '' });
      saveSequencingState(false);
      // The engine may have delivered the next activity while processing the SCO's own navigation request.
      if (sequencing) setTimeout(deliverPending, 0);
    });

    // One save in flight at a time, each serialising the state when it is sent: an older state can never
    // arrive after a newer one and overwrite it.
    var stateSave = { inFlight: false, again: false };
    function saveSequencingState(onUnload) {
      if (!sequencing || current === null || current.mode === 'review') return;
      if (onUnload) {
        navigator.sendBeacon('sequencing', new Blob([JSON.stringify({ state: api.serializeSequencingState() })], { type: 'text/plain;charset=UTF-8' }));
        return;
      }
      if (stateSave.inFlight) {
        stateSave.again = true;
        return;
      }
      stateSave.inFlight = true;
      var body = JSON.stringify({ state: api.serializeSequencingState() });
      fetch('sequencing', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: body, cache: 'no-store' })
        .then(function (res) { return res.text(); })
        .catch(function () {})
        .then(function () {
          stateSave.inFlight = false;
          if (stateSave.again) {
            stateSave.again = false;
            saveSequencingState(false);
          }
        });
    }

    /** Shows a SCO: its saved data loaded before it initialises, then the frame pointed at its launch file. */
    function show(launch) {
      if (current !== null) {
        // The previous SCO's session ends here if it did not end it itself; then a clean API for the next one.
        if (api.isInitialized() && !api.isTerminated()) api.Terminate('');
        api.reset(undefined, { preserveListeners: true });
      }
      current = launch;
      api.loadFromJSON(launch.cmi);
      frame.src = '../' + launch.item.launchHref;
      tellPlayer({ type: 'delivered', item: launch.item.id, title: launch.item.title });
      saveSequencingState(false);
    }

    function deliverPending() {
      if (deliveredIdentifier === null) return;
      var identifier = deliveredIdentifier;
      deliveredIdentifier = null;
      if (current !== null && current.item.identifier === identifier && !api.isTerminated()) return;
      var itemId = sequencing.itemIds[identifier];
      if (!itemId) return fail('The course asked for a lesson it does not contain (' + identifier + ').');
      fetchLaunch(itemId).then(show).catch(function (err) { fail(err.message + ' Reload the page to try again.'); });
    }

    /** A navigation request from the player's controls, answered by the sequencing engine. */
    function navigate(request, targetItemId) {
      var target = targetItemId ? identifierById[targetItemId] : undefined;
      var navRequest = request === 'choice' ? '{target=' + target + '}choice' : request;
      if (api.isInitialized() && !api.isTerminated()) {
        // The SCO is running: the request ends its session, as if it had set adl.nav.request itself.
        api.SetValue('adl.nav.request', navRequest);
        api.Terminate('');
      } else {
        api.processNavigationRequest(request, target);
        setTimeout(deliverPending, 0);
      }
    }

    window.addEventListener('message', function (event) {
      if (!sequencing || event.origin !== appOrigin || event.source !== window.parent) return;
      var message = event.data;
      if (!message || message.source !== 'partner-academy-player' || message.type !== 'navigate') return;
      if (['continue', 'previous', 'choice'].indexOf(message.request) === -1) return;
      navigate(message.request, typeof message.item === 'string' ? message.item : undefined);
    });

    // Leaving the page (tab closed, another course opened) without Terminate/LMSFinish: end the session so its
    // data is sent by beacon rather than lost, with any commit still waiting for a retry.
    window.addEventListener('pagehide', function () {
      commits.flushOnUnload();
      try {
        if (api.isInitialized() && !api.isTerminated()) {
          if (is2004) api.Terminate('');
          else api.LMSFinish('');
        }
      } catch (_) {
        /* the page is going away; nothing else can be done */
      }
      saveSequencingState(true);
    });

    if (!sequencing) return show(first);

    // Where to begin: the saved state's activity when it is the one asked for, else the engine's answer to a
    // choice of it, else its start (the first activity the sequencing rules allow).
    if (sequencing.state) api.deserializeSequencingState(sequencing.state);
    var state = api.getSequencingState ? api.getSequencingState() : null;
    var resumed = state && state.currentActivity ? state.currentActivity.id : null;
    if (resumed === first.item.identifier) return show(first);
    if (!api.processNavigationRequest('choice', first.item.identifier) || deliveredIdentifier === null) {
      deliveredIdentifier = null;
      if (resumed && sequencing.itemIds[resumed]) deliveredIdentifier = resumed;
      else api.processNavigationRequest('start');
    }
    if (deliveredIdentifier === first.item.identifier) {
      deliveredIdentifier = null;
      return show(first);
    }
    if (deliveredIdentifier === null) return fail('The course\u2019s sequencing rules allow no lesson to start here.');
    deliverPending();
  }
})();
