// Times as the roster means them: every day, hour and "today" in the roster's time zone
// (config.time_zone), whatever zone the phone's clock is on, and labelled when the two differ.
import { config, lang, t } from "./state.js";

const LOCALE = lang === "en" ? "en-GB" : "nl-NL";
const zone = validZone(config.time_zone);
const parts = new Intl.DateTimeFormat("en-GB", {
  timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", weekday: "short",
  hour: "2-digit", minute: "2-digit", hourCycle: "h23"
});
const timeFormat = new Intl.DateTimeFormat(LOCALE, { timeZone: zone, hour: "2-digit", minute: "2-digit" });
const dateFormat = new Intl.DateTimeFormat(LOCALE, { timeZone: zone, weekday: "long", day: "numeric", month: "long" });
const weekdayFormat = new Intl.DateTimeFormat(LOCALE, { timeZone: zone, weekday: "long" });
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function validZone(name) {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: name });
    return name;
  } catch (e) {
    return undefined; // unknown to this browser: its own zone, better than nothing
  }
}

// {day: "YYYY-MM-DD", minutes: minutes since midnight, weekday: Monday = 0} in the roster zone.
export function zoned(date) {
  const p = {};
  parts.formatToParts(date).forEach((part) => { p[part.type] = part.value; });
  return {
    day: `${p.year}-${p.month}-${p.day}`,
    minutes: Number(p.hour) * 60 + Number(p.minute),
    weekday: WEEKDAYS.indexOf(p.weekday)
  };
}

export function formatTime(date) {
  return timeFormat.format(date);
}

function addDays(isoDay, n) {
  const d = new Date(isoDay + "T12:00:00Z");
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// "vandaag", "morgen", or "dinsdag 2 december" for a roster-zone day "YYYY-MM-DD".
export function dayLabel(isoDay, now = new Date()) {
  const today = zoned(now).day;
  if (isoDay === today) return t("day.today");
  if (isoDay === addDays(today, 1)) return t("day.tomorrow");
  const noon = new Date(isoDay + "T12:00:00Z");
  return isNaN(noon.getTime()) ? isoDay : dateFormat.format(noon);
}

export function dayOf(date) {
  return zoned(date).day;
}

// The roster zone's name ("Midden-Europese standaardtijd") when the phone is on another zone,
// else null: times then need no label.
export function zoneNote(now = new Date()) {
  const own = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || own === zone || sameOffset(now)) return null;
  const named = new Intl.DateTimeFormat(LOCALE, { timeZone: zone, timeZoneName: "long" })
    .formatToParts(now).find((part) => part.type === "timeZoneName");
  return named ? named.value : zone;
}

function sameOffset(now) {
  // Two names for one clock (Europe/Amsterdam and Europe/Brussels) need no label.
  const there = zoned(now);
  const here = new Date(now.getTime());
  const local = here.getHours() * 60 + here.getMinutes();
  const localDay = `${here.getFullYear()}-${String(here.getMonth() + 1).padStart(2, "0")}-` +
    String(here.getDate()).padStart(2, "0");
  return there.minutes === local && there.day === localDay;
}

function toMinutes(hhmm) {
  const [h, m] = String(hhmm).split(":").map(Number);
  return h * 60 + m;
}

// Whether a contact with structured hours (Contact.open) is open now, and if not, when it
// opens: {open: true} | {open: false, inDays: 0|1|..., at: "HH:MM"} | null (hours unknown).
export function openState(open, now = new Date()) {
  if (!open) return null;
  if (open.always) return { open: true };
  const days = open.days || [];
  const from = toMinutes(open.from), to = toMinutes(open.to);
  const here = zoned(now);
  const overnight = to <= from;
  const today = days.includes(here.weekday);
  const yesterday = days.includes((here.weekday + 6) % 7);
  if ((today && here.minutes >= from && (overnight || here.minutes < to)) ||
      (overnight && yesterday && here.minutes < to)) {
    return { open: true };
  }
  for (let n = 0; n < 8; n += 1) {
    if (days.includes((here.weekday + n) % 7) && (n > 0 || here.minutes < from)) {
      return { open: false, inDays: n, at: open.from };
    }
  }
  return null;
}

// "nu gesloten, open om 11:00" / "... open morgen om 11:00" / "... open zaterdag om 11:00".
export function closedLabel(state, now = new Date()) {
  if (state.inDays === 0) return t("contacts.closed_today", { time: state.at });
  if (state.inDays === 1) return t("contacts.closed_tomorrow", { time: state.at });
  const later = new Date(now.getTime() + state.inDays * 86400000);
  return t("contacts.closed_later", { day: weekdayFormat.format(later), time: state.at });
}
