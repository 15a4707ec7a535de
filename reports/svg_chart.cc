#include "reports/svg_chart.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "model/assert.h"
#include "reports/compare_report.h"
#include "reports/wilson_interval.h"

namespace reviewsim {

namespace {

constexpr std::string_view kTextStyle = "font-family=\"sans-serif\" font-size=\"11\" fill=\"#333\"";
constexpr double kLegendRowHeight = 15;

// The plot area inside the chart, in pixels.
struct PlotArea {
  double left = 0;
  double top = 0;
  double width = 0;
  double height = 0;

  double bottom() const { return top + height; }
  // The y coordinate of a share in [0, 1].
  double y_of(double share) const { return bottom() - share * height; }
};

std::string svg_open(const std::string& label, int width_px, int height_px) {
  return fmt::format("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"{0}\" "
                     "height=\"{1}\" viewBox=\"0 0 {0} {1}\" role=\"img\" aria-label=\"{2}\">\n",
                     width_px, height_px, html_escape(label));
}

std::string share_axis(const PlotArea& plot) {
  std::string svg;
  for (int percent = 0; percent <= 100; percent += 25) {
    const double y = plot.y_of(percent / 100.0);
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
                       "stroke-width=\"1\"/>\n",
                       plot.left, y, plot.left + plot.width, y, percent == 0 ? "#888" : "#e3e3e3");
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" {}>{}%</text>\n",
                       plot.left - 4, y + 4, kTextStyle, percent);
  }
  return svg;
}

// Sans-serif at 11 px averages about 6.5 px per character.
double legend_item_width(const std::string& name) { return 14 + 6.5 * static_cast<double>(name.size()) + 14; }

// The legend's rows of items, wrapped to `width`.
int legend_rows(const std::vector<std::string>& series, double width) {
  int rows = 1;
  double x = 0;
  for (const std::string& name : series) {
    if (x > 0 && x + legend_item_width(name) > width) {
      ++rows;
      x = 0;
    }
    x += legend_item_width(name);
  }
  return rows;
}

std::string legend(const std::vector<std::string>& series, const std::vector<std::string>& colors, double left,
                   double top, double width) {
  std::string svg;
  double x = 0;
  double y = top;
  for (std::size_t index = 0; index < series.size(); ++index) {
    if (x > 0 && x + legend_item_width(series[index]) > width) {
      x = 0;
      y += kLegendRowHeight;
    }
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"10\" height=\"10\" fill=\"{}\"/>\n", left + x, y,
                       colors[index]);
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" {}>{}</text>\n", left + x + 14, y + 9, kTextStyle,
                       html_escape(series[index]));
    x += legend_item_width(series[index]);
  }
  return svg;
}

// One bar with its whisker and tooltip, centred at `center`.
std::string share_bar(const PlotArea& plot, double center, double bar_width, const std::string& color,
                      const std::string& tooltip_prefix, const ShareBar& bar) {
  const ShareInterval interval = wilson_interval(bar.failing, bar.schedules);
  const double top = plot.y_of(interval.share);
  // A zero share still gets a one-pixel bar, so that a measured 0% differs from a missing value.
  const double height = std::max(1.0, plot.bottom() - top);
  const double whisker_low = plot.y_of(interval.low);
  const double whisker_high = plot.y_of(interval.high);
  const double cap = std::min(6.0, bar_width);

  std::string svg = "<g class=\"bar\">";
  svg += fmt::format("<title>{}: {} of {} schedules failed, {} (95% CI {} to {})</title>",
                     html_escape(tooltip_prefix), bar.failing, bar.schedules, percent_text(interval.share),
                     percent_text(interval.low), percent_text(interval.high));
  svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>",
                     center - bar_width / 2, plot.bottom() - height, bar_width, height, color);
  svg += fmt::format("<line class=\"ci\" x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" "
                     "stroke=\"#222\" stroke-width=\"1.2\"/>",
                     center, whisker_low, whisker_high);
  for (const double y : {whisker_low, whisker_high}) {
    svg += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#222\" "
                       "stroke-width=\"1.2\"/>",
                       center - cap / 2, y, center + cap / 2, y);
  }
  return svg + "</g>\n";
}

// The axis ticks of a logarithmic scale: powers of ten from 1 to the first one >= max_value.
std::uint64_t log_axis_max(std::uint64_t max_value) {
  std::uint64_t top = 1;
  while (top < max_value && top < 1'000'000'000'000ull) top *= 10;
  return std::max<std::uint64_t>(top, 10);
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char character : text) {
    switch (character) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      case '\'': escaped += "&#39;"; break;
      default: escaped += character;
    }
  }
  return escaped;
}

