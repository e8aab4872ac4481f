// Small DOM helpers. Text always goes in through textContent, never as HTML.

// el("li", {className: "x", text: "hi", attrs: {role: "option"}, on: {click: fn}}, child...)
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.hidden) node.hidden = true;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  for (const [name, value] of Object.entries(props.dataset ?? {})) node.dataset[name] = value;
  for (const [event, handler] of Object.entries(props.on ?? {})) node.addEventListener(event, handler);
  for (const child of children) if (child) node.append(child);
  return node;
}

// A fresh copy of a <template id="..."> element's first element.
export function clone(templateId) {
  return document.getElementById(templateId).content.firstElementChild.cloneNode(true);
}

export function slot(root, name) {
  return root.querySelector(`[data-slot="${name}"]`);
}

export function toast(text, kind = "info", ms = 6000) {
  const box = document.getElementById("toasts");
  const item = el("p", { className: `toast toast-${kind}`, text });
  box.append(item);
  setTimeout(() => item.remove(), ms);
}

// Random printable ids for client_id; crypto.getRandomValues works outside secure contexts too.
export function randomId(prefix = "c") {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return prefix + "-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
