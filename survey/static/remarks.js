// The remarks review page, a little quicker with the keyboard: "select the whole page",
// j / k to the next / previous remark, x to tick or untick it. Without JavaScript the
// page works the same with Tab, Space and Enter: every control is a real form control,
// and the page's texts (in its language) are in the HTML, none here.
(function () {
  "use strict";

  var bulk = document.getElementById("bulk");
  if (!bulk) { return; }
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-select]"));

  var pageBox = document.getElementById("select-page");
  var pageLine = document.querySelector("[data-select-page]");
  if (pageBox && pageLine) {
    pageLine.hidden = false;
    pageBox.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = pageBox.checked; });
    });
    boxes.forEach(function (box) {
      box.addEventListener("change", function () {
        pageBox.checked = boxes.every(function (b) { return b.checked; });
      });
    });
  }

  var keys = document.querySelector("[data-keys]");
  if (keys) { keys.hidden = false; }

  function typing(target) {
    var tag = target.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable ||
      (tag === "INPUT" && target.type !== "checkbox" && target.type !== "radio");
  }

  function current() {
    var active = document.activeElement;
    var article = active && active.closest ? active.closest("article.remark") : null;
    if (!article) { return -1; }
    return boxes.indexOf(article.querySelector("input[data-select]"));
  }

  function go(index) {
    var box = boxes[Math.max(0, Math.min(boxes.length - 1, index))];
    if (!box) { return; }
    box.focus();
    box.closest("article.remark").scrollIntoView({ block: "start" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    var at = current();
    if (event.key === "j") {
      go(at + 1);
    } else if (event.key === "k") {
      go(at < 0 ? 0 : at - 1);
    } else if (event.key === "x" && at >= 0) {
      boxes[at].click();       // a click, so the change handlers run as for Space
    } else {
      return;
    }
    event.preventDefault();
  });
})();
