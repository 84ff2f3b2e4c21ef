import { DOMParser, type Element } from '@xmldom/xmldom';

/**
 * Turns the sequencing a SCORM 2004 manifest declares (kept as XML on each parsed item, the organization and the
 * sequencing collection) into the `sequencing` settings scorm-again's Scorm2004API takes, so that its sequencing
 * engine decides what continue, previous and choice may do. The shapes below are the subset of scorm-again's
 * ActivitySettings / SequencingCollectionSettings (dist/types/types/sequencing_types.d.ts) that the manifest can
 * express; the engine applies the SCORM defaults for everything left out.
 */

export interface ScormAgainRuleCondition {
  condition: string;
  operator?: 'not';
  referencedObjective?: string;
  parameters?: { threshold: number };
}
export interface ScormAgainSequencingRule {
  action: string;
  conditionCombination: 'all' | 'any';
  conditions: ScormAgainRuleCondition[];
}
export interface ScormAgainRollupRule {
  action: string;
  consideration: string;
  minimumCount?: number;
  /** 0 to 100 in scorm-again (the manifest says 0 to 1). */
  minimumPercent?: number;
  conditionCombination: 'all' | 'any';
  conditions: Array<{ condition: string; operator?: 'not' }>;
}
export interface ScormAgainObjective {
  objectiveID: string;
  isPrimary?: boolean;
  satisfiedByMeasure?: boolean;
  minNormalizedMeasure?: number;
  mapInfo?: Array<Record<string, string | boolean>>;
}
/** What one <imsss:sequencing> element says (an activity's own, or a collection entry). */
export interface ScormAgainSequencing {
  sequencingControls?: Record<string, boolean | number | string>;
  deliveryControls?: Record<string, boolean>;
  sequencingRules?: { preConditionRules?: ScormAgainSequencingRule[]; exitConditionRules?: ScormAgainSequencingRule[]; postConditionRules?: ScormAgainSequencingRule[] };
  rollupRules?: { rules: ScormAgainRollupRule[] };
  rollupConsiderations?: Record<string, string | boolean>;
  primaryObjective?: ScormAgainObjective;
  objectives?: ScormAgainObjective[];
  attemptLimit?: number;
  attemptAbsoluteDurationLimit?: string;
}
export interface ScormAgainActivity extends ScormAgainSequencing {
  id: string;
  title: string;
  isVisible?: boolean;
  sequencingCollectionRefs?: string;
  children?: ScormAgainActivity[];
}
export interface SequencingSettings {
  activityTree: ScormAgainActivity;
  collections: Record<string, ScormAgainSequencing>;
}

/** The parts of a stored ParsedManifest this reads (courses/scorm/manifest.ts). */
interface ManifestItemLike {
  identifier: string;
  title: string;
  isVisible?: boolean;
  sequencingXml?: string | null;
  children?: ManifestItemLike[];
}
interface ManifestLike {
  organization?: { identifier?: string; title?: string; sequencingXml?: string | null; items?: ManifestItemLike[] } | null;
  sequencingCollectionXml?: string | null;
}

const MAX_DEPTH = 100;

/** The activity tree of a stored SCORM 2004 manifest: the organization is the root, its items the activities. */
export function sequencingSettingsFromManifest(manifest: unknown): SequencingSettings | null {
  const organization = (manifest as ManifestLike | null)?.organization;
  if (!organization || !Array.isArray(organization.items)) return null;
  const toActivity = (item: ManifestItemLike, depth: number): ScormAgainActivity => ({
    id: item.identifier,
    title: item.title,
    ...(item.isVisible === false ? { isVisible: false } : {}),
    ...readSequencingXml(item.sequencingXml),
    ...(depth < MAX_DEPTH && Array.isArray(item.children) && item.children.length > 0 ? { children: item.children.map((child) => toActivity(child, depth + 1)) } : {}),
  });
  return {
    activityTree: toActivity({ identifier: organization.identifier ?? 'organization', title: organization.title ?? '', sequencingXml: organization.sequencingXml ?? null, children: organization.items }, 0),
    collections: readCollection((manifest as ManifestLike).sequencingCollectionXml),
  };
}

function readCollection(xml: string | null | undefined): Record<string, ScormAgainSequencing> {
  const root = parseXml(xml);
  const out: Record<string, ScormAgainSequencing> = {};
  if (root === null) return out;
  for (const sequencing of children(root, 'sequencing')) {
    const id = sequencing.getAttribute('ID');
    if (id) out[id] = readSequencing(sequencing);
  }
  return out;
}

