/* "Go back" on a warning screen: the page is the same for every reader (so shared caches
   can keep it), so it links to the essay list; with this file it returns to the page of
   the list the reader came from, when they came from one. */
(function () {
  "use strict";
  var link = document.querySelector("[data-go-back]");
  if (!link || !document.referrer) return;
  var from;
  try {
    from = new URL(document.referrer);
  } catch (e) {
    return;
  }
  if (from.origin === window.location.origin && /^\/$/.test(from.pathname) &&
      /^(\?page=\d{1,4})?$/.test(from.search)) {
    link.href = from.pathname + from.search;
  }
})();
