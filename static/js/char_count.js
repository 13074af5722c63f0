// A live character count under a textarea with data-limit (the hint already states the limit;
// the server refuses a longer text with a message, so this is only a convenience).
(function () {
  "use strict";
  var fields = document.querySelectorAll("textarea[data-limit]");
  Array.prototype.forEach.call(fields, function (field) {
    var limit = parseInt(field.getAttribute("data-limit"), 10);
    var count = document.createElement("p");
    count.id = field.id + "-count";
    count.className = "form-text char-count";
    count.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", count);
    field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " " + count.id).trim());
    function show() {
      var left = limit - field.value.length;
      count.textContent = left >= 0
        ? "You have " + left.toLocaleString("en-GB") + " characters remaining"
        : "You have " + (-left).toLocaleString("en-GB") + " characters too many";
      count.classList.toggle("text-danger", left < 0);
    }
    field.addEventListener("input", show);
    show();
  });
}());
