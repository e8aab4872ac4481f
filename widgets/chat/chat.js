/* helpchat visitor chat: the page inside the loader's iframe (/widget/).
 *
 * Privacy rules this file keeps: the token lives only in sessionStorage; every text a person
 * typed reaches the DOM through textContent, never as HTML; quick exit forgets everything.
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("helpchat-config").textContent);
  var lang = config.lang;
  var parentOrigin = config.parent_origin;
  var embedded = window.parent !== window && Boolean(parentOrigin);
  var TOKEN_KEY = "helpchat.token";
  var COUNSELOR_KEY = "helpchat.counselor";
  var ACK_TIMEOUT_MS = 10000;

  var state = {
    view: "loading",
    server: null,          // the session state the server last told us: idle|queued|chatting|ended
    availability: null,
    conversationId: null,
    counselorName: null,
    lastId: null,          // newest server message id seen, for `sync`
    items: new Map(),      // client_id or server id -> transcript entry
    connectedOnce: false,
    endedMode: null,       // "ended" | "left": the local ended view stays until "new chat"
    dismissed: null,       // the ended conversation the visitor closed with "new chat"
    loaderContacts: null,
    offline: false,        // showing what we know without a socket
    asking: false,         // a fallback request to /api/availability is under way
    exiting: false,
    typingSent: false,
    typingTimer: null,
    counselorTypingTimer: null,
    escapes: []
  };

  // --- small helpers ------------------------------------------------------------------------

  function $(id) { return document.getElementById(id); }

  function t(key, params) {
    var text = config.i18n["widget." + key] || key;
    return text.replace(/\{(\w+)\}/g, function (match, name) {
      return params && params[name] !== undefined ? String(params[name]) : match;
    });
  }

  // sessionStorage lets a reload resume the chat. Browsers that block storage in third-party
  // frames (chat server on another site than the host page) get the in-memory copy only: the
  // chat then survives reconnects but not a reload.
  var memory = {};
  var storage = {
    get: function (key) {
      if (Object.prototype.hasOwnProperty.call(memory, key)) return memory[key];
      try { return window.sessionStorage.getItem(key); } catch (e) { return null; }
    },
    set: function (key, value) {
      if (state.exiting) return;
      memory[key] = value;
      try { window.sessionStorage.setItem(key, value); } catch (e) { /* storage blocked */ }
    },
    remove: function (key) {
      delete memory[key];
      try { window.sessionStorage.removeItem(key); } catch (e) { /* storage blocked */ }
    },
    clear: function () {
      memory = {};
      try { window.sessionStorage.clear(); } catch (e) { /* storage blocked */ }
    }
  };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function newClientId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  function compareIds(a, b) {
    // Redis stream ids "ms-seq": numeric parts, compared in order.
    var pa = String(a).split("-").map(Number);
    var pb = String(b).split("-").map(Number);
    return (pa[0] - pb[0]) || ((pa[1] || 0) - (pb[1] || 0));
  }

  function announce(text) {
    var node = $("announcer");
    node.textContent = "";
    window.setTimeout(function () { node.textContent = text; }, 50);
  }

  function postToParent(message) {
    if (embedded) window.parent.postMessage(message, parentOrigin);
  }

  // --- colors: keep text on the accent color and accent-colored text >= 4.5:1 ------------------

  function luminance(hex) {
    var rgb = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
  }

  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  function darken(hex, factor) {
    return "#" + [1, 3, 5].map(function (i) {
      var c = Math.round(parseInt(hex.substr(i, 2), 16) * factor);
      return (c < 16 ? "0" : "") + c.toString(16);
    }).join("");
  }

  function applyColor(color) {
    if (!/^#[0-9a-f]{6}$/i.test(color)) return;
    var text = color;
    while (contrast(text, "#ffffff") < 4.6) text = darken(text, 0.9);
    var root = document.documentElement.style;
    root.setProperty("--accent", color);
    root.setProperty("--on-accent", contrast(color, "#ffffff") >= 4.6 ? "#ffffff" : "#111111");
    root.setProperty("--accent-text", text);
  }

  // --- views --------------------------------------------------------------------------------

  var VIEWS = ["loading", "unavailable", "ready", "chat", "ended"];
  var FOCUS_TARGET = {
    unavailable: "unavailable-title", ready: "ready-title", chat: "chat-title", ended: "ended-title"
  };

  function show(view) {
    var changed = state.view !== view;
    state.view = view;
    VIEWS.forEach(function (name) { $("view-" + name).hidden = name !== view; });
    if (changed && FOCUS_TARGET[view]) $(FOCUS_TARGET[view]).focus({ preventScroll: true });
    requestResize();
  }

  function requestResize() {
    // The chat wants all the height it can get; short views ask for what they need.
    var view = $("view-" + state.view);
    var wanted = state.view === "chat" ? 640
      : document.querySelector(".bar").offsetHeight + view.scrollHeight + 32;
    postToParent({ type: "helpchat:resize", height: wanted });
  }

  // --- contacts -----------------------------------------------------------------------------

  function safeUrl(url) {
    try {
      var parsed = new URL(url);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function contactItem(contact) {
    var item = el("li", "contact" + (contact.urgent ? " contact-urgent" : ""));
    var name = el("p", "contact-name", contact.name);
    if (contact.urgent) name.appendChild(el("span", "tag", t("contacts.urgent")));
    item.appendChild(name);
    if (contact.description) item.appendChild(el("p", "contact-text", contact.description));
    if (contact.hours) item.appendChild(el("p", "contact-hours", contact.hours));
    if (contact.text) item.appendChild(el("p", "contact-text", contact.text));
    var actions = el("p", "contact-actions");
    var phone = contact.phone ? String(contact.phone).replace(/[^0-9+]/g, "") : "";
    if (phone) {
      var call = el("a", "call", t("contacts.call", { phone: contact.phone }));
      call.href = "tel:" + phone;
      actions.appendChild(call);
    }
    var url = contact.url ? safeUrl(contact.url) : null;
    if (url) {
      var link = el("a", "website", t("contacts.website"));
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.setAttribute("aria-label", t("contacts.website_of", { name: contact.name }));
      actions.appendChild(link);
    }
    if (actions.childNodes.length) item.appendChild(actions);
    return item;
  }

  function renderContacts(contacts) {
    var list = (contacts && contacts.length ? contacts : currentContacts()).slice();
    // Acute danger first, otherwise in the configured order.
    list.sort(function (a, b) { return (b.urgent ? 1 : 0) - (a.urgent ? 1 : 0); });
    document.querySelectorAll("[data-contacts]").forEach(function (ul) {
      var shown = ul.dataset.contacts === "urgent"
        ? list.filter(function (c) { return c.urgent; }) : list;
      ul.replaceChildren.apply(ul, shown.map(contactItem));
    });
  }

  function currentContacts() {
    var live = state.availability && state.availability.contacts;
    if (live && live.length) return live;
    return state.loaderContacts && state.loaderContacts.length ? state.loaderContacts : config.contacts;
  }

  // --- unavailable / ready ------------------------------------------------------------------

  var dateFormat = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "nl-NL",
    { weekday: "long", day: "numeric", month: "long" });
  var timeFormat = new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "nl-NL",
    { hour: "2-digit", minute: "2-digit" });

  function dayLabel(date) {
    var today = new Date();
    var tomorrow = new Date(today.getFullYear(), today.getMonth(), today.getDate() + 1);
    if (date.toDateString() === today.toDateString()) return t("day.today");
    if (date.toDateString() === tomorrow.toDateString()) return t("day.tomorrow");
    return dateFormat.format(date);
  }

  function renderUnavailable(availability, reason) {
    var why = reason || availability.reason || "closed";
    if (!config.i18n["widget.unavailable." + why]) why = "no_counselor"; // a reason added later
    $("unavailable-title").textContent = t("unavailable." + why);
    $("unavailable-text").textContent = t("unavailable." + why + "_text");
    var next = availability.next_open_at ? new Date(availability.next_open_at) : null;
    var nextNode = $("unavailable-next");
    nextNode.hidden = !next || isNaN(next.getTime());
    if (!nextNode.hidden) {
      nextNode.textContent = t("unavailable.next_open",
        { day: dayLabel(next), time: timeFormat.format(next) });
    }
    renderHours(why === "closed" ? availability.opening_hours || [] : []);
    renderContacts(availability.contacts);
    show("unavailable");
  }

  function renderHours(rows) {
    var list = $("hours-list");
    list.replaceChildren();
    rows.forEach(function (row) {
      var day = new Date(row.day + "T12:00:00");
      var label = isNaN(day.getTime()) ? row.day : dayLabel(day);
      list.appendChild(el("li", null, t("unavailable.hours_row",
        { day: label, from: row.from, to: row.to })));
    });
    $("unavailable-hours").hidden = rows.length === 0;
  }

  function renderIdle() {
    // Idle: the visitor may start a chat when the service is available.
    if (state.endedMode) return;
    var availability = state.availability;
    if (state.offline || !availability) {
      if (state.offline) renderUnavailable({ contacts: currentContacts() }, "offline");
      return;
    }
    if (availability.available) {
      renderContacts(availability.contacts);
      show("ready");
    } else {
      renderUnavailable(availability);
    }
  }

  function onDangerChange() {
    var urgent = dangerAnswer() === "yes";
    var box = $("danger-box");
    box.hidden = !urgent;
    $("danger-text").textContent = urgent ? t("intake.danger_text") : "";
    requestResize();
    if (urgent) box.scrollIntoView({ block: "nearest" });
  }

  function dangerAnswer() {
    var checked = document.querySelector("input[name=danger]:checked");
    return checked ? checked.value : null;
  }

  function requestChat(event) {
    event.preventDefault();
    var payload = { urgent: dangerAnswer() === "yes" };
    var topic = $("topic") && $("topic").value;
    if (topic) payload.topic = topic;
    $("intake-error").textContent = "";
    var button = $("start-chat");
    button.disabled = true;
    emitWithAck("request_chat", payload, function (ack) {
      button.disabled = false;
      if (ack.ok) {
        state.server = "queued";
        state.conversationId = ack.conversation_id;
        state.endedMode = null;
        clearTranscript();
        showQueued({ position: ack.position, estimated_wait_s: ack.estimated_wait_s });
      } else if (ack.availability) {
        state.availability = ack.availability;
        renderUnavailable(ack.availability);
      } else if (ack.error && ack.error.code === "blocked") {
        renderUnavailable({ contacts: currentContacts() }, "blocked");
      } else {
        $("intake-error").textContent = errorText(ack);
      }
    });
  }

  // --- queued / chatting --------------------------------------------------------------------

  function showQueued(position) {
    $("chat-title").textContent = t("queue.title");
    $("queue-hint").hidden = false;
    $("leave-queue").hidden = false;
    $("end-chat").hidden = true;
    $("end-confirm").hidden = true;
    if (position) updatePosition(position);
    var wasChat = state.view === "chat";
    show("chat");
    // Waiting visitors may type a first message right away.
    if (!wasChat) $("message").focus({ preventScroll: true });
  }

  function updatePosition(data) {
    var parts = [t("queue.position", { position: data.position })];
    if (typeof data.estimated_wait_s === "number") {
      var minutes = Math.max(1, Math.ceil(data.estimated_wait_s / 60));
      parts.push(t(minutes === 1 ? "queue.wait_one" : "queue.wait", { minutes: minutes }));
    } else {
      parts.push(t("queue.wait_unknown"));
    }
    $("queue-status").textContent = parts.join(" ");
  }

  function showChatting() {
    var name = state.counselorName;
    $("chat-title").textContent = name ? t("chat.with", { name: name }) : t("chat.with_unknown");
    $("queue-status").textContent = "";
    $("queue-hint").hidden = true;
    $("leave-queue").hidden = true;
    $("end-chat").hidden = false;
    show("chat");
  }

  function leaveQueue() {
    emitWithAck("leave_queue", {}, function (ack) {
      if (!ack.ok) { announce(errorText(ack)); return; }
      showEnded({ mode: "left" });
    });
  }

  function askEnd() {
    $("end-chat").hidden = true;
    $("end-confirm").hidden = false;
    $("end-no").focus();
  }

  function cancelEnd() {
    $("end-confirm").hidden = true;
    $("end-chat").hidden = false;
    $("end-chat").focus();
  }

  function endChat() {
    emitWithAck("end_chat", {}, function (ack) {
      if (!ack.ok) { announce(errorText(ack)); return; }
      if (state.view === "chat") showEnded({ by: "visitor" });
    });
  }

  // --- transcript ---------------------------------------------------------------------------

  function clearTranscript() {
    state.items.clear();
    state.lastId = null;
    $("transcript").replaceChildren();
    $("typing").textContent = "";
  }

  function senderLabel(entry) {
    if (entry.sender === "visitor") return t("chat.you");
    if (entry.sender === "system") return t("chat.system");
    return entry.counselor_name || state.counselorName || t("chat.counselor");
  }

  function renderEntry(entry) {
    var node = entry.node || el("div");
    node.className = "msg msg-" + entry.sender;
    var meta = el("p", "msg-meta");
    meta.appendChild(el("span", "msg-sender", senderLabel(entry)));
    meta.appendChild(el("span", "msg-time", timeFormat.format(new Date(entry.ts_ms))));
    var text = el("p", "msg-text", entry.text);
    node.replaceChildren(meta, text);
    if (entry.sender === "visitor" && entry.client_id) node.appendChild(statusLine(entry));
    entry.node = node;
    return node;
  }

  function statusLine(entry) {
    var line = el("p", "msg-status msg-" + entry.status, t("chat.status_" + entry.status));
    if (entry.status === "failed") {
      if (entry.error) line.textContent = entry.error;
      var retry = el("button", "link-button", t("chat.retry"));
      retry.type = "button";
      retry.addEventListener("click", function () { sendEntry(entry); });
      line.appendChild(document.createTextNode(" "));
      line.appendChild(retry);
    }
    return line;
  }

  function placeEntry(entry) {
    // Stored messages in server order (stream ids, not clocks, which may disagree); messages
    // still on their way stay at the end in the order they were sent.
    var list = $("transcript");
    var node = renderEntry(entry);
    var before = null;
    if (entry.id) {
      Array.prototype.some.call(list.children, function (other) {
        var id = other.dataset.id;
        if (other !== node && (!id || compareIds(id, entry.id) > 0)) before = other;
        return before !== null;
      });
    }
    if (entry.id) node.dataset.id = entry.id;
    list.insertBefore(node, before);
    list.scrollTop = list.scrollHeight;
  }

  function addServerMessage(message) {
    if (state.items.has(message.id)) return;
    if (state.conversationId && message.conversation_id &&
        message.conversation_id !== state.conversationId) return;
    if (!state.lastId || compareIds(message.id, state.lastId) > 0) state.lastId = message.id;
    var own = message.client_id ? state.items.get(message.client_id) : null;
    if (own) {
      confirmEntry(own, message);
      return;
    }
    var entry = {
      id: message.id, client_id: message.client_id, sender: message.sender, text: message.text,
      ts_ms: message.ts_ms, counselor_name: message.counselor_name, status: "sent"
    };
    state.items.set(message.id, entry);
    if (message.client_id) state.items.set(message.client_id, entry);
    placeEntry(entry);
    if (message.sender === "counselor") {
      if (message.counselor_name) rememberCounselor(message.counselor_name);
      postToParent({ type: "helpchat:attention" });
    }
  }

  function confirmEntry(entry, message) {
    entry.id = message.id;
    entry.ts_ms = message.ts_ms;
    entry.status = "sent";
    entry.error = null;
    state.items.set(message.id, entry);
    placeEntry(entry);
  }

  function sendMessage(event) {
    if (event) event.preventDefault();
    var box = $("message");
    var text = box.value.trim();
    if (!text) return;
    box.value = "";
    stopTyping();
    var entry = {
      client_id: newClientId(), sender: "visitor", text: text, ts_ms: Date.now(), status: "sending"
    };
    state.items.set(entry.client_id, entry);
    placeEntry(entry);
    sendEntry(entry);
  }

  function sendEntry(entry) {
    setStatus(entry, "sending");
    // While disconnected the entry waits; resendPending() sends it after the resync.
    if (!socket.connected) return;
    emitWithAck("message", { client_id: entry.client_id, text: entry.text }, function (ack) {
      if (ack.ok) {
        if (!state.lastId || compareIds(ack.message.id, state.lastId) > 0) state.lastId = ack.message.id;
        confirmEntry(entry, ack.message);
      } else if (entry.status !== "sent") {
        entry.error = ack.error && ack.error.code === "too_large" ? errorText(ack) : null;
        setStatus(entry, "failed");
      }
    });
  }

  function setStatus(entry, status) {
    entry.status = status;
    renderEntry(entry);
  }

  function resendPending() {
    state.items.forEach(function (entry, key) {
      if (key === entry.client_id && entry.sender === "visitor" && entry.status !== "sent") {
        sendEntry(entry);
      }
    });
  }

  function onComposerKey(event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) sendMessage(event);
  }

  function onComposerInput() {
    if (state.server !== "chatting") return; // nobody to tell while waiting
    if (!state.typingSent) {
      state.typingSent = true;
      socket.emit("typing", { typing: true }, function () {});
    }
    window.clearTimeout(state.typingTimer);
    state.typingTimer = window.setTimeout(stopTyping, 3000);
  }

  function stopTyping() {
    window.clearTimeout(state.typingTimer);
    if (!state.typingSent) return;
    state.typingSent = false;
    if (socket.connected) socket.emit("typing", { typing: false }, function () {});
  }

  function onCounselorTyping(data) {
    window.clearTimeout(state.counselorTypingTimer);
    var typing = Boolean(data && data.typing);
    $("typing").textContent = typing
      ? t("chat.typing", { name: state.counselorName || t("chat.counselor") }) : "";
    // A lost "typing: false" must not leave the indicator on forever.
    if (typing) {
      state.counselorTypingTimer = window.setTimeout(function () {
        $("typing").textContent = "";
      }, 15000);
    }
  }

  function rememberCounselor(name) {
    state.counselorName = name;
    storage.set(COUNSELOR_KEY, name);
  }

  // --- ended --------------------------------------------------------------------------------

  function showEnded(info) {
    state.server = "ended";
    state.endedMode = info.mode || "ended";
    stopTyping();
    var title;
    if (info.mode === "left") title = t("ended.left");
    else if (info.reason === "blocked") title = t("ended.blocked");
    else if (info.by === "visitor") title = t("ended.by_visitor");
    else if (info.by === "counselor") {
      title = state.counselorName
        ? t("ended.by_counselor", { name: state.counselorName }) : t("ended.by_counselor_unknown");
    } else title = t("ended.generic");
    $("ended-title").textContent = title;
    var canRate = info.mode !== "left" && info.reason !== "blocked";
    $("feedback").hidden = !canRate;
    // A blocked session cannot start another chat: offer only the contacts.
    $("new-chat").hidden = info.reason === "blocked";
    $("feedback").reset();
    $("feedback-error").textContent = "";
    $("feedback-thanks").textContent = "";
    renderContacts(info.contacts);
    show("ended");
  }

  function sendFeedback(event) {
    event.preventDefault();
    var checked = document.querySelector("input[name=rating]:checked");
    if (!checked) {
      $("feedback-error").textContent = t("feedback.pick");
      return;
    }
    var payload = { rating: Number(checked.value) };
    var comment = $("comment").value.trim();
    if (comment) payload.comment = comment;
    emitWithAck("feedback", payload, function (ack) {
      if (!ack.ok) { $("feedback-error").textContent = errorText(ack); return; }
      $("feedback").hidden = true;
      $("feedback-thanks").textContent = t("feedback.thanks");
      $("new-chat").focus();
    });
  }

  function newChat() {
    state.dismissed = state.conversationId;
    state.endedMode = null;
    state.conversationId = null;
    state.counselorName = null;
    clearTranscript();
    storage.remove(COUNSELOR_KEY);
    $("intake").reset();
    onDangerChange();
    renderIdle();
    if (state.view === "loading") show("loading");
  }

  // --- quick exit ---------------------------------------------------------------------------

  function quickExit() {
    if (state.exiting) return;
    state.exiting = true;
    document.body.classList.add("exiting");
    storage.clear();
    var done = false;
    function leave() {
      if (done) return;
      done = true;
      storage.clear();
      socket.disconnect();
      if (embedded) postToParent({ type: "helpchat:quick_exit" });
      else window.location.replace(config.quick_exit_url);
    }
    // Tell the server to end and forget the chat, but never hold the visitor up for long.
    if (socket.connected) {
      socket.timeout(400).emit("forget_me", { reason: "quick_exit" }, leave);
      window.setTimeout(leave, 500);
    } else {
      leave();
    }
  }

  function onKeyDown(event) {
    if (event.key !== "Escape") return;
    var now = Date.now();
    state.escapes = state.escapes.filter(function (at) { return now - at < 1500; });
    state.escapes.push(now);
    if (state.escapes.length >= 3) quickExit();
  }

  // --- the socket ---------------------------------------------------------------------------

  function errorText(ack) {
    return (ack && ack.error && ack.error.message) || t("error.generic");
  }

  function emitWithAck(event, payload, callback) {
    if (!socket.connected) {
      callback({ ok: false, error: { code: "offline", message: t("error.offline") } });
      return;
    }
    socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, function (err, ack) {
      if (state.exiting) return;
      callback(err || !ack ? { ok: false, error: { code: "timeout", message: t("error.timeout") } } : ack);
    });
  }

  var socket = window.io("/visitor", {
    path: "/socket.io/",
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 4000,
    timeout: 8000,
    auth: function (callback) {
      var auth = { lang: lang };
      var token = storage.get(TOKEN_KEY);
      if (token) auth.token = token;
      callback(auth);
    }
  });

  socket.on("connect", function () {
    state.connectedOnce = true;
    state.offline = false;
    $("banner").hidden = true;
  });

  socket.on("session", function (data) {
    if (state.exiting) return;
    var previous = storage.get(TOKEN_KEY);
    storage.set(TOKEN_KEY, data.token);
    if (previous && previous !== data.token) {
      // The server did not know our token any more: whatever we showed is gone.
      clearTranscript();
      state.endedMode = null;
    }
    state.server = data.state;
    state.conversationId = data.conversation_id;
    if (data.state === "queued") {
      showQueued(null);
      resync();
    } else if (data.state === "chatting") {
      showChatting();
      resync();
    } else if (data.state === "ended" && !state.endedMode && state.conversationId &&
               state.conversationId !== state.dismissed) {
      showEnded({});
    } else {
      renderIdle();
    }
  });

  socket.on("availability", function (data) {
    if (state.exiting) return;
    state.availability = data;
    if (state.server === "idle" || (state.server === "ended" && !state.endedMode)) renderIdle();
  });

  socket.on("queue_position", function (data) {
    if (state.server === "chatting") {
      // The counselor handed the chat back to the queue (transfer, or they lost connection).
      state.server = "queued";
      showQueued(data);
    } else if (state.server === "queued") {
      updatePosition(data);
    }
  });

  socket.on("chat_started", function (data) {
    // Also sent again after every reconnect: announce only the real start.
    var isNew = state.server !== "chatting";
    state.server = "chatting";
    state.conversationId = data.conversation_id;
    rememberCounselor(data.counselor_name);
    showChatting();
    if (!isNew) return;
    announce(t("chat.started", { name: data.counselor_name }));
    postToParent({ type: "helpchat:attention" });
  });

  socket.on("message", function (message) {
    if (!state.exiting && message && message.id) addServerMessage(message);
  });

  socket.on("typing", onCounselorTyping);

  socket.on("chat_ended", function (data) {
    // After "leave the queue" the ack already showed the right view.
    if (state.exiting || state.endedMode === "left") return;
    onCounselorTyping({ typing: false });
    showEnded({
      by: data.by, reason: data.reason, contacts: data.contacts,
      mode: data.reason === "left_queue" ? "left" : undefined
    });
    announce($("ended-title").textContent);
    postToParent({ type: "helpchat:attention" });
  });

  socket.on("disconnect", function (reason) {
    if (state.exiting || reason === "io client disconnect") return;
    // Mid-chat the transcript stays and a banner says we are reconnecting; otherwise the
    // connect_error that follows shows the contacts.
    if (state.server === "queued" || state.server === "chatting") $("banner").hidden = false;
  });

  socket.on("connect_error", function () {
    if (state.exiting) return;
    if (state.server === "queued" || state.server === "chatting") {
      $("banner").hidden = false;
      return;
    }
    fallBack(true);
    // A refused handshake is not retried by the client on its own; keep trying quietly.
    if (!socket.active) window.setTimeout(function () { socket.connect(); }, 5000);
  });

  function resync() {
    emitWithAck("sync", state.lastId ? { after: state.lastId } : {}, function (ack) {
      if (!ack.ok) return;
      (ack.messages || []).forEach(addServerMessage);
      if (ack.state === "ended" && state.view === "chat") showEnded({});
      resendPending();
    });
  }

  function fallBack(failed) {
    // No socket (yet): ask the plain HTTP endpoint, then use the contacts we brought along.
    // `failed`: the connection was refused or lost, not merely slow to come up.
    if (state.offline || state.asking) return;
    state.asking = true;
    fetch("/api/availability?lang=" + encodeURIComponent(lang),
      { cache: "no-store", credentials: "omit" })
      .then(function (response) {
        if (!response.ok) throw new Error("availability " + response.status);
        return response.json();
      })
      .then(function (availability) {
        if (socket.connected || (availability.available && !failed)) return;
        var contacts = availability.contacts && availability.contacts.length
          ? availability.contacts : currentContacts();
        state.offline = true;
        renderUnavailable({
          contacts: contacts,
          next_open_at: availability.available ? null : availability.next_open_at,
          opening_hours: availability.opening_hours
        }, availability.available ? "offline" : availability.reason);
      })
      .catch(function () {
        if (socket.connected) return;
        state.offline = true;
        renderUnavailable({ contacts: currentContacts() }, "offline");
      })
      .then(function () { state.asking = false; });
  }

  // --- messages from the loader -------------------------------------------------------------

  window.addEventListener("message", function (event) {
    if (!embedded || event.origin !== parentOrigin || event.source !== window.parent) return;
    var data = event.data;
    if (!data || typeof data.type !== "string") return;
    if (data.type === "helpchat:init" && Array.isArray(data.contacts)) {
      state.loaderContacts = data.contacts.filter(function (c) {
        return c && typeof c.name === "string";
      });
      if (state.offline) renderContacts();
    } else if (data.type === "helpchat:open") {
      var target = state.view === "chat" ? $("message") : $(FOCUS_TARGET[state.view] || "quick-exit");
      if (target) target.focus({ preventScroll: true });
    } else if (data.type === "helpchat:quick_exit") {
      quickExit();
    }
  });

  // --- wiring -------------------------------------------------------------------------------

  applyColor(config.color);
  renderContacts();
  $("close").hidden = !embedded;
  $("close").addEventListener("click", function () { postToParent({ type: "helpchat:close" }); });
  $("quick-exit").addEventListener("click", quickExit);
  document.addEventListener("keydown", onKeyDown);
  document.querySelectorAll("input[name=danger]").forEach(function (input) {
    input.addEventListener("change", onDangerChange);
  });
  $("intake").addEventListener("submit", requestChat);
  $("composer").addEventListener("submit", sendMessage);
  $("message").addEventListener("keydown", onComposerKey);
  $("message").addEventListener("input", onComposerInput);
  $("leave-queue").addEventListener("click", leaveQueue);
  $("end-chat").addEventListener("click", askEnd);
  $("end-no").addEventListener("click", cancelEnd);
  $("end-yes").addEventListener("click", endChat);
  $("feedback").addEventListener("submit", sendFeedback);
  $("new-chat").addEventListener("click", newChat);
  state.counselorName = storage.get(COUNSELOR_KEY);
  // A connection that hangs (a proxy swallowing websockets) fails only after the client's
  // timeout; the visitor sees what the plain HTTP endpoint says long before that.
  window.setTimeout(function () { if (!state.connectedOnce) fallBack(false); }, 3000);
  postToParent({ type: "helpchat:ready" });
})();
