// The three-state duty switch (on duty / pause / off) and the "chats 1/2" counter.
import { t } from "./i18n.js";
import { toast } from "./dom.js";
import { errorText } from "./net.js";

export class DutySwitch {
  constructor(app) {
    this.app = app;
    this.state = { status: "off", active_chats: 0, max_chats: app.me.max_chats };
    this.fieldset = document.getElementById("duty");
    this.counter = document.getElementById("chat-count");
    this.fieldset.addEventListener("change", (event) => this._choose(event.target.value));
    this._render();
  }

  get status() {
    return this.state.status;
  }

  async _choose(status) {
    const was = this.state.status;
    const ack = await this.app.call("set_duty", { status });
    if (ack.ok) {
      this.update(ack);
      if (status === "off" && was !== "off") this.app.wellbeing.offerCheckIn();
    } else {
      toast(t("error.generic", { message: errorText(ack) }), "error");
      this._render();
    }
  }

  // Server event `duty` (and set_duty acks): {on, status, active_chats, max_chats,
  // cooldown_until_ms}.
  update(duty) {
    this.state = { ...this.state, ...duty, status: duty.status ?? (duty.on ? "on" : "off") };
    this._render();
    this.app.refresh();
  }

  _render() {
    this.fieldset.disabled = !this.app.socket.connected;
    for (const input of this.fieldset.querySelectorAll("input")) input.checked = input.value === this.state.status;
    this.fieldset.dataset.status = this.state.status;
    this.counter.textContent = t("duty.chats", { active: this.state.active_chats, max: this.state.max_chats });
    this.app.wellbeing?.render();
  }

  setConnected(connected) {
    this.fieldset.disabled = !connected;
  }
}
