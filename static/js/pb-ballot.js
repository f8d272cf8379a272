// Budget ballot: live budget bar / points counter and category filter. Progressive
// enhancement: the form is complete and validated on the server without this file.
(function () {
  "use strict";
  var form = document.getElementById("pb-ballot");
  if (!form) { return; }
  var type = form.dataset.voteType;
  var budget = Number(form.dataset.budget);
  var scale = Number(form.dataset.scale) || 1;
  var currency = form.dataset.currency;
  var bar = document.getElementById("pb-bar");
  var lang = document.documentElement.lang || undefined;

  function money(minor) {
    try {
      return new Intl.NumberFormat(lang, { style: "currency", currency: currency })
        .format(minor / scale);
    } catch (e) { return (minor / scale).toFixed(2) + " " + currency; }
  }

  function update() {
    if (!bar) { return; }
    if (type === "approval" || type === "knapsack") {
      var spent = 0;
      form.querySelectorAll("input[name=project]:checked").forEach(function (box) {
        spent += Number(box.dataset.cost);
      });
      bar.value = Math.min(spent, budget);
      var text = document.getElementById("pb-spent-text");
      text.textContent = text.textContent.replace(/^([^:]*:\s*).*$/,
        "$1" + money(spent) + " / " + money(budget));
      form.classList.toggle("pb-over", spent > budget);
      bar.classList.toggle("pb-over", spent > budget);
    } else if (type === "cumulative") {
      var total = Number(form.dataset.pointsTotal);
      var given = 0;
      form.querySelectorAll("input[type=number]").forEach(function (box) {
        var n = parseInt(box.value, 10);
        if (n > 0) { given += n; }
      });
      bar.value = Math.min(given, total);
      var ptext = document.getElementById("pb-points-text");
      ptext.textContent = ptext.textContent.replace(/^([^:]*:\s*).*$/,
        "$1" + given + " / " + total);
      form.classList.toggle("pb-over", given > total);
    }
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();

  var filter = document.getElementById("pb-filter");
  var select = document.getElementById("pb-category");
  if (filter && select) {
    filter.hidden = false;
    select.addEventListener("change", function () {
      form.querySelectorAll(".pb-cards > li").forEach(function (card) {
        card.hidden = select.value !== "" && card.dataset.category !== select.value;
      });
    });
  }
})();
