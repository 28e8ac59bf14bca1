//! Charts as SVG, drawn on the server from the service's figures: stacked bars, horizontal
//! bars, lines, and the building blocks of the points chart. No script and no inline style (the
//! pages' content security policy forbids both): colours are presentation attributes. Every
//! chart is an `img` with a title and a description, and the page puts its numbers beside it in
//! a table.

use std::fmt::Write;

/// Colours that stay apart for the common colour blindnesses (Tableau 10, and one more).
pub const PALETTE: [&str; 12] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#7f7f7f",
    "#1f3b73", "#8cd17d",
];

pub const INK: &str = "#1f2328";
pub const MUTED: &str = "#59636e";
pub const GRID: &str = "#d1d9e0";

/// Text for an SVG text node or attribute.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One SVG document being drawn.
pub struct Svg {
    id: String,
    width: f64,
    height: f64,
    title: String,
    desc: String,
    body: String,
}

impl Svg {
    /// `id` must be unique on the page (it names the title and description for `aria-labelledby`).
    pub fn new(id: &str, width: f64, height: f64, title: &str, desc: &str) -> Svg {
        Svg { id: id.to_string(), width, height, title: title.to_string(), desc: desc.to_string(), body: String::new() }
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, tip: Option<&str>) {
        let _ = write!(
            self.body,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{fill}""#,
            w.max(0.0),
            h.max(0.0)
        );
        match tip {
            Some(t) => {
                let _ = write!(self.body, "><title>{}</title></rect>", esc(t));
            }
            None => self.body.push_str("/>"),
        }
    }

    pub fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), stroke: &str, width: f64, dash: Option<&str>) {
        let dash = dash.map(|d| format!(r#" stroke-dasharray="{d}""#)).unwrap_or_default();
        let _ = write!(
            self.body,
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{stroke}" stroke-width="{width}"{dash}/>"#
        );
    }

    /// A polyline through `points`.
    pub fn polyline(&mut self, points: &[(f64, f64)], stroke: &str, width: f64, dash: Option<&str>) {
        let pts: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let dash = dash.map(|d| format!(r#" stroke-dasharray="{d}""#)).unwrap_or_default();
        let _ = write!(
            self.body,
            r#"<polyline points="{}" fill="none" stroke="{stroke}" stroke-width="{width}"{dash}/>"#,
            pts.join(" ")
        );
    }

    pub fn circle(&mut self, (x, y): (f64, f64), r: f64, fill: &str, tip: Option<&str>) {
        let _ = write!(self.body, r#"<circle cx="{x:.1}" cy="{y:.1}" r="{r}" fill="{fill}""#);
        match tip {
            Some(t) => {
                let _ = write!(self.body, "><title>{}</title></circle>", esc(t));
            }
            None => self.body.push_str("/>"),
        }
    }

    /// Text; `anchor` is `start`, `middle` or `end`.
    pub fn text(&mut self, (x, y): (f64, f64), text: &str, anchor: &str, size: f64, fill: &str) {
        let _ = write!(
            self.body,
            r#"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" font-size="{size}" fill="{fill}">{}</text>"#,
            esc(text)
        );
    }

    pub fn finish(self) -> String {
        let Svg { id, width, height, title, desc, body } = self;
        format!(
            r#"<svg id="{id}" class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="{id}-t {id}-d" font-family="sans-serif" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>{body}</svg>"#,
            esc(&title),
            esc(&desc)
        )
    }
}

/// A round upper bound for an axis, and its step (1, 2 or 5 times a power of ten).
pub fn nice_max(max: f64) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, 1.0);
    }
    let raw = max / 5.0;
    let pow = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * pow).find(|s| *s >= raw).unwrap_or(10.0 * pow);
    ((max / step).ceil() * step, step)
}

/// A named series of values, one per category of the x axis.
pub struct Series {
    pub name: String,
    pub color: &'static str,
    pub values: Vec<f64>,
}

const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;

