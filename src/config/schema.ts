import { z } from "zod";
import { LANGS, SECTION_IDS } from "../core/domain.ts";

/**
 * The edition's configuration (config.yml). Raw user input is validated against this schema; every default
 * stands next to its field. Unknown keys are errors (strict objects) so a typo never passes silently.
 */
const lang = z.enum(LANGS);
const perLanguage = z.strictObject({ nl: z.string().min(1), en: z.string().min(1) });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date written YYYY-MM-DD");
const isoMonth = z.string().regex(/^\d{4}-\d{2}$/, "a month written YYYY-MM");
const notesOfLanguage = z.partialRecord(z.enum(SECTION_IDS), z.string().min(1));

export const editionSchema = z.strictObject({
  published: isoDate.describe("Publication date of this edition (YYYY-MM-DD)."),
  nextUpdate: isoMonth.describe("Month of the next edition (YYYY-MM)."),
  geography: z
    .number()
    .int()
    .min(1990)
    .max(2100)
    .optional()
    .describe(
      "The municipalities the edition uses, as in force in this year (default: the observation year); earlier years are recomputed for them through the crosswalk.",
    ),
  previous: z
    .string()
    .optional()
    .describe(
      "indicators.json of the previous edition, for the revision notes (default: <output>/<year − 1>/indicators.json).",
    ),
  notes: z
    .strictObject({
      nl: notesOfLanguage.default({}),
      en: notesOfLanguage.default({}),
      claims: z
        .partialRecord(z.enum(SECTION_IDS), z.array(z.string().min(1)))
        .default({})
        .describe(
          "Per section, the facts its notes rely on, checked against the indicators: `series.2024.immigration < series.2022.immigration`.",
        ),
    })
    .default({ nl: {}, en: {}, claims: {} })
    .describe("Editorial notes per language, keyed by section id; placed at the end of that section."),
});

/** A pragmatic address check: one @, no spaces, a dot in the domain. The SMTP server has the last word. */
export const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:".]{2,}$/;
const address = z.string().regex(EMAIL, "not an e-mail address");
export const subscriberSchema = z.strictObject({
  address,
  lang,
  name: z.string().optional(),
  area: z
    .string()
    .regex(/^\d{5}$/, "a 5-digit NIS code")
    .optional()
    .describe("The area whose edition this subscriber receives (a municipality, …); default: geography.region."),
});
export const mailSchema = z
  .strictObject({
    from: z.strictObject({ name: perLanguage, address }).describe("Sender of the mailing."),
    replyTo: address.optional(),
    webUrl: z
      .string()
      .optional()
      .describe("Link to the web edition; {lang} and {year} are replaced. Omitted: no link in the e-mail."),
    areaWebUrl: z
      .string()
      .optional()
      .describe(
        "Link to an area's web edition (a municipality's, for a subscriber who names an area); {lang}, {year} and {area} (its NIS code) are replaced. Omitted: an area's message has no link (webUrl is the region's edition).",
      ),
    listUnsubscribe: z
      .string()
      .optional()
      .describe("List-Unsubscribe target (mailto: or https: URL); {address} is replaced by the subscriber's address."),
    unsubscribe: z
      .strictObject({
        url: z
          .string()
          .regex(/^https:\/\/[^\s]*\{token\}/, "an https: URL with {token}")
          .describe(
            "One-click unsubscribe (RFC 8058): the link of each message, {token} replaced by a token signed with BULLETIN_UNSUBSCRIBE_SECRET (from the environment). Served by `bulletin unsubscribe serve` behind the office's reverse proxy.",
          ),
        list: z
          .string()
          .default("unsubscribed.txt")
          .describe("The unsubscribe list (one address per line), relative to data.dir; `send` skips its addresses."),
        validDays: z.number().int().min(1).default(400).describe("How long a message's link keeps working, in days."),
      })
      .optional(),
    dkim: z
      .strictObject({
        domain: z.string().describe("The signing domain (d=)."),
        selector: z.string().describe("The DNS selector of the public key (s=): SELECTOR._domainkey.DOMAIN."),
      })
      .optional()
      .describe(
        "Sign every message with DKIM; the private key comes from the environment: DKIM_PRIVATE_KEY (PEM) or DKIM_PRIVATE_KEY_FILE.",
      ),
    subscribers: z.array(subscriberSchema).default([]).describe("Subscribers and their language."),
    subscribersFile: z
      .string()
      .optional()
      .describe("CSV file (address,lang,name) with more subscribers, relative to data.dir."),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(20)
      .default(3)
      .describe("Messages sent at a time, over as many pooled SMTP connections."),
    ratePerSecond: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        "At most this many messages per second (the provider's limit); omitted: as fast as the server takes them.",
      ),
    attach: z
      .enum(["pdf", "link"])
      .default("pdf")
      .describe("The PDF attached to each message, or only the link to the web edition (mail.webUrl) for large lists."),
    retries: z.number().int().min(0).max(10).default(4).describe("Retries of a transient failure (connection, 4xx)."),
    retryDelayMs: z.number().int().min(0).default(1000).describe("First backoff delay; doubles at each retry."),
  })
  .describe("The e-mailing. The SMTP connection comes from the environment (SMTP_URL), never from this file.");

