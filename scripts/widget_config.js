// Loaded just before embed.js on pages with widgets (see nb_ipywidgets_js in _config.yml).
(function () {
  // 1. The widget CSS asks for its Font Awesome files relative to this folder of the site
  //    (scripts/widget_assets.py copies them here), wherever the page itself lives.
  var src = document.currentScript && document.currentScript.src;
  if (src) {
    var base = src.split(/[?#]/)[0];
    window.__jupyter_widgets_assets_path__ = base.slice(0, base.lastIndexOf("/") + 1);
  }
  // 2. pydata-sphinx-theme's Font Awesome JavaScript (a deferred script, so it runs after this
  //    one) swaps <i class="fa ..."> elements for <svg>s.  ipywidgets' Play then throws when it
  //    looks for its <i> to switch play/pause, and the exception stops the jslinks.  Widgets
  //    draw their icons with their own font: mark each widget <i> as already converted (Font
  //    Awesome skips [data-fa-i2svg]) as soon as it enters the page, and keep Font Awesome from
  //    watching for class changes (it re-converts marked elements whose class changes).
  window.FontAwesomeConfig = Object.assign({}, window.FontAwesomeConfig, { observeMutations: false });
  var WIDGET = ".jupyter-widgets, .lm-Widget";
  function mark(node) {
    if (node.nodeType !== 1) return;
    var icons = node.tagName === "I" ? [node] : Array.prototype.slice.call(node.getElementsByTagName("i"));
    icons.forEach(function (icon) {
      if (icon.closest(WIDGET)) icon.setAttribute("data-fa-i2svg", "");
    });
  }
  // 3. Names for controls that have none: Play's icon buttons and a slider's handle (named by
  //    its description, e.g. "step").
  var PLAY_NAMES = ["play", "stop", "repeat"];
  var naming = false;
  function name() {
    naming = false;
    document.querySelectorAll(".widget-play > button:not([aria-label])").forEach(function (button) {
      var k = Array.prototype.indexOf.call(button.parentElement.children, button);
      button.setAttribute("aria-label", PLAY_NAMES[k] || "button");
    });
    document.querySelectorAll(".widget-slider [role=slider]:not([aria-label])").forEach(function (handle) {
      var label = handle.closest(".widget-slider").querySelector(".widget-label");
      if (label && label.textContent) handle.setAttribute("aria-label", label.textContent);
    });
  }
  new MutationObserver(function (records) {
    records.forEach(function (record) { record.addedNodes.forEach(mark); });
    if (!naming) {                     // once per frame, after the widgets have rendered their parts
      naming = true;
      requestAnimationFrame(name);
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
  // 4. A tcplab stepper's "next" and "previous" are the neighbours of its active step button
  //    (tcplab/widgets/style.py), so the button pressed is hidden once its step is shown: give
  //    the focus to the new "next" (or "previous"), so Enter, Enter... keeps stepping.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".tcplab-nav .widget-toggle-button");
    if (!button || !button.matches(":focus")) return;
    var forward = button.previousElementSibling && button.previousElementSibling.classList.contains("mod-active");
    var group = button.parentElement;
    requestAnimationFrame(function () {
      var active = group.querySelector(".mod-active");
      if (!active) return;
      var target = forward ? active.nextElementSibling : active.previousElementSibling;
      if (!target || target === group.firstElementChild) target = forward ? active.previousElementSibling : active.nextElementSibling;
      if (target) target.focus();
    });
  }, true);
})();
