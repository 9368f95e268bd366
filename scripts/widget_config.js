// Loaded between require.js and embed-amd.js on pages with widgets (see _config.yml,
// nb_ipywidgets_js).  Points RequireJS and the widget bundle at this folder of the site, so
// the Font Awesome files the widget CSS references are fetched from here (copied by
// scripts/widget_assets.py), wherever the page itself lives.
(function () {
  var src = document.currentScript && document.currentScript.src;
  if (!src) return;
  var base = src.split(/[?#]/)[0];
  base = base.slice(0, base.lastIndexOf("/") + 1);
  window.__jupyter_widgets_assets_path__ = base;
  window.require.config({ baseUrl: base });
})();
