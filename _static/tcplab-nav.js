// The article header's navigation buttons (Jupyter Book adds every script in _static to every
// page).  The themes do the work: on a wide screen sphinx-book-theme hides and shows the
// navigation column, on a phone pydata-sphinx-theme opens it as a dialog.  This script gives the
// buttons their names and state, and after a dialog closes returns the focus to the button that
// opened it (sphinx-book-theme blurs the button on click, so the theme's own return finds nothing).
(function () {
  function setUp() {
    var sidebar = document.getElementById("pst-primary-sidebar");
    var primary = document.querySelector(".bd-header-article .primary-toggle");
    var secondary = document.querySelector(".bd-header-article .secondary-toggle");
    if (primary && sidebar) {
      primary.setAttribute("aria-label", "Site navigation");
      primary.setAttribute("aria-controls", "pst-primary-sidebar");
      var expanded = function () {
        var shown = sidebar.checkVisibility() && !sidebar.classList.contains("pst-sidebar-hidden");
        primary.setAttribute("aria-expanded", String(shown));
      };
      new MutationObserver(expanded).observe(sidebar, { attributes: true, attributeFilter: ["class"] });
      window.addEventListener("resize", expanded);
      expanded();
    }
    if (secondary) secondary.setAttribute("aria-label", "Contents of this page");
    [["pst-primary-sidebar-modal", primary], ["pst-secondary-sidebar-modal", secondary]].forEach(function (pair) {
      var dialog = document.getElementById(pair[0]);
      if (!dialog || !pair[1]) return;
      dialog.addEventListener("close", function () {
        if (pair[1].checkVisibility()) pair[1].focus();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
