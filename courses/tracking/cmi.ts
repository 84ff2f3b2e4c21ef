/**
 * The SCORM run-time data model (CMI) as the player's scorm-again 3.x commits it, and what the LMS makes of it.
 * Pure functions only: no database, no clock.
 *
 * What scorm-again sends (read from scorm-again 3.4.3, dist/scorm12.js and dist/scorm2004.js):
 *  - with dataCommitFormat "json" (the default) a commit body is `{ cmi: {...} }` (renderCMIToJSONObject), plus for
 *    SCORM 2004 `adl: { data }` and `sharedData` when shared data is used, and `commitSequence` when
 *    includeCommitSequence is on. normaliseCommit takes either that envelope or the inner cmi object.
 *  - SCORM 1.2: `{ core: { student_id, student_name, lesson_location, credit, lesson_status, entry, lesson_mode, exit,
 *    session_time, score: { raw, min, max } }, suspend_data, launch_data, comments, comments_from_lms, objectives,
 *    student_data: { mastery_score, max_time_allowed, time_limit_action }, student_preference, interactions }`.
 *    cmi.core.total_time is only present on the terminating commit (then it is the loaded total plus the session).
 *  - SCORM 2004: `{ completion_status, success_status, score: { scaled, raw, min, max }, location, suspend_data,
 *    session_time, exit, entry, progress_measure, credit, mode, learner_id, learner_name, launch_data,
 *    completion_threshold, scaled_passing_score, objectives, interactions, comments_from_learner, comments_from_lms,
 *    learner_preference, ... }`; total_time is deleted from non-terminating commits.
 *  - Every value is a string ("85", "0.8", "" for not set); arrays (objectives, interactions, their objectives and
 *    correct_responses, comments) are objects keyed "0", "1", …; a client may send real arrays instead; both are
 *    accepted. null means "not set" (sendFullCommit false renders undefined as null).
 *
 * The LMS owns some elements (learner id and name, credit, mode, entry, total_time, launch_data, student_data,
 * comments_from_lms, thresholds): the copies the content sends back are stored but never believed: the LMS sets
 * them again from its own records at the next launch (resumeData), and total time is accumulated by the LMS.
 */
import { createHash } from 'node:crypto';
import { trackingErrors } from './tracking.errors.js';

export type ScormStandard = 'scorm12' | 'scorm2004';
export type CompletionStatus = 'not_attempted' | 'incomplete' | 'completed' | 'unknown';
export type SuccessStatus = 'passed' | 'failed' | 'unknown';
export type LaunchMode = 'normal' | 'review';

export type CmiValue = string | number | boolean | null | CmiObject | CmiValue[];
export interface CmiObject {
  [key: string]: CmiValue;
}

const STANDARD_LABEL: Record<ScormStandard, string> = { scorm12: 'SCORM 1.2', scorm2004: 'SCORM 2004' };

// ---------------------------------------------------------------------------------------------------------------
// Length limits (smallest permitted maxima of the SCORM run-time environments), in characters

/** SCORM 1.2 cmi.suspend_data is a CMIString4096. A configured higher limit is honoured, never a lower one. */
export const SCORM12_SUSPEND_DATA_SPM = 4096;
/** SCORM 2004 cmi.suspend_data: characterstring, SPM 64,000. */
export const SCORM2004_SUSPEND_DATA_SPM = 64_000;
/** Strings whose SPM depends on their interaction type (learner_response, correct_responses pattern) or that have none. */
export const GENERIC_STRING_MAX = 64_000;

/**
 * Length in characters: Unicode code points, so "é" and "😀" are one character each (the SPMs count ISO 10646
 * characters). scorm-again counts UTF-16 units, which is never fewer, so nothing scorm-again accepted is refused
 * for its length here unless the limit itself differs (SCORM 1.2 suspend_data: scorm-again allows 64,000).
 */
