/**
 * A browser-like HTTP client for integration tests: keeps cookies, follows nothing automatically,
 * and sends the CSRF token it last saw in a page, as a form would.
 */
export class TestClient {
  private cookies = new Map<string, string>();
  private csrfToken: string | undefined;

  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, init: { form?: Record<string, string>; json?: unknown; headers?: Record<string, string>; body?: string; withCsrf?: boolean } = {}) {
    const headers: Record<string, string> = { accept: 'text/html', ...init.headers };
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined = init.body;
    const withCsrf = init.withCsrf ?? true;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const form = { ...init.form };
      if (withCsrf && this.csrfToken && form._csrf === undefined) form._csrf = this.csrfToken;
      body = new URLSearchParams(form).toString();
    } else if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      headers.accept = 'application/json';
      if (withCsrf && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
      body = JSON.stringify(init.json);
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body, redirect: 'manual' });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...rest] = pair!.split('=');
      this.cookies.set(name!.trim(), rest.join('='));
    }
    const text = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (token) this.csrfToken = token;
    return { status: res.status, headers: res.headers, text, location: res.headers.get('location') };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, { headers });
  }

  post(path: string, form: Record<string, string> = {}, options: { withCsrf?: boolean } = {}) {
    return this.request('POST', path, { form, ...options });
  }

  /** Loads the sign-in page (for its CSRF token) and signs in; throws when it fails. */
  async signIn(email: string, password: string): Promise<void> {
    await this.get('/login');
    const res = await this.post('/login', { email, password });
    if (res.status !== 303 || res.location !== '/') throw new Error(`sign-in as ${email} failed: ${res.status} ${res.text.slice(0, 300)}`);
    await this.get('/');
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** Drops the remembered CSRF token, as a forged cross-site request would lack it. */
  forgetCsrfToken(): void {
    this.csrfToken = undefined;
  }
}
