// Wires the page: the transport's messages into the state, the state into the panels and
// readouts, and the person's clicks and keys back to the transport. Each part lives in its module.

import { installDashboard } from "./dashboard.js";
import { installDiagramEdits } from "./diagramedits.js";
import { installDrawing } from "./drawpoints.js";
import { installExport } from "./exporting.js";
import { installGhostSwitch } from "./ghost.js";
import { installInstruments } from "./instruments.js";
import { installKeyboard } from "./keyboard.js";
import { installLesson } from "./lesson.js";
import { installLessonDialog } from "./lessondialog.js";
import { installPlayback } from "./playback.js";
import { installPresets } from "./presets.js";
import { installReadouts } from "./readouts.js";
import { Redraws } from "./redraws.js";
import { installReplay } from "./replay.js";
import { installSession } from "./session.js";
import { installSequencePanels } from "./sequencepanels.js";
import { installSetup } from "./setup.js";
import { installSmoothingControl } from "./smoothingcontrol.js";
import { getState } from "./state.js";
import { installStepThrough } from "./stepthrough.js";
import { Transport } from "./transport.js";
import { installUrlHash } from "./urlhash.js";
import { installVisibility } from "./visibility.js";

// acks pace the frames to the drawing; the panels that draw `detail` redraw a few times a second,
// so it comes only with the heavy parts (4 a second), not in every frame (docs/protocol.md)
const transport = new Transport(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws?ack=1&detail=heavy`);
const redraws = new Redraws();

const stats = installSession(transport);
installLesson();
installLessonDialog();
installReadouts();
const charts = { ...installDashboard(redraws), ...installSequencePanels(redraws) };
installDiagramEdits(transport, charts.network);
installDrawing(transport, charts.output);
installSmoothingControl();
installStepThrough(transport, charts.phase);
installInstruments(transport);
installSetup(transport);
installUrlHash(transport, installPresets(transport));
const tracePlayback = installReplay(transport);
installGhostSwitch();
installExport(transport);
installKeyboard(installPlayback(transport, redraws, tracePlayback));
installVisibility(transport);

// for tests and bench/browser.py
window.backpropLab = { getState, history: () => getState().live, stats, transport, charts, drawTimings: () => redraws.timings() };
transport.connect();
