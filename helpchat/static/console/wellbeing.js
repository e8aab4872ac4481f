// Looking after the counselor: the cool-down after a heavy or long chat (no new chat offered,
// ended early only by the counselor's own choice) and the optional end-of-shift check-in.
import { formatClock, t } from "./i18n.js";
import { slot, toast } from "./dom.js";
import { errorText } from "./net.js";

export class Wellbeing {
  constructor(app) {
    this.app = app;
    this.box = document.getElementById("cooldown");
    this.box.querySelector("button").addEventListener("click", () => this.endEarly());
    this.dialog = document.getElementById("dlg-checkin");
  }

  get cooling() {
    const until = this.app.duty?.state.cooldown_until_ms;
    return Boolean(until && until > this.app.now());
  }

  render() {
    const cooling = this.cooling;
    this.box.hidden = !cooling;
    if (cooling) {
      slot(this.box, "text").textContent = t("cooldown.text", { time: formatClock(this.app.duty.state.cooldown_until_ms) });
    }
  }

  // Once the cool-down has run out, the queue is takeable again without a server event.
  tick() {
    if (!this.box.hidden && !this.cooling) this.app.refresh({ offerNext: true });
  }

  async endEarly() {
    const ack = await this.app.call("end_cooldown", {});
    if (ack.ok) this.app.duty.update(ack);
    else toast(t("error.generic", { message: errorText(ack) }), "error");
  }

  // After going off duty: three optional questions; only a call-back request names anyone.
  async offerCheckIn() {
    const form = this.dialog.querySelector("form");
    form.reset();
    const answer = await new Promise((resolve) => {
      this.dialog.returnValue = "cancel";
      this.dialog.addEventListener("close", () => resolve(this.dialog.returnValue), { once: true });
      this.dialog.showModal();
    });
    if (answer !== "ok") return;
    const data = new FormData(form);
    const ack = await this.app.call("check_in", {
      feeling: data.get("feeling") || undefined,
      stays_with_me: data.get("stays_with_me") || undefined,
      call_back: data.get("call_back") === "on",
    });
    if (ack.ok) toast(t("checkin.thanks"));
    else toast(t("error.generic", { message: errorText(ack) }), "error");
  }
}
