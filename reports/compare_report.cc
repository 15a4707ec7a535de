#include "reports/compare_report.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "reports/json_fields.h"
#include "reports/wilson_interval.h"

namespace reviewsim {

namespace {

using json_fields::expectation_text;
using json_fields::kinds_text;
using json_fields::ordered_json;

std::vector<AnomalyKind> kinds_seen(const CellResult& result) {
  std::vector<AnomalyKind> kinds;
  for (int kind = 0; kind < kAnomalyKindCount; ++kind) {
    if (result.schedules_by_kind[kind] > 0) kinds.push_back(static_cast<AnomalyKind>(kind));
  }
  return kinds;
}

std::string percent(std::uint32_t part, std::uint32_t whole) {
  if (whole == 0) return "-";
  if (part == 0) return "0%";
  const double share = 100.0 * part / whole;
  return share < 1.0 ? "<1%" : fmt::format("{:.0f}%", share);
}

// Rows grouped by (scenario, strategy, client, explorer), in first-appearance order.
std::vector<std::vector<const CompareRow*>> group_rows(const std::vector<CompareRow>& rows) {
  std::vector<std::vector<const CompareRow*>> groups;
  std::map<std::string, std::size_t> index_of;
  for (const CompareRow& row : rows) {
    const std::string key =
        row.scenario + '\n' + row.strategy + '\n' + row.client + '\n' + row.explorer;
    const auto [found, added] = index_of.emplace(key, groups.size());
    if (added) groups.emplace_back();
    groups[found->second].push_back(&row);
  }
  return groups;
}

}  // namespace

std::optional<Expectation> expectation_for(const Scenario& scenario, const std::string& strategy,
                                           const ClientVariant& client, std::string_view explorer) {
  for (const Expectation& expectation : scenario.expectations) {
    if (expectation.strategy != strategy) continue;
    if (!expectation.explorer.empty() && expectation.explorer != explorer) continue;
    const auto expected_client = parse_client_variant(expectation.client, nullptr);
    if (expected_client && same_flags(*expected_client, client)) return expectation;
  }
  return std::nullopt;
}

bool expectation_met(const CompareRow& row) {
  if (!row.expectation) return true;
  if (row.expectation->clean) return row.result.failing_schedules == 0;
  for (const AnomalyKind kind : row.expectation->kinds) {
    if (row.result.schedules_by_kind[static_cast<int>(kind)] == 0) return false;
  }
  return true;
}

std::string compare_json(const std::vector<CompareRow>& rows, const CompareSettings& settings) {
  ordered_json document;
  document["format"] = "reviewsim-compare/1";
  document["seed"] = settings.seed;
  document["schedules_per_cell"] = settings.schedules_per_cell;
  document["steps_max"] = settings.steps_max;

  std::uint32_t unmet = 0;
  ordered_json json_rows = ordered_json::array();
  for (const CompareRow& row : rows) {
    if (!expectation_met(row)) ++unmet;
    json_rows.push_back(json_fields::row_to_json(row));
  }
  document["rows"] = std::move(json_rows);
  document["expectations_unmet"] = unmet;
  return document.dump(2) + "\n";
}

std::string percent_text(double share) {
  if (share <= 0.0) return "0%";
  if (share >= 1.0) return "100%";
  const double percent = 100.0 * share;
  if (percent < 0.1) return "<0.1%";
  if (percent > 99.9) return ">99.9%";
  if ((percent < 10.0 || percent > 90.0) && std::abs(percent - std::round(percent)) >= 0.05) {
    return fmt::format("{:.1f}%", percent);
  }
  return fmt::format("{:.0f}%", percent);
}

std::string markdown_rows_table(const std::vector<CompareRow>& rows) {
  std::string text =
      "| scenario | strategy | client | explorer | users | failing | share (95% CI) | anomalies | expected |\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  for (const CompareRow& row : rows) {
    std::string anomalies;
    for (int kind = 0; kind < kAnomalyKindCount; ++kind) {
      if (row.result.schedules_by_kind[kind] == 0) continue;
      if (!anomalies.empty()) anomalies += ", ";
      anomalies += fmt::format("{} {}", anomaly_kind_name(static_cast<AnomalyKind>(kind)),
                               row.result.schedules_by_kind[kind]);
    }
    std::string expected;
    if (row.expectation) {
      expected = expectation_text(*row.expectation) + (expectation_met(row) ? "" : " (**not met**)");
    }
    const ShareInterval interval = wilson_interval(row.result.failing_schedules, row.result.schedules);
    text += fmt::format("| {} | {} | {} | {} | {} | {}/{} | {} ({} to {}) | {} | {} |\n",
                        row.scenario, row.strategy, row.client, row.explorer, row.users_count,
                        row.result.failing_schedules, row.result.schedules,
                        percent_text(interval.share), percent_text(interval.low),
                        percent_text(interval.high), anomalies.empty() ? "none" : anomalies,
                        expected);
  }
  return text;
}

