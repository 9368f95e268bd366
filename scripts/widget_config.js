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
  new MutationObserver(function (records) {
    records.forEach(function (record) { record.addedNodes.forEach(mark); });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
