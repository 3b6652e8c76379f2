// The Plotly config and a line chart's layout shared by the panels drawn on first sight (the
// sequence and instrument panels). Their first Plotly.react happens on their first draw, once
// they are on screen, so Plotly sizes them to their element (a plot made while its panel is
// hidden would keep Plotly's default size).

export const PLOT_CONFIG = { displayModeBar: false, responsive: true };

const AXIS_FONT = { size: 10 };

/** A small line chart's layout: axes titled `x` and `y` (their other settings in `xaxis`,
 * `yaxis`), and the legend in a row above the plot, clear of the x axis's title. */
export function lineLayout(x, y, { xaxis = {}, yaxis = {} } = {}) {
  return { margin: { l: 64, r: 12, t: 28, b: 34 }, font: AXIS_FONT, showlegend: true,
    legend: { orientation: "h", x: 0, y: 1.04, yanchor: "bottom", font: AXIS_FONT },
    xaxis: { title: { text: x, font: AXIS_FONT }, ...xaxis },
    yaxis: { title: { text: y, font: AXIS_FONT }, ...yaxis } };
}
