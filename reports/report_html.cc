// report.html: one self-contained page. Its charts are inline SVG (reports/svg_chart.h) and its
// style sheet is inline. The page loads nothing and runs no script, so it opens as it is from a
// CI artifact or a file system.

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "adapters/strategy.h"
#include "reports/json_fields.h"
#include "reports/report.h"
#include "reports/svg_chart.h"
#include "reports/wilson_interval.h"

namespace reviewsim {

namespace {

constexpr std::string_view kStyle = R"(
body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1160px; }
h1 { font-size: 22px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { font-size: 15px; margin-top: 24px; }
h4 { font-size: 13px; margin: 16px 0 6px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 24px; }
figure { margin: 0; }
figcaption { font-size: 13px; font-weight: bold; margin-bottom: 2px; }
table { border-collapse: collapse; font-size: 12px; margin-top: 8px; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.number { text-align: right; white-space: nowrap; }
.passed { color: #1a7f37; font-weight: bold; }
.failed { color: #c62828; font-weight: bold; }
.note { color: #555; font-size: 13px; }
)";

// Okabe and Ito's palette, which stays distinguishable with the common colour vision
// deficiencies; strategies and explorers keep their colour in every chart.
constexpr std::string_view kPalette[] = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                         "#56B4E9", "#D55E00", "#F0E442", "#000000"};

std::string palette_color(std::size_t index) { return std::string(kPalette[index % std::size(kPalette)]); }

std::string strategy_color(const std::string& strategy) {
  const auto names = strategy_names();
  const auto found = std::find(names.begin(), names.end(), strategy);
  return palette_color(static_cast<std::size_t>(found - names.begin()));
}

std::string users_label(int users) { return fmt::format("{} user{}", users, users == 1 ? "" : "s"); }

// One chart of shares: the user counts as groups, the strategies as bars.
std::string share_figure(const std::string& caption, const std::vector<PooledShare>& shares, int width_px,
                         int height_px) {
  std::vector<std::string> strategies;
  std::set<int> users_set;
  for (const PooledShare& share : shares) {
    if (std::find(strategies.begin(), strategies.end(), share.strategy) == strategies.end()) {
      strategies.push_back(share.strategy);
    }
    users_set.insert(share.users_count);
  }
  const std::vector<int> users_counts(users_set.begin(), users_set.end());

  ShareChart chart;
  chart.label = caption;
  chart.series = strategies;
  for (const std::string& strategy : strategies) chart.series_colors.push_back(strategy_color(strategy));
  for (const int users : users_counts) {
    chart.groups.push_back(users_label(users));
    std::vector<std::optional<ShareBar>> values(strategies.size());
    for (const PooledShare& share : shares) {
      if (share.users_count != users) continue;
      const auto position = std::find(strategies.begin(), strategies.end(), share.strategy) - strategies.begin();
      values[static_cast<std::size_t>(position)] = ShareBar{share.failing, share.schedules};
    }
    chart.values.push_back(std::move(values));
  }
  return fmt::format("<figure><figcaption>{}</figcaption>\n{}</figure>\n", html_escape(caption),
                     svg_share_chart(chart, width_px, height_px));
}

// One figure per (client, explorer) of `shares`, which pooled_shares() sorted by them.
std::string share_figures(const std::string& caption_prefix, const std::vector<PooledShare>& shares, int width_px,
                          int height_px) {
  std::string html = "<div class=\"charts\">\n";
  for (std::size_t start = 0; start < shares.size();) {
    std::size_t end = start;
    while (end < shares.size() && shares[end].client == shares[start].client &&
           shares[end].explorer == shares[start].explorer) {
      ++end;
    }
    const std::vector<PooledShare> group(shares.begin() + static_cast<std::ptrdiff_t>(start),
                                         shares.begin() + static_cast<std::ptrdiff_t>(end));
    html += share_figure(fmt::format("{}client {}, explorer {}", caption_prefix, shares[start].client,
                                     shares[start].explorer),
                         group, width_px, height_px);
    start = end;
  }
  return html + "</div>\n";
}

std::string rates_section(const ReportData& data) {
  std::string html = "<h2 id=\"rates\">Anomaly rate by strategy and user count</h2>\n";
  if (data.rows.empty()) return html + "<p>No result rows were given.</p>\n";
  html += "<p class=\"note\">Each bar is the share of schedules that showed at least one anomaly; its "
          "whisker is the 95% Wilson score interval. The first charts sum every scenario's schedules; "
          "the charts below show each scenario on its own. Hover over a bar for its counts.</p>\n";
  html += share_figures("All scenarios: ", pooled_shares(data.rows), 540, 250);

  std::vector<std::string> scenarios;
  for (const CompareRow& row : data.rows) {
    if (std::find(scenarios.begin(), scenarios.end(), row.scenario) == scenarios.end()) {
      scenarios.push_back(row.scenario);
    }
  }
  html += "<h3>By scenario</h3>\n";
  for (const std::string& scenario : scenarios) {
    std::vector<CompareRow> rows;
    std::copy_if(data.rows.begin(), data.rows.end(), std::back_inserter(rows),
                 [&scenario](const CompareRow& row) { return row.scenario == scenario; });
    html += fmt::format("<h4>{}</h4>\n", html_escape(scenario));
    html += share_figures("", pooled_shares(rows), 540, 190);
  }
  return html;
}

std::string first_failure_section(const ReportData& data) {
  std::string html = "<h2 id=\"first-failure\">Schedules to the first failure</h2>\n";
  if (data.explore_results.empty()) {
    return html + "<p>No explore results were given. <code>reviewsim explore --json FILE</code> writes one, "
                  "and <code>reviewsim report --in FILE</code> adds it to this section.</p>\n";
  }
  html += "<p class=\"note\">How many schedules each explorer ran up to and including the first one that "
          "showed an anomaly, per configuration. A dashed bar found none within its budget.</p>\n";

  std::vector<std::string> explorers;
  for (const ExploreResult& result : data.explore_results) {
    if (std::find(explorers.begin(), explorers.end(), result.explorer) == explorers.end()) {
      explorers.push_back(result.explorer);
    }
  }
  // Configurations in order of first appearance, each with one bar per explorer.
  std::vector<ExploreResult> sorted = data.explore_results;
  std::map<std::string, std::size_t> configuration_rank;
  const auto configuration = [](const ExploreResult& result) {
    return fmt::format("{} {} {} {}u", result.scenario, result.strategy, result.client, result.users_count);
  };
  for (const ExploreResult& result : sorted) configuration_rank.emplace(configuration(result), configuration_rank.size());
  std::stable_sort(sorted.begin(), sorted.end(), [&](const ExploreResult& a, const ExploreResult& b) {
    return configuration_rank[configuration(a)] < configuration_rank[configuration(b)];
  });

  std::vector<FirstFailureBar> bars;
  for (const ExploreResult& result : sorted) {
    const auto explorer_index = std::find(explorers.begin(), explorers.end(), result.explorer) - explorers.begin();
    bars.push_back(FirstFailureBar{configuration(result) + " " + result.explorer,
                                   palette_color(static_cast<std::size_t>(explorer_index) + 4), result.schedules,
                                   result.first_failure_schedule});
  }
  html += "<figure><figcaption>Schedules to the first failure, by explorer</figcaption>\n" +
          svg_first_failure_chart("Schedules to the first failure, by explorer", bars, 1100) + "</figure>\n";

  html += "<table><tr><th>scenario</th><th>strategy</th><th>client</th><th>users</th><th>explorer</th>"
          "<th>first failing schedule</th><th>schedules run</th><th>source</th></tr>\n";
  for (const ExploreResult& result : sorted) {
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"number\">{}</td><td>{}</td>"
                        "<td class=\"number\">{}</td><td class=\"number\">{}</td><td>{}</td></tr>\n",
                        html_escape(result.scenario), html_escape(result.strategy), html_escape(result.client),
                        result.users_count, html_escape(result.explorer),
                        result.first_failure_schedule ? std::to_string(*result.first_failure_schedule) : "none",
                        result.schedules, html_escape(result.source));
  }
  return html + "</table>\n";
}

std::string counterexamples_section(const ReportData& data) {
  std::string html = "<h2 id=\"counterexamples\">Minimal counterexamples</h2>\n";
  if (!data.traces_given) {
    return html + "<p>No traces were given. <code>--traces DIR</code> adds the smallest trace of each anomaly "
                  "kind, for example the shrunk corpus in <code>tests/regressions/</code>.</p>\n";
  }
  if (data.counterexamples.empty()) return html + "<p>None of the given traces shows an anomaly.</p>\n";
  html += fmt::format("<p class=\"note\">For each anomaly kind, scenario, strategy and client variant, the given "
                      "trace with the fewest scheduled steps. <code>reviewsim replay TRACE</code> re-executes "
                      "one; the timeline is its text rendering.{}</p>\n",
                      data.clean_traces > 0 ? fmt::format(" {} given traces showed no anomaly and are not listed.",
                                                          data.clean_traces)
                                            : "");
  html += "<table><tr><th>kind</th><th>scenario</th><th>strategy</th><th>client</th><th>users</th>"
          "<th>explorer</th><th>steps</th><th>explanation</th><th>trace</th><th>timeline</th></tr>\n";
  for (const Counterexample& counterexample : data.counterexamples) {
    std::string explanation = html_escape(counterexample.explanation);
    if (!counterexample.replay_problem.empty()) {
      explanation += "<br><span class=\"failed\">The replay differs from the trace: " +
                     html_escape(counterexample.replay_problem) + "</span>";
    }
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"number\">{}</td><td>{}</td>"
                        "<td class=\"number\">{}</td><td>{}</td><td><a href=\"{}\">trace</a></td>"
                        "<td><a href=\"{}\">timeline</a></td></tr>\n",
                        anomaly_kind_name(counterexample.kind), html_escape(counterexample.scenario),
                        html_escape(counterexample.strategy), html_escape(counterexample.client),
                        counterexample.users_count, html_escape(counterexample.explorer),
                        counterexample.schedule_steps, explanation, html_escape(counterexample.trace_link),
                        html_escape(counterexample.timeline_link));
  }
  return html + "</table>\n";
}

std::string gate_section(const ReportData& data) {
  std::string html;
  for (const GateInput& gate : data.gates) {
    const bool passed = gate_passed(gate.result);
    html += fmt::format("<h2>Gate <code>{}</code>: <span class=\"{}\">{}</span></h2>\n", html_escape(gate.source),
                        passed ? "passed" : "failed", passed ? "passed" : "FAILED");
    html += fmt::format("<p>{} cases: {} passed, {} failed, {} skipped.</p>\n", gate.result.cases.size(),
                        gate_cases_with_status(gate.result, GateStatus::passed),
                        gate_cases_with_status(gate.result, GateStatus::failed),
                        gate_cases_with_status(gate.result, GateStatus::skipped));
    if (passed) continue;
    html += "<table><tr><th>case</th><th>role</th><th>scenario</th><th>name</th><th>message</th></tr>\n";
    for (const GateCase& gate_case : gate.result.cases) {
      if (gate_case.status != GateStatus::failed) continue;
      html += fmt::format("<tr><td class=\"number\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                          gate_case.index, gate_role_name(gate_case.role), html_escape(gate_case.scenario),
                          html_escape(gate_case_name(gate_case)), html_escape(gate_case.message));
    }
    html += "</table>\n";
  }
  return html;
}

std::string rows_section(const ReportData& data) {
  if (data.rows.empty()) return "";
  std::string html = "<h2 id=\"rows\">Every row</h2>\n<table><tr><th>scenario</th><th>strategy</th>"
                     "<th>client</th><th>explorer</th><th>users</th><th>failing</th><th>share</th>"
                     "<th>95% CI</th><th>anomalies</th><th>expected</th></tr>\n";
  for (const CompareRow& row : data.rows) {
    const ShareInterval interval = wilson_interval(row.result.failing_schedules, row.result.schedules);
    std::string anomalies;
    for (int kind = 0; kind < kAnomalyKindCount; ++kind) {
      if (row.result.schedules_by_kind[kind] == 0) continue;
      anomalies += fmt::format("{}{} {}", anomalies.empty() ? "" : ", ",
                               anomaly_kind_name(static_cast<AnomalyKind>(kind)), row.result.schedules_by_kind[kind]);
    }
    std::string expected;
    if (row.expectation) {
      const bool met = expectation_met(row);
      expected = fmt::format("<span class=\"{}\">{}{}</span>", met ? "passed" : "failed",
                             json_fields::expectation_text(*row.expectation), met ? "" : " (not met)");
    }
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"number\">{}</td>"
                        "<td class=\"number\">{}/{}</td><td class=\"number\">{}</td><td class=\"number\">{} to {}</td>"
                        "<td>{}</td><td>{}</td></tr>\n",
                        html_escape(row.scenario), html_escape(row.strategy), html_escape(row.client),
                        html_escape(row.explorer), row.users_count, row.result.failing_schedules,
                        row.result.schedules, percent_text(interval.share), percent_text(interval.low),
                        percent_text(interval.high), anomalies.empty() ? "none" : anomalies, expected);
  }
  return html + "</table>\n";
}

}  // namespace

std::string report_html(const ReportData& data) {
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<title>reviewsim report</title>\n<style>";
  html += kStyle;
  html += "</style>\n</head>\n<body>\n<h1>reviewsim report</h1>\n<p class=\"note\">Inputs: ";
  for (std::size_t index = 0; index < data.sources.size(); ++index) {
    html += (index == 0 ? "<code>" : ", <code>") + html_escape(data.sources[index]) + "</code>";
  }
  html += data.sources.empty() ? "none.</p>\n" : ".</p>\n";

  html += gate_section(data);
  html += rates_section(data);
  html += first_failure_section(data);
  html += counterexamples_section(data);
  html += rows_section(data);
  if (!data.notes.empty()) {
    html += "<h2>Notes</h2>\n<ul>\n";
    for (const std::string& note : data.notes) html += "<li>" + html_escape(note) + "</li>\n";
    html += "</ul>\n";
  }
  return html + "</body>\n</html>\n";
}

}  // namespace reviewsim
