// A stand-in for the server in component tests: answers by method and path,
// and records every request so a test can check what the screen sent.
import { vi } from 'vitest';
// GET /api/v1/catalog's answer; a Rust test holds it to the server's.
import catalog from './catalog.json';

type Handler = (request: Request, body: unknown) => Response | Promise<Response>;

export interface FakeApi {
  on: (method: string, path: string | RegExp, handler: Handler) => FakeApi;
  requests: { method: string; path: string; body: unknown; headers: Headers }[];
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers },
  });

export const problem = (status: number, code: string, detail: string, extra: Record<string, unknown> = {}) =>
  json({ type: 'about:blank', title: code, status, detail, code, request_id: 'req-test', ...extra }, status);

/** Replaces `fetch` for the current test; unmatched requests answer 404, but the catalog, which answers as the server does. */
export function fakeApi(): FakeApi {
  const routes: { method: string; path: string | RegExp; handler: Handler }[] = [];
  const api: FakeApi = {
    requests: [],
    on(method, path, handler) {
      routes.push({ method, path, handler });
      return api;
    },
  };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(
        input instanceof Request || input instanceof URL ? input : new URL(input, 'http://localhost'),
        init,
      );
      const url = new URL(request.url);
      const text = await request.clone().text();
      const body = text ? JSON.parse(text) : undefined;
      api.requests.push({ method: request.method, path: url.pathname + url.search, body, headers: request.headers });
      const route = routes.find(
        (r) =>
          r.method === request.method &&
          (typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname)),
      );
      if (route) return route.handler(request, body);
      if (request.method === 'GET' && url.pathname === '/api/v1/catalog') return json(catalog);
      return problem(404, 'not_found', `no fake for ${request.method} ${url.pathname}`);
    }),
  );
  return api;
}
