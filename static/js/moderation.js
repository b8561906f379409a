/* Keyboard shortcuts for the moderation queue: j/k move, x ticks, a/s/r/u act (a also keeps a reported comment) on the
   highlighted comment by pressing its button. Every action is a plain form button too. */
(function () {
  "use strict";
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-queue-item]"));
  if (!items.length) return;
  var current = -1;

  function select(index) {
    if (index < 0 || index >= items.length) return;
    if (current >= 0) items[current].classList.remove("is-current");
    current = index;
    items[current].classList.add("is-current");
    items[current].focus();
  }

  function press(names) {
    if (current < 0) return;
    for (var i = 0; i < names.length; i++) {
      var button = items[current].querySelector('[data-action="' + names[i] + '"]');
      if (button) {
        button.click();
        return;
      }
    }
  }

  items.forEach(function (item, index) {
    item.addEventListener("focusin", function () {
      if (current !== index) {
        if (current >= 0) items[current].classList.remove("is-current");
        current = index;
        item.classList.add("is-current");
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" && event.target.type !== "checkbox") return;
    if (tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    switch (event.key) {
      case "j": select(current + 1); break;
      case "k": select(current <= 0 ? 0 : current - 1); break;
      case "x":
        if (current >= 0) {
          var box = items[current].querySelector("input[type=checkbox]");
          box.checked = !box.checked;
        }
        break;
      case "a": press(["approve", "keep"]); break;
      case "s": press(["spam"]); break;
      case "r": press(["remove"]); break;
      case "u": press(["ham", "restore"]); break;
      default: return;
    }
    event.preventDefault();
  });
})();
