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
