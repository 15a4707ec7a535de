#pragma once

// Inline SVG charts for the HTML report: grouped bars of shares with confidence whiskers, and
// horizontal bars on a logarithmic axis for schedule counts. The output is a complete <svg>
// element with its sizes fixed in pixels, no scripts and no external references, so that it
// renders the same in any browser and in a page saved to disk.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace reviewsim {

// Escapes text for HTML and SVG character data and attribute values.
std::string html_escape(const std::string& text);

// One measured share: `failing` of `schedules` schedules showed an anomaly.
struct ShareBar {
  std::uint64_t failing = 0;
  std::uint64_t schedules = 0;
};

struct ShareChart {
  std::string label;                        // aria-label of the whole chart
  std::vector<std::string> groups;          // x-axis groups, left to right
  std::vector<std::string> series;          // bars within each group, left to right
  std::vector<std::string> series_colors;   // one CSS color per series
  // values[group][series]; nullopt draws "n/a" in place of the bar.
  std::vector<std::vector<std::optional<ShareBar>>> values;
};

// Grouped bars from 0% to 100% with the 95% Wilson score interval of every share as a whisker,
// a legend above the plot and a <title> tooltip per bar with the counts. Requires as many
// colors as series and a row of `series.size()` values per group.
std::string svg_share_chart(const ShareChart& chart, int width_px, int height_px);

// One horizontal bar per entry: the number of schedules run up to the first failing one, on a
// logarithmic axis. An entry without a failure draws a hollow bar to its budget, labelled
// "none in N".
struct FirstFailureBar {
  std::string label;  // the row label at the left
  std::string color;  // CSS color of the bar
  std::uint64_t schedules = 0;
  std::optional<std::uint64_t> first_failure_schedule;
};

std::string svg_first_failure_chart(const std::string& label, const std::vector<FirstFailureBar>& bars,
                                    int width_px);

}  // namespace reviewsim
