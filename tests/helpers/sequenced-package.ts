/**
 * A small SCORM 2004 package with sequencing, written in test code so that its rules are readable here: three
 * SCOs under one organization whose controlMode is set by the test, and optionally lesson 3 disabled until
 * lesson 2 is passed (lesson 2 writes the global objective "g2", lesson 3 reads it in a precondition rule).
 * Each SCO finds API_1484_11 the standard way and offers buttons a test can click.
 */
import { yazlZip } from './zip-builder.js';

export interface SequencedPackageOptions {
  choice?: boolean;
  flow?: boolean;
  forwardOnly?: boolean;
  /** Lesson 3 is disabled until lesson 2's primary objective (mapped to global "g2") is satisfied. */
  gateThird?: boolean;
}

const GATE = `<imsss:sequencing>
  <imsss:sequencingRules><imsss:preConditionRule>
    <imsss:ruleConditions conditionCombination="any"><imsss:ruleCondition referencedObjective="obj2" operator="not" condition="satisfied"/><imsss:ruleCondition referencedObjective="obj2" operator="not" condition="objectiveStatusKnown"/></imsss:ruleConditions>
    <imsss:ruleAction action="disabled"/>
  </imsss:preConditionRule></imsss:sequencingRules>
  <imsss:objectives><imsss:primaryObjective objectiveID="p3"/><imsss:objective objectiveID="obj2"><imsss:mapInfo targetObjectiveID="g2" readSatisfiedStatus="true"/></imsss:objective></imsss:objectives>
</imsss:sequencing>`;

const WRITE_G2 = `<imsss:sequencing><imsss:objectives><imsss:primaryObjective objectiveID="p2"><imsss:mapInfo targetObjectiveID="g2" writeSatisfiedStatus="true"/></imsss:primaryObjective></imsss:objectives></imsss:sequencing>`;

export function sequencedManifest(options: SequencedPackageOptions = {}): string {
  const item = (n: number, sequencing = '') => `<item identifier="item_${n}" identifierref="res_${n}"><title>Lesson ${n}</title>${sequencing}</item>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="sequenced.test" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 3rd Edition</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Sequenced course</title>
      ${item(1)}${item(2, WRITE_G2)}${item(3, options.gateThird ? GATE : '')}
      <imsss:sequencing><imsss:controlMode choice="${options.choice ?? true}" flow="${options.flow ?? true}" forwardOnly="${options.forwardOnly ?? false}"/></imsss:sequencing>
    </organization>
  </organizations>
  <resources>
    ${[1, 2, 3].map((n) => `<resource identifier="res_${n}" type="webcontent" adlcp:scormType="sco" href="lesson${n}.html"><file href="lesson${n}.html"/><dependency identifierref="common"/></resource>`).join('\n    ')}
    <resource identifier="common" type="webcontent" adlcp:scormType="asset"><file href="lesson.js"/></resource>
  </resources>
</manifest>`;
}

/** The SCOs' shared script: Initialize on load, buttons for pass / continue, Terminate on unload. */
const LESSON_JS = `(function () {
  function findApi(win) {
    for (var i = 0; i < 10 && win; i++) {
      if (win.API_1484_11) return win.API_1484_11;
      if (win === win.parent) break;
      win = win.parent;
    }
    return null;
  }
  var api = findApi(window.parent);
  var status = document.getElementById('status');
  if (!api) { status.textContent = 'no API'; return; }
  api.Initialize('');
  status.textContent = 'entry=' + api.GetValue('cmi.entry');
  document.getElementById('pass').addEventListener('click', function () {
    api.SetValue('cmi.score.scaled', '0.9');
    api.SetValue('cmi.success_status', 'passed');
    api.SetValue('cmi.completion_status', 'completed');
    status.textContent = 'commit=' + api.Commit('');
  });
  document.getElementById('continue').addEventListener('click', function () {
    api.SetValue('adl.nav.request', 'continue');
    api.Terminate('');
  });
  window.addEventListener('unload', function () { try { api.Terminate(''); } catch (e) {} });
})();`;

const lessonHtml = (n: number) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lesson ${n}</title></head>
<body><h1>Lesson ${n}</h1><p id="status">loading</p>
<button id="pass" type="button">Pass lesson ${n}</button> <button id="continue" type="button">Continue from lesson ${n}</button>
<script src="lesson.js"></script></body></html>`;

export async function sequencedPackage(options: SequencedPackageOptions = {}): Promise<Buffer> {
  return yazlZip([
    { name: 'imsmanifest.xml', data: sequencedManifest(options) },
    { name: 'lesson.js', data: LESSON_JS },
    ...[1, 2, 3].map((n) => ({ name: `lesson${n}.html`, data: lessonHtml(n) })),
  ]);
}