/// Horizontal grid lines with their values, for a plot `[top, top + h)` of width `w` from `LEFT`.
fn y_axis(svg: &mut Svg, top: f64, h: f64, w: f64, max: f64, step: f64) {
    let mut v = 0.0;
    while v <= max + 1e-9 {
        let y = top + h - v / max * h;
        svg.line((LEFT, y), (LEFT + w, y), GRID, 1.0, None);
        let label = if step < 1.0 { format!("{v:.1}") } else { format!("{v:.0}") };
        svg.text((LEFT - 6.0, y + 4.0), &label, "end", 12.0, MUTED);
        v += step;
    }
}

/// A legend row under a chart.
fn legend(svg: &mut Svg, y: f64, entries: &[(&str, &str, bool)]) {
    let mut x = LEFT;
    for (name, color, dashed) in entries {
        if *dashed {
            svg.line((x, y - 4.0), (x + 14.0, y - 4.0), color, 2.0, Some("4 3"));
        } else {
            svg.rect(x, y - 10.0, 12.0, 12.0, color, None);
        }
        svg.text((x + 18.0, y), name, "start", 12.0, INK);
        x += 26.0 + name.chars().count() as f64 * 12.5;
    }
}

/// Bars stacked per category (months), with an optional dashed line across (last year's
/// totals, say).
pub fn stacked_bars(
    id: &str,
    title: &str,
    desc: &str,
    categories: &[String],
    series: &[Series],
    overlay: Option<&Series>,
) -> String {
    let (width, plot_h) = (1000.0, 190.0);
    let legend_rows = (series.len() + overlay.is_some() as usize).div_ceil(8);
    let height = TOP + plot_h + 28.0 + 18.0 * legend_rows as f64 + 6.0;
    let mut svg = Svg::new(id, width, height, title, desc);
    let w = width - LEFT - RIGHT;
    let totals: Vec<f64> =
        (0..categories.len()).map(|k| series.iter().map(|s| s.values.get(k).copied().unwrap_or(0.0)).sum()).collect();
    let top_value =
        totals.iter().copied().chain(overlay.iter().flat_map(|o| o.values.iter().copied())).fold(0.0, f64::max);
    // Counts: never a step below 1.
    let (max, step) = nice_max(top_value.max(5.0));
    y_axis(&mut svg, TOP, plot_h, w, max, step);
    let band = w / categories.len().max(1) as f64;
    for (k, cat) in categories.iter().enumerate() {
        let x = LEFT + band * k as f64 + band * 0.18;
        let mut y = TOP + plot_h;
        for s in series {
            let v = s.values.get(k).copied().unwrap_or(0.0);
            if v <= 0.0 {
                continue;
            }
            let h = v / max * plot_h;
            y -= h;
            svg.rect(x, y, band * 0.64, h, s.color, Some(&format!("{cat} {}：{v}", s.name)));
        }
        svg.text((LEFT + band * (k as f64 + 0.5), TOP + plot_h + 16.0), cat, "middle", 12.0, INK);
    }
    if let Some(o) = overlay {
        let pts: Vec<(f64, f64)> = o
            .values
            .iter()
            .enumerate()
            .map(|(k, v)| (LEFT + band * (k as f64 + 0.5), TOP + plot_h - v / max * plot_h))
            .collect();
        svg.polyline(&pts, o.color, 2.0, Some("5 4"));
        for (p, v) in pts.iter().zip(&o.values) {
            svg.circle(*p, 3.0, o.color, Some(&format!("{}：{v}", o.name)));
        }
    }
    let mut entries: Vec<(&str, &str, bool)> = series.iter().map(|s| (s.name.as_str(), s.color, false)).collect();
    if let Some(o) = overlay {
        entries.push((o.name.as_str(), o.color, true));
    }
    for (row, chunk) in entries.chunks(8).enumerate() {
        legend(&mut svg, TOP + plot_h + 40.0 + 18.0 * row as f64, chunk);
    }
    svg.finish()
}

/// One bar of a horizontal bar chart.
pub struct HBar {
    pub label: String,
    pub value: f64,
    /// What is written after the bar (the value with its unit, a ratio).
    pub note: String,
    pub color: &'static str,
}

