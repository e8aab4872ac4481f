// The page's configuration (a JSON data block rendered by the server) and its strings.
export const config = JSON.parse(document.getElementById("console-config").textContent);

// t("queue.waiting", {time: "2:03"}) -> the text of "console.queue.waiting" in the page language.
export function t(key, params = {}) {
  const text = config.i18n[`console.${key}`] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in params ? String(params[name]) : match));
}

// The server names visitors in its default language ("Bezoeker 7K3Q"); show the code in the
// console's own language.
export function pseudonym(name) {
  const code = String(name ?? "").trim().split(" ").pop();
  return code ? t("pseudonym", { code }) : "";
}

// A colleague's name as this console shows it: "Hulpverlener 3f2a" (an account without a
// display name, as the server sends it) becomes "Counselor 3f2a" in an English console.
const UNNAMED = new RegExp("^" + config.unnamed.sent.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  .replace("\\{tag\\}", "([0-9a-f]{4})") + "$");
export function staffName(name) {
  const found = UNNAMED.exec(String(name ?? ""));
  return found ? config.unnamed.shown.replace("{tag}", found[1]) : name;
}

// 75 -> "1:15", 3725 -> "1:02:05".
export function formatDuration(totalSeconds) {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

export function formatClock(ms) {
  return new Date(ms).toLocaleTimeString(config.lang, { hour: "2-digit", minute: "2-digit" });
}

// "nl" -> "Nederlands" (in the console's language), for badges and titles.
export function langLabel(code) {
  return t(`lang.${code}`);
}

// Whole minutes, at least 1 once a minute has started to pass ("3 min").
export function minutesSince(ms, now) {
  return Math.max(0, Math.floor((now - ms) / 60000));
}
