// Progressive enhancement only: a live "N of M answered" count under the questionnaire.
// The form works the same without it.
(function () {
  "use strict";
  var form = document.querySelector("form.questionnaire");
  var counter = document.getElementById("answered-count");
  if (!form || !counter) return;
  var questions = form.querySelectorAll("fieldset.question");

  function answered(fieldset) {
    var radio = fieldset.querySelector("input[type=radio]:checked");
    if (radio) return radio.value !== "";
    return Array.prototype.some.call(fieldset.querySelectorAll("select"), function (s) {
      return s.value !== "";
    });
  }

  function update() {
    var n = Array.prototype.filter.call(questions, answered).length;
    counter.textContent = n + " of " + questions.length + " questions answered" +
      (n < questions.length ? " — unanswered ones count as neutral." : ".");
  }

  update();
  counter.hidden = false;
  counter.setAttribute("aria-live", "polite");
  form.addEventListener("change", update);

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
  update();
})();
