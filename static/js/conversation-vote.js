// Voting without a page reload: the form still works without JavaScript (POST + redirect).
(function () {
  "use strict";
  var form = document.getElementById("vote-form");
  if (!form || !window.fetch) { return; }
  var progress = document.getElementById("vote-progress");
  var text = document.getElementById("vote-statement");
  var idField = document.getElementById("vote-statement-id");
  var done = document.getElementById("vote-done");
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button) { return; }  // old browsers: let the form post normally
    event.preventDefault();
    var data = new FormData(form);
    data.append("vote", button.value);
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"Accept": "application/json",
                "X-CSRFToken": form.querySelector("[name=csrf_token]").value}
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (result) {
      if (!result.ok) { throw new Error(result.body.error || "error"); }
      progress.textContent = result.body.progress;
      if (result.body.next) {
        idField.value = result.body.next.id;
        text.textContent = result.body.next.text;
        // Enabled again first: focus() on a disabled button is ignored, and keyboard users
        // would be dropped at the top of the page after every vote.
        buttons.forEach(function (b) { b.disabled = false; });
        buttons[0].focus();
      } else {
        form.hidden = true;
        done.hidden = false;
        done.setAttribute("tabindex", "-1");
        done.focus();
      }
    }).catch(function () {
      var chosen = document.createElement("input");
      chosen.type = "hidden"; chosen.name = "vote"; chosen.value = button.value;
      form.appendChild(chosen);
      form.submit();  // fall back to the page that shows the error
    }).finally(function () {
      buttons.forEach(function (b) { b.disabled = false; });
    });
  });
}());
