// The local HTTP server of `alignc label`, on fastify: its router, its JSON body parser with a size
// limit, its schema validation (ajv, as the checker's) and its error replies replace the hand-written
// routing and body reading this file had. Every request must carry the session's random token — the
// page in its URL (?token=…), the API calls in the `x-alignc-token` header, which a page of another
// origin cannot set — or it is refused with 403 before its body is read. The page is one
// self-contained HTML file under a strict Content-Security-Policy (no external assets: it works
// offline); nothing else is served.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from "fastify";
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

const PAGE_PATHS = new Set(["/", "/index.html"]);
const API_PATHS = new Set(["/api/config", "/api/next", "/api/label", "/api/skip"]);

/** Headers of every reply, errors included. */
const COMMON_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer", // the token is in the page's URL
  "x-frame-options": "DENY",
};

// The shapes fastify checks before a handler runs (types only: what a valid submission is — a rank
// that skips a level, a rating out of range — is the session's to say, with its own messages).
const str = { type: "string", maxLength: 2048 };
const submissionBody = {
  type: "object",
  required: ["submission", "labeler", "set"],
  properties: {
    submission: str,
    labeler: str,
    set: str,
    ratings: { type: "array", maxItems: 64 },
    ranks: { type: "array", maxItems: 64 },
    flags: { type: "array", maxItems: 64 },
    seconds: { type: "number" },
    reason: str,
  },
};
const nextQuery = { type: "object", properties: { labeler: str, prefer: str }, additionalProperties: false };

function tokenOk(given: unknown, token: Buffer): boolean {
  if (typeof given !== "string") return false;
  const g = Buffer.from(given);
  return g.length === token.length && timingSafeEqual(g, token);
}

const pathOf = (req: FastifyRequest): string => req.url.split("?", 1)[0]!;

export async function startLabelServer(session: LabelSession, opts: LabelServerOptions = {}): Promise<LabelServer> {
  const token = opts.token ?? randomBytes(32).toString("base64url");
  const tokenBuf = Buffer.from(token);
  const host = opts.host ?? "127.0.0.1";
  // coerceTypes off: fastify's default would write `"seconds": null` as 0 and `"labeler": true` as "true"
  // (the body schema checks types; a value of the wrong type is a 400, never a changed value)
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES, requestTimeout: 30_000, return503OnClosing: true, ajv: { customOptions: { coerceTypes: false } } });

  // JSON only: a body of any other type is 415 (fastify's text/plain parser is removed)
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error("the body is not JSON"), { statusCode: 400 }), undefined);
    }
  });

  // the token, before anything else (routing to 404s included, and before a body is read)
  app.addHook("onRequest", async (req, reply) => {
    void reply.headers(COMMON_HEADERS);
    if (PAGE_PATHS.has(pathOf(req))) {
      if (!tokenOk((req.query as Record<string, unknown>).token, tokenBuf)) return reply.code(403).type("text/plain; charset=utf-8").send("forbidden: open the URL alignc label printed, with its token\n");
      return;
    }
    const h = req.headers["x-alignc-token"];
    if (!tokenOk(Array.isArray(h) ? h[0] : h, tokenBuf)) return reply.code(403).send({ error: "forbidden: missing or wrong x-alignc-token" });
  });

  const page = async (_req: FastifyRequest, reply: FastifyReply) => {
    const nonce = randomBytes(16).toString("base64");
    const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
    return reply.header("content-security-policy", csp).type("text/html; charset=utf-8").send(pageHtml(nonce));
  };
  app.get("/", page);
  app.get("/index.html", page);
  app.get("/api/config", async () => ({ source: session.config.source, guidelines: session.config.guidelines, flags: FLAGS, rating: { min: RATING_MIN, max: RATING_MAX } }));
  app.get("/api/next", { schema: { querystring: nextQuery } }, async (req) => {
    const q = req.query as { labeler?: string; prefer?: string };
    return session.next(q.labeler ?? null, q.prefer);
  });
  app.post("/api/label", { schema: { body: submissionBody } }, async (req) => session.label(req.body));
  app.post("/api/skip", { schema: { body: submissionBody } }, async (req) => session.skip(req.body));

  app.setNotFoundHandler(async (req, reply) => {
    const known = PAGE_PATHS.has(pathOf(req)) || API_PATHS.has(pathOf(req));
    return reply.code(known ? 405 : 404).send({ error: known ? "wrong method" : "not found" });
  });
  app.setErrorHandler(async (e: FastifyError, _req, reply) => {
    // a write the disk refused (full, read-only, permissions) is said with its file, not as a 500 with a
    // stack (huntD39 M3); the journal rolled the line back, so the page may send the label again
    const io = storageFailure(e);
    if (io) {
      process.stderr.write(`alignc label: ${io.message}\n`);
      return reply.code(io.status).send({ error: io.message });
    }
    const status = e instanceof BadSubmission || e.validation ? 400 : e instanceof AlreadyLabeled ? 409 : e.statusCode && e.statusCode >= 400 && e.statusCode < 500 ? e.statusCode : 500;
    if (status === 500) process.stderr.write(`alignc label: ${e.stack ?? String(e)}\n`);
    return reply.code(status).send({ error: status === 500 ? "internal error (see the server's output)" : e.message });
  });

  await app.listen({ host, port: opts.port ?? 0 });
  const port = (app.server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    port,
    token,
    close: async () => {
      const closed = app.close(); // no new requests (503); idle connections closed
      await session.close(); // the writes in flight finish (and are answered) first
      app.server.closeAllConnections();
      await closed;
    },
  };
}

/** The status and message of a write the disk refused: 507 (no space, over quota) or 503 (read-only,
 * not permitted, an I/O error), naming the file; null for any other error. */
export function storageFailure(e: unknown): { status: number; message: string } | null {
  const { code, path } = e as NodeJS.ErrnoException;
  const why: Record<string, string> = { ENOSPC: "no space left on its disk", EDQUOT: "over the disk quota", EROFS: "its disk is read-only", EACCES: "not permitted", EPERM: "not permitted", EIO: "an I/O error" };
  if (code === undefined || !(code in why)) return null;
  return { status: code === "ENOSPC" || code === "EDQUOT" ? 507 : 503, message: `${path ?? "the labels file"}: ${why[code]} (${code}): this label was not saved; send it again once that is fixed` };
}
