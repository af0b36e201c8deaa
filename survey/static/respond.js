// Saves each answer as it is given, shows and hides the questions that depend on earlier
// answers, and keeps the progress line current. Without JavaScript the form works the
// same: the server decides what is shown, and the page shows it after "Bewaren".
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
  var totalCounter = document.getElementById("total-count");
  var bar = document.getElementById("progress-bar");
  var timers = {};

  function say(text) { if (status) { status.textContent = text; } }

  // --- Texts: the page's own (its language, from the catalogue), else these -----------

  var texts = {
    saving: "Bezig met bewaren…",
    saved: "Automatisch bewaard om %(time)s.",
    submitted: "Uw antwoorden waren al ingediend; er is niets gewijzigd.",
    failed: "Automatisch bewaren lukte niet. Gebruik de knop 'Bewaren'.",
    offline: "Geen verbinding: uw laatste antwoorden zijn nog niet bewaard. Gebruik de knop 'Bewaren' zodra u weer verbinding hebt.",
    not_a_number: "Vul een geheel getal in, zonder letters, komma of punt.",
    not_whole: "Vul een geheel getal in, zonder komma of punt.",
    out_of_bounds: "Geef een geheel getal van %(minimum)s tot en met %(maximum)s."
  };
  var textsBlock = document.getElementById("teksten");
  if (textsBlock) {
    try {
      var given = JSON.parse(textsBlock.textContent) || {};
      Object.keys(given).forEach(function (key) {
        if (typeof given[key] === "string") { texts[key] = given[key]; }
      });
    } catch (e) { /* an unreadable block: the texts above */ }
  }

  // A text with its %(name)s parameters filled in.
  function textOf(key, values) {
    return texts[key].replace(/%\((\w+)\)s/g, function (whole, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }
  // Times as the page's language writes them (Dutch: as in Flanders).
  var language = document.documentElement.lang || "nl";
  var timeLocale = language === "nl" ? "nl-BE" : language;

  function byName(name) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name === name; });
  }

  // --- Routing: a mirror of instrument/routing.py, for display only ------------------

  var rules = [];
  var rulesBlock = document.getElementById("routing-regels");
  if (rulesBlock) {
    try { rules = JSON.parse(rulesBlock.textContent) || []; } catch (e) { rules = []; }
  }
  var ruleOf = {};
  rules.forEach(function (rule) { ruleOf[rule.target] = rule; });

  function valuesOf(name) {
    var out = [];
    byName(name).forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { out.push(el.value); }
      } else if (el.type !== "hidden" && el.value !== "") {
        out.push(el.value);
      }
    });
    return out;
  }

  function setShown(el, on, controls) {
    el.hidden = !on;
    if (!controls) { return; }
    // A hidden question's controls are disabled: they are not posted, so what the draft
    // holds for them stays as it is.
    el.querySelectorAll("input, textarea, select").forEach(function (control) {
      control.disabled = !on;
    });
  }

  function applyRouting() {
    if (!rules.length) { return; }
    var visible = {};
    function holds(rule) {
      if (!rule) { return true; }
      if (!visible[rule.after]) { return false; }
      return valuesOf(rule.field).some(function (v) { return rule.values.indexOf(v) >= 0; });
    }
    form.querySelectorAll("section.part").forEach(function (section) {
      var sectionRule = ruleOf[section.id];
      var open = holds(sectionRule);
      var any = false;
      section.querySelectorAll("[data-item]").forEach(function (item) {
        var on = open && holds(ruleOf[item.id]);
        visible[item.getAttribute("data-item")] = on;
        any = any || on;
        setShown(item, on, true);
      });
      var sectionOn = !sectionRule || any;
      setShown(section, sectionOn, false);
      var entry = document.querySelector('li[data-section="' + section.id + '"]');
      if (entry) { entry.hidden = !sectionOn; }
    });
  }

  // --- Progress: the shown questions that take an answer (texts are not counted) -----

  function isAnswered(item) {
    if (item.getAttribute("data-type") === "number") {
      var box = item.querySelector("input[type=number]");
      return !!box && box.value !== "";
    }
    return !!item.querySelector("input[type=radio]:checked, input[type=checkbox]:checked");
  }

  function refreshProgress() {
    var total = 0;
    var n = 0;
    form.querySelectorAll("[data-answerable]").forEach(function (item) {
      if (item.closest("[hidden]")) { return; }
      total += 1;
      if (isAnswered(item)) { n += 1; }
    });
    if (counter) { counter.textContent = n; }
    if (totalCounter) { totalCounter.textContent = total; }
    if (bar) { bar.max = Math.max(total, 1); bar.value = n; }
  }

  // --- Autosave ------------------------------------------------------------------------

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

  // The whole answer of the item a control belongs to: every ticked box of a multi, the
  // chosen option, a number or a text, and its "anders, namelijk" text.
  function answerOf(field) {
    var answer = { values: [], other: null };
    byName(field).forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { answer.values.push(el.value); }
      } else if (el.type !== "hidden") {
        answer.values.push(el.value);
      }
    });
    var other = form.elements[field + "__anders"];
    if (other && other.name) { answer.other = other.value; }
    return answer;
  }

  function send(field) {
    if (!url) { return; }     // the console's preview: shown and hidden, never stored
    pending[field] = answerOf(field);
    if (!inflight[field]) { flush(field, 0); }
  }

  function flush(field, attempt) {
    if (!Object.prototype.hasOwnProperty.call(pending, field)) { return; }
    var answer = pending[field];
    delete pending[field];
    inflight[field] = true;
    var body = new URLSearchParams();
    body.set("csrf_token", form.elements.csrf_token.value);
    body.set("ticket", form.elements.ticket.value);
    body.set("field", field);
    answer.values.forEach(function (value) { body.append("value", value); });
    if (answer.other !== null) { body.set("other", answer.other); }
    say(textOf("saving"));
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
                 headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok) {
            keepBasis(field, data && data.basis);
            var now = new Date();
            say(textOf("saved", { time: now.toLocaleTimeString(timeLocale, { hour: "2-digit", minute: "2-digit" }) }));
          } else if (response.status === 409) {
            say(textOf("submitted"));
          } else {
            say((data && data.message) || textOf("failed"));
          }
          inflight[field] = false;
          flush(field, 0);
        });
      })
      .catch(function () {
        if (!Object.prototype.hasOwnProperty.call(pending, field)) { pending[field] = answer; }
        if (attempt < 3) {
          setTimeout(function () { flush(field, attempt + 1); }, 2000 * (attempt + 1));
        } else {
          inflight[field] = false;
          say(textOf("offline"));
        }
      });
  }

  // A number is checked here first (the server checks it again): a clear message at the
  // box, and nothing sent while it is not a whole number within the bounds.
  function numberProblem(box) {
    if (box.validity && box.validity.badInput) { return textOf("not_a_number"); }
    var value = box.value.trim();
    if (value === "") { return null; }
    var low = Number(box.getAttribute("min"));
    var high = Number(box.getAttribute("max"));
    if (!/^-?[0-9]+$/.test(value)) { return textOf("not_whole"); }
    var number = Number(value);
    if (number < low || number > high) {
      return textOf("out_of_bounds", { minimum: low, maximum: high });
    }
    return null;
  }

  function showNumberProblem(box, problem) {
    var id = box.id + "-fout";
    var message = document.getElementById(id);
    var described = (box.getAttribute("aria-describedby") || "").split(" ").filter(function (part) {
      return part && part !== id;
    });
    if (problem) {
      if (!message) {
        message = document.createElement("p");
        message.id = id;
        message.className = "error";
        message.setAttribute("role", "alert");
        box.parentNode.parentNode.insertBefore(message, box.parentNode);
      }
      message.textContent = problem;
      described.push(id);
      box.setAttribute("aria-invalid", "true");
    } else {
      if (message) { message.parentNode.removeChild(message); }
      box.removeAttribute("aria-invalid");
    }
    if (described.length) { box.setAttribute("aria-describedby", described.join(" ")); }
  }

  form.addEventListener("change", function (event) {
    var el = event.target;
    var kind = el.getAttribute("data-autosave");
    if (!kind) { return; }
    if (kind === "number") {
      var problem = numberProblem(el);
      showNumberProblem(el, problem);
      refreshProgress();
      if (!problem) { send(el.name); }
      return;
    }
    if (kind === "other") {
      clearTimeout(timers[el.name]);
      send(el.getAttribute("data-for"));
      return;
    }
    if (kind === "text") { clearTimeout(timers[el.name]); }
    applyRouting();
    refreshProgress();
    send(el.name);
  });

  form.addEventListener("input", function (event) {
    var el = event.target;
    var kind = el.getAttribute("data-autosave");
    if (kind !== "text" && kind !== "other") { return; }
    var field = kind === "other" ? el.getAttribute("data-for") : el.name;
    clearTimeout(timers[el.name]);
    timers[el.name] = setTimeout(function () { send(field); }, 1500);
  });

  applyRouting();
  refreshProgress();
})();