export function characterLength(value: string, atMost = Number.POSITIVE_INFINITY): number {
  // Code points never outnumber UTF-16 units: a string whose .length is within the limit is within it.
  if (value.length <= atMost) {
    let surrogates = 0;
    for (let i = 0; i < value.length; i += 1) {
      const unit = value.charCodeAt(i);
      if (unit >= 0xdc00 && unit <= 0xdfff && i > 0) {
        const before = value.charCodeAt(i - 1);
        if (before >= 0xd800 && before <= 0xdbff) surrogates += 1;
      }
    }
    return value.length - surrogates;
  }
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

// ---------------------------------------------------------------------------------------------------------------
// Durations

/**
 * SCORM 1.2 CMITimespan "HHHH:MM:SS.SS" (hours 2 to 4 digits in the spec; scorm-again writes more for long
 * totals and fewer are read too), optional fraction of a second. Returns seconds, or null when malformed.
 */
export function parseScorm12Timespan(value: string): number | null {
  const match = /^(\d+):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return null;
  const [, hours, minutes, seconds, fraction] = match;
  if (Number(minutes) > 59 || Number(seconds) > 59) return null;
  return Number(hours) * 3600 + Number(minutes) * 60 + Number(seconds) + (fraction ? Number(`0.${fraction}`) : 0);
}

/**
 * SCORM 2004 timeinterval: ISO 8601 duration "P[nY][nM][nW][nD][T[nH][nM][n[.n]S]]" ("PT1H2M3.5S"). Decimal
 * fractions are accepted on any component ("," or "."). A year counts 365 days and a month 30 days (a session
 * time never uses them in practice). Returns seconds, or null when malformed ("P", "PT", "1H").
 */
export function parseIso8601Duration(value: string): number | null {
  const match = /^P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/.exec(
    value.trim(),
  );
  if (!match) return null;
  const parts = match.slice(1);
  if (parts.every((part) => part === undefined)) return null;
  // "P1DT" has a T with nothing after it.
  if (/T$/.test(value.trim())) return null;
  const [years, months, weeks, days, hours, minutes, seconds] = parts.map((part) => (part === undefined ? 0 : Number(part.replace(',', '.'))));
  return (
    years! * 365 * 86_400 + months! * 30 * 86_400 + weeks! * 7 * 86_400 + days! * 86_400 + hours! * 3600 + minutes! * 60 + seconds!
  );
}

/** "HH:MM:SS.SS" (at least two hour digits, as scorm-again writes), centiseconds only when not whole. */
export function formatScorm12Timespan(totalSeconds: number): string {
  const centis = Math.round(Math.max(0, totalSeconds) * 100);
  const hours = Math.floor(centis / 360_000);
  const minutes = Math.floor((centis % 360_000) / 6000);
  const seconds = Math.floor((centis % 6000) / 100);
  const fraction = centis % 100;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(hours)}:${pad(minutes)}:${pad(seconds)}${fraction === 0 ? '' : `.${pad(fraction)}`}`;
}

/** "PT1H2M3.5S"; "PT0S" for nothing. Seconds are rounded to centiseconds (the 2004 timeinterval precision). */
export function formatIso8601Duration(totalSeconds: number): string {
  const centis = Math.round(Math.max(0, totalSeconds) * 100);
  const hours = Math.floor(centis / 360_000);
  const minutes = Math.floor((centis % 360_000) / 6000);
  const seconds = (centis % 6000) / 100;
  let out = 'PT';
  if (hours > 0) out += `${hours}H`;
  if (minutes > 0) out += `${minutes}M`;
  if (seconds > 0 || (hours === 0 && minutes === 0)) out += `${Number(seconds.toFixed(2))}S`;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

type Spec =
  | { kind: 'text'; max?: number; lang?: boolean }
  | { kind: 'vocab'; values: readonly string[] }
  | { kind: 'decimal'; min?: number; max?: number }
  | { kind: 'timespan' }
  /** Set by the LMS; the copy the content sends back is kept as sent and not checked (resumeData sets it again). */
  | { kind: 'lms' }
  | { kind: 'object'; fields: Record<string, Spec> }
  | { kind: 'list'; of: Spec };

const text = (max: number = GENERIC_STRING_MAX, lang = false): Spec => ({ kind: 'text', max, lang });
const vocab = (...values: string[]): Spec => ({ kind: 'vocab', values: ['', ...values] });
const decimal = (min?: number, max?: number): Spec => ({ kind: 'decimal', ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) });
const lms: Spec = { kind: 'lms' };
const object = (fields: Record<string, Spec>): Spec => ({ kind: 'object', fields });
const list = (of: Spec): Spec => ({ kind: 'list', of });

const LESSON_STATUS_12 = ['passed', 'completed', 'failed', 'incomplete', 'browsed', 'not attempted'] as const;

function scorm12Spec(suspendDataMax: number): Spec {
  const score = object({ raw: decimal(), min: decimal(), max: decimal() });
  return object({
    core: object({
      student_id: lms,
      student_name: lms,
      lesson_location: text(255),
      credit: lms,
      lesson_status: vocab(...LESSON_STATUS_12),
      entry: lms,
      score,
      total_time: lms,
      // Read-only, but read here: a commit made in review mode changes nothing.
      lesson_mode: vocab('normal', 'review', 'browse'),
      // "normal" is not SCORM 1.2 vocabulary, but content written for 2004 sends it and means "".
      exit: vocab('time-out', 'suspend', 'logout', 'normal'),
      session_time: { kind: 'timespan' },
    }),
    suspend_data: text(suspendDataMax),
    launch_data: lms,
    comments: text(4096),
    comments_from_lms: lms,
    objectives: list(object({ id: text(255), score, status: vocab(...LESSON_STATUS_12) })),
    student_data: lms,
    student_preference: object({ audio: decimal(), language: text(255), speed: decimal(), text: decimal() }),
    interactions: list(
      object({
        id: text(255),
        objectives: list(object({ id: text(255) })),
        time: text(255),
        type: text(255),
        correct_responses: list(object({ pattern: text() })),
        weighting: decimal(),
        // CMIFeedback is 255 characters in SCORM 1.2, but scorm-again does not limit it and content writes more:
        // refusing it would lose the whole commit, so only the generic bound applies.
        student_response: text(),
        result: text(255),
        latency: text(255),
      }),
    ),
  });
}

/** The SCORM 1.2 spec for a suspend_data limit, built once per limit (the limit comes from the config). */
const scorm12Specs = new Map<number, Spec>();
function scorm12SpecFor(suspendDataMax: number): Spec {
  let spec = scorm12Specs.get(suspendDataMax);
  if (spec === undefined) {
    spec = scorm12Spec(suspendDataMax);
    scorm12Specs.set(suspendDataMax, spec);
  }
  return spec;
}

const SCORM2004_SPEC: Spec = (() => {
  const score = object({ scaled: decimal(-1, 1), raw: decimal(), min: decimal(), max: decimal() });
  const completion = vocab('completed', 'incomplete', 'not attempted', 'unknown');
  const success = vocab('passed', 'failed', 'unknown');
  const comment = object({ comment: text(4000, true), location: text(250), timestamp: text(255) });
  return object({
    learner_id: lms,
    learner_name: lms,
    location: text(1000),
    credit: lms,
    mode: vocab('normal', 'review', 'browse'),
    entry: lms,
    exit: vocab('time-out', 'suspend', 'logout', 'normal'),
    completion_status: completion,
    success_status: success,
    score,
    progress_measure: decimal(0, 1),
    session_time: { kind: 'timespan' },
    total_time: lms,
    suspend_data: text(SCORM2004_SUSPEND_DATA_SPM),
    launch_data: lms,
    completion_threshold: lms,
    scaled_passing_score: lms,
    max_time_allowed: lms,
    time_limit_action: lms,
    comments_from_learner: list(comment),
    comments_from_lms: lms,
    learner_preference: object({ audio_level: decimal(), language: text(250), delivery_speed: decimal(), audio_captioning: text(255) }),
    objectives: list(
      object({ id: text(4000), score, success_status: success, completion_status: completion, progress_measure: decimal(0, 1), description: text(250, true) }),
    ),
    interactions: list(
      object({
        id: text(4000),
        type: text(255),
        objectives: list(object({ id: text(4000) })),
        timestamp: text(255),
        correct_responses: list(object({ pattern: text() })),
        weighting: decimal(),
        learner_response: text(),
        result: text(255),
        latency: text(255),
        description: text(250, true),
      }),
    ),
  });
})();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A CMI number as sent ("85", 85, "", null): a finite number, or null when not set; undefined when malformed. */
function readDecimal(value: unknown): number | null | undefined {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && DECIMAL.test(value.trim())) {
    const number = Number(value.trim());
    return Number.isFinite(number) ? number : undefined;
  }
  return undefined;
}

/** Drops a leading "{lang=xx}" delimiter: a localized string's SPM counts the text after it. */
function withoutLangDelimiter(value: string): string {
  return value.replace(/^\{lang=[^}]*\}/, '');
}

/** The entries of a CMI collection sent as an array or as an object keyed "0", "1", … (scorm-again's JSON). */
function listEntries(value: unknown): Array<[string, unknown]> | null {
  if (Array.isArray(value)) return value.map((entry, index) => [String(index), entry]);
  if (isPlainObject(value)) return Object.entries(value);
  return null;
}

class Validator {
  constructor(private readonly standard: ScormStandard) {}

  check(value: unknown, spec: Spec, element: string): void {
    if (value === null || value === undefined) return;
    switch (spec.kind) {
      case 'lms':
        return;
      case 'object': {
        if (!isPlainObject(value)) throw trackingErrors.invalidCmi(element, 'must be an object of data model elements');
        for (const [key, child] of Object.entries(value)) {
          const childSpec = spec.fields[key];
          const childElement = `${element}.${key}`;
          // Elements this model does not know are stored as sent but still have to be storable.
          if (childSpec === undefined) this.storable(child, childElement);
          else this.check(child, childSpec, childElement);
        }
        return;
      }
      case 'list': {
        const entries = listEntries(value);
        if (entries === null) throw trackingErrors.invalidCmi(element, 'must be a list (an array, or an object keyed 0, 1, 2…)');
        for (const [index, entry] of entries) this.check(entry, spec.of, `${element}.${index}`);
        return;
      }
      case 'text': {
        const string = this.scalarText(value, element);
        const max = spec.max ?? GENERIC_STRING_MAX;
        const counted = spec.lang ? withoutLangDelimiter(string) : string;
        // Code points never outnumber UTF-16 units: only a string longer than the limit in units needs counting.
        if (counted.length <= max) return;
        const length = characterLength(counted, max);
        if (length > max) throw trackingErrors.valueTooLong(STANDARD_LABEL[this.standard], element, length, max);
        return;
      }
      case 'vocab': {
        if (typeof value !== 'string' || !spec.values.includes(value)) {
          throw trackingErrors.invalidCmi(
            element,
            `is ${JSON.stringify(value)}, which is not one of ${spec.values
              .filter((v) => v !== '')
              .map((v) => `"${v}"`)
              .join(', ')}`,
          );
        }
        return;
      }
      case 'decimal': {
        const number = readDecimal(value);
        if (number === undefined) throw trackingErrors.invalidCmi(element, `is ${JSON.stringify(value)}, which is not a number`);
        if (number === null) return;
        if ((spec.min !== undefined && number < spec.min) || (spec.max !== undefined && number > spec.max)) {
          throw trackingErrors.invalidCmi(element, `is ${number}, outside the range ${spec.min ?? '-∞'} to ${spec.max ?? '∞'}`);
        }
        return;
      }
      case 'timespan': {
        const string = this.scalarText(value, element);
        if (string === '') return;
        const seconds = this.standard === 'scorm12' ? parseScorm12Timespan(string) : parseIso8601Duration(string);
        if (seconds === null) {
          const format = this.standard === 'scorm12' ? 'a SCORM 1.2 time span (HHHH:MM:SS.SS)' : 'an ISO 8601 duration (such as PT1H2M3.5S)';
          throw trackingErrors.invalidCmi(element, `is ${JSON.stringify(string)}, which is not ${format}`);
        }
        return;
      }
    }
  }

  private scalarText(value: unknown, element: string): string {
    if (typeof value === 'string') {
      this.storableString(value, element);
      return value;
    }
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    if (typeof value === 'boolean') return String(value);
    throw trackingErrors.invalidCmi(element, 'must be a string');
  }

  /**
   * PostgreSQL's jsonb cannot hold U+0000 nor an unpaired UTF-16 surrogate; storing them would fail after the
   * learner was told nothing, so they are refused explicitly. Everything else is stored exactly as sent.
   */
  private storableString(value: string, element: string): void {
    if (value.includes('\u0000')) throw trackingErrors.invalidCmi(element, 'contains a NUL character (U+0000), which cannot be stored');
    if (UNPAIRED_SURROGATE.test(value)) throw trackingErrors.invalidCmi(element, 'contains an unpaired UTF-16 surrogate, which is not text and cannot be stored');
  }

  private storable(value: unknown, element: string, depth = 0): void {
    if (depth > 32) throw trackingErrors.invalidCmi(element, 'is nested too deeply');
    if (value === null || typeof value === 'boolean') return;
    if (typeof value === 'string') return this.storableString(value, element);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw trackingErrors.invalidCmi(element, 'is not a finite number');
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((entry, index) => this.storable(entry, `${element}.${index}`, depth + 1));
      return;
    }
    if (isPlainObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        this.storableString(key, `${element} (a key)`);
        this.storable(child, `${element}.${key}`, depth + 1);
      }
      return;
    }
    throw trackingErrors.invalidCmi(element, 'is not JSON data');
  }
}

/** JSON with object keys sorted at every level, so the same data always gives the same digest (jsonb reorders keys). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  // String concatenation rather than arrays of parts: this runs on every commit, over every element.
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  let out = '{';
  // sort() without a comparator orders by UTF-16 code units, as `<` on strings does.
  for (const key of Object.keys(object).sort()) {
    const child = object[key];
    if (child === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(child)}`;
  }
  return `${out}}`;
}

