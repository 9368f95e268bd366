// Bundles scripts/widget_embed.js into node_modules/.tcplab-widgets/ (embed.js and embed.css).
// Run by the Makefile after `npm ci`; scripts/widget_assets.py copies the result into the site.
// sanitize-html, which ipywidgets needs only for HTML descriptions, is left out (see the alias).
import { build } from "esbuild";

await build({
  entryPoints: { embed: "scripts/widget_embed.js" },
  outdir: "node_modules/.tcplab-widgets",
  bundle: true,
  alias: { "sanitize-html": "./scripts/no_html_descriptions.js" },
  minify: true,
  format: "iife",
  target: "es2020",
  legalComments: "linked",
  define: { "process.env.NODE_ENV": '"production"' },
  logLevel: "warning",
});
