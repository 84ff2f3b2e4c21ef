import { describe, expect, it } from '@jest/globals';
import { joinLaunchParameters, normalisePackagePath, resolveLaunchHref, splitHref } from '../../../courses/scorm/manifest.js';

describe('joinLaunchParameters: an item’s parameters appended to its resource href', () => {
  it.each([
    // [href, parameters, launched]
    ['quiz.html', '?questions=Playing', 'quiz.html?questions=Playing'],
    ['quiz.html', 'questions=Playing', 'quiz.html?questions=Playing'],
    ['quiz.html', '&questions=Playing', 'quiz.html?questions=Playing'],
    ['quiz.html', '??&&questions=Playing', 'quiz.html?questions=Playing'],
    ['quiz.html?lang=en', '?questions=Playing', 'quiz.html?lang=en&questions=Playing'],
    ['quiz.html?lang=en', '&questions=Playing', 'quiz.html?lang=en&questions=Playing'],
    ['quiz.html?lang=en', 'questions=Playing', 'quiz.html?lang=en&questions=Playing'],
    ['quiz.html?', 'questions=Playing', 'quiz.html?questions=Playing'],
    ['quiz.html', '?a=1&b=2', 'quiz.html?a=1&b=2'],
  ])('%s + %j = %s', (href, parameters, launched) => {
    expect(joinLaunchParameters(href, parameters)).toBe(launched);
  });

  it('puts the query before the href’s fragment, not after it', () => {
    expect(joinLaunchParameters('book.html#chapter2', 'page=3')).toBe('book.html?page=3#chapter2');
    expect(joinLaunchParameters('book.html?lang=en#chapter2', '&page=3')).toBe('book.html?lang=en&page=3#chapter2');
  });

  it('uses a fragment from the parameters only when the href has none', () => {
    expect(joinLaunchParameters('book.html', '#chapter2')).toBe('book.html#chapter2');
    expect(joinLaunchParameters('book.html', '?page=3#chapter2')).toBe('book.html?page=3#chapter2');
    expect(joinLaunchParameters('book.html#intro', '#chapter2')).toBe('book.html#intro');
    expect(joinLaunchParameters('book.html#intro', '?page=3#chapter2')).toBe('book.html?page=3#intro');
  });

  it('leaves the href alone when there are no parameters', () => {
    expect(joinLaunchParameters('index.html?x=1#top', null)).toBe('index.html?x=1#top');
    expect(joinLaunchParameters('index.html', undefined)).toBe('index.html');
    expect(joinLaunchParameters('index.html', '   ')).toBe('index.html');
    expect(joinLaunchParameters('index.html', '?')).toBe('index.html');
    expect(joinLaunchParameters('index.html', '#')).toBe('index.html');
  });
});

describe('splitHref', () => {
  it('separates path, query and fragment; a "?" after "#" belongs to the fragment', () => {
    expect(splitHref('a/b.html?x=1#top')).toEqual({ path: 'a/b.html', query: '?x=1', fragment: '#top' });
    expect(splitHref('a/b.html#top?x=1')).toEqual({ path: 'a/b.html', query: '', fragment: '#top?x=1' });
    expect(splitHref('a/b.html')).toEqual({ path: 'a/b.html', query: '', fragment: '' });
  });
});

describe('normalisePackagePath', () => {
  it.each([
    ['shared/launchpage.html', 'shared/launchpage.html'],
    ['./shared/./launchpage.html', 'shared/launchpage.html'],
    ['shared//launchpage.html', 'shared/launchpage.html'],
    ['lessons/../shared/launchpage.html', 'shared/launchpage.html'],
    ['lessons/one/../../index.html', 'index.html'],
    ['lessons/', 'lessons'],
    ['lessons/..', ''],
  ])('%s -> %j', (input, normalised) => {
    expect(normalisePackagePath(input)).toBe(normalised);
  });

  it.each(['../index.html', 'lessons/../../index.html', '..'])('returns null for %s, which climbs above the root', (input) => {
    expect(normalisePackagePath(input)).toBeNull();
  });
});

