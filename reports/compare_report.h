#pragma once

// Result rows, one per (scenario, strategy, client variant, user count, explorer), and the
// outputs of `reviewsim compare` built from them: compare.json (format "reviewsim-compare/1"),
// compare.md and the table printed to stdout. The gate and `reviewsim report` write their rows
// with the same code.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/client_variant.h"
#include "model/scenario.h"
#include "sim/runner.h"

namespace reviewsim {

struct CompareRow {
  std::string scenario;
  std::string scenario_file;
  std::string strategy;
  std::string client;
  int users_count = 0;
  std::string explorer;
  CellResult result;
  // The scenario's expectation for this (strategy, client), if it has one.
  std::optional<Expectation> expectation;
};

struct CompareSettings {
  std::uint64_t seed = 1;
  std::uint32_t schedules_per_cell = 0;
  std::uint32_t steps_max = 0;
};

// The scenario's expectation for a (strategy, client variant, explorer), matching the client by
// its flags so that "fixed" and its flags spelt out are the same client.
std::optional<Expectation> expectation_for(const Scenario& scenario, const std::string& strategy,
                                           const ClientVariant& client, std::string_view explorer);

// Whether the row meets its expectation: a clean expectation needs no failing schedule, a
// list of kinds needs at least one schedule with each kind. Rows without one meet it.
bool expectation_met(const CompareRow& row);

std::string compare_json(const std::vector<CompareRow>& rows, const CompareSettings& settings);
std::string compare_markdown(const std::vector<CompareRow>& rows, const CompareSettings& settings);
// The Markdown table of rows that compare.md and report.md share: the failing schedules with
// their share and its 95% Wilson interval, the anomaly kinds and the expectation.
std::string markdown_rows_table(const std::vector<CompareRow>& rows);
// One `reviewsim run` command per failing row and anomaly kind, for its first failing seed. A
// row without a scenario file path names scenarios/<scenario>.json.
std::string markdown_reproduction_list(const std::vector<CompareRow>& rows);
// A share in [0, 1] as a percentage: "0%" and "100%" exactly, "<0.1%" and ">99.9%" near them,
// one decimal below 10% and above 90% unless it is a whole number, none between.
std::string percent_text(double share);
// One line per (scenario, strategy, client, explorer) with the share of failing schedules for
// each user count.
std::string compare_table(const std::vector<CompareRow>& rows);

}  // namespace reviewsim
