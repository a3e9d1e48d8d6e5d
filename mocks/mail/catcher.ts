// The local mail catcher: an SMTP server that keeps every message it is given in memory and delivers none, and a
// small web page to read them. `npm run dev` points the app's email at it (SMTP_URL unset in development means
// smtp://127.0.0.1:1025), tests start one on a free port. Nothing leaves the machine.
//
//   GET    /                  the messages, newest first (HTML)
//   GET    /messages/{id}     one message: headers, the links of its HTML part, its text part, its HTML part (sandboxed)
//   GET    /api/messages      the messages as JSON, newest first
//   GET    /api/messages/{id} one message as JSON
//   DELETE /api/messages      forget every message

import { once } from "node:events";
import http from "node:http";
import type { AddressInfo, Server } from "node:net";
import { simpleParser, type AddressObject, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from "smtp-server";
// The emulator's escaping: both are our local fakes' pages, one helper for the two.
import { escapeHtml } from "../intuit/pages";

export interface CaughtMail {
  /** "1", "2", …: the catcher's own id, used in its URLs. */
  id: string;
  /** The Message-ID header, angle brackets included, or null when the message had none. */
  messageId: string | null;
  /** The From header as mailparser formats it, e.g. `"QuickBooks Connect" <no-reply@localhost>`. */
  from: string;
  /** The addresses of the To header. */
  to: string[];
  /** What the SMTP client gave in MAIL FROM and RCPT TO. */
  envelope: { from: string | null; to: string[] };
  subject: string;
  text: string;
  html: string | null;
  /** The Date header (ISO), or the time it arrived when it had none. */
  date: string;
  receivedAt: string;
  /** Each header's first value by lower-case name, unfolded, as sent (not MIME-decoded). */
  headers: Record<string, string>;
}

export interface MailCatcherOptions {
  /** 0 picks a free port (the default; the returned URLs give the real ports). */
  smtpPort?: number;
  webPort?: number;
  /** Both servers bind here; 127.0.0.1 by default. */
  host?: string;
}

export interface MailCatcher {
  /** e.g. smtp://127.0.0.1:1025, to use as SMTP_URL. */
  smtpUrl: string;
  /** e.g. http://127.0.0.1:1080, the page that lists the messages. */
  webUrl: string;
  /** Newest first. */
  messages(): CaughtMail[];
  clear(): void;
  /** The newest message that matches, now or when it arrives; rejects after `timeoutMs` (5 s). */
  waitFor(predicate: (mail: CaughtMail) => boolean, timeoutMs?: number): Promise<CaughtMail>;
  stop(): Promise<void>;
}

const DEFAULT_HOST = "127.0.0.1";
/** Messages kept; older ones are dropped. */
const MAX_MESSAGES = 500;
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

function addresses(header: AddressObject | AddressObject[] | undefined): string[] {
  const objects = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const flat = objects.flatMap((object) => object.value).flatMap((entry) => (entry.group ? entry.group : [entry]));
  return flat.map((entry) => entry.address ?? "").filter(Boolean);
}

function headerRecord(parsed: ParsedMail): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of parsed.headerLines) {
    const value = line.slice(line.indexOf(":") + 1).replace(/\r?\n[ \t]+/g, " ").trim();
    if (!Object.hasOwn(headers, key)) headers[key] = value;
  }
  return headers;
}

function envelopeAddress(address: SMTPServerAddress | false): string | null {
  return address ? address.address : null;
}

function toCaughtMail(id: string, parsed: ParsedMail, session: SMTPServerSession, receivedAt: Date): CaughtMail {
  return {
    id,
    messageId: parsed.messageId ?? null,
    from: parsed.from?.text ?? "",
    to: addresses(parsed.to),
    envelope: { from: envelopeAddress(session.envelope.mailFrom), to: session.envelope.rcptTo.map((r) => r.address) },
    subject: parsed.subject ?? "",
    text: parsed.text ?? "",
    html: typeof parsed.html === "string" ? parsed.html : null,
    date: (parsed.date ?? receivedAt).toISOString(),
    receivedAt: receivedAt.toISOString(),
    headers: headerRecord(parsed),
  };
}

