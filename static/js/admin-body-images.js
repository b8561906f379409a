// Images in essay bodies, in the admin: the essay form's "Upload an image" opens the image
// library's upload page in a window of its own; once an image is uploaded there, that page
// posts the image's Markdown back and the essay form puts it where the cursor was. Recent
// images get an "Insert" button, library rows a "Copy" one. Without JavaScript the links
// still open the pages and the Markdown is shown to copy by hand.
(function () {
  "use strict";

  var MESSAGE = "body-image-uploaded";
  var popup = null;
  var target = null;

  // The image on a line of its own, a paragraph, so readers get it as a figure.
  function insertAtCursor(textarea, markdown) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    if (typeof start !== "number") {
      start = end = textarea.value.length;
    }
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    var lead = !before || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var tail = /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    textarea.focus();
    textarea.setRangeText(lead + markdown + tail, start, end, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function copy(button) {
    var text = button.getAttribute("data-copy-markdown");
    var done = function (word) {
      button.textContent = word;
      window.setTimeout(function () { button.textContent = "Copy"; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done("Copied"); },
        function () { done("Select and copy it"); });
    } else {
      done("Select and copy it");
    }
  }

  document.addEventListener("click", function (event) {
    var upload = event.target.closest("[data-body-image-upload]");
    if (upload) {
      target = document.getElementById(upload.getAttribute("data-target"));
      popup = window.open(upload.href, "body-image-upload", "popup,width=860,height=760");
      if (popup) {
        event.preventDefault();
        popup.focus();
      }
      return;
    }
    var insert = event.target.closest("[data-body-image-insert]");
    if (insert) {
      var textarea = document.getElementById(insert.getAttribute("data-target"));
      if (textarea) {
        insertAtCursor(textarea, insert.getAttribute("data-markdown"));
      }
      return;
    }
    var copyButton = event.target.closest("[data-copy-markdown]");
    if (copyButton) {
      copy(copyButton);
    }
  });

  // The essay form: only this site's upload window, which this page opened, is heard.
  window.addEventListener("message", function (event) {
    if (event.origin !== window.location.origin || !popup || event.source !== popup) {
      return;
    }
    var data = event.data;
    if (!data || data.type !== MESSAGE || typeof data.markdown !== "string" || !target) {
      return;
    }
    insertAtCursor(target, data.markdown);
    popup.close();
    popup = null;
  });

  function ready() {
    document.querySelectorAll("[data-copy-markdown][hidden], [data-body-image-insert][hidden]")
      .forEach(function (button) { button.hidden = false; });
    // The page after an upload: hand the Markdown to the essay form that opened it.
    var uploaded = document.querySelector("[data-body-image-uploaded]");
    if (uploaded && window.opener && !window.opener.closed) {
      var status = uploaded.querySelector("[data-body-image-status]");
      if (status) {
        status.textContent = "Putting it in the essay\u2026";
      }
      window.opener.postMessage(
        { type: MESSAGE, markdown: uploaded.getAttribute("data-markdown") },
        window.location.origin
      );
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
