// Notifications while on duty: a short sound and a browser notification when a chat enters
// the queue while the tab is hidden, and for supervisors' alerts.
import { t } from "./i18n.js";

export class Notifier {
  constructor() {
    this.audio = null;
    this.button = document.getElementById("notify-toggle");
    this.supported = "Notification" in window;
    this._renderButton();
    this.button.addEventListener("click", async () => {
      await Notification.requestPermission();
      this._renderButton();
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

  _audio() {
    if (!this.audio && window.AudioContext) this.audio = new AudioContext();
    this.audio?.resume?.();
    return this.audio;
  }

  beep() {
    const ctx = this.audio;
    if (!ctx || ctx.state !== "running") return;
    for (const [offset, freq] of [[0, 880], [0.18, 1175]]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, ctx.currentTime + offset);
      gain.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + offset + 0.02);
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

  newInQueue(count) {
    if (!document.hidden) return;
    this.beep();
    this._notify(t("notify.new_title"), t("notify.new_body", { count }), "helpchat-queue");
  }

  alert(text) {
    this.beep();
    if (document.hidden) this._notify(text, "", "helpchat-alert");
  }
}
