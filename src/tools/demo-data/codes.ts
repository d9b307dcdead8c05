/**
 * The code lists of the demonstration data: real codes and names (Statbel REFNIS 2019, the mergers of 1 January 2025,
 * ISO 3166 nationalities), read from ../shared/reference, and the code-list tables written from them.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { csvCell, fail } from "./random.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const refDir = resolve(root, "../shared/reference/statbel-refnis2019-pop2020-bmesuere");

export type Group = "BE" | "EU27" | "non-EU";
export const EU27 = "AT BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split(" ");
export const NON_EU = (
  "GB NO CH IS LI AL BA ME MK RS XK MD UA BY RU GE AM AZ TR KZ UZ KG TJ TM MN CN JP KR KP TW HK VN TH MY SG " +
  "ID PH MM KH LA BD IN PK NP LK AF IR IQ SY LB JO IL PS SA AE KW QA YE OM EG LY TN DZ MA MR SN ML GN GM SL " +
  "LR CI GH TG BJ BF NE NG CM TD CF GA CG CD AO RW BI UG KE TZ ET ER SO SD SS DJ MG MU ZA ZW ZM MW MZ NA BW " +
  "US CA MX GT HN SV NI CR PA CU DO HT JM TT CO VE EC PE BO CL AR UY PY BR SR GY AU NZ XX ZZ"
).split(" ");
// Nationality adjectives used in running text ("people with Romanian nationality").
export const ADJ: Record<string, [string, string]> = {
  BE: ["Belgian", "Belgische"],
  RO: ["Romanian", "Roemeense"],
  NL: ["Dutch", "Nederlandse"],
  UA: ["Ukrainian", "Oekraïense"],
  PL: ["Polish", "Poolse"],
  MA: ["Moroccan", "Marokkaanse"],
  IN: ["Indian", "Indiase"],
  BG: ["Bulgarian", "Bulgaarse"],
  FR: ["French", "Franse"],
  TR: ["Turkish", "Turkse"],
  ES: ["Spanish", "Spaanse"],
  IT: ["Italian", "Italiaanse"],
  DE: ["German", "Duitse"],
  PT: ["Portuguese", "Portugese"],
  SY: ["Syrian", "Syrische"],
  AF: ["Afghan", "Afghaanse"],
  GB: ["British", "Britse"],
  US: ["American", "Amerikaanse"],
  BR: ["Brazilian", "Braziliaanse"],
  CN: ["Chinese", "Chinese"],
  HU: ["Hungarian", "Hongaarse"],
  GR: ["Greek", "Griekse"],
  SK: ["Slovak", "Slowaakse"],
  CZ: ["Czech", "Tsjechische"],
  LT: ["Lithuanian", "Litouwse"],
  LV: ["Latvian", "Letse"],
  IE: ["Irish", "Ierse"],
  AT: ["Austrian", "Oostenrijkse"],
  HR: ["Croatian", "Kroatische"],
  SI: ["Slovenian", "Sloveense"],
  SE: ["Swedish", "Zweedse"],
  DK: ["Danish", "Deense"],
  FI: ["Finnish", "Finse"],
  EE: ["Estonian", "Estse"],
  LU: ["Luxembourgish", "Luxemburgse"],
  MT: ["Maltese", "Maltese"],
  CY: ["Cypriot", "Cypriotische"],
  RU: ["Russian", "Russische"],
  ER: ["Eritrean", "Eritrese"],
  PK: ["Pakistani", "Pakistaanse"],
  CM: ["Cameroonian", "Kameroense"],
  CD: ["Congolese", "Congolese"],
  IQ: ["Iraqi", "Iraakse"],
  IR: ["Iranian", "Iraanse"],
  PS: ["Palestinian", "Palestijnse"],
  PH: ["Filipino", "Filipijnse"],
  JP: ["Japanese", "Japanse"],
  KR: ["South Korean", "Zuid-Koreaanse"],
  NG: ["Nigerian", "Nigeriaanse"],
  GH: ["Ghanaian", "Ghanese"],
  SO: ["Somali", "Somalische"],
  ET: ["Ethiopian", "Ethiopische"],
  TN: ["Tunisian", "Tunesische"],
  DZ: ["Algerian", "Algerijnse"],
  EG: ["Egyptian", "Egyptische"],
  AL: ["Albanian", "Albanese"],
  RS: ["Serbian", "Servische"],
  MK: ["North Macedonian", "Noord-Macedonische"],
  XK: ["Kosovar", "Kosovaarse"],
  GE: ["Georgian", "Georgische"],
  AM: ["Armenian", "Armeense"],
  NP: ["Nepali", "Nepalese"],
  VN: ["Vietnamese", "Vietnamese"],
  TH: ["Thai", "Thaise"],
  CA: ["Canadian", "Canadese"],
  MX: ["Mexican", "Mexicaanse"],
  CO: ["Colombian", "Colombiaanse"],
  VE: ["Venezuelan", "Venezolaanse"],
  AR: ["Argentinian", "Argentijnse"],
  ZA: ["South African", "Zuid-Afrikaanse"],
  AU: ["Australian", "Australische"],
  NO: ["Norwegian", "Noorse"],
  CH: ["Swiss", "Zwitserse"],
  ID: ["Indonesian", "Indonesische"],
  BD: ["Bangladeshi", "Bengaalse"],
  LK: ["Sri Lankan", "Sri Lankaanse"],
  GN: ["Guinean", "Guinese"],
  SN: ["Senegalese", "Senegalese"],
  MD: ["Moldovan", "Moldavische"],
  BY: ["Belarusian", "Belarussische"],
  KE: ["Kenyan", "Keniaanse"],
  PE: ["Peruvian", "Peruaanse"],
  EC: ["Ecuadorian", "Ecuadoraanse"],
};
export const nameEn = new Intl.DisplayNames(["en"], { type: "region" });
export const nameNl = new Intl.DisplayNames(["nl"], { type: "region" });
export const nationalities = [
  { code: "BE", group: "BE" as Group },
  ...EU27.map((code) => ({ code, group: "EU27" as Group })),
  ...NON_EU.map((code) => ({ code, group: "non-EU" as Group })),
].map((n) => {
  const special: Record<string, [string, string]> = { XX: ["Stateless", "Staatloos"], ZZ: ["Unknown", "Onbekend"] };
  const [en, nl] = special[n.code] ?? [nameEn.of(n.code) ?? n.code, nameNl.of(n.code) ?? n.code];
  const adj = ADJ[n.code] ?? ["", ""];
  return { ...n, name_en: en, name_nl: nl, adjective_en: adj[0], adjective_nl: adj[1] };
});

// ---------------------------------------------------------------- municipalities (real codes, names, 2020 base)
function readRef(file: string): string[][] {
  let text: string;
  try {
    text = readFileSync(join(refDir, file), "utf8").replace(/^\uFEFF/, "");
  } catch {
    fail(`cannot read ${join(refDir, file)}: the generator needs ../shared/reference (Statbel REFNIS 2019)`);
  }
  return text
    .split(/\r?\n/)
    .filter(Boolean)
    .map((l) => l.split(file.endsWith("REFNIS_2019.csv") ? ";" : ","));
}
const isFlemish = (nis: string) => /^(1|23|24|3|4|7)/.test(nis) && !nis.endsWith("000");
const provinceOf = (nis: string) =>
  ({ "1": "10000", "2": "20001", "3": "30000", "4": "40000", "7": "70000" })[nis[0] as "1"];
const refnis = readRef("REFNIS_2019.csv").slice(1);
export const areaName = new Map(refnis.map((r) => [r[3] as string, r[4] as string]));
const pop2020 = new Map(readRef("bevolking_per_gemeente_2020.csv").map((r) => [r[0] as string, Number(r[4])]));
// The mergers of 1 January 2025 (Statbel; the 27 codes that change, e.g. 23024 Gooik → 23106 Pajottegem)
export const crosswalkRef = readRef("../statbel-municipalities-pic/nis_crosswalk_2019_2024_to_2025.csv")
  .slice(1)
  .filter((r) => r[4] === "02000" && r[5] === "1")
  .map((r) => ({ old: r[0]!, oldName: r[1]!, neu: r[2]!, name: r[3]! }));
if (crosswalkRef.length !== 27) fail(`expected 27 changed codes, got ${crosswalkRef.length}`);
export const mergedInto = new Map(crosswalkRef.map((c) => [c.old, c.neu]));
export const munis = refnis
  .filter((r) => isFlemish(r[3] as string))
  .map((r) => {
    const nis = r[3] as string;
    const p = pop2020.get(nis);
    if (!p) fail(`no 2020 population for ${nis}`);
    return {
      nis,
      name: r[4] as string,
      arrondissement: `${nis.slice(0, 2)}000`,
      province: provinceOf(nis) as string,
      pop2020: p,
    };
  })
  .sort((a, b) => a.nis.localeCompare(b.nis));
if (munis.length !== 300) fail(`expected 300 Flemish municipalities, got ${munis.length}`);
// the codes the mergers created (Antwerpen keeps its code and grows)
export const newMunis = [...new Map(crosswalkRef.map((c) => [c.neu, c.name]))]
  .filter(([nis]) => !munis.some((m) => m.nis === nis))
  .map(([nis, name]) => ({ nis, name, arrondissement: `${nis.slice(0, 2)}000`, province: provinceOf(nis) as string }));
if (munis.length - mergedInto.size + newMunis.length !== 285)
  fail("the 2025 geography does not have 285 municipalities");
const byName = new Map(munis.map((m) => [m.name, m]));
export const must = (name: string) => byName.get(name) ?? fail(`municipality ${name} not found`);

// ---------------------------------------------------------------- the code-list tables
const titleCase = (s: string) => s.replace(/^Provincie /, "").replace(/^Arrondissement /, "");

/** codes/municipalities.csv: the 300 municipalities of 2019–2024 and the 12 codes the mergers of 2025 created. */
export const municipalitiesCsv = () =>
  `${[
    "nis,name_nl,arrondissement,province,region,valid_from,valid_to",
    ...[
      ...munis.map((m) => [
        m.nis,
        m.name,
        m.arrondissement,
        m.province,
        "02000",
        "",
        mergedInto.has(m.nis) ? "2024" : "",
      ]),
      ...newMunis.map((m) => [m.nis, m.name, m.arrondissement, m.province, "02000", "2025", ""]),
    ]
      .sort((a, b) => a[0]!.localeCompare(b[0]!))
      .map((r) => r.map(csvCell).join(",")),
  ].join("\n")}\n`;