function readSequencingXml(xml: string | null | undefined): Partial<ScormAgainActivity> {
  const sequencing = parseXml(xml);
  if (sequencing === null) return {};
  const idRef = sequencing.getAttribute('IDRef');
  return { ...readSequencing(sequencing), ...(idRef ? { sequencingCollectionRefs: idRef } : {}) };
}

function parseXml(xml: string | null | undefined): Element | null {
  if (!xml) return null;
  // The XML was serialised by our own manifest parser after its DOCTYPE/entity checks; parse errors leave no tree.
  const document = new DOMParser({ onError: () => undefined }).parseFromString(xml, 'text/xml');
  return document.documentElement ?? null;
}

function children(parent: Element, localName: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === 1 && (node as Element).localName === localName) out.push(node as Element);
  }
  return out;
}

function child(parent: Element, localName: string): Element | null {
  return children(parent, localName)[0] ?? null;
}

function bool(element: Element, name: string): boolean | undefined {
  const value = element.getAttribute(name)?.trim().toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return undefined;
}

function num(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** Copies the attributes that are present, read by `read`, under the same names. */
function attributes<T>(element: Element | null, names: readonly string[], read: (element: Element, name: string) => T | undefined): Record<string, T> {
  const out: Record<string, T> = {};
  if (element === null) return out;
  for (const name of names) {
    const value = read(element, name);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

const text = (element: Element, name: string) => element.getAttribute(name) || undefined;

function readSequencing(sequencing: Element): ScormAgainSequencing {
  const out: ScormAgainSequencing = {};
  const controls: Record<string, boolean | number | string> = {
    ...attributes(child(sequencing, 'controlMode'), ['choice', 'choiceExit', 'flow', 'forwardOnly', 'useCurrentAttemptObjectiveInfo', 'useCurrentAttemptProgressInfo'], bool),
    ...attributes(child(sequencing, 'constrainedChoiceConsiderations'), ['preventActivation', 'constrainChoice'], bool),
  };
  const rollupRules = child(sequencing, 'rollupRules');
  if (rollupRules !== null) {
    Object.assign(controls, attributes(rollupRules, ['rollupObjectiveSatisfied', 'rollupProgressCompletion'], bool));
    const weight = num(rollupRules.getAttribute('objectiveMeasureWeight'));
    if (weight !== undefined) controls.objectiveMeasureWeight = weight;
    const rules = children(rollupRules, 'rollupRule').map(readRollupRule).filter((rule): rule is ScormAgainRollupRule => rule !== null);
    if (rules.length > 0) out.rollupRules = { rules };
  }
  const randomization = child(sequencing, 'randomizationControls');
  if (randomization !== null) {
    Object.assign(controls, attributes(randomization, ['randomizationTiming', 'selectionTiming'], text), attributes(randomization, ['reorderChildren'], bool));
    const selectCount = num(randomization.getAttribute('selectCount'));
    if (selectCount !== undefined) controls.selectCount = selectCount;
  }
  if (Object.keys(controls).length > 0) out.sequencingControls = controls;

  const delivery = attributes(child(sequencing, 'deliveryControls'), ['tracked', 'completionSetByContent', 'objectiveSetByContent'], bool);
  if (Object.keys(delivery).length > 0) out.deliveryControls = delivery;

  const rulesElement = child(sequencing, 'sequencingRules');
  if (rulesElement !== null) {
    const read = (name: string) => children(rulesElement, name).map(readSequencingRule).filter((rule): rule is ScormAgainSequencingRule => rule !== null);
    const [pre, exit, post] = [read('preConditionRule'), read('exitConditionRule'), read('postConditionRule')];
    out.sequencingRules = { ...(pre.length ? { preConditionRules: pre } : {}), ...(exit.length ? { exitConditionRules: exit } : {}), ...(post.length ? { postConditionRules: post } : {}) };
  }

  const limits = child(sequencing, 'limitConditions');
  if (limits !== null) {
    const attemptLimit = num(limits.getAttribute('attemptLimit'));
    if (attemptLimit !== undefined && attemptLimit > 0) out.attemptLimit = attemptLimit;
    const duration = limits.getAttribute('attemptAbsoluteDurationLimit');
    if (duration) out.attemptAbsoluteDurationLimit = duration;
  }

  const considerationsElement = child(sequencing, 'rollupConsiderations');
  const considerations: Record<string, string | boolean> = {
    ...attributes(considerationsElement, ['requiredForSatisfied', 'requiredForNotSatisfied', 'requiredForCompleted', 'requiredForIncomplete'], text),
    ...attributes(considerationsElement, ['measureSatisfactionIfActive'], bool),
  };
  if (Object.keys(considerations).length > 0) out.rollupConsiderations = considerations;

  const objectives = child(sequencing, 'objectives');
  if (objectives !== null) {
    const primary = child(objectives, 'primaryObjective');
    if (primary !== null) {
      const objective = readObjective(primary, true);
      if (objective !== null) out.primaryObjective = objective;
    }
    const others = children(objectives, 'objective').map((element) => readObjective(element, false)).filter((o): o is ScormAgainObjective => o !== null);
    if (others.length > 0) out.objectives = others;
  }
  return out;
}

function readSequencingRule(rule: Element): ScormAgainSequencingRule | null {
  const action = child(rule, 'ruleAction')?.getAttribute('action');
  const conditionsElement = child(rule, 'ruleConditions');
  if (!action || conditionsElement === null) return null;
  const conditions = children(conditionsElement, 'ruleCondition').flatMap((element): ScormAgainRuleCondition[] => {
    const condition = element.getAttribute('condition');
    if (!condition) return [];
    const threshold = num(element.getAttribute('measureThreshold'));
    const referencedObjective = element.getAttribute('referencedObjective');
    return [
      {
        condition,
        ...(element.getAttribute('operator') === 'not' ? { operator: 'not' as const } : {}),
        ...(referencedObjective ? { referencedObjective } : {}),
        ...(threshold !== undefined ? { parameters: { threshold } } : {}),
      },
    ];
  });
  return { action, conditionCombination: conditionsElement.getAttribute('conditionCombination') === 'any' ? 'any' : 'all', conditions };
}

function readRollupRule(rule: Element): ScormAgainRollupRule | null {
  const action = child(rule, 'rollupAction')?.getAttribute('action');
  const conditionsElement = child(rule, 'rollupConditions');
  if (!action || conditionsElement === null) return null;
  const minimumCount = num(rule.getAttribute('minimumCount'));
  const minimumPercent = num(rule.getAttribute('minimumPercent'));
  return {
    action,
    consideration: rule.getAttribute('childActivitySet') || 'all',
    ...(minimumCount !== undefined ? { minimumCount } : {}),
    ...(minimumPercent !== undefined ? { minimumPercent: Math.round(minimumPercent * 10000) / 100 } : {}),
    // The rollup conditions' default combination is "any" (IMS SS), unlike the rule conditions' "all".
    conditionCombination: conditionsElement.getAttribute('conditionCombination') === 'all' ? 'all' : 'any',
    conditions: children(conditionsElement, 'rollupCondition').flatMap((element) => {
      const condition = element.getAttribute('condition');
      return condition ? [{ condition, ...(element.getAttribute('operator') === 'not' ? { operator: 'not' as const } : {}) }] : [];
    }),
  };
}

function readObjective(element: Element, isPrimary: boolean): ScormAgainObjective | null {
  // A primary objective may leave out its ID (it then only carries the satisfied-by-measure rule).
  const objectiveID = element.getAttribute('objectiveID') || (isPrimary ? 'PRIMARYOBJ' : '');
  if (!objectiveID) return null;
  const minimum = num(child(element, 'minNormalizedMeasure')?.textContent);
  const satisfiedByMeasure = bool(element, 'satisfiedByMeasure');
  const mapInfo = children(element, 'mapInfo').flatMap((map) => {
    const target = map.getAttribute('targetObjectiveID');
    if (!target) return [];
    return [{ targetObjectiveID: target, ...attributes(map, ['readSatisfiedStatus', 'readNormalizedMeasure', 'writeSatisfiedStatus', 'writeNormalizedMeasure'], bool) }];
  });
  return {
    objectiveID,
    ...(isPrimary ? { isPrimary: true } : {}),
    ...(satisfiedByMeasure !== undefined ? { satisfiedByMeasure } : {}),
    ...(minimum !== undefined ? { minNormalizedMeasure: minimum } : {}),
    ...(mapInfo.length > 0 ? { mapInfo } : {}),
  };
}
