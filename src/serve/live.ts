/*
 * What the preview adds to a page, and only in the preview (a published edition never carries it): a small script
 * that listens to the server's events and updates the page after a rebuild (keeping the scroll position), and an
 * overlay with the problems of a failed rebuild, over the last good page.
 */

/** The path of the server-sent events stream. */
export const EVENTS_PATH = "/__preview/events";

const SCRIPT = `<script id="bulletin-preview">
(() => {
  const key = "bulletin-preview-scroll:" + location.pathname;
  const y = sessionStorage.getItem(key);
  if (y !== null) { sessionStorage.removeItem(key); addEventListener("load", () => scrollTo(0, Number(y))); scrollTo(0, Number(y)); }
  const source = new EventSource(${JSON.stringify(EVENTS_PATH)});
  const reload = () => { sessionStorage.setItem(key, String(scrollY)); location.reload(); };
  // the new page's body replaces the old one in place (the fonts and styles in the head stay loaded, the scroll
  // position stays); a change of the head (a style sheet) reloads the whole page
  // events are numbered: a failed rebuild announced while the page of an earlier one was being fetched keeps its
  // overlay when that page arrives
  let events = 0;
  let problems = null;
  const overlay = (html) => {
    let o = document.getElementById("bulletin-preview-overlay");
    if (!o) { o = document.createElement("div"); o.id = "bulletin-preview-overlay"; document.body.appendChild(o); }
    o.innerHTML = html;
  };
  source.addEventListener("reload", async () => {
    const at = ++events;
    try {
      const res = await fetch(location.href, { cache: "no-store" });
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      if (!res.ok || doc.head.innerHTML !== document.head.innerHTML) return reload();
      const y = scrollY;
      document.body.replaceWith(document.adoptNode(doc.body));
      if (problems && problems.at > at) overlay(problems.html);
      scrollTo(0, y);
    } catch { reload(); }
  });
  source.addEventListener("problems", (e) => {
    problems = { at: ++events, html: JSON.parse(e.data).html };
    overlay(problems.html);
  });
})();
</script>`;

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The overlay's inner HTML: the problems as `check` prints them. */
export function overlayHtml(text: string): string {
  return `<div role="alert" style="position:fixed;inset:0 0 auto 0;max-height:70vh;overflow:auto;z-index:2147483647;background:#fff4f2;color:#5c1010;border-bottom:4px solid #b3261e;padding:16px 20px;font:14px/1.45 ui-monospace,monospace;box-shadow:0 4px 16px rgba(0,0,0,.25)"><strong style="font:600 16px system-ui,sans-serif">The preview could not be rebuilt</strong> <span style="font:14px system-ui,sans-serif">(the page below is the last good one; it updates when the problem is fixed)</span><pre style="white-space:pre-wrap;margin:10px 0 0">${escapeHtml(text)}</pre></div>`;
}

/** The page as the preview serves it: the live script, and the overlay when the last rebuild failed. */
export function livePage(html: string, problems: string | undefined): string {
  const overlay = problems ? `<div id="bulletin-preview-overlay">${overlayHtml(problems)}</div>` : "";
  const extra = `${overlay}${SCRIPT}`;
  return html.includes("</body>") ? html.replace("</body>", `${extra}</body>`) : html + extra;
}

/** The preview's list of the editions it holds; `missing`: the path of a request that named none (a 404). */
export function indexPage(
  editions: { year: number; area: string; base: string }[],
  langs: string[],
  missing?: string,
): string {
  const lead = missing
    ? `<p>No edition at <code>${escapeHtml(missing)}</code>: no such year, area or language.</p>`
    : "";
  const items = editions
    .map((t) => `<li>${t.year}, ${t.area}: ${langs.map((l) => `<a href="${t.base}${l}/">${l}</a>`).join(" · ")}</li>`)
    .join("");
  return livePage(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Preview</title></head><body><h1>Preview</h1>${lead}<p>Editions in memory (any other: <code>/YEAR/LANG/</code>, <code>/YEAR/areas/NIS/LANG/</code>):</p><ul>${items}</ul></body></html>`,
    undefined,
  );
}
