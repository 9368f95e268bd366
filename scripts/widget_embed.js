// The widget JavaScript of the static site: renders the built-in ipywidgets (base and controls)
// from the widget state stored in each page, without a kernel.  scripts/build_widgets.mjs
// bundles this file with esbuild; it replaces @jupyter-widgets/html-manager's embed.js (1.9 MB),
// which also carries the Output widget's whole JupyterLab rendering stack, ipywidgets 7's
// controls and a JSON-schema validator, none of which the book's widgets use.  The rendering
// below follows html-manager's renderWidgets (lib/libembed.js) without the schema validation,
// but it starts as soon as this deferred script runs rather than at the window's load event
// (a widget does not wait for every figure further down the page), and it builds the models of
// one view at a time, so the first widget works before the page's last one is built.
import { LayoutModel, LayoutView, StyleModel, StyleView } from "@jupyter-widgets/base";
// Each from its own module of ipywidgets' controls, not from the package's index, which loads
// every control (date pickers, colour pickers, media...) and so puts them all in the bundle.
import { BoxModel, BoxView, HBoxModel, HBoxView, VBoxModel, VBoxView } from "@jupyter-widgets/controls/lib/widget_box";
import { DescriptionStyleModel } from "@jupyter-widgets/controls/lib/widget_description";
import { IntSliderModel, IntSliderView, PlayModel, PlayView, SliderStyleModel } from "@jupyter-widgets/controls/lib/widget_int";
import { LinkModel } from "@jupyter-widgets/controls/lib/widget_link";
import {
  DropdownModel, DropdownView, ToggleButtonsModel, ToggleButtonsStyleModel, ToggleButtonsView,
} from "@jupyter-widgets/controls/lib/widget_selection";
import { TabModel, TabView } from "@jupyter-widgets/controls/lib/widget_selectioncontainer";
import { HTMLModel, HTMLStyleModel, HTMLView } from "@jupyter-widgets/controls/lib/widget_string";
import { ManagerBase } from "@jupyter-widgets/base-manager";
import { MessageLoop } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";

import "./widget_icons.css";
import "@lumino/widgets/style/index.css";
import "@jupyter-widgets/controls/css/widgets-base.css";
import "@jupyter-widgets/controls/css/labvariables.css";

// An HTML widget fills itself in only once it is shown.  A what-if widget holds one HTML widget
// (a whole drawing) per case in a Tab, and an explorer one stepper per variant: filling in only
// the case on show spares the browser tens of thousands of elements nobody sees yet.  Lumino marks
// a widget visible when it is attached or shown and neither it nor an ancestor is hidden.
class ShownHTMLView extends HTMLView {
  update() {
    this.unfilled = !this.luminoWidget.isVisible;
    return this.unfilled ? undefined : super.update();
  }

  processLuminoMessage(msg) {
    super.processLuminoMessage(msg);
    if (this.unfilled && (msg.type === "after-show" || msg.type === "after-attach") && this.luminoWidget.isVisible) {
      this.update();
    }
  }
}

// The widget classes the book's pages use, and no others: the bundle leaves the rest of
// ipywidgets out (a page with another widget says so in the console: see loadClass).
const MODULES = {
  "@jupyter-widgets/base": { LayoutModel, LayoutView, StyleModel, StyleView },
  "@jupyter-widgets/controls": {
    BoxModel, BoxView, DescriptionStyleModel, DropdownModel, DropdownView, HBoxModel, HBoxView, HTMLModel,
    HTMLStyleModel, HTMLView: ShownHTMLView, IntSliderModel, IntSliderView, LinkModel, PlayModel, PlayView,
    SliderStyleModel, TabModel, TabView, ToggleButtonsModel, ToggleButtonsStyleModel, ToggleButtonsView,
    VBoxModel, VBoxView,
  },
};

class StaticManager extends ManagerBase {
  constructor() {
    super();
    this.views = new Set();
    window.addEventListener("resize", () => {
      this.views.forEach((view) => MessageLoop.postMessage(view.luminoWidget, Widget.ResizeMessage.UnknownSize));
    });
  }

  async display_view(view, el) {
    const shown = await view;
    Widget.attach(shown.luminoWidget, el);
    this.views.add(shown);
    shown.once("remove", () => this.views.delete(shown));
  }

  _get_comm_info() {
    return Promise.resolve({});
  }

  _create_comm() {
    return Promise.resolve({ on_close() {}, on_msg() {}, close() {} });
  }

