// Progressive enhancement for the time picker: say which time is chosen, next to the button.
(function () {
  "use strict";
  var picker = document.querySelector(".slot-picker");
  var status = document.getElementById("slot-choice");
  if (!picker || !status) { return; }
  function show() {
    var chosen = picker.querySelector("input[name=slot]:checked");
    status.textContent = chosen ? "You have chosen " + chosen.getAttribute("data-label") + "." : "";
  }
  picker.addEventListener("change", show);
  show();
}());
