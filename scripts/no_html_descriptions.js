// Stands in for the npm package sanitize-html in the book's widget bundle (scripts/build_widgets.mjs).
// ipywidgets calls it only for a description with description_allow_html=True, which no widget of
// the book sets; the real package and its HTML and CSS parsers are a quarter of the bundle.
export default function sanitize() {
  throw new Error("the book's widget bundle renders no HTML descriptions (description_allow_html)");
}
