// Quick exit: one button, always one Tab away, and Esc three times. It forgets everything
// (storage, the server's session) and leaves for the configured neutral site.
import { $, announce, config, embedded, postToParent, state, storage, t } from "./state.js";
import { forgetAndLeave } from "./transport.js";

const TABBABLE = "a[href], button, input, select, textarea, [tabindex='0']";
let hintAnnounced = false;

export function quickExit() {
  if (state.exiting) return;
  state.exiting = true;
  document.body.classList.add("exiting");
  storage.clear();
  forgetAndLeave(() => {
    storage.clear();
    if (embedded) postToParent({ type: "helpchat:quick_exit" });
    else window.location.replace(config.quick_exit_url);
  });
}

function tabbables() {
  return Array.from(document.querySelectorAll(TABBABLE)).filter((node) =>
    !node.disabled && node.getClientRects().length > 0 &&
    !(node.type === "radio" && !node.checked && radioGroupHasChecked(node)));
}

function radioGroupHasChecked(radio) {
  return Boolean(document.querySelector(`input[type=radio][name="${radio.name}"]:checked`));
}

// Focus lands on a view's heading (or nowhere) when the panel opens or the view changes; the
// first Tab from there, and the Tab after the panel's last control, go to "Snel weg", so it is
// never more than one key away and Tab never leaves the panel for the host page.
function onTab(event) {
  if (event.key !== "Tab" || event.altKey || event.ctrlKey || event.metaKey) return;
  const exit = $("quick-exit");
  const active = document.activeElement;
  const list = tabbables();
  const landing = !active || active === document.body || active.getAttribute("tabindex") === "-1";
  let target = null;
  if (!event.shiftKey && (landing || active === list[list.length - 1])) target = exit;
  else if (event.shiftKey && active === exit) target = list[list.length - 1];
  if (!target || target === active) return;
  event.preventDefault();
  target.focus();
}

function onEscape(event) {
  if (event.key !== "Escape") return;
  const now = Date.now();
  state.escapes = state.escapes.filter((at) => now - at < 1500);
  state.escapes.push(now);
  if (state.escapes.length >= 3) quickExit();
}

// Said once when the panel first opens, for people who cannot see where the button is.
export function announceQuickExit() {
  if (hintAnnounced) return;
  hintAnnounced = true;
  announce(t("quick_exit_tab"));
}

export function setUpQuickExit() {
  $("quick-exit").addEventListener("click", quickExit);
  document.addEventListener("keydown", onEscape);
  document.addEventListener("keydown", onTab);
}
