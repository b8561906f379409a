// The essay form's live preview: beside the body (below it on narrow screens), the body as
// readers will see it, rendered by the server's own Markdown code a moment after typing
// stops. Without this script the form works as before; the Preview buttons need none.
(function () {
  "use strict";

  const PAUSE_MS = 400;

  function start() {
    const body = document.getElementById("id_body");
    const actions = document.querySelector(".essay-preview-actions[data-body-preview-url]");
    const form = body && body.form;
    const token = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (!body || !actions || !token || !window.fetch) {
      return;
    }
    const url = actions.dataset.bodyPreviewUrl;
    const limit = parseInt(actions.dataset.bodyPreviewLimit, 10) || Infinity;
    const format = document.getElementById("id_body_format");

    const editor = document.createElement("div");
    editor.className = "essay-body-editor";
    const panel = document.createElement("section");
    panel.className = "essay-body-preview";
    panel.setAttribute("aria-labelledby", "essay-body-preview-heading");
    const heading = document.createElement("h3");
    heading.id = "essay-body-preview-heading";
    heading.textContent = "Preview";
    // A short status line is announced; the rendered body, long as it may be, is not.
    const status = document.createElement("p");
    status.className = "essay-body-preview-status";
    status.setAttribute("role", "status");
    const page = document.createElement("div");
    page.className = "essay-body-preview-page";
    const rendered = document.createElement("div");
    rendered.className = "essay-body";
    page.appendChild(rendered);
    panel.append(heading, status, page);
    body.parentNode.insertBefore(editor, body);
    editor.append(body, panel);

    let timer = null;
    let latest = 0;
    let inFlight = null;

    function say(text, isError) {
      status.textContent = text;
      status.classList.toggle("is-error", Boolean(isError));
    }

    async function refresh() {
      const request = ++latest;
      if (inFlight) {
        inFlight.abort();
      }
      if (!body.value.trim()) {
        rendered.replaceChildren();
        say("Nothing to preview yet: type the essay's body.");
        return;
      }
      if (body.value.length > limit) {
        say("The body is too long to preview as you type. Use the Preview button below.", true);
        return;
      }
      const data = new FormData();
      data.append("body", body.value);
      data.append("body_format", format ? format.value : "markdown");
      inFlight = new AbortController();
      try {
        const response = await fetch(url, {
          method: "POST",
          body: data,
          headers: { "X-CSRFToken": token.value, Accept: "application/json" },
          credentials: "same-origin",
          signal: inFlight.signal,
        });
        if (request !== latest) {
          return;
        }
        if (response.status === 403) {
          say("Preview unavailable: you may have been signed out. Your text is still in the form.", true);
          return;
        }
        const result = await response.json().catch(() => ({}));
        if (request !== latest) {
          return;
        }
        if (!response.ok || typeof result.html !== "string") {
          say(result.error || "Preview unavailable just now. Your text is still in the form.", true);
          return;
        }
        // Sanitized by the server exactly as the published essay is.
        rendered.innerHTML = result.html;
        say("Preview updated.");
      } catch (error) {
        if (error.name !== "AbortError" && request === latest) {
          say("Preview unavailable: the server could not be reached. Your text is still in the form.", true);
        }
      }
    }

    function soon() {
      clearTimeout(timer);
      timer = setTimeout(refresh, PAUSE_MS);
    }

    body.addEventListener("input", soon);
    if (format) {
      format.addEventListener("change", soon);
    }
    refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
