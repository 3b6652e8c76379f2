// The URL hash holds the setup, as the changes from the defaults (#config={...}): a link opens
// the same setup, and every config in force is written back.

import { banner } from "./notices.js";
import { diff } from "./schema.js";
import { getState } from "./state.js";

/** The partial config in the page's hash, or null (with a banner when it cannot be read). */
function readHash() {
  const match = location.hash.match(/config=([^&]*)/);
  if (!match) return null;
  try {
    return JSON.parse(decodeURIComponent(match[1]));
  } catch {
    banner("The link's config could not be read; starting from the defaults.", true);
    return null;
  }
}

/** Write the changes of `config` from the defaults into the hash (none: a bare path). */
function writeHash(config) {
  const changes = diff(config, getState().catalog.defaults);
  const url = Object.keys(changes).length ? `#config=${encodeURIComponent(JSON.stringify(changes))}` : location.pathname;
  window.history.replaceState(null, "", url);
}

/** Apply the link's setup on the first hello, and keep the hash on the config in force. */
export function installUrlHash(transport) {
  transport.once("hello", () => {
    const fromHash = readHash();
    if (fromHash) transport.configure(fromHash);
  });
  transport.on("config", (m) => writeHash(m.config));
}
