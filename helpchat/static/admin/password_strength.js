// Set-a-password pages: the server's verdict on the password as it is typed (the same rule the
// form applies on submit, helpchat/password_policy.py), shown in a live region by the field.
(function () {
  "use strict";
  var out = document.getElementById("password-strength");
  var input = document.getElementById("f-password");
  if (!out || !input) return;
  var name = document.getElementById("f-name");
  var timer = null;
  var asked = 0;

  function show(answer) {
    out.textContent = answer.message;
    out.setAttribute("data-acceptable", answer.acceptable ? "yes" : "no");
  }

  function check() {
    var mine = ++asked;
    if (!input.value) {
      out.textContent = "";
      out.removeAttribute("data-acceptable");
      return;
    }
    fetch(out.getAttribute("data-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ password: input.value, name: name ? name.value : null }),
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (mine === asked && answer && answer.ok) show(answer);  // only the latest answer
    }).catch(function () { /* no feedback; the form still checks on submit */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 250);
  });
})();
