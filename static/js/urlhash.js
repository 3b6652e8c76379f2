// The URL hash holds the setup, as the changes from the defaults (#config={...}), and what a
// lesson link adds (preset=ID, hide=…, lock=…, lesson.js): a link opens the same page, and every
// config in force is written back, keeping the rest.

import { banner } from "./notices.js";
import { diff } from "./schema.js";
import { getState } from "./state.js";

const MAX_HASH_CHARS = 8000; // of a config in the hash, encoded: beyond it, own points stay out of the link

/** The hash's parameters, in order: Map name -> raw (still encoded) value. */
export function hashParams() {
  const params = new Map();
  for (const pair of location.hash.replace(/^#/, "").split("&")) {
    if (!pair) continue;
    const at = pair.indexOf("=");
    params.set(at < 0 ? pair : pair.slice(0, at), at < 0 ? "" : pair.slice(at + 1));
  }
  return params;
}

/** The hash made of `params` (Map name -> encoded value), "" when empty. */
export function hashOf(params) {
  const parts = [...params].map(([name, value]) => `${name}=${value}`);
  return parts.length ? `#${parts.join("&")}` : "";
}

/** Set (or, with null, remove) one hash parameter, keeping the others. */
export function setHashParam(name, value) {
  const params = hashParams();
  if (value === null) params.delete(name);
  else params.set(name, value);
  window.history.replaceState(null, "", hashOf(params) || location.pathname);
}

/** The partial config in the page's hash, or null (with a banner when it cannot be read, or when
 * it was made on a person's own points, which it does not carry). */
function readConfig(params) {
  if (params.get("points") === "not-in-link") {
    banner("This link was made on someone's own points, which are too many for a link: it opens on this lab's data. "
      + "Export a trace to share a run on your own points.", true);
  }
  if (!params.has("config")) return null;
  try {
    return JSON.parse(decodeURIComponent(params.get("config")));
  } catch {
    banner("The link's config could not be read; starting from the defaults.", true);
    return null;
  }
}

/** The catalog's preset the hash names, or null (with a banner when there is none of that id). */
function readPreset(params) {
  if (!params.has("preset")) return null;
  const id = decodeURIComponent(params.get("preset"));
  const preset = getState().catalog.presets.find((p) => p.id === id);
  if (!preset) banner(`The link's preset "${id}" is not one of this lab's classic experiments; opening its setup without it.`, true);
  return preset ?? null;
}

/** Write the changes of `config` from the defaults into the hash (none: no config parameter); a
 * person's own points making it longer than MAX_HASH_CHARS stay out of it, and `points=not-in-link`
 * says so to whoever opens the link. */
function writeConfig(config) {
  const changes = diff(config, getState().catalog.defaults);
  let text = JSON.stringify(changes);
  const tooLong = encodeURIComponent(text).length > MAX_HASH_CHARS && config.dataset.points;
  if (tooLong) {
    delete changes.dataset;
    text = JSON.stringify(changes);
  }
  setHashParam("points", tooLong ? "not-in-link" : null);
  setHashParam("config", text !== "{}" ? encodeURIComponent(text) : null);
}

/** Apply the link's preset (through `openPreset(preset, config)`) and setup on the first hello,
 * and keep the hash on the config in force. */
export function installUrlHash(transport, openPreset) {
  transport.once("hello", () => {
    const params = hashParams();
    const config = readConfig(params);
    const preset = readPreset(params);
    if (preset) openPreset(preset, config ?? preset.full_config);
    else if (config) transport.configure(config);
  });
  transport.on("config", (m) => writeConfig(m.config));
}
