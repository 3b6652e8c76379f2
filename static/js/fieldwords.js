// Config fields in words, for messages that speak of what changed ("new dataset and init") rather
// than of config paths ("dataset.name, network.init"): the setup's own label of a field where it
// has one, and a name for the fields it shows otherwise (thumbnails, checkboxes, layer cards).

const NAMES = {
  seed: "seed", "dataset.name": "dataset", "dataset.features": "features", "dataset.seq_len": "sequence length",
  "network.hidden": "hidden layers", "network.recurrent_init": "recurrent init", "network.forget_bias": "forget bias",
  "training.weight_decay": "weight decay", "training.l1": "L1", "training.l2": "L2",
};
const LAYER_PARTS = { units: "neurons", activation: "activation", kind: "kind" };

/** What a person calls the config field at dotted `path` ("training.learning_rate" -> "learning rate"). */
export function fieldWords(path) {
  const label = document.querySelector(`label[for="field-${CSS.escape(path)}"]`)?.textContent.trim();
  if (label) return /^.[a-z]/.test(label) ? label[0].toLowerCase() + label.slice(1) : label; // "Init gain", not "RMSprop ρ"
  if (NAMES[path]) return NAMES[path];
  const layer = path.match(/^network\.hidden\.(\d+)\.(\w+)$/);
  if (layer) return `layer ${Number(layer[1]) + 1} ${LAYER_PARTS[layer[2]] ?? layer[2].replaceAll("_", " ")}`;
  return path.slice(path.lastIndexOf(".") + 1).replaceAll("_", " ");
}

/** Words joined as a sentence says them: "a", "a and b", "a, b and c". */
export function listWords(words) {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** An error reply's message with its field's path written as the field's name, capitalized
 * ("training.learning_rate: must be …" -> "Learning rate: must be …"). */
export function errorWords(m) {
  if (!m.field || !m.message.startsWith(`${m.field}: `)) return m.message;
  const name = fieldWords(m.field);
  return `${name[0].toUpperCase()}${name.slice(1)}: ${m.message.slice(m.field.length + 2)}`;
}
