import { createHash } from "node:crypto";
import type Mail from "nodemailer/lib/mailer/index.js";
import type { Config } from "../config/schema.ts";
import type { Lang } from "../core/domain.ts";
import type { EditionSummary } from "../narrative/summary.ts";

export interface EditionAssets {
  year: number;
  lang: Lang;
  summary: EditionSummary;
  pdf: Uint8Array;
  /** the headline figure, shown in the message (none when the edition has no PNG copies) */
  chartPng?: Uint8Array;
  synthetic: boolean;
}
export interface Recipient {
  address: string;
  lang: Lang;
  name?: string;
  /** the area whose edition they receive (default: the bulletin's own) */
  area?: string;
}
export interface Composed {
  messageId: string;
  recipient: Recipient;
  mail: Mail.Options;
}

const TEXT: Record<
  Lang,
  {
    intro: string;
    web: string;
    pdf: string;
    pdfLink: string;
    synthetic: string;
    unsubscribe: string;
    unsubscribeLink: string;
    chart: string;
  }
> = {
  en: {
    intro: "The new edition of the bulletin is out. Key figures:",
    web: "Read it on the web",
    pdf: "The bulletin is attached as a PDF.",
    pdfLink: "The PDF of the bulletin is on its web page.",
    synthetic: "Demonstration edition built from synthetic data: not official statistics.",
    unsubscribe: "You receive this e-mail because you subscribed to this bulletin.",
    unsubscribeLink: "Unsubscribe",
    chart: "Chart: international immigration, emigration and balance",
  },
  nl: {
    intro: "De nieuwe editie van het bulletin is verschenen. Kerncijfers:",
    web: "Lees het op het web",
    pdf: "Het bulletin zit als pdf in de bijlage.",
    pdfLink: "De pdf van het bulletin staat op de webpagina.",
    synthetic: "Demonstratie-editie op basis van synthetische gegevens: geen officiële statistieken.",
    unsubscribe: "U ontvangt deze e-mail omdat u op dit bulletin geabonneerd bent.",
    unsubscribeLink: "Uitschrijven",
    chart: "Grafiek: internationale immigratie, emigratie en saldo",
  },
};
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** the PDF's bytes as a Buffer over the same memory: 20,000 messages share one copy */
const view = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
/** the hash of an edition's content, computed once per edition (not once per recipient) */
const hashes = new WeakMap<EditionAssets, string>();
function contentHashOf(a: EditionAssets): string {
  let h = hashes.get(a);
  if (!h) {
    h = createHash("sha256").update(a.pdf).update(JSON.stringify(a.summary)).digest("hex").slice(0, 16);
    hashes.set(a, h);
  }
  return h;
}

/**
 * One subscriber's message. Pure. Its Message-ID is derived from the edition, the recipient and the content, so the
 * same mailing always carries the same IDs: the send ledger and receiving servers can recognise a repeat.
 */
