// Sounds and browser notifications: a new chat in the queue, a youth's message in a pane that
// is not in front of the counselor, a chat handed to you, and supervisors' alerts. One mute
// toggle silences the sounds (kept on this device); notifications need the browser's permission.
import { t } from "./i18n.js";

const MUTE_KEY = "helpchat.console.muted";
// Two rising tones for the queue and alerts, one soft low tone for a message in another pane.
const TONES = {
  queue: [[0, 880], [0.18, 1175]],
  message: [[0, 660]],
  handover: [[0, 660], [0.2, 880], [0.4, 990]],
};

export class Notifier {
  constructor() {
    this.audio = null;
    this.button = document.getElementById("notify-toggle");
    this.muteButton = document.getElementById("mute-toggle");
    this.supported = "Notification" in window;
    this.muted = localStorage.getItem(MUTE_KEY) === "1";
    this._renderButton();
    this._renderMute();
    this.button.addEventListener("click", async () => {
      await Notification.requestPermission();
      this._renderButton();
    });
    this.muteButton.addEventListener("click", () => {
      this.muted = !this.muted;
      localStorage.setItem(MUTE_KEY, this.muted ? "1" : "0");
      this._renderMute();
    });
    // Browsers only allow sound after a user gesture: prepare the audio on the first one.
    document.addEventListener("pointerdown", () => this._audio(), { once: true });
  }

  _renderButton() {
    const permission = this.supported ? Notification.permission : "denied";
    this.button.hidden = !this.supported || permission === "granted";
    this.button.textContent = t(permission === "denied" ? "notify.blocked" : "notify.enable");
    this.button.disabled = permission === "denied";
  }

  _renderMute() {
    this.muteButton.setAttribute("aria-pressed", String(this.muted));
  }

  _audio() {
    if (!this.audio && window.AudioContext) this.audio = new AudioContext();
    this.audio?.resume?.();
    return this.audio;
  }

  beep(kind = "queue") {
    if (this.muted) return;
    const ctx = this.audio;
    if (!ctx || ctx.state !== "running") return;
    const volume = kind === "message" ? 0.08 : 0.2;
    for (const [offset, freq] of TONES[kind] ?? TONES.queue) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, ctx.currentTime + offset);
      gain.gain.exponentialRampToValueAtTime(volume, ctx.currentTime + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + offset + 0.15);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + offset);
      osc.stop(ctx.currentTime + offset + 0.16);
    }
  }

  // No visitor text in notifications: they can show up on a shared or projected screen.
  _notify(title, body, tag) {
    if (!this.supported || Notification.permission !== "granted") return;
    const note = new Notification(title, { body, tag });
    note.onclick = () => { window.focus(); note.close(); };
  }

  _away() {
    return document.hidden || !document.hasFocus();
  }

  newInQueue(count) {
    this.beep("queue");
    if (this._away()) this._notify(t("notify.new_title"), t("notify.new_body", { count }), "helpchat-queue");
  }

  message(pseudonym, cid) {
    this.beep("message");
    if (this._away()) this._notify(t("notify.message_title", { pseudonym }), t("notify.message_body"), `helpchat-msg-${cid}`);
  }

  handover(text) {
    this.beep("handover");
    if (this._away()) this._notify(text, "", "helpchat-handover");
  }

  alert(text) {
    this.beep("queue");
    if (this._away()) this._notify(text, "", "helpchat-alert");
  }
}
