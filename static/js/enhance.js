// Progressive enhancement for the questionnaire. Without this file the form works the same:
// the server renders the progress, checks every answer and saves drafts.
(function () {
  "use strict";
  var form = document.querySelector("form.questionnaire");
  if (!form) return;
  var questions = form.querySelectorAll("fieldset.question");
  var sections = form.querySelectorAll("section.form-section");
  var progress = document.getElementById("progress");
  var live = document.getElementById("progress-live");
  var count = document.getElementById("progress-count");
  var bar = document.getElementById("progress-bar");
  var time = document.getElementById("progress-time");
  var bottom = document.getElementById("answered-count");
  var secondsPerQuestion = progress ? parseInt(progress.getAttribute("data-seconds-per-question"), 10) || 20 : 20;
  var total = questions.length;

  // Live progress: "7 of 14 answered", the bar, minutes left and each part's count.
  function answered(fieldset) {
    var radio = fieldset.querySelector("input[type=radio]:checked");
    if (radio) return radio.value !== "";
    return fieldset.querySelector("input[type=checkbox]:checked") !== null;
  }

  function countIn(root) {
    return Array.prototype.filter.call(root.querySelectorAll("fieldset.question"), answered).length;
  }

  function setText(element, text) {
    if (element && element.textContent !== text) element.textContent = text;
  }

  function timeLeft(unanswered) {
    var minutes = Math.ceil(unanswered * secondsPerQuestion / 60);
    if (unanswered === 0) return "All answered";
    if (minutes <= 1) return "About a minute left";
    return "About " + minutes + " minutes" + (unanswered < total ? " left" : "");
  }

  function update() {
    var n = countIn(form);
    setText(count, n + " of " + total + " answered");
    if (bar) bar.value = n;
    setText(time, timeLeft(total - n));
    setText(bottom, n + " of " + total + " questions answered" +
      (n < total ? " — unanswered ones count as neutral." : "."));
    Array.prototype.forEach.call(sections, function (section) {
      var id = (section.getAttribute("aria-labelledby") || "").replace(/^section-/, "");
      var part = document.querySelector('.part-count[data-section="' + id + '"]');
      if (part) setText(part, countIn(section) + " of " + part.getAttribute("data-total") + " answered");
    });
  }

  if (live) live.classList.add("is-live");
  if (count) count.setAttribute("aria-live", "polite");
  form.addEventListener("change", update);
  form.addEventListener("reset", function () { setTimeout(update, 0); });
  update();

  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
})();

// Advanced section: a live total under the risk-tier percentages, so a sum other than 100
// is visible before submitting. The server checks the sum either way.
(function () {
  "use strict";
  var total = document.getElementById("tier-total");
  var tiers = document.getElementById("tiers");
  if (!total || !tiers) return;
  var inputs = tiers.querySelectorAll("input[type=number]");

  function update() {
    var sum = 0;
    var given = 0;
    Array.prototype.forEach.call(inputs, function (input) {
      var value = parseFloat(input.value);
      if (input.value !== "" && !isNaN(value)) {
        sum += value;
        given += 1;
      }
    });
    total.hidden = given === 0;
    var shown = Math.round(sum * 10) / 10;
    total.textContent = "Together: " + shown + "%" +
      (Math.abs(sum - 100) > 0.01 ? " — they need to add up to 100%." : ".");
  }

  total.setAttribute("aria-live", "polite");
  tiers.addEventListener("input", update);
  tiers.closest("form").addEventListener("reset", function () { setTimeout(update, 0); });
  update();
})();

