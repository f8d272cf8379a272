// Live character counts for fields with a maxlength (response summary and details).
(function () {
  "use strict";
  document.querySelectorAll("textarea[maxlength], input[maxlength]").forEach(function (field) {
    var out = document.createElement("span");
    out.className = "hint pt-counter";
    out.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", out);
    function update() { out.textContent = field.value.length + " / " + field.maxLength; }
    field.addEventListener("input", update);
    update();
  });
}());
