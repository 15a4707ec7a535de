#pragma once

// The outputs of `reviewsim compare`: compare.json (format "reviewsim-compare/1"), compare.md,
// and the table printed to stdout.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

// Whether the row meets its expectation: a clean expectation needs no failing schedule, a
// list of kinds needs at least one schedule with each kind. Rows without one meet it.
bool expectation_met(const CompareRow& row);

std::string compare_json(const std::vector<CompareRow>& rows, const CompareSettings& settings);
std::string compare_markdown(const std::vector<CompareRow>& rows, const CompareSettings& settings);
// One line per (scenario, strategy, client, explorer) with the share of failing schedules for
// each user count.
std::string compare_table(const std::vector<CompareRow>& rows);

}  // namespace reviewsim
