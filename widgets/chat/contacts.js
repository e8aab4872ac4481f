// The emergency contacts: shown whenever nobody can answer, so they must always render, from
// the live availability, the loader's copy or the page's own, in that order.
import { config, el, state, t } from "./state.js";
import { closedLabel, openState, zoneNote } from "./clock.js";

function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch (e) {
    return null;
  }
}

function contactItem(contact, now, note) {
  const reach = openState(contact.open, now);
  const closed = reach && !reach.open;
  const item = el("li", "contact" + (contact.urgent ? " contact-urgent" : "") +
    (closed ? " contact-closed" : ""));
  const name = el("p", "contact-name", contact.name);
  if (contact.urgent) name.appendChild(el("span", "tag", t("contacts.urgent")));
  item.appendChild(name);
  if (closed) {
    item.appendChild(el("p", "contact-state",
      closedLabel(reach, now) + (note ? " (" + note + ")" : "")));
  } else if (reach && contact.open && !contact.open.always) {
    item.appendChild(el("p", "contact-state contact-open", t("contacts.open_now")));
  }
  if (contact.description) item.appendChild(el("p", "contact-text", contact.description));
  if (contact.hours) item.appendChild(el("p", "contact-hours", contact.hours));
  if (contact.text) item.appendChild(el("p", "contact-text", contact.text));
  const actions = el("p", "contact-actions");
  const phone = contact.phone ? String(contact.phone).replace(/[^0-9+]/g, "") : "";
  if (phone) {
    const call = el("a", "call", t("contacts.call", { phone: contact.phone }));
    call.href = "tel:" + phone;
    actions.appendChild(call);
  }
  const url = contact.url ? safeUrl(contact.url) : null;
  if (url) {
    const link = el("a", "website", t("contacts.website"));
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.setAttribute("aria-label", t("contacts.website_of", { name: contact.name }));
    actions.appendChild(link);
  }
  if (actions.childNodes.length) item.appendChild(actions);
  return item;
}

export function currentContacts() {
  const live = state.availability && state.availability.contacts;
  if (live && live.length) return live;
  return state.loaderContacts && state.loaderContacts.length ? state.loaderContacts : config.contacts;
}

// Open ones before closed ones, within each acute danger first, otherwise in the configured
// order. Called again every minute, so a helpline that opens or closes moves by itself.
export function renderContacts(contacts) {
  const now = new Date();
  const given = contacts && contacts.length ? contacts : currentContacts();
  const rank = (c) => {
    const reach = openState(c.open, now);
    return (reach && !reach.open ? 2 : 0) + (c.urgent ? 0 : 1);
  };
  const list = given.map((c, i) => ({ c, i, r: rank(c) }))
    .sort((a, b) => (a.r - b.r) || (a.i - b.i)).map((x) => x.c);
  const note = zoneNote(now);
  document.querySelectorAll("[data-contacts]").forEach((ul) => {
    const shown = ul.dataset.contacts === "urgent" ? list.filter((c) => c.urgent) : list;
    ul.replaceChildren(...shown.map((c) => contactItem(c, now, note)));
  });
}
