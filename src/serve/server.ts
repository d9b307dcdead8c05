import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { EVENTS_PATH } from "./live.ts";

/*
 * The preview's HTTP side: read-only (GET and HEAD), resources resolved by exact path from what the preview holds in
 * memory (so no path can reach a file: there is no file system behind it), server-sent events for live reload. It
 * listens on 127.0.0.1 unless told otherwise.
 */

export interface Resource {
  type: string;
  body: () => Promise<Uint8Array | string>;
  status?: number;
}

export interface PreviewServer {
  url: string;
  /** sends an event to every open page */
  broadcast(event: string, data: unknown): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
  pdf: "application/pdf",
  txt: "text/plain; charset=utf-8",
};
export const typeOf = (path: string) => TYPES[path.slice(path.lastIndexOf(".") + 1)] ?? TYPES.txt!;

/** The path a request asks for, or undefined when it is not a clean absolute path (`..`, `\`, NUL, bad escapes). */
export function cleanPath(url: string | undefined): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(new URL(url ?? "/", "http://preview.invalid").pathname);
  } catch {
    return undefined;
  }
  if (/[\\\0]/.test(path) || path.split("/").some((s) => s === ".." || s === ".")) return undefined;
  return path;
}

export async function startServer(o: {
  host: string;
  port: number;
  resolve: (path: string) => Promise<Resource | undefined>;
  onError: (e: unknown) => void;
}): Promise<PreviewServer> {
  const clients = new Set<ServerResponse>();
  const plain = (res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { "content-type": TYPES.txt!, "cache-control": "no-store", ...headers });
    res.end(`${text}\n`);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== "GET" && req.method !== "HEAD")
      return plain(res, 405, "the preview is read-only: GET and HEAD only", { allow: "GET, HEAD" });
    // the raw request line too: `%2e%2e` and `..` are refused before the URL parser folds them away
    const raw = req.url ?? "/";
    const path = /(^|\/)(\.|%2e){2}(\/|$)/i.test(raw) ? undefined : cleanPath(raw);
    if (!path) return plain(res, 404, "not found");
    if (path === EVENTS_PATH) {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
      });
      res.write("retry: 500\n\n");
      clients.add(res);
      req.on("close", () => clients.delete(res));
      return;
    }
    const r = await o.resolve(path);
    if (!r) return plain(res, 404, `not found: ${path}`);
    const body = await r.body();
    res.writeHead(r.status ?? 200, {
      "content-type": r.type,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "content-length": String(Buffer.byteLength(body)),
    });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      o.onError(e);
      if (!res.headersSent) plain(res, 500, `the preview failed: ${(e as Error).message}`);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}/`,
    broadcast(event, data) {
      for (const c of clients) c.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of clients) c.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
