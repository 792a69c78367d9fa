/** The dashboard's entry: mounts the app (the built app.js, loaded by ui/dist/index.html). */
import "./app.css";
import { render } from "preact";
import { App } from "./app.js";

const root = document.getElementById("app");
if (root) render(<App />, root);
