// The text box under a chat: Enter sends, Shift+Enter makes a new line, a live character
// count, and typing on/off reported (throttled) to whoever listens.
import { config, t } from "./i18n.js";
import { slot } from "./dom.js";

const TYPING_IDLE_MS = 2500;

export class Composer {
  constructor(root, { onSend, onTyping = () => {}, keyHandler = () => false }) {
    this.input = slot(root, "input");
    this.count = slot(root, "count");
    this.onSend = onSend;
    this.onTyping = onTyping;
    this.typing = false;
    this.timer = null;
    this.input.maxLength = config.max_chars;
    this.input.addEventListener("keydown", (event) => {
      if (keyHandler(event)) return;
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.send();
      }
    });
    this.input.addEventListener("input", () => this._changed());
    root.querySelector('[data-action="send"]').addEventListener("click", () => this.send());
    this._count();
  }

  _count() {
    const length = this.input.value.length;
    this.count.textContent = length > config.max_chars * 0.8
      ? t("chat.char_count", { count: length, max: config.max_chars }) : "";
  }

  _changed() {
    this._count();
    if (!this.typing && this.input.value.trim()) {
      this.typing = true;
      this.onTyping(true);
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.timer);
    if (this.typing) {
      this.typing = false;
      this.onTyping(false);
    }
  }

  send() {
    const text = this.input.value;
    if (!text.trim()) return;
    this.input.value = "";
    this._count();
    this.stopTyping();
    this.onSend(text);
    this.input.focus();
  }

  disable() {
    this.stopTyping();
    this.input.disabled = true;
  }
}
