import yazl from 'yazl';

/**
 * The demo programme's SCORM 1.2 courses, generated in code: one SCO each (index.html with its pages as sections,
 * plus a shared stylesheet and runtime script). Lessons bookmark the page shown (cmi.core.lesson_location) and
 * complete on their last page; the exam scores five questions and passes at 80%. The script finds the LMS's API
 * the SCORM 1.2 way (window.API of this window or a parent, then the opener's), and saves nothing when there is none.
 */

export interface DemoPage {
  title: string;
  /** Trusted HTML written below (never user input). */
  html: string;
}

export interface DemoQuestion {
  prompt: string;
  options: readonly string[];
  /** Index of the right option. */
  answer: number;
  /** Shown after submitting, when the answer was wrong. */
  explanation: string;
}

export interface DemoCourse {
  /** The manifest's identifier, also the zip's file name. */
  slug: string;
  title: string;
  description: string;
  tags: string[];
  durationMinutes: number;
  /** Banner colour (white text sits on it: keep it dark). */
  accent: string;
  pages: readonly DemoPage[];
  /** An exam: the pages are its introduction, then these questions on a page of their own. */
  quiz?: { questions: readonly DemoQuestion[]; passingScore: number };
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const tiles = (items: readonly [string, string][]) =>
  `<div class="tiles">${items.map(([title, text]) => `<div class="tile"><h3>${title}</h3><p>${text}</p></div>`).join('')}</div>`;

export const ESSENTIALS: DemoCourse = {
  slug: 'northwind-platform-essentials',
  title: 'Northwind platform essentials',
  description: 'What Northwind sells, who buys it and how it is licensed: the ten-minute foundation every partner rep starts with.',
  tags: ['Onboarding', 'Product'],
  durationMinutes: 10,
  accent: '#3340b8',
  pages: [
    {
      title: 'Welcome to Northwind',
      html: `<p>Northwind Software protects growing businesses with one platform for network security, backup and endpoints, run from a single cloud console.</p>
<p>In this lesson you will learn:</p>
<ul><li>the three product lines and what each one solves,</li><li>which customers buy Northwind, and why,</li><li>how subscriptions and partner margins work.</li></ul>
<p class="callout">Use <strong>Next</strong> and <strong>Back</strong> below. Your place is saved, so you can stop at any time and carry on later.</p>`,
    },
    {
      title: 'Three products, one console',
      html: `${tiles([
        ['Northwind Firewall', 'Inspects every connection at line rate and blocks intrusions before they reach the network, at every site.'],
        ['Cloud Backup', 'Immutable, encrypted copies of servers, laptops and Microsoft 365 mailboxes, kept in two regions.'],
        ['Endpoint Security', 'Stops ransomware on laptops and servers, and isolates a device with one click.'],
      ])}
<p>All three are managed from the same console, with one set of users, one policy model and one bill. That single console is the reason customers stay: it is the first thing to show in a demo.</p>`,
    },
    {
      title: 'Who buys Northwind',
      html: `<p>The ideal Northwind customer is an organisation with <strong>50 to 2,000 employees</strong> and a small IT team that cannot watch a dozen tools.</p>
<ul><li><strong>The IT manager</strong> wants fewer consoles and fewer alerts.</li><li><strong>The finance director</strong> wants a predictable subscription instead of hardware refreshes.</li><li><strong>The owner or CEO</strong> wants to be sure that a ransomware attack will not stop the business.</li></ul>
<p>Listen for these three voices in every first meeting.</p>`,
    },
    {
      title: 'Licensing in plain words',
      html: `<p>Every product is a subscription: per user for Endpoint Security and Cloud Backup, per site for Firewall. Terms are one or three years.</p>
<p class="callout">Partners earn a <strong>12% margin uplift</strong> on multi-year subscriptions, and a registered deal is protected for 90 days.</p>
<p>Trials run for 30 days and convert to a paid subscription without reinstalling anything.</p>`,
    },
    {
      title: 'Well done',
      html: `<p>You have finished <strong>Northwind platform essentials</strong>. The key points:</p>
<ol><li>Three products, one console: lead with the console.</li><li>Target organisations of 50 to 2,000 people with a small IT team.</li><li>Multi-year subscriptions earn a 12% margin uplift.</li></ol>
<p>Next on your learning path: <em>Selling Northwind to mid-market</em>.</p>`,
    },
  ],
};

export const SELLING: DemoCourse = {
  slug: 'selling-northwind-mid-market',
  title: 'Selling Northwind to mid-market',
  description: 'Discovery questions, objections and the business case: how partner reps win mid-market deals with Northwind.',
  tags: ['Onboarding', 'Sales'],
  durationMinutes: 15,
  accent: '#0f5f5f',
  pages: [
    {
      title: 'Start with discovery',
      html: `<p>Mid-market buyers do not want a product tour; they want to know you understand their week. Open with questions, not slides:</p>
<ul><li>When did you last restore something from backup, and how long did it take?</li><li>How many security tools does your team log in to every day?</li><li>What would a day without email or files cost you?</li></ul>
<p class="callout">Register the deal as soon as the customer agrees to a first meeting: it protects your opportunity for 90 days.</p>`,
    },
    {
      title: 'Handling the usual objections',
      html: `<dl class="objections">
<dt>"We already have a firewall."</dt><dd>Ask what it costs to run and what it misses, then show how the Northwind console covers the network, backups and endpoints together.</dd>
<dt>"We are too small to be a target."</dt><dd>Most ransomware is automated: it finds the unpatched, not the famous. Share the Cloud Backup restore story.</dd>
<dt>"It is not in this year's budget."</dt><dd>Start with a 30-day trial and a one-year term; the subscription replaces next year's hardware refresh.</dd>
</dl>`,
    },
    {
      title: 'Building the business case',
      html: `${tiles([
        ['Time saved', 'Fewer consoles and alerts: most customers save a day a week of IT time.'],
        ['Risk reduced', 'Immutable backups and one-click isolation turn a disaster into an afternoon.'],
        ['Cost known', 'One subscription, per user or site, instead of hardware every five years.'],
      ])}
<p>Put numbers from discovery next to each heading, and let the finance director check them.</p>`,
    },
    {
      title: 'Closing and after',
      html: `<ol><li>Agree the success criteria of the trial before it starts.</li><li>Propose a three-year term: the customer gets a better price, you get the 12% uplift.</li><li>Book the onboarding call before the contract is signed.</li></ol>
<p>You have finished this lesson. When your learning path is complete, take the <em>Northwind certified seller exam</em>.</p>`,
    },
  ],
};

export const EXAM: DemoCourse = {
  slug: 'northwind-certified-seller-exam',
  title: 'Northwind certified seller exam',
  description: 'Five questions on the Northwind platform and how to sell it. Score 80% or more to pass; you can try again.',
  tags: ['Certification', 'Exam'],
  durationMinutes: 10,
  accent: '#5b2a86',
  pages: [
    {
      title: 'Before you start',
      html: `<p>This exam has <strong>five questions</strong> on the two onboarding lessons. You need <strong>80%</strong> (four right answers) to pass.</p>
<p>Passing the exam, together with the <em>Reseller onboarding</em> learning path, earns the <strong>Northwind Certified Seller</strong> certification, valid for twelve months.</p>
<p class="callout">Choose one answer per question, then select <strong>Submit answers</strong>. If you do not pass, you can try again straight away.</p>`,
    },
  ],
  quiz: {
    passingScore: 80,
    questions: [
      {
        prompt: 'Which three product lines make up the Northwind platform?',
        options: ['Firewall, CRM and Payroll', 'Firewall, Cloud Backup and Endpoint Security', 'Cloud Backup, Email hosting and VPN'],
        answer: 1,
        explanation: 'Firewall, Cloud Backup and Endpoint Security, all managed from one console.',
      },
      {
        prompt: 'Who is the ideal Northwind customer?',
        options: ['A global enterprise with a 24-hour security operations centre', 'A one-person business with no IT at all', 'An organisation of 50 to 2,000 people with a small IT team'],
        answer: 2,
        explanation: 'Organisations of 50 to 2,000 employees with a small IT team.',
      },
      {
        prompt: 'When should you register a deal?',
        options: ['As soon as the customer agrees to a first meeting', 'After the contract is signed', 'Only for deals over 100 users'],
        answer: 0,
        explanation: 'At the first meeting: registration protects the opportunity for 90 days.',
      },
      {
        prompt: 'A customer says "We already have a firewall". What is the best answer?',
        options: ['Offer a bigger discount', 'Ask what it costs to run and what it misses, then show the one console', 'Agree and move on to another customer'],
        answer: 1,
        explanation: 'Ask about cost and gaps, then show the single console.',
      },
      {
        prompt: 'What does a multi-year subscription earn the partner?',
        options: ['A 12% margin uplift', 'A free firewall appliance', 'Nothing extra'],
        answer: 0,
        explanation: 'A 12% margin uplift on multi-year subscriptions.',
      },
    ],
  },
};

export const REFRESHER: DemoCourse = {
  slug: 'whats-new-this-year',
  title: "What's new this year",
  description: 'The annual refresher for certified sellers: this year’s launches and programme changes in five minutes.',
  tags: ['Recertification', 'Product'],
  durationMinutes: 5,
  accent: '#8a1a45',
  pages: [
    {
      title: 'Endpoint Security is here',
      html: `<p>This year Northwind launched <strong>Endpoint Security</strong>: ransomware protection for laptops and servers, managed from the same console as Firewall and Cloud Backup.</p>
<p class="callout">Customers with Firewall or Cloud Backup get Endpoint Security free for the first 90 days.</p>`,
    },
    {
      title: 'Cloud Backup: immutable by default',
      html: `<p>Every Cloud Backup edition now keeps immutable copies: nobody, not even an administrator, can delete them before their retention ends.</p>
<p>Recovery tests run automatically every week, and the report is ready for auditors.</p>`,
    },
    {
      title: 'Programme changes',
      html: `<ul><li>Deal registration now protects an opportunity for 90 days (it was 60).</li><li>Gold partners need one certified seller, Platinum partners two.</li><li>Certifications are valid for twelve months; this refresher renews yours.</li></ul>
<p>That is everything. Thank you for staying certified!</p>`,
    },
  ],
};

export const DEMO_COURSES = [ESSENTIALS, SELLING, EXAM, REFRESHER] as const;

function quizPage(quiz: NonNullable<DemoCourse['quiz']>): string {
  const questions = quiz.questions
    .map(
      (q, i) => `<fieldset class="question" data-explanation="${escapeHtml(q.explanation)}">
<legend><span class="qnum">Question ${i + 1} of ${quiz.questions.length}</span> ${escapeHtml(q.prompt)}</legend>
${q.options.map((option, j) => `<div class="option"><input type="radio" id="q${i + 1}-${j}" name="q${i + 1}" value="${j}"><label for="q${i + 1}-${j}">${escapeHtml(option)}</label></div>`).join('\n')}
<p class="feedback" hidden></p>
</fieldset>`,
    )
    .join('\n');
  return `<section class="page" aria-labelledby="page-quiz-title" hidden>
<h2 id="page-quiz-title" tabindex="-1">Questions</h2>
<form id="quiz" data-key="${quiz.questions.map((q) => q.answer).join(',')}" data-passing="${quiz.passingScore}" novalidate>
${questions}
<p id="quiz-error" class="error" role="alert"></p>
<div class="quiz-actions"><button type="submit" id="submit">Submit answers</button><button type="button" class="secondary" id="retry" hidden>Try again</button></div>
</form>
<div id="result" class="result" role="status" tabindex="-1"></div>
</section>`;
}

export function courseHtml(course: DemoCourse): string {
  const pages = course.pages.map(
    (page, i) => `<section class="page" aria-labelledby="page-${i + 1}-title" hidden>
<h2 id="page-${i + 1}-title" tabindex="-1">${escapeHtml(page.title)}</h2>
${page.html}
</section>`,
  );
  if (course.quiz) pages.push(quizPage(course.quiz));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(course.title)}</title>
<link rel="stylesheet" href="course.css">
</head>
<body data-kind="${course.quiz ? 'quiz' : 'lesson'}" style="--accent: ${course.accent}">
<header class="banner"><p class="eyebrow">Northwind Partner Academy</p><h1>${escapeHtml(course.title)}</h1></header>
<main class="shell">
<div class="progress-row"><span id="position">Page 1 of ${pages.length}</span><progress id="progress" max="${pages.length}" value="1" aria-label="Progress through the course"></progress></div>
<div class="card">
${pages.join('\n')}
</div>
<nav class="pager" aria-label="Course pages"><button type="button" class="secondary" id="back">Back</button><button type="button" id="next">Next</button><button type="button" id="finish" hidden>Finish</button></nav>
<p id="notice" class="notice" role="status"></p>
</main>
<script src="course.js"></script>
</body>
</html>
`;
}

export function manifestXml(course: DemoCourse): string {
  const mastery = course.quiz ? `\n        <adlcp:masteryscore>${course.quiz.passingScore}</adlcp:masteryscore>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.northwind.${course.slug}" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="northwind">
    <organization identifier="northwind">
      <title>${escapeHtml(course.title)}</title>
      <item identifier="sco_1" identifierref="resource_1" isvisible="true">
        <title>${escapeHtml(course.title)}</title>${mastery}
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="resource_1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
      <file href="course.css"/>
      <file href="course.js"/>
    </resource>
  </resources>
</manifest>
`;
}

/** The course's SCORM 1.2 zip. */
export async function buildCoursePackage(course: DemoCourse): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(manifestXml(course)), 'imsmanifest.xml');
  zip.addBuffer(Buffer.from(courseHtml(course)), 'index.html');
  zip.addBuffer(Buffer.from(COURSE_CSS), 'course.css');
  zip.addBuffer(Buffer.from(COURSE_JS), 'course.js');
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export const COURSE_CSS = `:root { --accent: #3340b8; --ink: #1f2430; --muted: #4a5163; --line: #d9dcea; --soft: #eef0fb; --ok: #12693a; --bad: #a3262d; }
* { box-sizing: border-box; }
html { background: #f4f5fb; }
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); }
.banner { background: var(--accent); background-image: linear-gradient(120deg, rgba(255,255,255,0.08), rgba(0,0,0,0.25)); color: #fff; padding: 22px 32px 24px; }
.eyebrow { margin: 0; font-size: 0.78rem; font-weight: 600; letter-spacing: 0.08em; text-transform: uppercase; }
.banner h1 { margin: 4px 0 0; font-size: 1.6rem; line-height: 1.25; }
.shell { max-width: 780px; margin: 0 auto; padding: 20px 20px 32px; }
.progress-row { display: flex; align-items: center; gap: 14px; margin-bottom: 14px; color: var(--muted); font-size: 0.9rem; white-space: nowrap; }
progress { flex: 1; height: 8px; accent-color: var(--accent); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 14px; padding: 26px 32px 20px; box-shadow: 0 1px 3px rgba(20, 25, 60, 0.08); }
.page h2 { margin: 0 0 12px; font-size: 1.35rem; color: var(--accent); }
.page h2:focus { outline: none; }
.page h2:focus-visible { outline: 3px solid #f2b705; outline-offset: 4px; }
.callout { background: var(--soft); border-left: 4px solid var(--accent); padding: 12px 16px; border-radius: 0 8px 8px 0; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(190px, 1fr)); gap: 12px; margin: 8px 0 16px; }
.tile { border: 1px solid var(--line); border-top: 4px solid var(--accent); border-radius: 10px; padding: 12px 14px; }
.tile h3 { margin: 0 0 4px; font-size: 1rem; }
.tile p { margin: 0; font-size: 0.93rem; color: var(--muted); }
.objections dt { font-weight: 700; margin-top: 12px; }
.objections dd { margin: 4px 0 0 0; padding-left: 14px; border-left: 3px solid var(--line); }
.pager { display: flex; justify-content: space-between; gap: 12px; margin-top: 18px; }
.pager #next, .pager #finish { margin-left: auto; }
button { font: inherit; font-weight: 600; padding: 0.55rem 1.3rem; border-radius: 8px; border: 2px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
button:disabled { opacity: 0.5; cursor: not-allowed; }
button:focus-visible, input:focus-visible { outline: 3px solid #f2b705; outline-offset: 2px; }
.notice { min-height: 1.5em; color: var(--muted); }
.question { border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px 8px; margin: 0 0 14px; }
.question legend { float: left; width: 100%; padding: 0; margin: 0 0 6px; font-weight: 600; }
.question legend + * { clear: both; }
.qnum { display: block; font-size: 0.8rem; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 0.05em; }
.option { display: flex; gap: 10px; align-items: baseline; padding: 4px 0; }
.option input { width: 1.1rem; height: 1.1rem; accent-color: var(--accent); flex: none; }
.feedback.right { color: var(--ok); font-weight: 600; }
.feedback.wrong { color: var(--bad); font-weight: 600; }
.error { color: var(--bad); font-weight: 600; min-height: 1em; }
.quiz-actions { display: flex; gap: 12px; }
.result { margin-top: 16px; padding: 14px 18px; border-radius: 10px; font-size: 1.05rem; }
.result:empty { display: none; }
.result.pass { background: #e3f4ea; color: var(--ok); border: 1px solid #9fd3b3; }
.result.fail { background: #fbe9ea; color: var(--bad); border: 1px solid #eab3b7; }
.result:focus { outline: none; }
@media (max-width: 560px) { .banner { padding: 16px 18px; } .card { padding: 18px; } .shell { padding: 14px 12px 24px; } }
`;

/** The SCO's runtime: SCORM 1.2 API discovery, bookmarking, completion, and the exam's scoring. ES5, no dependencies. */
export const COURSE_JS = `(function () {
  'use strict';
  function findApi(win) {
    for (var hops = 0; win && hops < 10; hops++) {
      try { if (win.API) return win.API; } catch (e) { return null; }
      if (!win.parent || win.parent === win) return null;
      win = win.parent;
    }
    return null;
  }
  var api = findApi(window);
  if (!api && window.opener) api = findApi(window.opener);

  var live = false;
  var startedAt = Date.now();
  var isQuiz = document.body.getAttribute('data-kind') === 'quiz';
  var pages = Array.prototype.slice.call(document.querySelectorAll('.page'));
  var back = document.getElementById('back');
  var next = document.getElementById('next');
  var finish = document.getElementById('finish');
  var position = document.getElementById('position');
  var progress = document.getElementById('progress');
  var notice = document.getElementById('notice');
  var current = 0;
  var complete = false;

  function get(name) { return live ? String(api.LMSGetValue(name)) : ''; }
  function set(name, value) { if (live) api.LMSSetValue(name, String(value)); }
  function commit() { if (live) api.LMSCommit(''); }
  function pad(n, width) { var s = String(n); while (s.length < width) s = '0' + s; return s; }
  function timespan(ms) {
    var s = Math.floor(ms / 1000);
    return pad(Math.floor(s / 3600), 4) + ':' + pad(Math.floor((s % 3600) / 60), 2) + ':' + pad(s % 60, 2) + '.00';
  }
  function end() {
    if (!live) return;
    set('cmi.core.exit', complete ? '' : 'suspend');
    set('cmi.core.session_time', timespan(Date.now() - startedAt));
    api.LMSFinish('');
    live = false;
  }

  if (api) {
    try { live = String(api.LMSInitialize('')) === 'true'; } catch (e) { live = false; }
  }
  if (!live) notice.textContent = 'Your progress is not being saved: this course was opened outside Partner Academy.';

  var status = get('cmi.core.lesson_status');
  complete = status === 'completed' || status === 'passed';
  if (status === '' || status === 'not attempted') set('cmi.core.lesson_status', 'incomplete');

  function show(index, moveFocus) {
    current = index;
    pages.forEach(function (page, i) { page.hidden = i !== index; });
    position.textContent = 'Page ' + (index + 1) + ' of ' + pages.length;
    progress.value = index + 1;
    back.disabled = index === 0;
    var last = index === pages.length - 1;
    next.hidden = last;
    if (!isQuiz) finish.hidden = !last;
    set('cmi.core.lesson_location', String(index));
    if (last && !isQuiz && !complete) {
      complete = true;
      set('cmi.core.lesson_status', 'completed');
      notice.textContent = 'Lesson complete. Your progress is saved.';
    }
    commit();
    if (moveFocus) pages[index].querySelector('h2').focus();
  }

  back.addEventListener('click', function () { if (current > 0) show(current - 1, true); });
  next.addEventListener('click', function () { if (current < pages.length - 1) show(current + 1, true); });
  finish.addEventListener('click', function () {
    end();
    finish.disabled = true;
    notice.textContent = 'Finished: your progress is saved. You can close this course.';
  });
  window.addEventListener('pagehide', end);

  var form = document.getElementById('quiz');
  if (form) {
    var key = form.getAttribute('data-key').split(',');
    var passing = Number(form.getAttribute('data-passing'));
    var questions = Array.prototype.slice.call(form.querySelectorAll('fieldset'));
    var error = document.getElementById('quiz-error');
    var result = document.getElementById('result');
    var retry = document.getElementById('retry');
    var submit = document.getElementById('submit');
    set('cmi.core.score.min', '0');
    set('cmi.core.score.max', '100');

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var right = 0;
      var missing = -1;
      questions.forEach(function (fieldset, i) {
        var chosen = fieldset.querySelector('input:checked');
        if (!chosen && missing < 0) missing = i;
        if (chosen && chosen.value === key[i]) right++;
      });
      if (missing >= 0) {
        error.textContent = 'Answer every question before you submit: question ' + (missing + 1) + ' has no answer yet.';
        questions[missing].querySelector('input').focus();
        return;
      }
      error.textContent = '';
      var score = Math.round((right / questions.length) * 100);
      var passed = score >= passing;
      questions.forEach(function (fieldset, i) {
        var chosen = fieldset.querySelector('input:checked');
        var feedback = fieldset.querySelector('.feedback');
        var ok = chosen.value === key[i];
        feedback.hidden = false;
        feedback.className = 'feedback ' + (ok ? 'right' : 'wrong');
        feedback.textContent = ok ? 'Correct.' : 'Not quite. ' + fieldset.getAttribute('data-explanation');
        Array.prototype.forEach.call(fieldset.querySelectorAll('input'), function (input) { input.disabled = true; });
      });
      set('cmi.core.score.raw', String(score));
      if (passed) complete = true;
      set('cmi.core.lesson_status', passed ? 'passed' : 'failed');
      commit();
      result.className = 'result ' + (passed ? 'pass' : 'fail');
      result.textContent = passed
        ? 'You passed with ' + score + '% (' + right + ' of ' + questions.length + ' right). Select Finish to save your result.'
        : 'You scored ' + score + '% (' + right + ' of ' + questions.length + ' right); ' + passing + '% is needed to pass. Review the answers and try again.';
      submit.hidden = true;
      retry.hidden = passed;
      finish.hidden = !passed;
      result.focus();
    });

    retry.addEventListener('click', function () {
      form.reset();
      questions.forEach(function (fieldset) {
        fieldset.querySelector('.feedback').hidden = true;
        Array.prototype.forEach.call(fieldset.querySelectorAll('input'), function (input) { input.disabled = false; });
      });
      result.textContent = '';
      result.className = 'result';
      submit.hidden = false;
      retry.hidden = true;
      questions[0].querySelector('input').focus();
    });
  }

  var saved = parseInt(get('cmi.core.lesson_location'), 10);
  show(isNaN(saved) ? 0 : Math.min(Math.max(saved, 0), pages.length - 1), false);
})();
`;