// Answers survive a reload: the form's values are kept in this browser's localStorage and
// restored into an untouched, empty form. A form the server filled in (a saved result's
// answers, or answers sent back with errors) is never overwritten. A successful submit
// clears the copy; "Save and finish later" keeps it.
(function () {
  "use strict";
  var form = document.querySelector("form.questionnaire[data-autosave-days]");
  if (!form) return;
  var days = parseInt(form.getAttribute("data-autosave-days"), 10) || 30;
  var key = "cm-advisor:answers:" + location.pathname;
  var storage;
  try {
    storage = window.localStorage;
    storage.getItem(key);
  } catch (e) {
    return; // storage switched off or full: the form still works, it just forgets
  }

  function controls() {
    return Array.prototype.filter.call(form.elements, function (c) {
      return c.name && c.type !== "hidden" && c.type !== "submit" && c.type !== "button";
    });
  }

  function isDefault(c) {
    if (c.type === "radio" || c.type === "checkbox") return c.checked === c.defaultChecked;
    if (c.tagName === "SELECT") {
      var initial = 0; // with no `selected` option a select shows its first one
      Array.prototype.forEach.call(c.options, function (o, i) {
        if (o.defaultSelected) initial = i;
      });
      return c.selectedIndex === initial;
    }
    return c.value === c.defaultValue;
  }

  function snapshot() {
    var fields = {};
    controls().forEach(function (c) {
      if (c.type === "radio") {
        if (c.checked) fields[c.name] = c.value;
      } else if (c.type === "checkbox") {
        if (!Array.isArray(fields[c.name])) fields[c.name] = [];
        if (c.checked) fields[c.name].push(c.value);
      } else {
        fields[c.name] = c.value;
      }
    });
    return fields;
  }

  function save() {
    try {
      storage.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: snapshot() }));
    } catch (e) { /* full or refused: nothing to do */ }
  }

  function clear() {
    try { storage.removeItem(key); } catch (e) { /* nothing to do */ }
  }

  function stored() {
    try {
      var data = JSON.parse(storage.getItem(key) || "null");
      if (!data || typeof data.fields !== "object" || !data.savedAt) return null;
      if (Date.now() - data.savedAt > days * 864e5) {
        clear();
        return null;
      }
      return data.fields;
    } catch (e) {
      return null;
    }
  }

  function restore(fields) {
    var changed = [];
    controls().forEach(function (c) {
      if (!Object.prototype.hasOwnProperty.call(fields, c.name)) return;
      var value = String(fields[c.name]);
      if (c.type === "checkbox") {
        var ticked = [].concat(fields[c.name]).indexOf(c.value) >= 0;
        if (c.checked !== ticked) {
          c.checked = ticked;
          changed.push(c);
        }
      } else if (c.type === "radio") {
        var on = c.value === value;
        if (c.checked !== on) {
          c.checked = on;
          if (on) changed.push(c);
        }
      } else if (c.value !== value) {
        if (c.tagName === "SELECT" && !Array.prototype.some.call(c.options, function (o) {
          return o.value === value;
        })) return;
        c.value = value;
        changed.push(c);
      }
    });
    changed.forEach(function (c) {
      var details = c.closest("details");
      if (details) details.open = true;
      c.dispatchEvent(new Event("input", { bubbles: true }));
      c.dispatchEvent(new Event("change", { bubbles: true }));
    });
    return changed.length;
  }

  function announceRestored() {
    var note = document.createElement("div");
    note.className = "note restored-note";
    note.setAttribute("role", "status");
    note.tabIndex = -1;
    var text = document.createElement("p");
    text.textContent = "We filled in the answers you gave earlier in this browser.";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = "Clear them and start again";
    button.addEventListener("click", function () {
      form.reset();
      clear();
      text.textContent = "Your earlier answers are cleared.";
      note.removeChild(button);
      note.focus();
    });
    note.appendChild(text);
    note.appendChild(button);
    var intro = document.querySelector(".intro") || form;
    intro.parentNode.insertBefore(note, intro);
  }

  var untouched = !form.hasAttribute("data-prefilled") && controls().every(isDefault);
  var fields = untouched ? stored() : null;
  if (fields && restore(fields) > 0) announceRestored();
  if (form.hasAttribute("data-errors")) save(); // the submit cleared the copy; keep these

  form.addEventListener("change", save);
  form.addEventListener("input", save);
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.hasAttribute("data-save-draft")) {
      save();
    } else {
      clear();
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) save(); // back from the result page: the form is showing answers
  });
})();