/// Horizontal bars, one per row, with an optional marker line across (the 30 % of 五(三)).
pub fn hbars(id: &str, title: &str, desc: &str, rows: &[HBar], max: f64, marker: Option<(f64, &str)>) -> String {
    let label_w = 200.0;
    let (width, row_h) = (600.0, 24.0);
    let height = TOP + row_h * rows.len().max(1) as f64 + 28.0;
    let mut svg = Svg::new(id, width, height, title, desc);
    let plot_w = width - label_w - 150.0;
    let max = if max > 0.0 { max } else { 1.0 };
    let bottom = TOP + row_h * rows.len().max(1) as f64;
    // The marker first: the bars and their numbers are drawn over it.
    if let Some((v, text)) = marker {
        let x = label_w + (v / max).clamp(0.0, 1.0) * plot_w;
        svg.line((x, TOP - 4.0), (x, bottom), "#cf222e", 1.5, Some("4 3"));
        svg.text((x, bottom + 16.0), text, "middle", 12.0, "#82071e");
    }
    for (k, r) in rows.iter().enumerate() {
        let y = TOP + row_h * k as f64;
        let label: String = if r.label.chars().count() > 15 {
            format!("{}…", r.label.chars().take(14).collect::<String>())
        } else {
            r.label.clone()
        };
        svg.text((label_w - 8.0, y + 16.0), &label, "end", 13.0, INK);
        let w = (r.value / max).clamp(0.0, 1.0) * plot_w;
        svg.rect(label_w, y + 4.0, w, row_h - 8.0, r.color, Some(&format!("{}：{}", r.label, r.note)));
        svg.text((label_w + w + 6.0, y + 16.0), &r.note, "start", 13.0, INK);
    }
    svg.line((label_w, TOP), (label_w, bottom), MUTED, 1.0, None);
    svg.finish()
}

/// Lines over categories (month ends), one per series, with a legend.
pub fn lines(id: &str, title: &str, desc: &str, categories: &[String], series: &[Series]) -> String {
    let (width, plot_h) = (600.0, 170.0);
    let height = TOP + plot_h + 50.0;
    let mut svg = Svg::new(id, width, height, title, desc);
    let w = width - LEFT - RIGHT;
    let top_value = series.iter().flat_map(|s| s.values.iter().copied()).fold(0.0, f64::max);
    let (max, step) = nice_max(top_value.max(5.0));
    y_axis(&mut svg, TOP, plot_h, w, max, step);
    let band = w / categories.len().max(1) as f64;
    for (k, cat) in categories.iter().enumerate() {
        svg.text((LEFT + band * (k as f64 + 0.5), TOP + plot_h + 16.0), cat, "middle", 12.0, INK);
    }
    for s in series {
        let pts: Vec<(f64, f64)> = s
            .values
            .iter()
            .enumerate()
            .map(|(k, v)| (LEFT + band * (k as f64 + 0.5), TOP + plot_h - v / max * plot_h))
            .collect();
        svg.polyline(&pts, s.color, 2.0, None);
        for (p, v) in pts.iter().zip(&s.values) {
            svg.circle(*p, 3.0, s.color, Some(&format!("{}：{v}", s.name)));
        }
    }
    let entries: Vec<(&str, &str, bool)> = series.iter().map(|s| (s.name.as_str(), s.color, false)).collect();
    legend(&mut svg, TOP + plot_h + 40.0, &entries);
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_max(0.0), (1.0, 1.0));
        assert_eq!(nice_max(12.0), (15.0, 5.0));
        assert_eq!(nice_max(97.0), (100.0, 20.0));
        let (max, step) = nice_max(0.3);
        assert!((max - 0.3).abs() < 1e-9 && (step - 0.1).abs() < 1e-9);
    }

    #[test]
    fn text_is_escaped_and_the_chart_is_labelled() {
        let s = stacked_bars(
            "c",
            "a<b",
            "d&e",
            &["1月".into()],
            &[Series { name: "任城区".into(), color: PALETTE[0], values: vec![3.0] }],
            None,
        );
        assert!(s.starts_with("<svg id=\"c\""));
        assert!(s.contains("<title id=\"c-t\">a&lt;b</title>") && s.contains("d&amp;e"));
        assert!(s.contains("<rect") && !s.contains("style="));
    }
}
