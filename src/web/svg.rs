//! Charts drawn on the server as inline SVG: geometry is computed here, the markup is a template
//! (`macros.html`, `bar_chart`), so every label is escaped like any other value. Each chart has a
//! `<title>` and `<desc>`, and its page shows the same figures in a table.

/// One horizontal grid line with its value.
pub struct GridLine {
    pub x1: u32,
    pub x2: u32,
    pub y: u32,
    pub label_x: u32,
    pub text_y: u32,
    pub label: String,
}

/// One coloured part of a bar.
pub struct Segment {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    pub fill: &'static str,
    pub tip: String,
}

pub struct Bar {
    pub label: String,
    pub label_x: u32,
    pub label_y: u32,
    pub anchor: &'static str,
    pub total: String,
    pub total_x: u32,
    pub total_y: u32,
    pub segments: Vec<Segment>,
}

/// A colour of the key.
pub struct Key {
    pub label: String,
    pub fill: &'static str,
}

pub struct BarChart {
    pub id: String,
    pub width: u32,
    pub height: u32,
    pub title: String,
    pub description: String,
    pub caption: String,
    pub grid: Vec<GridLine>,
    pub bars: Vec<Bar>,
    pub keys: Vec<Key>,
}

/// Colours that stay apart for most kinds of colour blindness (Okabe and Ito's palette).
pub const PALETTE: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999999",
];

/// A round step for a scale reaching `max`, giving at most five grid lines.
fn step(max: i64) -> i64 {
    let mut step = 1;
    while max / step > 5 {
        step = match step.to_string().chars().next() {
            Some('1') => step * 2,
            Some('2') => step / 2 * 5,
            _ => step * 2,
        };
    }
    step
}

/// Vertical bars, one per label (years, say), each with its value above it.
pub fn columns(
    id: &str,
    title: String,
    description: String,
    caption: String,
    data: &[(String, i64)],
) -> BarChart {
    let (left, top, bottom, right) = (40u32, 20u32, 30u32, 10u32);
    let slot = 44u32;
    let plot_h = 180u32;
    let width = left + right + slot * data.len().max(1) as u32;
    let height = top + plot_h + bottom;
    let max = data.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let step = step(max);
    let top_value = (max + step - 1) / step * step;
    let scale = |v: i64| (v as f64 / top_value as f64 * f64::from(plot_h)).round() as u32;
    let grid = (0..=top_value / step)
        .map(|i| {
            let value = i * step;
            let y = top + plot_h - scale(value);
            GridLine {
                x1: left,
                x2: width - right,
                y,
                label_x: left - 6,
                text_y: y + 4,
                label: value.to_string(),
            }
        })
        .collect();
    let bars = data
        .iter()
        .enumerate()
        .map(|(i, (label, value))| {
            let x = left + slot * i as u32 + 8;
            let h = scale(*value);
            Bar {
                label: label.clone(),
                label_x: x + (slot - 16) / 2,
                label_y: top + plot_h + 18,
                anchor: "middle",
                total: value.to_string(),
                total_x: x + (slot - 16) / 2,
                total_y: top + plot_h - h - 4,
                segments: vec![Segment {
                    x,
                    y: top + plot_h - h,
                    width: slot - 16,
                    height: h,
                    fill: PALETTE[0],
                    tip: format!("{label}: {value}"),
                }],
            }
        })
        .collect();
    BarChart {
        id: id.to_owned(),
        width,
        height,
        title,
        description,
        caption,
        grid,
        bars,
        keys: Vec::new(),
    }
}

/// Horizontal bars, one per row, each split into coloured parts by key.
pub fn stacked_rows(
    id: &str,
    title: String,
    description: String,
    caption: String,
    keys: Vec<String>,
    rows: &[(String, Vec<i64>)],
) -> BarChart {
    let (left, top, right) = (110u32, 10u32, 40u32);
    let plot_w = 520u32;
    let row_h = 30u32;
    let width = left + plot_w + right;
    let height = top + row_h * rows.len().max(1) as u32 + 10;
    let max = rows
        .iter()
        .map(|(_, counts)| counts.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let scale = |v: i64| (v as f64 / max as f64 * f64::from(plot_w)).round() as u32;
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, (label, counts))| {
            let y = top + row_h * i as u32;
            let mut x = left;
            let segments = counts
                .iter()
                .enumerate()
                .filter(|(_, count)| **count > 0)
                .map(|(k, count)| {
                    let w = scale(*count);
                    let segment = Segment {
                        x,
                        y: y + 4,
                        width: w,
                        height: row_h - 8,
                        fill: PALETTE[k % PALETTE.len()],
                        tip: format!("{label}, {}: {count}", keys[k]),
                    };
                    x += w;
                    segment
                })
                .collect();
            let total: i64 = counts.iter().sum();
            Bar {
                label: label.clone(),
                label_x: left - 8,
                label_y: y + row_h / 2 + 4,
                anchor: "end",
                total: total.to_string(),
                total_x: x + 16,
                total_y: y + row_h / 2 + 4,
                segments,
            }
        })
        .collect();
    BarChart {
        id: id.to_owned(),
        width,
        height,
        title,
        description,
        caption,
        grid: Vec::new(),
        bars,
        keys: keys
            .into_iter()
            .enumerate()
            .map(|(k, label)| Key {
                label,
                fill: PALETTE[k % PALETTE.len()],
            })
            .collect(),
    }
}