// Outcomes: ticking a box gives it the next place, unticking closes the gap, and "Move up"
// swaps it with the one above. The order fields (what the server reads) stay in step but
// out of sight; without this script people type the order themselves.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".ranked-options"), function (list) {
    var most = parseInt(list.getAttribute("data-max"), 10) || 99;
    var rows = Array.prototype.slice.call(list.querySelectorAll(".ranked-option"));
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    list.parentNode.insertBefore(status, list.nextSibling);

    function box(row) { return row.querySelector("input[type=checkbox]"); }
    function place(row) { return row.querySelector(".option-order input"); }
    function name(row) { return row.querySelector("label").textContent.trim(); }
    function ordinal(n) {
      var s = ["th", "st", "nd", "rd"], v = n % 100;
      return n + (s[(v - 20) % 10] || s[v] || s[0]);
    }

    // Ticked rows in their current order: numbered first (by number), then as listed.
    function ordered() {
      var ticked = rows.filter(function (row) { return box(row).checked; });
      return ticked.map(function (row, i) {
        var n = parseInt(place(row).value, 10);
        return { row: row, key: isNaN(n) ? 1000 + i : n * 1000 + i };
      }).sort(function (a, b) { return a.key - b.key; }).map(function (x) { return x.row; });
    }

    function render(order) {
      rows.forEach(function (row) {
        var badge = row.querySelector(".order-badge");
        var at = order.indexOf(row);
        place(row).value = at < 0 ? "" : String(at + 1);
        if (at < 0) {
          if (badge) badge.parentNode.removeChild(badge);
          return;
        }
        if (!badge) {
          badge = document.createElement("span");
          badge.className = "order-badge";
          badge.appendChild(document.createElement("span"));
          var up = document.createElement("button");
          up.type = "button";
          up.className = "button";
          up.textContent = "Move up";
          up.addEventListener("click", function () { move(row); });
          badge.appendChild(up);
          row.appendChild(badge);
        }
        badge.firstChild.textContent = ordinal(at + 1);
        var button = badge.querySelector("button");
        button.hidden = at === 0;
        button.setAttribute("aria-label", "Move “" + name(row) + "” up from " + ordinal(at + 1));
      });
    }

    function move(row) {
      var order = ordered();
      var at = order.indexOf(row);
      if (at <= 0) return;
      order.splice(at, 1);
      order.splice(at - 1, 0, row);
      render(order);
      status.textContent = name(row) + " is now " + ordinal(at) + ".";
      var button = row.querySelector(".order-badge button");
      if (button && button.hidden) box(row).focus(); else if (button) button.focus();
      list.dispatchEvent(new Event("change", { bubbles: true }));
    }

    list.addEventListener("change", function (event) {
      var target = event.target;
      if (!target || target.type !== "checkbox") return;
      var row = target.closest(".ranked-option");
      var others = ordered().filter(function (r) { return r !== row; });
      if (target.checked) {
        if (others.length >= most) {
          target.checked = false;
          place(row).value = "";
          status.textContent = "You can choose up to " + most + ". Untick one first.";
          return;
        }
        if (!place(row).value) place(row).value = String(others.length + 1); // last, unless restored
      } else {
        place(row).value = "";
      }
      var order = ordered();
      render(order);
      status.textContent = target.checked
        ? name(row) + " is " + ordinal(order.indexOf(row) + 1) + "."
        : name(row) + " is no longer chosen.";
    });

    list.classList.add("is-live");
    render(ordered());
  });
})();

// The number of patients picks the size band it falls in, as the server would.
(function () {
  "use strict";
  var number = document.getElementById("population_size_number");
  if (!number) return;
  var bands = Array.prototype.filter.call(
    document.querySelectorAll("input[type=radio][data-most]"),
    function (radio) { return radio.name === "population_size"; }
  );
  number.addEventListener("input", function () {
    var size = parseInt(number.value.replace(/[\s,'_\u00a0\u202f]/g, "").replace(/\.(?=\d{3}(\D|$))/g, ""), 10);
    if (isNaN(size) || size < 1) return;
    var band = bands.filter(function (radio) {
      var limit = radio.getAttribute("data-most");
      return limit === "" || size <= parseInt(limit, 10);
    })[0];
    if (band && !band.checked) {
      band.checked = true;
      band.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
})();