  async loadClass(className, moduleName, moduleVersion) {
    const module = MODULES[moduleName];
    if (!module || !module[className]) {
      throw new Error(`widget class ${moduleName}@${moduleVersion} ${className} is not in the book's widget bundle`);
    }
    return module[className];
  }
}

const REFERENCE = /IPY_MODEL_([0-9a-f]+)/g;

// The ids of the models a view of *id* needs: those its state names, recursively, and the links
// (jslink) between any of them.
function needed(models, id, done) {
  const found = new Set();
  const visit = (key) => {
    if (found.has(key) || done.has(key) || !models[key]) return;
    found.add(key);
    for (const match of JSON.stringify(models[key].state).matchAll(REFERENCE)) visit(match[1]);
  };
  visit(id);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [key, model] of Object.entries(models)) {
      if (found.has(key) || done.has(key) || !model.model_name.endsWith("LinkModel")) continue;
      const ends = [...JSON.stringify(model.state).matchAll(REFERENCE)].map((m) => m[1]);
      if (ends.some((end) => found.has(end))) {
        visit(key);
        grew = true;
      }
    }
  }
  return found;
}

function subset(state, ids) {
  return { ...state, state: Object.fromEntries([...ids].map((id) => [id, state.state[id]])) };
}

// Renders the views one after another, each as soon as its own models exist, so the first
// widget on the page works before the models of the last one are built.  Between two views the
// page gets the main thread back (the theme's scripts, a reader's input).
async function renderState(state) {
  const manager = new StaticManager();
  const done = new Set();
  const tags = document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]');
  for (const tag of tags) {
    const id = JSON.parse(tag.innerHTML).model_id;
    if (!state.state[id] || tag.parentElement === null) continue;
    const ids = needed(state.state, id, done);
    await manager.set_state(subset(state, ids));
    ids.forEach((key) => done.add(key));
    const area = document.createElement("div");
    area.className = "widget-subarea";
    tag.parentElement.insertBefore(area, tag);
    await manager.display_view(manager.create_view(await manager.get_model(id)), area);
    await new Promise((resume) => setTimeout(resume));
  }
  const rest = Object.keys(state.state).filter((key) => !done.has(key));
  if (rest.length) await manager.set_state(subset(state, rest));
}

// The states of the page: JSON, or as the site stores them (scripts/widget_assets.py)
// gzip-compressed and base64-encoded, which a script beside each one starts inflating while the
// page is still loading (window.tcplabWidgetStates, promises of the JSON).  Once this deferred
// script runs they are ready, and the first widget is built before the theme's scripts run.
const STATE_TYPE = "application/vnd.jupyter.widget-state+json";
const states = [...document.querySelectorAll(`script[type="${STATE_TYPE}"]`)]
  .map((tag) => JSON.parse(tag.textContent))
  .concat(window.tcplabWidgetStates || []);
states.forEach((state) => Promise.resolve(state).then(renderState).catch((error) => console.error(error)));

// Names for controls that have none: Play's icon buttons and a slider's handle (named by its
// description, e.g. "step"), once per frame after widgets have rendered their parts.
const PLAY_NAMES = ["play", "stop", "repeat"];
let naming = false;
function nameControls() {
  naming = false;
  document.querySelectorAll(".widget-play > button:not([aria-label])").forEach((button) => {
    const k = Array.prototype.indexOf.call(button.parentElement.children, button);
    button.setAttribute("aria-label", PLAY_NAMES[k] || "button");
  });
  document.querySelectorAll(".widget-slider [role=slider]:not([aria-label])").forEach((handle) => {
    const label = handle.closest(".widget-slider").querySelector(".widget-label");
    if (label && label.textContent) handle.setAttribute("aria-label", label.textContent);
  });
}
new MutationObserver(() => {
  if (!naming) {
    naming = true;
    requestAnimationFrame(nameControls);
  }
}).observe(document.documentElement, { childList: true, subtree: true });

// A tcplab stepper's "next" and "previous" are the neighbours of its active step button
// (tcplab/widgets/style.py), so the button pressed is hidden once its step is shown: give the
// focus to the new "next" (or "previous"), so Enter, Enter... keeps stepping.
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest(".tcplab-nav .widget-toggle-button");
  if (!button || !button.matches(":focus")) return;
  const forward = button.previousElementSibling && button.previousElementSibling.classList.contains("mod-active");
  const group = button.parentElement;
  requestAnimationFrame(() => {
    const active = group.querySelector(".mod-active");
    if (!active) return;
    let target = forward ? active.nextElementSibling : active.previousElementSibling;
    if (!target || target === group.firstElementChild) target = forward ? active.previousElementSibling : active.nextElementSibling;
    if (target) target.focus();
  });
}, true);
