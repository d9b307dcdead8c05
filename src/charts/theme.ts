import { FONT_FAMILY } from "../core/fonts.ts";

/** One colour-blind-safe palette (Okabe–Ito) for every figure, and the diverging classes of the map. */
export const PALETTE = {
  blue: "#0072B2",
  orange: "#E69F00",
  green: "#009E73",
  vermillion: "#D55E00",
  sky: "#56B4E9",
  purple: "#CC79A7",
  grey: "#8c8c8c",
  light: "#d9d9d9",
};
/** negative, zero, then four positive classes from light to dark blue */
export const MAP_COLOURS = ["#D55E00", "#bdbdbd", "#deebf7", "#9ecae1", "#4292c6", "#08519c"];

export const VEGA_CONFIG = {
  // no ARIA attributes on every mark: each figure is one image with its description (role="img", aria-label, the
  // description paragraph and the data table); per-mark labels made the SVG twice as large and the PDF slower
  aria: false,
  // quoted: vega writes the canvas font shorthand unquoted, and a family ending in a number ("Source Sans 3") is
  // not valid there, so text would be measured and drawn in the fallback font
  font: `"${FONT_FAMILY}"`,
  background: "white",
  padding: 8,
  view: { stroke: null },
  axis: {
    labelFontSize: 12,
    titleFontSize: 12,
    titleFontWeight: 600,
    labelColor: "#333",
    titleColor: "#333",
    gridColor: "#e6e6e6",
    domainColor: "#999",
    tickColor: "#999",
  },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 600, orient: "top", direction: "horizontal" },
  header: { labelFontSize: 13, labelFontWeight: 600, titleFontSize: 13 },
  title: { fontSize: 14, fontWeight: 600, anchor: "start" },
  text: { fontSize: 11 },
};

/** d3-time-format locales, for dates on axes and in tooltips (and in the downloaded specs). */
export const TIME_LOCALES = {
  nl: {
    dateTime: "%a %e %B %Y %X",
    date: "%d-%m-%Y",
    time: "%H:%M:%S",
    periods: ["AM", "PM"],
    days: ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
    shortDays: ["zo", "ma", "di", "wo", "do", "vr", "za"],
    months: [
      "januari",
      "februari",
      "maart",
      "april",
      "mei",
      "juni",
      "juli",
      "augustus",
      "september",
      "oktober",
      "november",
      "december",
    ],
    shortMonths: ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
  },
  en: {
    dateTime: "%a %e %b %X %Y",
    date: "%d/%m/%Y",
    time: "%H:%M:%S",
    periods: ["AM", "PM"],
    days: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
    shortDays: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
    months: [
      "January",
      "February",
      "March",
      "April",
      "May",
      "June",
      "July",
      "August",
      "September",
      "October",
      "November",
      "December",
    ],
    shortMonths: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
  },
};

/** d3-format number locales: the charts write numbers exactly as the text does (nl 60.000 and 0,3). */
export const NUMBER_LOCALES = {
  nl: { decimal: ",", thousands: ".", grouping: [3], currency: ["€ ", ""], minus: "\u2212" },
  en: { decimal: ".", thousands: ",", grouping: [3], currency: ["€", ""], minus: "\u2212" },
};