export interface NormaliseOptions {
  /** config.scorm.scorm12SuspendDataMax; values below the SCORM 1.2 SPM of 4,096 are raised to it. */
  scorm12SuspendDataMax?: number;
}

export interface NormalisedCommit {
  /** The cmi object as sent (envelope removed; object keys sorted): what is stored in sco_states.cmi. */
  cmi: CmiObject;
  /** Its canonical JSON (canonicalJson): the text stored as jsonb, and what the digest is computed on. */
  json: string;
  /** sha256 of json: equal digests mean the same commit. */
  digest: string;
}

/** The suspend_data limit in force for a standard. */
export function suspendDataLimit(standard: ScormStandard, options: NormaliseOptions = {}): number {
  return standard === 'scorm12' ? Math.max(SCORM12_SUSPEND_DATA_SPM, options.scorm12SuspendDataMax ?? SCORM12_SUSPEND_DATA_SPM) : SCORM2004_SUSPEND_DATA_SPM;
}

/**
 * Validates a commit's CMI data and returns it with its digest. Throws tracking.invalid_cmi (wrong type, value
 * outside a vocabulary or range, malformed time span, text that jsonb cannot hold) or tracking.value_too_long
 * (naming the element, its length and the limit). Never truncates, never rewrites a string.
 */