export const configSchema = z.strictObject({
  year: z.number().int().min(1990).max(2100).describe("Default observation year (overridden by --year)."),
  geography: z
    .strictObject({
      region: z
        .string()
        .regex(/^\d{5}$/, "a 5-digit NIS code")
        .default("02000")
        .describe("NIS code of the region the bulletin is about (Flemish Region: 02000)."),
    })
    .default({ region: "02000" }),
  languages: z
    .array(lang)
    .min(1)
    .default([...LANGS])
    .describe("Editions to build."),
  title: perLanguage.describe("Bulletin title per language."),
  publisher: perLanguage,
  source: perLanguage.describe("Source line printed under every figure and at the end."),
  synthetic: z.boolean().default(false).describe("True when data/ holds the synthetic demonstration data."),
  syntheticCalibratedUntil: z
    .number()
    .int()
    .optional()
    .describe(
      "The last year the synthetic data are calibrated to published figures; an edition of a later year says it is calibrated to none.",
    ),
  data: z
    .strictObject({
      dir: z.string().default("data"),
      flows: z.string().default("flows/flows-{year}.csv.gz").describe("Flow table per year; {year} is replaced."),
      longSeries: z.string().default("long-series.csv"),
      population: z.string().default("population.csv"),
      euComparison: z.string().default("eu-comparison.csv"),
      municipalities: z.string().default("codes/municipalities.csv"),
      provenance: z
        .string()
        .default("provenance.json")
        .describe("Where `bulletin data import` records what it imported (source, file, sha256, dates, lines)."),
      crosswalk: z
        .string()
        .default("codes/crosswalk.csv")
        .describe("Old NIS → new NIS after municipal mergers (nis_old,nis_new,since); may hold only its header."),
      nationalities: z.string().default("codes/nationalities.csv"),
      components: z.string().default("codes/components.csv"),
      areas: z.string().default("codes/areas.csv"),
      euGeo: z.string().default("codes/eu-geo.csv"),
      boundaries: z
        .union([z.string(), z.record(z.string().regex(/^\d{4}$/, "a year"), z.string())])
        .default("geo/municipalities.topo.json")
        .describe(
          'TopoJSON written by `bulletin geo import`; without it the map becomes a ranking. Several geographies: a map from the first year each file applies to (`"2019": geo/municipalities.topo.json`, `"2025": geo/municipalities-2025.topo.json`).',
        ),
    })
    .default({
      dir: "data",
      flows: "flows/flows-{year}.csv.gz",
      longSeries: "long-series.csv",
      population: "population.csv",
      euComparison: "eu-comparison.csv",
      municipalities: "codes/municipalities.csv",
      provenance: "provenance.json",
      crosswalk: "codes/crosswalk.csv",
      nationalities: "codes/nationalities.csv",
      components: "codes/components.csv",
      areas: "codes/areas.csv",
      euGeo: "codes/eu-geo.csv",
      boundaries: "geo/municipalities.topo.json",
    }),
  output: z
    .strictObject({
      dir: z.string().default("output"),
      municipalPng: z
        .boolean()
        .default(false)
        .describe(
          "PNG copies of the municipal editions' figures, beside their SVG, CSV and XLSX. Off by default: drawing and compressing them is 40 % of a municipal edition's CPU in a batch, and the SVG serves the same use.",
        ),
    })
    .default({ dir: "output", municipalPng: false }),
  municipalPeriod: z
    .strictObject({
      years: z.number().int().min(1).max(10).default(3).describe("Length of the period for municipal rates."),
    })
    .default({ years: 3 }),
  disclosure: z
    .strictObject({
      minCount: z.number().int().min(1).max(100).default(5).describe("Counts of 1 … minCount − 1 are not published."),
      rateMinPopulation: z
        .number()
        .int()
        .min(0)
        .default(1000)
        .describe("A rate below this population is not reliable."),
      rateMinEvents: z
        .number()
        .int()
        .min(0)
        .default(20)
        .describe("A rate of fewer movements than this is not reliable."),
    })
    .default({ minCount: 5, rateMinPopulation: 1000, rateMinEvents: 20 })
    .describe("Disclosure control of the municipal editions (README § Municipal editions)."),
  componentsYears: z.number().int().min(1).max(10).default(5).describe("Years shown in the components figure."),
  mail: mailSchema.optional(),
  editions: z.record(z.string().regex(/^\d{4}$/, "a year"), editionSchema).describe("Per observation year."),
});

export type Config = z.output<typeof configSchema>;
export type Edition = z.output<typeof editionSchema>;
