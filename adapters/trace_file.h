#pragma once

// Trace files: everything one run depends on, so that it replays exactly. Format
// "reviewsim-trace/1", documented in docs/traces.md: the scenario inline, strategy, client
// variant, user count, seed, explorer, the schedule (the explorer's choice at every scheduled
// step), the history hash with a short hash after every step, and the anomalies found.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/anomaly.h"
#include "model/scenario.h"

namespace reviewsim {

inline constexpr std::string_view kTraceFormat = "reviewsim-trace/1";

// An invalid, truncated or unreadable trace file, or one of another format version.
class TraceError : public std::runtime_error {
 public:
  TraceError(const std::string& file, const std::string& field, const std::string& problem);
};

struct Trace {
  Scenario scenario;
  std::string strategy;
  std::string client;
  int users_count = 0;
  std::uint64_t seed = 0;
  std::string explorer;  // the explorer that chose the schedule: timed, random, pct or exhaustive
  std::uint32_t steps_max = 0;
  // Poll timer firings per user at most (SimulationConfig::polls_max); absent: no bound.
  std::optional<std::uint32_t> polls_max;
  std::vector<std::uint32_t> schedule;
  std::uint64_t history_hash = 0;
  // The low 32 bits of the history hash after every step, final loads included.
  std::vector<std::uint32_t> step_hashes;
  std::vector<Anomaly> anomalies;
  // For the regression corpus: the anomaly kinds a replay must show (empty: none). Absent in a
  // trace that only records a run.
  std::optional<std::vector<AnomalyKind>> expected_kinds;
};

std::string format_trace(const Trace& trace);
// Parses and validates trace JSON. `source` names the file in errors. Throws TraceError.
Trace parse_trace(std::string_view json_text, const std::string& source);
// Throws TraceError, also for a file that cannot be read.
Trace load_trace_file(const std::filesystem::path& path);

}  // namespace reviewsim
