// Saves each answer as it is given, and keeps the progress line current.
// Without JavaScript the form works the same; only these conveniences are missing.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });

  var form = document.getElementById("questionnaire");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  var counter = document.getElementById("answered-count");
  var bar = document.getElementById("progress-bar");
  var timers = {};

  function say(text) { if (status) { status.textContent = text; } }

  function refreshProgress() {
    var names = {};
    form.querySelectorAll('input[type=radio][data-autosave]').forEach(function (el) {
      if (el.checked) { names[el.name] = true; }
    });
    var n = Object.keys(names).length;
    if (counter) { counter.textContent = n; }
    if (bar) { bar.value = n; }
  }

  // One request per field at a time, the newest value last: quick changes of one answer
  // can never arrive out of order and leave an older value stored.
  var inflight = {};
  var pending = {};

  // The page's draft basis (what each field showed) follows this tab's own saves, so that
  // its "Bewaren" writes only what changed here and never reverts another tab's answers.
  function keepBasis(field, token) {
    var input = form.elements.basis;
    if (!input || typeof token !== "string") { return; }
    try {
      var basis = JSON.parse(input.value);
      basis[field] = token;
      input.value = JSON.stringify(basis);
    } catch (e) { /* an unreadable basis: the server then writes what is posted */ }
  }

  function send(field, value) {
    pending[field] = value;
    if (!inflight[field]) { flush(field, 0); }
  }

  function flush(field, attempt) {
    if (!Object.prototype.hasOwnProperty.call(pending, field)) { return; }
    var value = pending[field];
    delete pending[field];
    inflight[field] = true;
    var body = new URLSearchParams();
    body.set("csrf_token", form.elements.csrf_token.value);
    body.set("ticket", form.elements.ticket.value);
    body.set("field", field);
    body.set("value", value);
    say("Bezig met bewaren…");
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
                 headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok) {
            keepBasis(field, data && data.basis);
            var now = new Date();
            say("Automatisch bewaard om " + now.toLocaleTimeString("nl-BE", { hour: "2-digit", minute: "2-digit" }) + ".");
          } else if (response.status === 409) {
            say("Uw antwoorden waren al ingediend; er is niets gewijzigd.");
          } else {
            say((data && data.message) || "Automatisch bewaren lukte niet. Gebruik de knop 'Bewaren'.");
          }
          inflight[field] = false;
          flush(field, 0);
        });
      })
      .catch(function () {
        if (!Object.prototype.hasOwnProperty.call(pending, field)) { pending[field] = value; }
        if (attempt < 3) {
          setTimeout(function () { flush(field, attempt + 1); }, 2000 * (attempt + 1));
        } else {
          inflight[field] = false;
          say("Geen verbinding: uw laatste antwoorden zijn nog niet bewaard. Gebruik de knop 'Bewaren' zodra u weer verbinding hebt.");
        }
      });
  }

  form.addEventListener("change", function (event) {
    var el = event.target;
    if (el.getAttribute("data-autosave") === "statement") {
      refreshProgress();
      send(el.name, el.value);
    } else if (el.getAttribute("data-autosave") === "text") {
      clearTimeout(timers[el.name]);
      send(el.name, el.value);
    }
  });

  form.addEventListener("input", function (event) {
    var el = event.target;
    if (el.getAttribute("data-autosave") !== "text") { return; }
    clearTimeout(timers[el.name]);
    timers[el.name] = setTimeout(function () { send(el.name, el.value); }, 1500);
  });
})();