export function composeMessage(
  config: Config,
  a: EditionAssets,
  r: Recipient,
  opts: { test?: boolean; unsubscribeUrl?: string } = {},
): Composed {
  const mail = config.mail!;
  const t = TEXT[a.lang];
  const s = a.summary;
  // the region's web edition, or an area's (a subscriber who names a municipality): never the wrong one
  const area = r.area ?? config.geography.region;
  const web = (area === config.geography.region ? mail.webUrl : mail.areaWebUrl)
    ?.replaceAll("{lang}", a.lang)
    .replaceAll("{year}", String(a.year))
    .replaceAll("{area}", area);
  const contentHash = contentHashOf(a);
  // a large list gets the link to the web edition instead of the PDF (mail.attach: link); send checks there is one
  const attachPdf = mail.attach !== "link" || !web;
  const pdfLine = attachPdf ? t.pdf : t.pdfLink;
  const id = createHash("sha256")
    .update(`${a.year}|${a.lang}|${r.address.toLowerCase()}|${contentHash}|${opts.test ? "test" : "mailing"}`)
    .digest("hex")
    .slice(0, 32);
  const domain = mail.from.address.split("@")[1];
  const messageId = `<${id}.${a.year}-${a.lang}@${domain}>`;
  const subject = `${s.title} ${a.year}${s.area ? ` — ${s.area}` : ""}: ${s.headline}`;
  const figuresText = s.keyFigures.map((k) => `- ${k.label}: ${k.words}`).join("\n");
  const text = [
    s.headline,
    "",
    t.intro,
    figuresText,
    "",
    ...(web ? [`${t.web}: ${web}`] : []),
    pdfLine,
    ...(a.synthetic ? ["", t.synthetic] : []),
    "",
    "--",
    t.unsubscribe,
    ...(opts.unsubscribeUrl ? [`${t.unsubscribeLink}: ${opts.unsubscribeUrl}`] : []),
  ].join("\n");
  const html = `<!doctype html><html lang="${a.lang}"><head><meta charset="utf-8"><title>${esc(subject)}</title></head>
<body style="margin:0;padding:24px;font-family:'Source Sans 3',Arial,sans-serif;color:#1d1d1b;line-height:1.5">
<p style="margin:0;color:#0b5394;font-weight:600;text-transform:uppercase;letter-spacing:.06em;font-size:13px">${esc(mail.from.name[a.lang])} · ${esc(s.title)} ${a.year}</p>
<h1 style="font-size:24px;line-height:1.2;margin:8px 0 16px">${esc(s.headline)}</h1>
${a.synthetic ? `<p style="background:#fff4d6;border-left:4px solid #c98c00;padding:8px 12px;font-size:14px">${esc(t.synthetic)}</p>` : ""}
<p>${esc(t.intro)}</p>
<ul>${s.keyFigures.map((k) => `<li>${esc(k.label)}: <strong>${esc(k.words)}</strong></li>`).join("")}</ul>
${a.chartPng ? `<p><img src="cid:headline-chart" alt="${esc(t.chart)}" width="600" style="max-width:100%;height:auto"></p>` : ""}
${web ? `<p><a href="${esc(web)}" style="color:#0b5394">${esc(t.web)}</a></p>` : ""}
<p>${esc(pdfLine)}</p>
<p style="font-size:12px;color:#5b5b58;border-top:1px solid #ddd;padding-top:8px">${esc(t.unsubscribe)}${opts.unsubscribeUrl ? ` <a href="${esc(opts.unsubscribeUrl)}" style="color:#5b5b58">${esc(t.unsubscribeLink)}</a>` : ""}</p>
</body></html>`;
  const headers: Record<string, string> = {};
  // the one-click link first (RFC 8058: the POST goes to the https: URL), the mailto: as a fallback
  const targets = [
    ...(opts.unsubscribeUrl ? [opts.unsubscribeUrl] : []),
    ...(mail.listUnsubscribe ? [mail.listUnsubscribe.replaceAll("{address}", encodeURIComponent(r.address))] : []),
  ];
  if (targets.length) headers["List-Unsubscribe"] = targets.map((u) => `<${u}>`).join(", ");
  if (opts.unsubscribeUrl) headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
  return {
    messageId,
    recipient: r,
    mail: {
      from: { name: mail.from.name[a.lang], address: mail.from.address },
      to: r.name ? { name: r.name, address: r.address } : r.address,
      ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
      subject,
      text,
      html,
      messageId,
      headers: { ...headers, "Content-Language": a.lang },
      attachments: [
        ...(attachPdf
          ? [
              {
                filename: `${s.title.toLowerCase().replace(/\s+/g, "-")}-${a.year}-${a.lang}.pdf`,
                content: view(a.pdf),
                contentType: "application/pdf",
              },
            ]
          : []),
        ...(a.chartPng
          ? [
              {
                filename: "headline.png",
                content: view(a.chartPng),
                contentType: "image/png",
                cid: "headline-chart",
                contentDisposition: "inline" as const,
              },
            ]
          : []),
      ],
    },
  };
}