/** The http(s) links of an HTML part with their text, so that a person or a browser test can follow them. */
function linksOf(html: string): { href: string; label: string }[] {
  const links: { href: string; label: string }[] = [];
  for (const match of html.matchAll(/<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*>([\s\S]*?)<\/a>/gi)) {
    const href = decodeEntities(match[1] ?? match[2] ?? "").trim();
    // Only web links: a javascript: or data: URL in a caught email is never made clickable here.
    if (!/^https?:\/\//i.test(href)) continue;
    const label = decodeEntities((match[3] ?? "").replace(/<[^>]*>/g, "")).replace(/\s+/g, " ").trim();
    links.push({ href, label: label || href });
  }
  return links;
}

function decodeEntities(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCodePoint(parseInt(code, 16)))
    .replace(/&(quot|apos|lt|gt|nbsp|amp);/g, (_, name: string) => ENTITIES[name] ?? "");
}
const ENTITIES: Record<string, string> = { quot: '"', apos: "'", lt: "<", gt: ">", nbsp: " ", amp: "&" };

const PAGE_STYLE = `
  body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; margin: 0; background: #f4f5f8; }
  main { max-width: 60rem; margin: 2rem auto; background: #fff; border-radius: 8px; padding: 1.5rem 2rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #d8dde3; vertical-align: top; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
  dt { font-weight: 600; }
  dd { margin: 0; }
  pre { white-space: pre-wrap; background: #f6f8fa; padding: 1rem; border-radius: 4px; }
  iframe { width: 100%; height: 32rem; border: 1px solid #d8dde3; border-radius: 4px; }
  a:focus-visible { outline: 3px solid #0077c5; outline-offset: 2px; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

function listPage(messages: CaughtMail[]): string {
  const rows = messages
    .map(
      (m) => `<tr><td><time datetime="${escapeHtml(m.receivedAt)}">${escapeHtml(m.receivedAt.replace("T", " ").slice(0, 19))}</time></td>` +
        `<td>${escapeHtml(m.to.join(", "))}</td>` +
        `<td><a href="/messages/${encodeURIComponent(m.id)}">${escapeHtml(m.subject || "(no subject)")}</a></td></tr>`,
    )
    .join("\n");
  const content =
    messages.length === 0
      ? "<p>No mail yet. Mail the app sends appears here.</p>"
      : `<table>
<caption>${messages.length} message${messages.length === 1 ? "" : "s"}, newest first (times in UTC)</caption>
<thead><tr><th scope="col">Received</th><th scope="col">To</th><th scope="col">Subject</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
  return page("Mail catcher", `<h1>Mail catcher</h1>
<p>Every email the app sends in development is kept here; none is delivered.</p>
${content}`);
}

function messagePage(mail: CaughtMail): string {
  const links = mail.html === null ? [] : linksOf(mail.html);
  const linkList =
    links.length === 0
      ? "<p>None.</p>"
      : `<ul>\n${links.map((l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a></li>`).join("\n")}\n</ul>`;
  // sandbox="" runs no script and opens nothing from the email's HTML; its links are listed above, clickable.
  const htmlPart =
    mail.html === null
      ? "<p>This message has no HTML part.</p>"
      : `<iframe sandbox="" title="HTML part of the message" srcdoc="${escapeHtml(mail.html)}"></iframe>`;
  return page(`${mail.subject || "(no subject)"} – Mail catcher`, `<p><a href="/">All messages</a></p>