describe('resolveLaunchHref: a resource href to a file of the package', () => {
  it('normalises the path and keeps query and fragment as written', () => {
    expect(resolveLaunchHref('./Playing/../shared/assessmenttemplate.html?questions=Playing#q1')).toEqual({
      path: 'shared/assessmenttemplate.html',
      query: '?questions=Playing',
      fragment: '#q1',
      href: 'shared/assessmenttemplate.html?questions=Playing#q1',
    });
  });

  it('reads backslashes as folder separators, as Windows tools write them', () => {
    expect(resolveLaunchHref('content\\lesson1\\index.html').path).toBe('content/lesson1/index.html');
  });

  it('decodes percent-escapes into the zip entry name, and encodes the href for the browser', () => {
    expect(resolveLaunchHref('My%20Course/start%20here.html')).toMatchObject({ path: 'My Course/start here.html', href: 'My%20Course/start%20here.html' });
    expect(resolveLaunchHref('My Course/start here.html')).toMatchObject({ path: 'My Course/start here.html', href: 'My%20Course/start%20here.html' });
    expect(resolveLaunchHref('caf%C3%A9.html').path).toBe('café.html');
    // "?" and "#" inside a file name stay in the path, escaped, rather than starting a query or fragment.
    expect(resolveLaunchHref('what%3F.html')).toMatchObject({ path: 'what?.html', href: 'what%3F.html' });
  });

  it('keeps a "%" that is not an escape as part of the name', () => {
    expect(resolveLaunchHref('100%.html')).toMatchObject({ path: '100%.html', href: '100%25.html' });
  });

  it('applies xml:base as a folder, with or without its trailing slash', () => {
    expect(resolveLaunchHref('index.html', { base: 'course/sco1/' }).path).toBe('course/sco1/index.html');
    expect(resolveLaunchHref('index.html', { base: 'course/sco1' }).path).toBe('course/sco1/index.html');
    expect(resolveLaunchHref('../shared/index.html', { base: 'course/sco1/' }).path).toBe('course/shared/index.html');
  });

  it('appends the item parameters', () => {
    expect(resolveLaunchHref('quiz.html?lang=en', { parameters: '&questions=HavingFun' }).href).toBe('quiz.html?lang=en&questions=HavingFun');
  });

  it.each([
    ['../index.html', 'climbs above the package root'],
    ['lessons/../../index.html', 'climbs above the package root'],
    ['%2e%2e/index.html', 'climbs above the package root'],
    ['lessons%2F..%2F..%2Findex.html', 'climbs above the package root'],
    ['..\\index.html', 'climbs above the package root'],
    ['javascript:alert(1)', '"javascript:" scheme'],
    ['JavaScript:alert(1)', '"javascript:" scheme'],
    ['  javascript:alert(1)', '"javascript:" scheme'],
    ['http://evil.example/index.html', '"http:" scheme'],
    ['data:text/html;base64,PHNjcmlwdD4=', '"data:" scheme'],
    ['file:///etc/passwd', '"file:" scheme'],
    ['//evil.example/index.html', 'points to another server'],
    ['\\\\server\\share\\index.html', 'points to another server'],
    ['/index.html', 'is an absolute path'],
    ['C:\\course\\index.html', 'is an absolute Windows path'],
    ['C:/course/index.html', 'is an absolute Windows path'],
    ['lessons/..', 'does not name a file'],
  ])('refuses %j: it %s', (href, why) => {
    let caught: unknown = null;
    try {
      resolveLaunchHref(href, { subject: 'The item "quiz"' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'scorm.launch_outside_package', status: 422 });
    expect((caught as Error).message).toContain('The item "quiz" launches');
    expect((caught as Error).message).toContain(why);
  });

  it.each([
    ['../', 'climbs above the package root'],
    ['http://cdn.example/', '"http:" scheme'],
    ['/var/www/', 'is an absolute path'],
  ])('refuses an xml:base of %j', (base, why) => {
    expect(() => resolveLaunchHref('index.html', { base })).toThrow(why);
  });
});
