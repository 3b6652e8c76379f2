// Colours: Okabe–Ito, safe for colour-blind readers; orange–white–blue diverges for signs.

export const CLASS_COLORS = ["#e69f00", "#0072b2", "#009e73", "#cc79a7", "#d55e00"];
export const DIVERGING = [[0, "#e69f00"], [0.5, "#f7f7f7"], [1, "#0072b2"]];
