/* Comment form niceties. Everything works without this file: replies reload the page with
   ?replytocom=, errors are rendered by the server. With it, the form moves under the comment
   being answered, focus goes to its text box, and a double click posts once. (The error
   summary takes focus by itself: it carries the autofocus attribute.) */
(function () {
  "use strict";

  var respond = document.getElementById("respond");
  var home = document.getElementById("respond-home");
  if (!respond || !home) return;
  var form = respond.querySelector("[data-comment-form]");
  var title = document.getElementById("respond-title");
  var parentInput = form.querySelector("input[name=parent]");
  var body = form.querySelector("textarea");
  var submit = form.querySelector("[data-submit]");

  function setTitle(name) {
    title.textContent = "";
    if (!name) {
      title.textContent = form.getAttribute("data-default-title");
      return;
    }
    title.appendChild(document.createTextNode("Replying to "));
    var who = document.createElement("span");
    who.textContent = name;
    title.appendChild(who);
    title.appendChild(document.createTextNode(" "));
    var wrap = document.createElement("span");
    wrap.className = "cancel-wrap";
    var dash = document.createElement("span");
    dash.setAttribute("aria-hidden", "true");
    dash.textContent = "-";
    wrap.appendChild(dash);
    wrap.appendChild(document.createTextNode(" "));
    var cancel = document.createElement("a");
    cancel.href = "#respond";
    cancel.className = "cancel-reply";
    cancel.setAttribute("data-cancel-reply", "");
    cancel.textContent = "Cancel reply";
    wrap.appendChild(cancel);
    title.appendChild(wrap);
  }

  document.addEventListener("click", function (event) {
    var reply = event.target.closest("[data-reply-to]");
    if (reply) {
      var comment = document.getElementById("comment-" + reply.getAttribute("data-reply-to"));
      if (!comment) return;
      event.preventDefault();
      // Under the comment, above its replies (null when it has none: then at the end).
      comment.insertBefore(respond, comment.querySelector(":scope > ol.children"));
      parentInput.value = reply.getAttribute("data-reply-to");
      setTitle(reply.getAttribute("data-author"));
      body.focus();
      return;
    }
    var cancel = event.target.closest("[data-cancel-reply]");
    if (cancel) {
      event.preventDefault();
      home.parentNode.insertBefore(respond, home.nextSibling);
      parentInput.value = "";
      setTitle("");
      body.focus();
    }
  });

  form.addEventListener("submit", function () {
    // The server also refuses a repeat of the same form; this just spares a second request.
    window.setTimeout(function () {
      submit.disabled = true;
      submit.textContent = "Posting\u2026";
    }, 0);
  });
  window.addEventListener("pageshow", function () {
    submit.disabled = false;
    submit.textContent = "Post comment";
  });
})();