std::string compare_table(const std::vector<CompareRow>& rows) {
  std::vector<int> users_counts;
  for (const CompareRow& row : rows) {
    if (std::find(users_counts.begin(), users_counts.end(), row.users_count) == users_counts.end()) {
      users_counts.push_back(row.users_count);
    }
  }
  std::sort(users_counts.begin(), users_counts.end());

  std::string table = fmt::format("{:<24} {:<17} {:<8} {:<7}", "scenario", "strategy", "client",
                                  "explorer");
  for (const int users : users_counts) table += fmt::format(" {:>5}", fmt::format("{}u", users));
  table += "  anomalies (expected)\n";

  for (const auto& group : group_rows(rows)) {
    const CompareRow& first = *group.front();
    std::string line = fmt::format("{:<24} {:<17} {:<8} {:<7}", first.scenario, first.strategy,
                                   first.client, first.explorer);
    CellResult merged;
    bool met = true;
    for (const int users : users_counts) {
      const auto found = std::find_if(group.begin(), group.end(),
                                      [users](const CompareRow* row) { return row->users_count == users; });
      if (found == group.end()) {
        line += fmt::format(" {:>5}", "");
        continue;
      }
      const CellResult& result = (*found)->result;
      line += fmt::format(" {:>5}", percent(result.failing_schedules, result.schedules));
      for (int kind = 0; kind < kAnomalyKindCount; ++kind) {
        merged.schedules_by_kind[kind] += result.schedules_by_kind[kind];
      }
      met = met && expectation_met(**found);
    }
    const std::string seen = kinds_text(kinds_seen(merged));
    line += "  " + (seen.empty() ? std::string("none") : seen);
    if (first.expectation) {
      line += fmt::format(" ({}{})", met ? "" : "NOT MET: expected ", expectation_text(*first.expectation));
    }
    table += line + "\n";
  }
  return table;
}

std::string markdown_reproduction_list(const std::vector<CompareRow>& rows) {
  std::string text;
  for (const CompareRow& row : rows) {
    const std::string scenario_file =
        row.scenario_file.empty() ? "scenarios/" + row.scenario + ".json" : row.scenario_file;
    for (int kind = 0; kind < kAnomalyKindCount; ++kind) {
      if (!row.result.first_seed_by_kind[kind]) continue;
      text += fmt::format(
          "- {} ({}, {}, {} users): `reviewsim run --scenario {} --strategy {} --client {} "
          "--users {} --explorer {} --seed {}`\n",
          anomaly_kind_name(static_cast<AnomalyKind>(kind)), row.scenario, row.strategy,
          row.users_count, scenario_file, row.strategy, row.client, row.users_count,
          row.explorer, *row.result.first_seed_by_kind[kind]);
    }
  }
  return text;
}

std::string compare_markdown(const std::vector<CompareRow>& rows, const CompareSettings& settings) {
  std::string text = "# reviewsim compare\n\n";
  text += fmt::format(
      "Seed {}, {} schedules per row (schedule i runs with seed {} + i), at most {} steps per "
      "schedule. Each row's share is that of schedules that showed at least one anomaly, with its "
      "95% Wilson score interval.\n\n",
      settings.seed, settings.schedules_per_cell, settings.seed, settings.steps_max);

  text += markdown_rows_table(rows);
  text += "\n## Reproducing a failure\n\n";
  text += "Each failing row's first schedule per anomaly kind, as a `reviewsim run` command:\n\n";
  text += markdown_reproduction_list(rows);
  return text;
}

}  // namespace reviewsim