export function normaliseCommit(standard: ScormStandard, cmi: unknown, options: NormaliseOptions = {}): NormalisedCommit {
  let inner: unknown = cmi;
  // scorm-again's envelope { cmi: {...}, adl?, sharedData?, commitSequence? }: the data is under "cmi".
  if (isPlainObject(cmi) && isPlainObject(cmi.cmi)) inner = cmi.cmi;
  if (!isPlainObject(inner)) throw trackingErrors.invalidCmi('cmi', 'must be an object of data model elements');
  const spec = standard === 'scorm12' ? scorm12SpecFor(suspendDataLimit(standard, options)) : SCORM2004_SPEC;
  new Validator(standard).check(inner, spec, 'cmi');
  // The JSON text is made once and the object copied from it: what is stored is what the digest was computed on,
  // whatever the caller does next with what it passed in. jsonb does not keep key order, so sorting changes nothing stored.
  const json = canonicalJson(inner);
  return { cmi: JSON.parse(json) as CmiObject, json, digest: createHash('sha256').update(json).digest('hex') };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading validated CMI

function child(object: CmiValue | undefined, key: string): CmiValue | undefined {
  return object !== null && typeof object === 'object' && !Array.isArray(object) ? object[key] : undefined;
}

function str(value: CmiValue | undefined): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

function num(value: CmiValue | undefined): number | null {
  return readDecimal(value) ?? null;
}

function countEntries(value: CmiValue | undefined): number {
  if (value === undefined || value === null) return 0;
  return listEntries(value)?.length ?? 0;
}

/** cmi.core.exit (1.2) or cmi.exit (2004) as stored: "suspend", "logout", "time-out", "normal" or "". */
export function exitOf(standard: ScormStandard, cmi: CmiObject | null): string {
  if (cmi === null) return '';
  return str(standard === 'scorm12' ? child(cmi.core, 'exit') : cmi.exit);
}

/** The lesson mode the content ran in, as it reports it: "normal" when not said. */
export function modeOf(standard: ScormStandard, cmi: CmiObject): 'normal' | 'review' | 'browse' {
  const mode = str(standard === 'scorm12' ? child(cmi.core, 'lesson_mode') : cmi.mode);
  return mode === 'review' || mode === 'browse' ? mode : 'normal';
}

// ---------------------------------------------------------------------------------------------------------------
// Deriving the report columns of one SCO

/** What the manifest says about an item, as course_items stores it. */
export interface ItemRules {
  /** SCORM 1.2 adlcp:masteryscore (0–100). */
  masteryScore: number | null;
  /** SCORM 2004 adlcp:completionThreshold (minProgressMeasure). */
  completionThreshold: number | null;
  /** SCORM 2004 primary objective: satisfiedByMeasure and minNormalizedMeasure (default 1.0). */
  satisfiedByMeasure: boolean;
  minNormalizedMeasure: number | null;
}

export interface ScoColumns {
  completionStatus: CompletionStatus;
  successStatus: SuccessStatus;
  scoreRaw: number | null;
  scoreMin: number | null;
  scoreMax: number | null;
  /** score.scaled; else derived from raw, min and max (see scaledFromRaw). */
  scoreScaled: number | null;
  sessionTimeSeconds: number;
  /** previousTotalSeconds + this session's time. */
  totalTimeSeconds: number;
  location: string | null;
  interactionCount: number;
}

/** SCORM 2004 cmi.scaled_passing_score from the primary objective: only when satisfied by measure. */
export function scaledPassingScore(rules: Pick<ItemRules, 'satisfiedByMeasure' | 'minNormalizedMeasure'>): number | null {
  return rules.satisfiedByMeasure ? (rules.minNormalizedMeasure ?? 1) : null;
}

/**
 * A 0–1 score from raw, min and max when the content gave no scaled score: (raw − min) / (max − min), clamped to
 * 0–1. min defaults to 0; max defaults to 100 in SCORM 1.2 (whose scores are on a 0–100 scale) and is required in
 * SCORM 2004. With min 0 that is raw / max.
 */
export function scaledFromRaw(standard: ScormStandard, raw: number | null, min: number | null, max: number | null): number | null {
  if (raw === null) return null;
  const low = min ?? 0;
  const high = max ?? (standard === 'scorm12' ? 100 : null);
  if (high === null || high <= low) return null;
  return Math.min(1, Math.max(0, (raw - low) / (high - low)));
}

/**
 * SCORM 1.2 cmi.core.lesson_status onto SCORM 2004's two statuses:
 *
 * | lesson_status   | completion    | success |
 * | --------------- | ------------- | ------- |
 * | passed          | completed     | passed  |
 * | failed          | completed     | failed  |  ADL's 1.2→2004 guidance: a failed SCO was finished
 * | completed       | completed     | unknown |
 * | incomplete      | incomplete    | unknown |
 * | browsed         | incomplete    | unknown |  browse mode is explicitly not for credit: looked at, not completed
 * | not attempted   | not_attempted | unknown |
 * | "" (never set)  | not_attempted | unknown |
 */
export function mapLessonStatus(lessonStatus: string): { completionStatus: CompletionStatus; successStatus: SuccessStatus } {
  switch (lessonStatus) {
    case 'passed':
      return { completionStatus: 'completed', successStatus: 'passed' };
    case 'failed':
      return { completionStatus: 'completed', successStatus: 'failed' };
    case 'completed':
      return { completionStatus: 'completed', successStatus: 'unknown' };
    case 'incomplete':
    case 'browsed':
      return { completionStatus: 'incomplete', successStatus: 'unknown' };
    default:
      return { completionStatus: 'not_attempted', successStatus: 'unknown' };
  }
}

function mapCompletion2004(value: string): CompletionStatus {
  if (value === 'completed' || value === 'incomplete') return value;
  if (value === 'not attempted') return 'not_attempted';
  return 'unknown';
}

function mapSuccess2004(value: string): SuccessStatus {
  return value === 'passed' || value === 'failed' ? value : 'unknown';
}

/**
 * The report columns of one SCO from its (validated) CMI data and the manifest's rules.
 *
 * SCORM 1.2: lesson_status is mapped (mapLessonStatus). When the item has a mastery score, the content reported
 * "completed" or "incomplete" with a score.raw, and the session ran for credit in normal mode, the LMS decides
 * success (RTE 1.2 3.4.4, cmi.core.lesson_status): raw ≥ mastery → completed + passed; raw < mastery → failed
 * when the content said "completed", and left incomplete + unknown when it said "incomplete" (the learner is
 * still working; judging a half-done quiz would fail every learner who commits a running score). A
 * "passed" or "failed" set by the content itself is never overridden.
 *
 * SCORM 2004 (RTE 4.2.4.1 and 4.2.22): with a completion threshold and a progress_measure, completion is
 * progress_measure ≥ threshold ? completed : incomplete, whatever the content said. With a scaled passing score
 * (primary objective satisfied by measure, minNormalizedMeasure defaulting to 1.0), success is
 * score.scaled ≥ it ? passed : failed, and unknown when there is no score.scaled.
 */
export function deriveScoColumns(standard: ScormStandard, cmi: CmiObject, itemRules: ItemRules, previousTotalSeconds = 0): ScoColumns {
  if (standard === 'scorm12') {
    const core = cmi.core;
    const score = child(core, 'score');
    const raw = num(child(score, 'raw'));
    const min = num(child(score, 'min'));
    const max = num(child(score, 'max'));
    const lessonStatus = str(child(core, 'lesson_status'));
    let statuses = mapLessonStatus(lessonStatus);
    const credit = str(child(core, 'credit')) || 'credit';
    const mode = str(child(core, 'lesson_mode')) || 'normal';
    if (itemRules.masteryScore !== null && raw !== null && credit === 'credit' && mode === 'normal') {
      if (raw >= itemRules.masteryScore && (lessonStatus === 'completed' || lessonStatus === 'incomplete')) {
        statuses = { completionStatus: 'completed', successStatus: 'passed' };
      } else if (lessonStatus === 'completed') {
        statuses = { completionStatus: 'completed', successStatus: 'failed' };
      }
    }
    const sessionTimeSeconds = parseScorm12Timespan(str(child(core, 'session_time'))) ?? 0;
    const location = str(child(core, 'lesson_location'));
    return {
      ...statuses,
      scoreRaw: raw,
      scoreMin: min,
      scoreMax: max,
      scoreScaled: scaledFromRaw(standard, raw, min, max),
      sessionTimeSeconds,
      totalTimeSeconds: previousTotalSeconds + sessionTimeSeconds,
      location: location === '' ? null : location,
      interactionCount: countEntries(cmi.interactions),
    };
  }

  const score = cmi.score;
  const scaled = num(child(score, 'scaled'));
  const raw = num(child(score, 'raw'));
  const min = num(child(score, 'min'));
  const max = num(child(score, 'max'));
  let completionStatus = mapCompletion2004(str(cmi.completion_status));
  const progress = num(cmi.progress_measure);
  if (itemRules.completionThreshold !== null && progress !== null) {
    completionStatus = progress >= itemRules.completionThreshold ? 'completed' : 'incomplete';
  }
  let successStatus = mapSuccess2004(str(cmi.success_status));
  const passing = scaledPassingScore(itemRules);
  if (passing !== null) successStatus = scaled === null ? 'unknown' : scaled >= passing ? 'passed' : 'failed';
  const sessionTimeSeconds = parseIso8601Duration(str(cmi.session_time)) ?? 0;
  const location = str(cmi.location);
  return {
    completionStatus,
    successStatus,
    scoreRaw: raw,
    scoreMin: min,
    scoreMax: max,
    scoreScaled: scaled ?? scaledFromRaw(standard, raw, min, max),
    sessionTimeSeconds,
    totalTimeSeconds: previousTotalSeconds + sessionTimeSeconds,
    location: location === '' ? null : location,
    interactionCount: countEntries(cmi.interactions),
  };
}

/**
 * What a SCO achieved in a course attempt is not taken back by a later session: once completed it stays
 * completed, once passed it stays passed (with the score that passed). A SCORM 2004 SCO relaunched after a
 * normal exit starts a new learner attempt with blank data and reports "incomplete" again (the RTE's rule);
 * the sco_states.cmi column keeps what the content said last, but the report columns and the roll-up keep the
 * achievement, so reviewing a finished module never un-finishes a course. "failed" is not kept: a retry may pass.
 */
export function keepAchievedStatus<T extends Pick<ScoColumns, 'completionStatus' | 'successStatus' | 'scoreRaw' | 'scoreMin' | 'scoreMax' | 'scoreScaled'>>(
  previous: Pick<ScoColumns, 'completionStatus' | 'successStatus' | 'scoreRaw' | 'scoreMin' | 'scoreMax' | 'scoreScaled'> | null,
  next: T,
): T {
  if (previous === null) return next;
  const out = { ...next };
  if (previous.completionStatus === 'completed' && next.completionStatus !== 'completed') out.completionStatus = 'completed';
  if (previous.successStatus === 'passed' && next.successStatus !== 'passed') {
    out.successStatus = 'passed';
    out.scoreRaw = previous.scoreRaw;
    out.scoreMin = previous.scoreMin;
    out.scoreMax = previous.scoreMax;
    out.scoreScaled = previous.scoreScaled;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Launching: the data loaded into scorm-again before Initialize

export interface ResumeContext {
  /** "review" for a completed (or superseded) attempt: no-credit, and commits change nothing. */
  mode: LaunchMode;
  learnerId: string;
  learnerName: string;
  /** The LMS's total time for this SCO in this attempt (sco_states.total_time_seconds), 0 on a first launch. */
  totalTimeSeconds: number;
  item: ItemRules & { dataFromLms: string | null; maxTimeAllowed: string | null; timeLimitAction: string | null };
}

/**
 * cmi.core.entry (1.2) / cmi.entry (2004), from the RTE rules:
 *
 *  - No data stored for the SCO in this attempt (its first launch): "ab-initio" (both standards).
 *  - The previous session exited with "suspend" (1.2 cmi.core.exit, 2004 cmi.exit): "resume".
 *  - SCORM 1.2, any other previous exit ("", "logout", "time-out"): "" (RTE 1.2 3.4.4 cmi.core.exit: every exit other
 *    than suspend makes the next entry ""). The stored data is loaded all the same: 1.2 has one set of data per SCO.
 *  - SCORM 2004, any other previous exit ("normal", "", "logout", "time-out") in normal mode: the SCO's learner attempt
 *    ended (RTE 4.2.8 cmi.exit), so the launch begins a new learner attempt: "ab-initio", with fresh run-time data
 *    (RTE 4.2.9 cmi.entry). The achieved statuses are kept by keepAchievedStatus, not by the content.
 *  - Review of a finished attempt starts no new learner attempt: "resume" after a suspend, else "" (the RTE's
 *    example of the empty entry is a completed SCO loaded for review), with the stored data, in both standards.
 */
export function entryFor(standard: ScormStandard, storedCmi: CmiObject | null, mode: LaunchMode): 'ab-initio' | 'resume' | '' {
  if (storedCmi === null) return 'ab-initio';
  if (exitOf(standard, storedCmi) === 'suspend') return 'resume';
  if (standard === 'scorm2004' && mode === 'normal') return 'ab-initio';
  return '';
}

/** Copies the listed elements that hold a value (loadFromJSON skips empty ones anyway). */
function pick(source: CmiValue | undefined, keys: readonly string[]): CmiObject {
  const out: CmiObject = {};
  for (const key of keys) {
    const value = child(source, key);
    if (value !== undefined && value !== null && value !== '') out[key] = value;
  }
  return out;
}

function numberText(value: number | null): string | undefined {
  return value === null ? undefined : String(value);
}

function withoutEmpty(object: Record<string, CmiValue | undefined>): CmiObject {
  const out: CmiObject = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined || value === null || value === '') continue;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    out[key] = value;
  }
  return out;
}

/**
 * The CMI object to load into scorm-again (api.loadFromJSON) before Initialize: the learner's data from the
 * stored state (location, suspend_data, statuses, score, objectives, interactions, comments, preferences),
 * and the LMS-owned elements from the LMS's own records: learner id and name, credit and mode ("credit"/"normal",
 * or "no-credit"/"review" when reviewing), entry (entryFor), total_time (the LMS's accumulated total), launch_data
 * (adlcp:dataFromLMS), SCORM 1.2 student_data (mastery score, max time, time limit action), SCORM 2004
 * completion_threshold and scaled_passing_score. Exit and session_time are write-only and never loaded.
 * Every value is a string, as scorm-again's setters expect.
 */
export function resumeData(standard: ScormStandard, storedCmi: CmiObject | null, context: ResumeContext): CmiObject {
  const entry = entryFor(standard, storedCmi, context.mode);
  const review = context.mode === 'review';
  const credit = review ? 'no-credit' : 'credit';
  const rules = context.item;

  if (standard === 'scorm12') {
    const stored = storedCmi ?? {};
    const storedCore = child(stored, 'core');
    const data = withoutEmpty({
      core: withoutEmpty({
        student_id: context.learnerId,
        student_name: context.learnerName,
        lesson_location: str(child(storedCore, 'lesson_location')),
        credit,
        lesson_status: str(child(storedCore, 'lesson_status')) || 'not attempted',
        entry,
        score: pick(child(storedCore, 'score'), ['raw', 'min', 'max']),
        total_time: formatScorm12Timespan(context.totalTimeSeconds),
        lesson_mode: review ? 'review' : 'normal',
      }),
      suspend_data: str(child(stored, 'suspend_data')),
      launch_data: rules.dataFromLms ?? '',
      comments: str(child(stored, 'comments')),
      objectives: child(stored, 'objectives'),
      student_data: withoutEmpty({
        mastery_score: numberText(rules.masteryScore),
        max_time_allowed: rules.maxTimeAllowed ?? undefined,
        time_limit_action: rules.timeLimitAction ?? undefined,
      }),
      student_preference: pick(child(stored, 'student_preference'), ['audio', 'language', 'speed', 'text']),
      interactions: child(stored, 'interactions'),
    });
    // Entry is always said, "" included (loadFromJSON skips it then, leaving scorm-again's own "").
    (data.core as CmiObject).entry = entry;
    return data;
  }

  // A SCORM 2004 launch after a non-suspend exit begins a new learner attempt: nothing of the old one is loaded.
  const freshAttempt = storedCmi !== null && entry === 'ab-initio';
  const stored = freshAttempt ? {} : (storedCmi ?? {});
  const data = withoutEmpty({
    learner_id: context.learnerId,
    learner_name: context.learnerName,
    credit,
    mode: review ? 'review' : 'normal',
    entry,
    location: str(stored.location),
    suspend_data: str(stored.suspend_data),
    completion_status: str(stored.completion_status),
    success_status: str(stored.success_status),
    progress_measure: str(stored.progress_measure),
    score: pick(stored.score, ['scaled', 'raw', 'min', 'max']),
    // cmi.total_time is the learner attempt's total: a new learner attempt starts from zero.
    total_time: formatIso8601Duration(freshAttempt ? 0 : context.totalTimeSeconds),
    launch_data: rules.dataFromLms ?? '',
    completion_threshold: numberText(rules.completionThreshold),
    scaled_passing_score: numberText(scaledPassingScore(rules)),
    max_time_allowed: rules.maxTimeAllowed ?? undefined,
    time_limit_action: rules.timeLimitAction ?? undefined,
    objectives: stored.objectives,
    interactions: stored.interactions,
    comments_from_learner: stored.comments_from_learner,
    learner_preference: pick(stored.learner_preference, ['audio_level', 'language', 'delivery_speed', 'audio_captioning']),
  });
  return { ...data, entry };
}

// ---------------------------------------------------------------------------------------------------------------
// Roll-up of a course attempt

/**
 * The simple SCORM 2004 rollup controls of an item's <imsss:sequencing>. Defaults (SN book) are all "on", weight 1.
 */
export interface RollupControls {
  /** deliveryControls tracked: false means the item is not tracked at all and takes no part in roll-up. */
  tracked: boolean;
  /** rollupRules rollupObjectiveSatisfied: false leaves the item out of the success roll-up. */
  rollupObjectiveSatisfied: boolean;
  /** rollupRules rollupProgressCompletion: false leaves the item out of the completion roll-up. */
  rollupProgressCompletion: boolean;
  /** rollupRules objectiveMeasureWeight: the item's weight in the score average (0 leaves it out). */
  objectiveMeasureWeight: number;
}

export const DEFAULT_ROLLUP_CONTROLS: RollupControls = Object.freeze({
  tracked: true,
  rollupObjectiveSatisfied: true,
  rollupProgressCompletion: true,
  objectiveMeasureWeight: 1,
});

function xmlAttribute(xml: string, elementLocalName: string, attribute: string): string | null {
  const element = new RegExp(`<(?:[A-Za-z_][\\w.-]*:)?${elementLocalName}\\b([^>]*)>`).exec(xml);
  if (!element) return null;
  const value = new RegExp(`(?:^|\\s)${attribute}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(element[1]!);
  return value ? (value[2] ?? value[3] ?? '').trim() : null;
}

/**
 * Reads the rollup controls from an item's serialised <imsss:sequencing> (ParsedItem.sequencingXml): the
 * attributes of <deliveryControls> and <rollupRules>, whatever prefix the package binds. A sequencing that
 * takes them from the sequencing collection (IDRef) gets the defaults.
 */
export function rollupControlsFromSequencingXml(xml: string | null | undefined): RollupControls {
  if (!xml) return DEFAULT_ROLLUP_CONTROLS;
  const bool = (value: string | null, fallback: boolean) => (value === null ? fallback : value === 'false' || value === '0' ? false : value === 'true' || value === '1' ? true : fallback);
  const weight = Number(xmlAttribute(xml, 'rollupRules', 'objectiveMeasureWeight') ?? '1');
  return {
    tracked: bool(xmlAttribute(xml, 'deliveryControls', 'tracked'), true),
    rollupObjectiveSatisfied: bool(xmlAttribute(xml, 'rollupRules', 'rollupObjectiveSatisfied'), true),
    rollupProgressCompletion: bool(xmlAttribute(xml, 'rollupRules', 'rollupProgressCompletion'), true),
    objectiveMeasureWeight: Number.isFinite(weight) && weight >= 0 && weight <= 1 ? weight : 1,
  };
}

/** An item of the version (a course_items row fits), with its SCORM 2004 rollup controls when known. */
export interface RollupItem {
  id: string;
  scormType: string | null;
  launchHref: string | null;
  masteryScore?: number | null;
  satisfiedByMeasure?: boolean;
  controls?: Partial<RollupControls>;
}

/** The report columns of one SCO state (a sco_states row fits). */
export interface RollupState {
  itemId: string;
  completionStatus: CompletionStatus;
  successStatus: SuccessStatus;
  scoreScaled: number | null;
  totalTimeSeconds: number;
}

export interface AttemptRollup {
  completionStatus: CompletionStatus;
  successStatus: SuccessStatus;
  scoreScaled: number | null;
  totalTimeSeconds: number;
  /** SCOs that count for completion, and how many of them are done: "3 of 9 modules". */
  scoCount: number;
  completedCount: number;
}

/** An item the learner launches and that talks to the LMS: it has a launch href and is not an asset. */
export function isSco(item: Pick<RollupItem, 'scormType' | 'launchHref'>): boolean {
  return item.launchHref !== null && item.scormType !== 'asset';
}

/**
 * The attempt's statuses from its SCOs' (flattened over any depth of chapters):
 *
 *  - completion: "completed" when every counted SCO is completed (or passed); "incomplete" once any SCO has been
 *    launched; "not_attempted" before. Assets are not counted (they report nothing), nor, in SCORM 2004, items with
 *    tracked="false" or rollupProgressCompletion="false".
 *  - success: over the "scored" SCOs (those with a success criterion in the manifest, mastery score or scaled
 *    passing score, and those that reported passed or failed): "passed" when there is at least one and every one
 *    passed; "failed" when the attempt is completed and any failed; otherwise "unknown". SCORM 2004 items with
 *    rollupObjectiveSatisfied="false" (or untracked) are left out.
 *  - score: the average of the SCOs' scaled scores (their scoreScaled, which falls back to raw / max), weighted in
 *    SCORM 2004 by objectiveMeasureWeight; null when no SCO has a score.
 *  - total time: the sum of the SCOs' total times (every launched SCO, counted or not).
 *
 * SCORM 2004 sequencing is honoured only that far: rollup rules with conditions (any/all/at least, the
 * "not satisfied if any attempted" kind), rollup considerations, cluster-level measure rollup (chapters are
 * flattened: every SCO weighs the same whatever its depth), global objectives, selection and randomisation
 * are not applied. SCORM 1.2 has no sequencing: the rules above are the whole of its roll-up.
 */
export function rollupAttempt(standard: ScormStandard, items: readonly RollupItem[], states: readonly RollupState[]): AttemptRollup {
  const byItem = new Map(states.map((state) => [state.itemId, state]));
  const controlsOf = (item: RollupItem): RollupControls =>
    standard === 'scorm2004' ? { ...DEFAULT_ROLLUP_CONTROLS, ...item.controls } : DEFAULT_ROLLUP_CONTROLS;
  const scos = items.filter(isSco);

  const forCompletion = scos.filter((item) => controlsOf(item).tracked && controlsOf(item).rollupProgressCompletion);
  const isDone = (state: RollupState | undefined) => state !== undefined && (state.completionStatus === 'completed' || state.successStatus === 'passed');
  const completedCount = forCompletion.filter((item) => isDone(byItem.get(item.id))).length;
  // A SCO with a stored state has been launched and has committed at least once.
  const anyLaunched = scos.some((item) => byItem.has(item.id));
  const completionStatus: CompletionStatus =
    forCompletion.length > 0 && completedCount === forCompletion.length ? 'completed' : anyLaunched ? 'incomplete' : 'not_attempted';

  const hasCriterion = (item: RollupItem) => (standard === 'scorm12' ? item.masteryScore != null : item.satisfiedByMeasure === true);
  const scored = scos.filter((item) => {
    const controls = controlsOf(item);
    if (!controls.tracked || !controls.rollupObjectiveSatisfied) return false;
    const state = byItem.get(item.id);
    return hasCriterion(item) || (state !== undefined && state.successStatus !== 'unknown');
  });
  const successes = scored.map((item) => byItem.get(item.id)?.successStatus ?? 'unknown');
  let successStatus: SuccessStatus = 'unknown';
  if (successes.length > 0 && successes.every((status) => status === 'passed')) successStatus = 'passed';
  else if (completionStatus === 'completed' && successes.includes('failed')) successStatus = 'failed';

  let weighted = 0;
  let weights = 0;
  for (const item of scos) {
    const controls = controlsOf(item);
    const score = byItem.get(item.id)?.scoreScaled ?? null;
    if (!controls.tracked || score === null || controls.objectiveMeasureWeight <= 0) continue;
    weighted += score * controls.objectiveMeasureWeight;
    weights += controls.objectiveMeasureWeight;
  }

  return {
    completionStatus,
    successStatus,
    scoreScaled: weights > 0 ? weighted / weights : null,
    totalTimeSeconds: states.reduce((sum, state) => sum + state.totalTimeSeconds, 0),
    scoCount: forCompletion.length,
    completedCount,
  };
}
