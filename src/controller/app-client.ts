/**
 * @module controller/app-client
 * The controller's side of the FeatureCloud app API (the app mounts `api_server` under `/api`):
 * `POST /api/setup`, `GET /api/status`, `GET /api/data`, `POST /api/data?client=…&memo=…`. Every
 * request has a deadline; an app that does not answer in time is E_TIMEOUT, one that answers
 * with an HTTP error or cannot be reached is E_APP.
 */
import { ShardwireError } from '../errors.ts';
import { parseAppStatus, type AppStatus } from './app-status.ts';
import { dataQuery } from './routing.ts';

/** What `POST /api/setup` tells the app (app.py `handle_setup`). */
export interface AppSetup {
  readonly id: string;
  readonly coordinator: boolean;
  readonly clients: readonly string[];
  readonly coordinatorID: string;
}

/** HTTP client of one FeatureCloud app. */
export class AppClient {
  readonly baseUrl: string;

  /**
   * @param baseUrl the app's root, e.g. `http://127.0.0.1:5000` (the API is under `/api`).
   * @param timeoutMs deadline of each request.
   * @throws {ShardwireError} E_BAD_ARGUMENT when `baseUrl` is not an http(s) URL.
   * @example const app = new AppClient('http://127.0.0.1:5000', 30_000)
   */
  constructor(
    baseUrl: string,
    readonly timeoutMs: number,
  ) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new ShardwireError(
        'E_BAD_ARGUMENT',
        `"app" expected an http:// URL such as http://127.0.0.1:5000, got ${JSON.stringify(baseUrl)}`,
        { field: 'app' },
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ShardwireError(
        'E_BAD_ARGUMENT',
        `"app" expected an http:// or https:// URL, got ${JSON.stringify(baseUrl)}`,
        { field: 'app' },
      );
    }
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    body?: Uint8Array | string,
    contentType?: string,
  ): Promise<Response> {
    const what = `${method} ${path.split('?')[0]}`;
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        // (a Uint8Array is a valid fetch body; lib.dom's BodyInit only lacks the SharedArrayBuffer-backed case)
        ...(body === undefined
          ? {}
          : {
              body: body as string | Uint8Array<ArrayBuffer>,
              headers: { 'content-type': contentType ?? 'application/octet-stream' },
            }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const name = (e as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new ShardwireError(
          'E_TIMEOUT',
          `the app at ${this.baseUrl} did not answer ${what} within ${this.timeoutMs} ms; is it stuck? (raise ` +
            `--app-timeout if it is just slow)`,
          { request: what, timeoutMs: this.timeoutMs },
        );
      }
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      throw new ShardwireError(
        'E_APP',
        `cannot reach the app at ${this.baseUrl} for ${what} (${cause}); is it running?`,
        { request: what, cause, reason: 'unreachable' },
      );
    }
    if (!res.ok) {
      const text = (await res.text().catch(() => '')).replace(/\s+/g, ' ').slice(0, 160);
      throw new ShardwireError('E_APP', `the app answered ${what} with HTTP ${res.status}${text ? `: ${text}` : ''}`, {
        request: what,
        status: res.status,
      });
    }
    return res;
  }

  private async readBytes(res: Response, what: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      const timeout = (e as Error).name === 'TimeoutError' || (e as Error).name === 'AbortError';
      throw new ShardwireError(
        timeout ? 'E_TIMEOUT' : 'E_APP',
        `the app's answer to ${what} ${timeout ? `did not finish within ${this.timeoutMs} ms` : 'broke off'}`,
        { request: what },
      );
    }
  }

  /**
   * Polls `GET /api/status` until the app answers (it may still be starting), for at most
   * `waitMs`.
   * @throws {ShardwireError} E_TIMEOUT when it never answers; E_APP when it answers garbage.
   */
  async waitUntilUp(waitMs: number, pollMs = 100): Promise<AppStatus> {
    const end = performance.now() + waitMs;
    for (;;) {
      try {
        return await this.status();
      } catch (e) {
        const unreachable = e instanceof ShardwireError && e.details.reason === 'unreachable';
        if (!unreachable) throw e;
        if (performance.now() > end)
          throw new ShardwireError(
            'E_TIMEOUT',
            `the app at ${this.baseUrl} did not come up within ${waitMs} ms (${e.message})`,
            { waitMs },
          );
        await new Promise((r) => setTimeout(r, pollMs));
      }
    }
  }

  /** `POST /api/setup`: starts the app's state machine. */
  async setup(s: AppSetup): Promise<void> {
    const res = await this.request('POST', '/api/setup', JSON.stringify(s), 'application/json');
    await this.readBytes(res, 'POST /api/setup');
  }

  /** `GET /api/status`, validated. */
  async status(): Promise<AppStatus> {
    const res = await this.request('GET', '/api/status');
    return parseAppStatus(new TextDecoder().decode(await this.readBytes(res, 'GET /api/status')));
  }

  /** `GET /api/data`: the data piece the last status announced (opaque bytes). */
  async fetchData(): Promise<Uint8Array> {
    return this.readBytes(await this.request('GET', '/api/data'), 'GET /api/data');
  }

  /** `POST /api/data?client=…&memo=…`: hands the app a data piece byte for byte. */
  async postData(client: string, memo: string | null, body: Uint8Array | string): Promise<void> {
    const res = await this.request('POST', `/api/data?${dataQuery(client, memo)}`, body);
    await this.readBytes(res, 'POST /api/data');
  }
}