std::string svg_share_chart(const ShareChart& chart, int width_px, int height_px) {
  RS_ASSERT(chart.series_colors.size() == chart.series.size());
  RS_ASSERT(chart.values.size() == chart.groups.size());
  const double plot_left = 42;
  const double plot_width = width_px - plot_left - 8.0;
  // The legend sits above the plot, one row per line of items that fit the plot's width.
  const double plot_top = 6 + kLegendRowHeight * legend_rows(chart.series, plot_width) + 9;
  const PlotArea plot{plot_left, plot_top, plot_width, height_px - plot_top - 24.0};
  RS_ASSERT(plot.width > 0);
  RS_ASSERT(plot.height > 0);

  std::string svg = svg_open(chart.label, width_px, height_px);
  svg += legend(chart.series, chart.series_colors, plot.left, 6, plot.width);
  svg += share_axis(plot);

  const double group_width = plot.width / std::max<std::size_t>(1, chart.groups.size());
  const double series_count = static_cast<double>(std::max<std::size_t>(1, chart.series.size()));
  const double bar_width = std::min(28.0, group_width * 0.8 / series_count);
  for (std::size_t group = 0; group < chart.groups.size(); ++group) {
    RS_ASSERT(chart.values[group].size() == chart.series.size());
    const double group_left = plot.left + group * group_width;
    const double bars_left = group_left + (group_width - bar_width * series_count) / 2;
    for (std::size_t series = 0; series < chart.series.size(); ++series) {
      const double center = bars_left + (series + 0.5) * bar_width;
      const auto& value = chart.values[group][series];
      if (!value || value->schedules == 0) {
        svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-family=\"sans-serif\" "
                           "font-size=\"8\" fill=\"#999\">n/a</text>\n",
                           center, plot.bottom() - 3);
        continue;
      }
      svg += share_bar(plot, center, bar_width * 0.86, chart.series_colors[series],
                       chart.series[series] + ", " + chart.groups[group], *value);
    }
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" {}>{}</text>\n",
                       group_left + group_width / 2, plot.bottom() + 16, kTextStyle,
                       html_escape(chart.groups[group]));
  }
  return svg + "</svg>\n";
}

std::string svg_first_failure_chart(const std::string& label, const std::vector<FirstFailureBar>& bars,
                                    int width_px) {
  std::uint64_t max_value = 1;
  std::size_t label_chars = 8;
  for (const FirstFailureBar& bar : bars) {
    max_value = std::max(max_value, bar.first_failure_schedule.value_or(bar.schedules));
    label_chars = std::max(label_chars, bar.label.size());
  }
  const std::uint64_t axis_max = log_axis_max(max_value);
  const double row_height = 18;
  const double label_width = std::min(0.45 * width_px, 6.2 * static_cast<double>(label_chars) + 8);
  const PlotArea plot{label_width, 8, width_px - label_width - 90.0, row_height * bars.size()};
  const int height_px = static_cast<int>(plot.bottom() + 34);
  // The x coordinate of a schedule count on the log axis, where 1 sits at the left edge.
  const auto x_of = [&](std::uint64_t value) {
    const double fraction = std::log10(static_cast<double>(std::max<std::uint64_t>(1, value))) /
                            std::log10(static_cast<double>(axis_max));
    return plot.left + fraction * plot.width;
  };

  std::string svg = svg_open(label, width_px, height_px);
  for (std::uint64_t tick = 1; tick <= axis_max; tick *= 10) {
    const double x = x_of(tick);
    svg += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\" stroke=\"#e3e3e3\"/>\n",
                       x, plot.top, plot.bottom());
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" {}>{}</text>\n", x,
                       plot.bottom() + 14, kTextStyle, tick);
  }
  for (std::size_t index = 0; index < bars.size(); ++index) {
    const FirstFailureBar& bar = bars[index];
    const double y = plot.top + index * row_height;
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" {}>{}</text>\n", plot.left - 6,
                       y + 13, kTextStyle, html_escape(bar.label));
    const bool found = bar.first_failure_schedule.has_value();
    const std::uint64_t value = found ? *bar.first_failure_schedule : bar.schedules;
    // Schedule 1 sits at the axis origin, so it gets a minimal visible bar.
    const double width = std::max(2.0, x_of(value) - plot.left);
    const std::string text = found ? fmt::format("{}", value) : fmt::format("none in {}", bar.schedules);
    svg += fmt::format("<g class=\"bar\"><title>{}: {}</title>", html_escape(bar.label),
                       found ? fmt::format("first failure in schedule {} of {}", value, bar.schedules)
                             : fmt::format("no failure in {} schedules", bar.schedules));
    if (found) {
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"{}\"/>",
                         plot.left, y + 3, width, row_height - 6, bar.color);
    } else {
      svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"none\" "
                         "stroke=\"{}\" stroke-dasharray=\"3 2\"/>",
                         plot.left, y + 3, width, row_height - 6, bar.color);
    }
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" {}>{}</text></g>\n", plot.left + width + 4, y + 13,
                       kTextStyle, text);
  }
  svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" {}>schedules run up to the first "
                     "failing one (log scale)</text>\n",
                     plot.left + plot.width / 2, static_cast<double>(height_px) - 4, kTextStyle);
  return svg + "</svg>\n";
}

}  // namespace reviewsim
