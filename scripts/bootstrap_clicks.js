/* Bootstrap's data API (the theme's dropdowns, tooltips...) listens to every click on the page
   and each time searches the whole document for its elements: milliseconds a click on a long
   chapter.  Widgets hold none of those elements, so a click inside a widget skips them.  Only
   the listeners bootstrap.js adds for such searches (delegated, in the capture phase) are
   wrapped; tests/browser/test_site.py checks the theme's menus still open and close.
   scripts/site_shell.py puts this script in each page, right before bootstrap.js. */
(() => {
  const add = document.addEventListener, remove = document.removeEventListener, wrapped = new WeakMap();
  const fromBootstrap = () => /\/bootstrap\.js/.test(document.currentScript?.src || "");
  document.addEventListener = function (type, listener, options) {
    if (type === "click" && options === true && typeof listener === "function" && fromBootstrap()) {
      const outside = function (event) {
        if (!event.target.closest?.(".jupyter-widgets")) return listener.call(this, event);
      };
      wrapped.set(listener, outside);
      return add.call(this, type, outside, options);
    }
    return add.call(this, type, listener, options);
  };
  document.removeEventListener = function (type, listener, options) {
    return remove.call(this, type, wrapped.get(listener) || listener, options);
  };
})();
