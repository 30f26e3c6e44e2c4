//! Charts of simulated figures, as SVG drawn with plotters: grouped bars on titled axes
//! with round ticks and reference lines (the 3-, 5- and 30-working-day limits). Text is
//! left to the viewer's fonts, with a CJK-capable stack first.

use plotters::prelude::*;

/// Fonts tried in order by whatever renders the SVG: the Noto and WenQuanYi CJK fonts
/// Linux distributions ship, then the common desktop ones.
pub const FONT: &str = "Noto Sans CJK SC, Noto Sans SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, sans-serif";

/// One series of bars: a value per group.
#[derive(Debug, Clone)]
pub struct Series {
    /// Its name in the legend.
    pub name: String,
    /// Its colour.
    pub colour: RGBColor,
    /// One value per group.
    pub values: Vec<f64>,
}

/// A reference line across the chart, with its label.
#[derive(Debug, Clone)]
pub enum Reference {
    /// A vertical line at a group (e.g. 3 working days on a per-day axis).
    AtGroup(usize, String),
    /// A horizontal line at a value (e.g. 30 working days of mean time).
    AtValue(f64, String),
}

/// What a chart shows.
#[derive(Debug, Clone)]
pub struct Bars<'a> {
    /// The title above the chart.
    pub title: &'a str,
    /// The horizontal axis's title.
    pub x_title: &'a str,
    /// The vertical axis's title.
    pub y_title: &'a str,
    /// The group labels along the horizontal axis.
    pub groups: &'a [String],
    /// The series, drawn side by side in each group.
    pub series: &'a [Series],
    /// Reference lines.
    pub references: &'a [Reference],
    /// Format of the vertical axis's tick labels (e.g. a percentage).
    pub percent: bool,
}

/// Blue and orange: individuals and organisations in every chart.
pub const COLOURS: [RGBColor; 4] =
    [RGBColor(59, 125, 216), RGBColor(224, 128, 58), RGBColor(92, 170, 92), RGBColor(160, 90, 180)];

/// Draws the chart and writes it to `path`, creating the folder it goes in.
///
/// # Errors
/// As [`bars`], or the file system's message.
pub fn write(chart: &Bars<'_>, path: &std::path::Path) -> Result<(), String> {
    let svg = bars(chart)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, svg).map_err(|e| format!("{}: {e}", path.display()))
}

/// Draws the chart as SVG text.
///
/// # Errors
/// The drawing backend's message when the chart cannot be laid out (e.g. no groups).
pub fn bars(chart: &Bars<'_>) -> Result<String, String> {
    let mut svg = String::new();
    draw(chart, &mut svg).map_err(|e| e.to_string())?;
    Ok(svg)
}

fn draw(spec: &Bars<'_>, svg: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let n = spec.groups.len();
    if n == 0 || spec.series.is_empty() {
        return Err("a chart needs at least one group and one series".into());
    }
    let highest = spec
        .series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .chain(spec.references.iter().filter_map(|r| match r {
            Reference::AtValue(v, _) => Some(*v),
            Reference::AtGroup(..) => None,
        }))
        .fold(0.0f64, f64::max);
    let y_max = (highest * 1.12).max(if spec.percent { 0.1 } else { 1.0 });
    let root = SVGBackend::with_string(svg, (960, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(spec.title, (FONT, 20))
        .margin(16)
        .x_label_area_size(52)
        .y_label_area_size(72)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..y_max)?;
    let groups = spec.groups;
    let x_label = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < n {
            groups[i as usize].clone()
        } else {
            String::new()
        }
    };
    let percent = spec.percent;
    let y_label = |y: &f64| {
        if percent {
            format!("{:.0}%", y * 100.0)
        } else {
            format!("{y}")
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.min(40))
        .x_label_formatter(&x_label)
        .y_labels(8)
        .y_label_formatter(&y_label)
        .x_desc(spec.x_title)
        .y_desc(spec.y_title)
        .axis_desc_style((FONT, 15))
        .label_style((FONT, 12))
        .draw()?;
    let width = 0.8 / spec.series.len() as f64;
    for (k, s) in spec.series.iter().enumerate() {
        let colour = s.colour;
        chart
            .draw_series(s.values.iter().enumerate().map(|(i, v)| {
                let x0 = i as f64 - 0.4 + k as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width * 0.9, *v)], colour.filled())
            }))?
            .label(s.name.as_str())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 12, y + 6)], colour.filled()));
    }
    let grey = RGBColor(110, 110, 110);
    for (i, r) in spec.references.iter().enumerate() {
        // Labels are staggered so that neighbouring lines (3 and 5) keep theirs apart, and
        // kept inside the plot at its right edge.
        let (from, to, at, label) = match r {
            Reference::AtGroup(g, label) => {
                let x = *g as f64;
                let lx = if x > n as f64 * 0.7 { x - 0.1 - n as f64 * 0.12 } else { x + 0.1 };
                ((x, 0.0), (x, y_max), (lx, y_max * (0.97 - 0.05 * i as f64)), label)
            }
            Reference::AtValue(v, label) => {
                let lx = n as f64 - 0.5 - n as f64 * 0.22;
                ((-0.5, *v), (n as f64 - 0.5, *v), (lx, v + y_max * 0.035), label)
            }
        };
        chart.draw_series(LineSeries::new([from, to], grey.stroke_width(1)))?;
        chart.draw_series(std::iter::once(Text::new(label.clone(), at, (FONT, 12).into_font().color(&grey))))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperMiddle)
        .border_style(BLACK)
        .background_style(WHITE.mix(0.85))
        .label_font((FONT, 13))
        .draw()?;
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_has_its_titles_ticks_references_and_cjk_fonts() {
        let groups: Vec<String> = (0..=30).map(|d| d.to_string()).collect();
        let series = [Series {
            name: "个人 individual".into(),
            colour: COLOURS[0],
            values: (0..=30).map(|d| if d == 3 { 0.6 } else { 0.01 }).collect(),
        }];
        let svg = bars(&Bars {
            title: "办理用时 working days used",
            x_title: "工作日 working days",
            y_title: "占比 share",
            groups: &groups,
            series: &series,
            references: &[Reference::AtGroup(30, "法定 30 工作日".into())],
            percent: true,
        })
        .unwrap();
        for needle in [
            "办理用时 working days used",
            "工作日 working days",
            "占比 share",
            "法定 30 工作日",
            "个人 individual",
            "\n30\n",
            "60%",
            FONT,
        ] {
            assert!(svg.contains(needle), "`{needle}` missing from the chart");
        }
        let empty = bars(&Bars {
            groups: &[],
            ..Bars {
                title: "",
                x_title: "",
                y_title: "",
                groups: &groups,
                series: &series,
                references: &[],
                percent: false,
            }
        });
        assert!(empty.is_err());
    }
}
