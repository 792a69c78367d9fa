/** Stylesheets are bundled by esbuild into app.css (scripts/build-ui.mjs); importing one yields nothing. */
declare module "*.css";