<h1>${escapeHtml(mail.subject || "(no subject)")}</h1>
<dl>
<dt>From</dt><dd>${escapeHtml(mail.from)}</dd>
<dt>To</dt><dd>${escapeHtml(mail.to.join(", "))}</dd>
<dt>Date</dt><dd>${escapeHtml(mail.date)}</dd>
<dt>Message-ID</dt><dd>${escapeHtml(mail.messageId ?? "(none)")}</dd>
</dl>
<h2>Links in this message</h2>
${linkList}
<h2>Text part</h2>
<pre>${escapeHtml(mail.text)}</pre>
<h2>HTML part</h2>
${htmlPart}`);
}

const SECURITY_HEADERS = {
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "cache-control": "no-store",
};

function send(res: http.ServerResponse, status: number, type: "html" | "json" | "text", body: string): void {
  const contentType = { html: "text/html", json: "application/json", text: "text/plain" }[type];
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": `${contentType}; charset=utf-8` });
  res.end(body);
}

function webHandler(store: { list(): CaughtMail[]; clear(): void }): http.RequestListener {
  return (req, res) => {
    const { pathname } = new URL(req.url ?? "/", "http://catcher.local");
    const method = req.method ?? "GET";
    const find = (id: string) => store.list().find((m) => m.id === id);
    const messageId = /^\/(?:api\/)?messages\/([^/]+)$/.exec(pathname)?.[1];

    if (pathname === "/api/messages" && method === "DELETE") {
      store.clear();
      res.writeHead(204, SECURITY_HEADERS).end();
      return;
    }
    if (method !== "GET" && method !== "HEAD") return send(res, 405, "text", "Method not allowed");
    if (pathname === "/") return send(res, 200, "html", listPage(store.list()));
    if (pathname === "/api/messages") return send(res, 200, "json", JSON.stringify(store.list()));
    const mail = messageId === undefined ? undefined : find(decodeURIComponent(messageId));
    if (mail && pathname.startsWith("/api/")) return send(res, 200, "json", JSON.stringify(mail));
    if (mail) return send(res, 200, "html", messagePage(mail));
    return send(res, 404, "text", "Not found");
  };
}

async function listenOn(server: Server, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<MailCatcher> {
  const { smtpPort = 0, webPort = 0, host = DEFAULT_HOST } = options;
  let caught: CaughtMail[] = [];
  let nextId = 1;
  const waiters = new Set<(mail: CaughtMail) => void>();

  const keep = (mail: CaughtMail) => {
    caught = [mail, ...caught].slice(0, MAX_MESSAGES);
    for (const waiter of [...waiters]) waiter(mail);
  };

  const smtp = new SMTPServer({
    // Plain SMTP on the loopback: no TLS to set up, any login (or none) accepted, as a local catcher should.
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) => callback(null, { user: auth.username ?? "catcher" }),
    size: MAX_MESSAGE_BYTES,
    logger: false,
    closeTimeout: 1_000,
    onData: (stream, session, callback) => {
      const receivedAt = new Date();
      simpleParser(stream).then(
        (parsed) => {
          if (stream.sizeExceeded) return callback(Object.assign(new Error("Message too large"), { responseCode: 552 }));
          keep(toCaughtMail(String(nextId++), parsed, session, receivedAt));
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  // A client that drops its connection is nothing to report for a catcher; start-up errors reject below.
  smtp.on("error", () => {});
  const web = http.createServer(webHandler({ list: () => caught, clear: () => (caught = []) }));

  let boundSmtpPort: number;
  let boundWebPort: number;
  try {
    boundSmtpPort = await listenOn(smtp.server, smtpPort, host);
    boundWebPort = await listenOn(web, webPort, host);
  } catch (error) {
    smtp.close();
    web.close();
    throw error;
  }

  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    smtpUrl: `smtp://${urlHost}:${boundSmtpPort}`,
    webUrl: `http://${urlHost}:${boundWebPort}`,
    messages: () => [...caught],
    clear: () => {
      caught = [];
    },
    waitFor: (predicate, timeoutMs = 5_000) => {
      const found = caught.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const waiter = (mail: CaughtMail) => {
          if (!predicate(mail)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`No matching email arrived at the mail catcher within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    stop: async () => {
      const webClosed = new Promise<void>((resolve, reject) => web.close((error) => (error ? reject(error) : resolve())));
      // Keep-alive sockets of a browser would hold close() open; nothing in flight matters to a catcher.
      web.closeAllConnections();
      await Promise.all([webClosed, new Promise<void>((resolve) => smtp.close(() => resolve()))]);
    },
  };
}