/** codes/areas.csv: the country, the regions, the provinces and the arrondissements. */
export function areasCsv() {
  const areas = [
    ["01000", "country", "België", "Belgium"],
    ["02000", "region", "Vlaams Gewest", "Flemish Region"],
    ["03000", "region", "Waals Gewest", "Walloon Region"],
    ["04000", "region", "Brussels Hoofdstedelijk Gewest", "Brussels-Capital Region"],
    ["10000", "province", "Antwerpen", "Antwerp"],
    ["20001", "province", "Vlaams-Brabant", "Flemish Brabant"],
    ["30000", "province", "West-Vlaanderen", "West Flanders"],
    ["40000", "province", "Oost-Vlaanderen", "East Flanders"],
    ["70000", "province", "Limburg", "Limburg"],
    ...[...new Set(munis.map((m) => m.arrondissement))].sort().map((a) => {
      const nl = titleCase(areaName.get(a) ?? fail(`no name for arrondissement ${a}`));
      return [a, "arrondissement", nl, nl];
    }),
  ];
  return `${["nis,level,name_nl,name_en", ...areas.map((r) => r.map(csvCell).join(","))].join("\n")}\n`;
}

/** codes/nationalities.csv */
export const nationalitiesCsv = () =>
  `${[
    "code,group,name_nl,name_en,adjective_nl,adjective_en",
    ...nationalities.map((n) =>
      [n.code, n.group, n.name_nl, n.name_en, n.adjective_nl, n.adjective_en].map(csvCell).join(","),
    ),
  ].join("\n")}\n`;

/** codes/components.csv */
export const componentsCsv = () =>
  `direction,code,name_nl,name_en
immigration,strict,immigratie in strikte zin,immigration in the strict sense
immigration,re-registration,herinschrijving na ambtshalve schrapping,re-registration after an official deletion
immigration,from-waiting-register,overschrijving vanuit het wachtregister,transfer from the waiting register
emigration,strict,emigratie in strikte zin,emigration in the strict sense
emigration,official-deletion,ambtshalve schrapping,official deletion
emigration,to-waiting-register,overschrijving naar het wachtregister,transfer to the waiting register
`;

/** codes/crosswalk.csv: the codes that changed on 1 January 2025 */
export const crosswalkCsv = () =>
  `${["nis_old,nis_new,since", ...crosswalkRef.map((c) => `${c.old},${c.neu},2025`).sort()].join("\n")}\n`;
