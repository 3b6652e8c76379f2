// The Plotly config of the sequence panels. Their first Plotly.react happens on their first draw,
// once they are on screen, so Plotly sizes them to their element (a plot made while its panel is
// hidden would keep Plotly's default size).

export const PLOT_CONFIG = { displayModeBar: false, responsive: true };
