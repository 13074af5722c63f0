// Move focus to a booking step's error summary, so screen readers and keyboards start there.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
}());
