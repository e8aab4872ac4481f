/* helpchat loader. A site embeds it with one line:
 *   <script src="https://chat.example.org/widget.js" data-lang="nl" async></script>
 * Optional: data-position="left", data-color="#1f5fa8", data-title="Chat met ons".
 *
 * It adds a launcher button in a shadow root and, on click, an iframe of the chat page on the
 * chat server's origin: the host page cannot read the chat, the chat cannot touch the host page.
 * Loader and iframe talk only through postMessage with exact origin checks.
 */
(function () {
  "use strict";

  // The server replaces this with its configuration, including fallback emergency contacts
  // so they can be shown even when the chat server is unreachable later.
  var SERVER = /*@config*/ {
    origin: "", default_lang: "nl", color: "#1f5fa8", quick_exit_url: "about:blank",
    time_zone: "Europe/Amsterdam", i18n: {}, contacts: {}
  } /*@end*/;

  var TAG = "helpchat-widget";
  // In the host page's sessionStorage (this tab only) while a chat is queued or running, so a
  // reload opens the panel again. It holds "1", nothing about the chat; quick exit removes it.
  var ACTIVE_KEY = "helpchat.active";
  if (window.__helpchatLoader || document.querySelector(TAG)) return; // included twice: one launcher
  window.__helpchatLoader = true;

  var script = document.currentScript || {};
  var data = script.dataset || {};
  var origin = originOf(script.src) || SERVER.origin;
  var lang = pickLanguage(data.lang || document.documentElement.lang);
  var strings = SERVER.i18n[lang] || {};
  var color = /^#[0-9a-f]{6}$/i.test(data.color || "") ? data.color : SERVER.color;
  var title = data.title || strings.title || "Chat";
  var READY_WAIT_MS = 8000;

  var shadow, launcher, badge, panel, frame, fallback, readyTimer;
  var ready = false;
  var escapes = [];

  function originOf(url) {
    try { return url ? new URL(url, location.href).origin : null; } catch (e) { return null; }
  }

  function pickLanguage(value) {
    var short = String(value || "").slice(0, 2).toLowerCase();
    return SERVER.i18n[short] ? short : SERVER.default_lang;
  }

  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function luminance(hex) {
    var c = [1, 3, 5].map(function (i) {
      var v = parseInt(hex.substr(i, 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function css() {
    // White text unless the color is too light for it (WCAG contrast 4.5:1).
    var onColor = 1.05 / (luminance(color) + 0.05) >= 4.6 ? "#fff" : "#111";
    var side = data.position === "left" ? "left" : "right";
    return ":host{all:initial}" +
      "*{box-sizing:border-box}" +
      "[hidden]{display:none!important}" +
      ".launcher{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;display:flex;" +
      "align-items:center;gap:8px;min-height:52px;padding:12px 20px;border:0;border-radius:999px;" +
      "font:600 16px/1.2 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;cursor:pointer;" +
      "background:" + color + ";color:" + onColor + ";box-shadow:0 4px 14px rgba(0,0,0,.3)}" +
      ".launcher:focus-visible,button:focus-visible{outline:3px solid #111;outline-offset:2px;" +
      "box-shadow:0 0 0 6px #fff}" +
      // One line on a phone too: a long title is cut short (its whole text stays the name).
      ".launcher{max-width:calc(100vw - 40px)}.label{min-width:0;white-space:nowrap;overflow:hidden;" +
      "text-overflow:ellipsis}.launcher svg{flex:none;width:22px;height:22px;fill:currentColor}" +
      ".badge{width:12px;height:12px;border-radius:50%;background:#c4161c;border:2px solid #fff}" +
      ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}" +
      ".panel{position:fixed;bottom:88px;" + side + ":20px;z-index:2147483001;width:400px;" +
      "height:min(var(--hc-height,640px),calc(100vh - 110px));max-width:calc(100vw - 40px);" +
      "background:#fff;border-radius:12px;overflow:hidden;box-shadow:0 8px 32px rgba(0,0,0,.35)}" +
      "iframe{display:block;width:100%;height:100%;border:0}" +
      "@media (max-width:520px),(max-height:560px){.panel{top:var(--hc-top,0);left:0;right:0;" +
      "bottom:auto;width:100%;height:var(--hc-visible,100%);max-width:none;border-radius:0}}" +
      ".fallback{height:100%;overflow:auto;color:#1a1a1a;" +
      "font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}" +
      // Sticky: "Snel weg" stays in sight while the list scrolls.
      ".bar{position:sticky;top:0;display:flex;align-items:center;gap:8px;" +
      "padding:8px 12px 8px 16px;background:" + color +
      ";color:" + onColor + "}" +
      // One row at any width: a long title is cut short, never the buttons pushed down.
      ".bar h2{flex:1;min-width:0;margin:0;font-size:18px;white-space:nowrap;overflow:hidden;" +
      "text-overflow:ellipsis}.exit,.x{flex:none;white-space:nowrap}" +
      ".exit{min-height:40px;padding:6px 14px;border:2px solid #fff;border-radius:999px;background:#fff;" +
      "color:#a8201a;font-weight:700;font-size:15px;line-height:1.2;font-family:inherit;cursor:pointer}" +
      ".x{width:40px;height:40px;border:0;border-radius:8px;background:none;color:inherit;" +
      "font-size:28px;line-height:1;cursor:pointer}" +
      ".body{padding:16px}.body h3{margin:16px 0 8px;font-size:16px}.body p{margin:0 0 8px}" +
      ".body .lead{font-weight:700;font-size:17px}.body li p{margin:2px 0}" +
      "ul{display:grid;gap:8px;margin:0;padding:0;list-style:none}" +
      "li{padding:10px 12px;border:1px solid #c8c8c8;border-radius:8px}" +
      "li.urgent{border:2px solid #a8201a;background:#fdecea}" +
      "li p{margin:2px 0}.name{font-weight:700}.shut{color:#a8201a;font-weight:700}" +
      "a{color:#1f4f8a;font-weight:600}" +
      "a.call{display:inline-block;margin:6px 12px 0 0;padding:8px 14px;border-radius:8px;" +
      "background:#176b2c;color:#fff;text-decoration:none}" +
      "li.urgent a.call{background:#a8201a}";
  }

  function build() {
    var host = document.createElement(TAG);
    shadow = host.attachShadow({ mode: "open" });
    // A constructed stylesheet is not subject to the host page's CSP (style-src); a <style>
    // element is the fallback for engines without one.
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css());
      shadow.adoptedStyleSheets = [sheet];
    } catch (e) {
      shadow.appendChild(h("style", { text: css() }));
    }
    badge = h("span", { "class": "badge", hidden: "" },
      [h("span", { "class": "sr", text: strings.new_message || "" })]);
    var svg = "http://www.w3.org/2000/svg";
    var icon = document.createElementNS(svg, "svg");
    var bubble = document.createElementNS(svg, "path");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    bubble.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5" +
      "a2 2 0 0 1 2-2z");
    icon.appendChild(bubble);
    launcher = h("button", {
      type: "button", "class": "launcher", "aria-expanded": "false", "aria-controls": "hc-panel"
    }, [icon, h("span", { "class": "label", text: title }), badge]);
    // The accessible name always says "chat", whatever title the site chose.
    if (!/chat/i.test(title)) launcher.setAttribute("aria-label", title + " (chat)");
    launcher.addEventListener("click", toggle);
    panel = h("div", { "class": "panel", id: "hc-panel", role: "dialog", "aria-label": title, hidden: "" });
    shadow.appendChild(launcher);
    shadow.appendChild(panel);
    document.body.appendChild(host);
    window.addEventListener("message", onMessage);
    document.addEventListener("keydown", onKeyDown);
    if (window.visualViewport) {
      window.visualViewport.addEventListener("resize", fitVisible);
      window.visualViewport.addEventListener("scroll", fitVisible);
    }
    if (chatWasRunning()) open();
  }

  // On a phone the panel fills the screen; when the on-screen keyboard opens, only the visual
  // viewport shrinks, so the panel follows it and the header and composer stay in sight.
  function fitVisible() {
    var visible = window.visualViewport;
    if (!visible || !panel) return;
    panel.style.setProperty("--hc-top", Math.round(visible.offsetTop) + "px");
    panel.style.setProperty("--hc-visible", Math.round(visible.height) + "px");
  }

  function toggle() {
    if (panel.hidden) open(); else close();
  }

  function open() {
    fitVisible();
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    badge.hidden = true;
    if (!frame && !fallback) createFrame();
    else if (fallback && frame) frame.src = frame.src; // try the server again behind the contacts
    if (ready) {
      post({ type: "helpchat:open" });
      frame.focus();
    } else if (fallback) {
      fallback.querySelector("h2").focus();
    }
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function createFrame() {
    var query = "?lang=" + lang + "&origin=" + encodeURIComponent(location.origin) +
      (data.color ? "&color=" + encodeURIComponent(color) : "") +
      (data.title ? "&title=" + encodeURIComponent(title) : "");
    frame = h("iframe", {
      src: origin + "/widget/" + query,
      title: strings.frame_title || title,
      referrerpolicy: "no-referrer"
    });
    // An error page (server down, origin not allowed) never says "ready": show the contacts.
    frame.addEventListener("load", function () {
      if (!ready) readyTimer = setTimeout(showFallback, 1500);
    });
    readyTimer = setTimeout(showFallback, READY_WAIT_MS);
    panel.appendChild(frame);
  }

  function post(message) {
    if (frame && frame.contentWindow) frame.contentWindow.postMessage(message, origin);
  }

  function onMessage(event) {
    if (!frame || event.origin !== origin || event.source !== frame.contentWindow) return;
    var msg = event.data;
    if (!msg || typeof msg.type !== "string") return;
    if (msg.type === "helpchat:ready") {
      ready = true;
      clearTimeout(readyTimer);
      if (fallback) { fallback.remove(); fallback = null; frame.hidden = false; }
      post({ type: "helpchat:init", contacts: SERVER.contacts[lang] || [] });
      if (!panel.hidden) { post({ type: "helpchat:open" }); frame.focus(); }
    } else if (msg.type === "helpchat:close") {
      close();
    } else if (msg.type === "helpchat:resize" && typeof msg.height === "number") {
      var height = Math.max(480, Math.min(640, Math.round(msg.height)));
      panel.style.setProperty("--hc-height", height + "px");
    } else if (msg.type === "helpchat:active") {
      remember(msg.active === true);
    } else if (msg.type === "helpchat:attention") {
      if (panel.hidden) badge.hidden = false;
    } else if (msg.type === "helpchat:quick_exit") {
      leave();
    }
  }

  function showFallback() {
    if (ready || fallback) return;
    if (frame) frame.hidden = true;
    var now = new Date();
    // As the chat page orders them: open before closed, within each acute danger first.
    var contacts = (SERVER.contacts[lang] || []).map(function (c, i) {
      var state = reach(c.open, now);
      return { c: c, i: i, state: state, r: (state && !state.open ? 2 : 0) + (c.urgent ? 0 : 1) };
    }).sort(function (a, b) { return (a.r - b.r) || (a.i - b.i); });
    var exit = h("button", { type: "button", "class": "exit", text: strings.quick_exit });
    exit.addEventListener("click", leave);
    var shut = h("button", { type: "button", "class": "x", "aria-label": strings.close, text: "\u00d7" });
    shut.addEventListener("click", close);
    fallback = h("div", { "class": "fallback" }, [
      h("div", { "class": "bar" }, [h("h2", { text: title, tabindex: "-1" }), exit, shut]),
      h("div", { "class": "body" }, [
        h("p", { "class": "lead", text: strings.offline_title, role: "alert" }),
        h("p", { text: strings.offline_text }),
        h("h3", { text: strings.contacts_title }),
        h("ul", {}, contacts.map(function (x) { return contactItem(x.c, x.state, now); }))
      ])
    ]);
    // Tab from the last link goes round to "Snel weg", not off to the host page.
    fallback.addEventListener("keydown", function (event) {
      var links = fallback.querySelectorAll("button,a[href]");
      var last = links[links.length - 1];
      if (event.key !== "Tab") return;
      if (!event.shiftKey && shadow.activeElement === last) { event.preventDefault(); exit.focus(); }
      else if (event.shiftKey && shadow.activeElement === exit) { event.preventDefault(); last.focus(); }
    });
    panel.appendChild(fallback);
    if (!panel.hidden) fallback.querySelector("h2").focus();
  }

  // Times in the roster's zone, whatever the phone's clock says (as the chat page's clock.js).
  function zoned(date, options, locale) {
    try {
      return new Intl.DateTimeFormat(locale || (lang === "en" ? "en-GB" : "nl-NL"), Object.assign(
        { timeZone: SERVER.time_zone }, options)).formatToParts(date);
    } catch (e) { return []; } // a zone this browser does not know: no marks, as before
  }

  // {minutes since midnight, weekday with Monday 0} in the roster's zone.
  function clock(date) {
    var p = {};
    zoned(date, { weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }, "en-GB")
      .forEach(function (x) { p[x.type] = x.value; });
    return { minutes: Number(p.hour) * 60 + Number(p.minute),
      weekday: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(p.weekday) };
  }

  function minutes(hhmm) {
    var hm = String(hhmm).split(":");
    return Number(hm[0]) * 60 + Number(hm[1]);
  }

  // Contact.open ({days: [0-6, Monday 0], from, to} or {always: true}) at `now`:
  // {open: true} | {open: false, days: n, at: "HH:MM"} | null when unknown.
  function reach(open, now) {
    if (!open) return null;
    if (open.always) return { open: true };
    var days = open.days || [], from = minutes(open.from), to = minutes(open.to);
    var here = clock(now), night = to <= from; // a night line runs past midnight
    var has = function (n) { return days.indexOf((here.weekday + n) % 7) >= 0; };
    if (here.weekday < 0) return null;
    if ((has(0) && here.minutes >= from && (night || here.minutes < to)) ||
        (night && has(6) && here.minutes < to)) return { open: true };
    for (var n = 0; n < 8; n += 1) {
      if (has(n) && (n > 0 || here.minutes < from)) return { open: false, days: n, at: open.from };
    }
    return null;
  }

  function closedText(state, now) {
    var key = state.days === 0 ? "closed_today" : state.days === 1 ? "closed_tomorrow" : "closed_later";
    var day = zoned(new Date(now.getTime() + state.days * 864e5), { weekday: "long" })[0];
    var text = (strings[key] || "").replace("{time}", state.at).replace("{day}", day ? day.value : "");
    if (clock(now).minutes !== now.getHours() * 60 + now.getMinutes()) { // phone on another zone
      var name = zoned(now, { timeZoneName: "long" }).filter(function (x) { return x.type === "timeZoneName"; })[0];
      if (name) text += " (" + name.value + ")";
    }
    return text;
  }

  function contactItem(contact, state, now) {
    var phone = String(contact.phone || "").replace(/[^0-9+]/g, "");
    var url = /^https?:\/\//i.test(contact.url || "") ? contact.url : null;
    return h("li", { "class": contact.urgent ? "urgent" : "" }, [
      h("p", { "class": "name", text: contact.name }),
      state && !state.open && h("p", { "class": "shut", text: closedText(state, now) }),
      contact.description && h("p", { text: contact.description }),
      contact.hours && h("p", { text: contact.hours }),
      h("p", {}, [
        phone && h("a", { "class": "call", href: "tel:" + phone, text: (strings.call || "") + " " + contact.phone }),
        url && h("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: strings.website })
      ])
    ]);
  }

  function remember(active) {
    try {
      if (active) sessionStorage.setItem(ACTIVE_KEY, "1");
      else sessionStorage.removeItem(ACTIVE_KEY);
    } catch (e) { /* storage blocked: the panel just stays closed after a reload */ }
  }

  function chatWasRunning() {
    try { return sessionStorage.getItem(ACTIVE_KEY) === "1"; } catch (e) { return false; }
  }

  function leave() {
    remember(false);
    // Quick exit: replace the page, so "back" does not return to the site with the chat.
    var host = document.querySelector(TAG);
    if (host) host.remove();
    location.replace(SERVER.quick_exit_url);
  }

  function onKeyDown(event) {
    // Esc three times quickly = quick exit, while the chat is open.
    if (event.key !== "Escape" || panel.hidden) return;
    var now = Date.now();
    escapes = escapes.filter(function (at) { return now - at < 1500; });
    escapes.push(now);
    if (escapes.length < 3) return;
    if (ready) {
      post({ type: "helpchat:quick_exit" });
      setTimeout(leave, 800); // the chat answers "quick_exit" once it told the server
    } else {
      leave();
    }
  }

  if (document.body) build();
  else document.addEventListener("DOMContentLoaded", build);
})();
