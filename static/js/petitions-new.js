// Progressive enhancement for the new-petition form: suggest similar petitions while typing.
// Without JavaScript the "Check for similar petitions" button does the same on the server.
(function () {
  "use strict";
  var form = document.getElementById("petition-form");
  if (!form) { return; }
  var box = document.getElementById("similar");
  var url = form.getAttribute("data-similar-url");
  var timer = null;
  function render(items) {
    box.textContent = "";
    if (!items.length) { return; }
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title;  // textContent: never HTML
      li.appendChild(a);
      list.appendChild(li);
    });
    box.appendChild(list);
  }
  function lookup() {
    var text = (form.elements.title.value + " " + form.elements.action.value).trim();
    if (text.length < 8) { return; }
    fetch(url + "?q=" + encodeURIComponent(text), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (items) { if (items) { render(items); } })  // rate-limited: keep the last
      .catch(function () {});
  }
  ["title", "action"].forEach(function (name) {
    form.elements[name].addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 400);
    });
  });
}());
