/* "Report" on a comment, inline. Without this file the link opens the report page, whose
   forms post and redirect like any other. With it, the same page's content opens in a
   modal <dialog> next to the comment, its forms post with fetch and answer in JSON, and
   "Hide this comment" hides it in place. Anything unexpected (no <dialog> support, a
   network error, a reply that is not JSON) falls back to the plain page or form post. */
(function () {
  "use strict";
  if (typeof HTMLDialogElement !== "function" || !window.fetch || !window.DOMParser) return;

  var dialog = null;
  var opener = null;

  function closeDialog() {
    if (dialog && dialog.open) dialog.close();
  }

  function ensureDialog() {
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.className = "report-dialog";
    dialog.setAttribute("aria-labelledby", "report-dialog-title");
    dialog.addEventListener("close", function () {
      dialog.replaceChildren();
      if (opener && document.body.contains(opener)) opener.focus();
    });
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog && event.detail > 0) {
        // The dialog's own box also receives clicks on its padding: only a click
        // outside the box is on the backdrop.
        var box = dialog.getBoundingClientRect();
        var outside = event.clientX < box.left || event.clientX > box.right ||
          event.clientY < box.top || event.clientY > box.bottom;
        if (outside) closeDialog();
        return;
      }
      if (event.target.closest("[data-dialog-close]")) {
        event.preventDefault();
        closeDialog();
      }
    });
    dialog.addEventListener("submit", onSubmit);
    document.body.appendChild(dialog);
    return dialog;
  }

  function show(content, title) {
    var box = ensureDialog();
    box.replaceChildren();
    var heading = document.createElement("h2");
    heading.id = "report-dialog-title";
    heading.textContent = title;
    box.appendChild(heading);
    box.appendChild(content);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "dialog-close";
    close.setAttribute("data-dialog-close", "");
    close.setAttribute("aria-label", "Close");
    close.textContent = "\u00d7";
    box.appendChild(close);
    if (!box.open) box.showModal();
    var first = box.querySelector(
      "input:not([type=hidden]), textarea, button:not(.dialog-close)"
    );
    if (first) first.focus();
  }

  function result(message, isError) {
    var p = document.createElement("p");
    p.className = isError ? "notice notice-error" : "notice";
    p.setAttribute("role", isError ? "alert" : "status");
    p.setAttribute("data-report-result", "");
    p.textContent = message;
    return p;
  }

  function hideInPlace(commentId, text) {
    var item = document.getElementById("comment-" + commentId);
    if (!item) return;
    var inner = item.querySelector(":scope > .comment-inner");
    if (!inner) return;
    var note = document.createElement("p");
    note.className = "comment-removed";
    note.textContent = text;
    note.setAttribute("tabindex", "-1");
    item.classList.add("comment-hidden");
    item.replaceChild(note, inner);
    opener = note; // focus lands here when the dialog closes
  }

  function markInvalid(form, errors) {
    // The fields the server refused point to the message (the note also says it is
    // invalid); fields that are fine again are cleared.
    var reasons = form.querySelector("fieldset");
    var note = form.querySelector("textarea");
    if (reasons) {
      if (errors.reason) reasons.setAttribute("aria-describedby", "report-dialog-error");
      else reasons.removeAttribute("aria-describedby");
    }
    if (note) {
      var help = "id_note_helptext";
      if (errors.note) {
        note.setAttribute("aria-invalid", "true");
        note.setAttribute("aria-describedby", "report-dialog-error " + help);
      } else {
        note.removeAttribute("aria-invalid");
        note.setAttribute("aria-describedby", help);
      }
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-report]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    opener = link;
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var content = page.querySelector("[data-dialog-content]");
        if (!content) throw new Error("no report form");
        content.setAttribute("data-comment", link.getAttribute("data-report"));
        content.removeAttribute("aria-labelledby");
        show(document.importNode(content, true),
             "Report the comment by " + link.getAttribute("data-author"));
      })
      .catch(function () {
        window.location.href = link.href;
      });
  });

  function onSubmit(event) {
    var form = event.target.closest("form[data-dialog-form]");
    if (!form) return;
    event.preventDefault();
    var content = form.closest("[data-dialog-content]");
    var commentId = content.getAttribute("data-comment");
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) {
      data.append(event.submitter.name, event.submitter.value);
    }
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) throw new Error("not JSON");
        return response.json();
      })
      .then(function (answer) {
        buttons.forEach(function (b) { b.disabled = false; });
        content.querySelectorAll("[data-report-result], .error-summary").forEach(function (n) {
          n.remove();
        });
        if (form.classList.contains("report-hide")) {
          if (answer.ok) {
            hideInPlace(commentId, "You hid this comment. It stays hidden in this browser.");
            closeDialog();
            return;
          }
          form.insertAdjacentElement("beforebegin", result(answer.message, true));
          return;
        }
        var message = result(answer.message, !answer.done);
        if (answer.hidden) {
          hideInPlace(commentId, "This comment is hidden while a moderator reviews it.");
          // Out of sight for everyone now, so there is nothing left to hide for oneself.
          var hideForm = content.querySelector(".report-hide");
          if (hideForm) hideForm.remove();
        }
        if (answer.done) {
          // Taken, or already reported: the form is done with; hiding is still offered.
          form.replaceWith(message);
          var privacy = content.querySelector(".report-privacy");
          if (privacy) privacy.remove();
        } else {
          message.id = "report-dialog-error";
          form.insertAdjacentElement("afterbegin", message);
          markInvalid(form, answer.errors || {});
        }
        message.setAttribute("tabindex", "-1");
        message.focus();
      })
      .catch(function () {
        form.removeAttribute("data-dialog-form");
        form.submit();
      });
  }
})();
