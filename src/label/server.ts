// The local HTTP server of `alignc label` (Node's http module: four routes and a JSON body do not
// need a framework, and alignc ships none). Every request must carry the session's random token —
// the page in its URL (?token=…), the API calls in the `x-alignc-token` header, which a page of
// another origin cannot set — or it is refused with 403. The page is one self-contained HTML file
// under a strict Content-Security-Policy (no external assets: it works offline); nothing else is served.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pageHtml } from "./page.js";
import { FLAGS, RATING_MAX, RATING_MIN, BadSubmission } from "./record.js";
import { AlreadyLabeled, type LabelSession } from "./session.js";

/** A submission is a few hundred bytes; anything much larger is not one. */
export const MAX_BODY_BYTES = 64 * 1024;

export interface LabelServerOptions {
  host?: string; // default 127.0.0.1: loopback only
  port?: number; // default 0: a free port
  token?: string; // default: 32 random bytes
}

export interface LabelServer {
  url: string; // http://HOST:PORT/?token=…
  port: number;
  token: string;
  /** Stop accepting requests, finish the writes in flight, close the journals. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function tokenOk(given: string | null | undefined, token: Buffer): boolean {
  if (typeof given !== "string") return false;
  const g = Buffer.from(given);
  return g.length === token.length && timingSafeEqual(g, token);
}

function send(res: ServerResponse, status: number, body: string, type: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, {
    "content-type": type,
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer", // the token is in the page's URL
    "x-frame-options": "DENY",
    ...extra,
  });
  res.end(body);
}

const json = (res: ServerResponse, status: number, value: unknown): void => send(res, status, JSON.stringify(value), "application/json; charset=utf-8");

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/.test(req.headers["content-type"] ?? "")) throw new HttpError(415, "send JSON (content-type: application/json)");
  if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) throw new HttpError(413, `a request body is at most ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `a request body is at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(c as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "the body is not JSON");
  }
}

export async function startLabelServer(session: LabelSession, opts: LabelServerOptions = {}): Promise<LabelServer> {
  const token = opts.token ?? randomBytes(32).toString("base64url");
  const tokenBuf = Buffer.from(token);
  const host = opts.host ?? "127.0.0.1";

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const route = `${req.method} ${url.pathname}`;
    if (url.pathname === "/" || url.pathname === "/index.html") {
      if (!tokenOk(url.searchParams.get("token"), tokenBuf)) return send(res, 403, "forbidden: open the URL alignc label printed, with its token\n", "text/plain; charset=utf-8");
      if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "GET only");
      const nonce = randomBytes(16).toString("base64");
      const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
      return send(res, 200, pageHtml(nonce), "text/html; charset=utf-8", { "content-security-policy": csp });
    }
    const h = req.headers["x-alignc-token"];
    if (!tokenOk(Array.isArray(h) ? h[0] : h, tokenBuf)) throw new HttpError(403, "forbidden: missing or wrong x-alignc-token");
    switch (route) {
      case "GET /api/config":
        return json(res, 200, { source: session.config.source, guidelines: session.config.guidelines, flags: FLAGS, rating: { min: RATING_MIN, max: RATING_MAX } });
      case "GET /api/next":
        return json(res, 200, session.next(url.searchParams.get("labeler"), url.searchParams.get("prefer") ?? undefined));
      case "POST /api/label":
        return json(res, 200, await session.label(await readJson(req)));
      case "POST /api/skip":
        return json(res, 200, await session.skip(await readJson(req)));
    }
    if (["/api/config", "/api/next", "/api/label", "/api/skip"].includes(url.pathname)) throw new HttpError(405, "wrong method");
    throw new HttpError(404, "not found");
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : e instanceof BadSubmission ? 400 : e instanceof AlreadyLabeled ? 409 : 500;
      if (status === 500) process.stderr.write(`alignc label: ${(e as Error).stack ?? String(e)}\n`);
      if (!res.headersSent) json(res, status, { error: (e as Error).message });
      else res.destroy();
    });
  });
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await session.close(); // the writes in flight finish (and are answered) first
      server.closeAllConnections();
      await closed;
    },
  };
}
