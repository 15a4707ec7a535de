#pragma once

// The result of `reviewsim gate` as data: its JSON file (format "reviewsim-gate/1", one per
// shard or merged), the merge of shard results, and the summary table printed to stdout.
//
// The gate's work is a fixed list of cases, numbered from 0 in the same order on every machine.
// A case is one (scenario, strategy, client variant, explorer) run for every user count, or one
// regression trace replayed. Shard K of N runs the cases whose index modulo N is K - 1, so N
// shards together run every case exactly once, and merging their results gives the rows of one
// unsharded run.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reports/compare_report.h"

namespace reviewsim {

inline constexpr std::string_view kGateFormat = "reviewsim-gate/1";

enum class GateRole : std::uint8_t {
  production,   // the configuration that ships: hset-multi with the fixed client
  canary,       // a known-bad configuration that the scenario expects to show anomaly kinds
  expectation,  // another configuration that the scenario expects to show no anomaly
  regression,   // a trace of tests/regressions replayed like `replay --check`
};

enum class GateStatus : std::uint8_t { passed, failed, skipped };

std::string_view gate_role_name(GateRole role);
std::string_view gate_status_name(GateStatus status);

struct GateCase {
  std::size_t index = 0;  // position in the whole gate's case list
  GateRole role = GateRole::production;
  // For every role but regression: the configuration run.
  std::string scenario;
  std::string scenario_file;
  std::string strategy;
  std::string client;
  std::string explorer;
  // "scenario" when the expectation comes from the scenario file, "implied" for the production
  // configuration of a scenario that states none (it must then show no anomaly).
  std::string expectation_source;
  // For regression cases: the trace file and the anomaly kinds its replay showed.
  std::string trace_file;
  std::string found;
  std::string expected;  // "none" or the expected kinds, comma-separated
  GateStatus status = GateStatus::passed;
  // For a failed or skipped case: one line for the JUnit message attribute, and the full text
  // with every failing row, the anomaly explanation and the trace path.
  std::string message;
  std::string details;
  std::vector<std::string> traces;  // trace files written for this case's failing schedules
  std::vector<CompareRow> rows;     // one per user count, ascending; empty for regressions
};

// The case's name as JUnit and the summary table show it: "strategy client explorer", or the
// trace file's stem for a regression.
std::string gate_case_name(const GateCase& gate_case);

struct GateShard {
  int index = 1;  // K of K/N, from 1
  int count = 1;  // N
  std::uint32_t schedules_per_case = 0;
  // Set when a time limit chose schedules_per_case; the rows still equal those of a run with
  // --schedules schedules_per_case.
  std::optional<double> time_limit_s;
};

struct GateResult {
  std::uint64_t seed = 1;
  std::uint32_t steps_max = 0;
  int shard_count = 1;
  std::size_t cases_total = 0;   // cases of the whole gate, over every shard
  std::string plan_fingerprint;  // identifies the case list and its inputs
  std::vector<GateShard> shards;  // the shards this result holds, by index
  std::vector<GateCase> cases;    // by index
  double elapsed_s = 0;           // not written to JSON, so that equal runs give equal files
};

bool gate_passed(const GateResult& result);
std::size_t gate_cases_with_status(const GateResult& result, GateStatus status);

std::string gate_json(const GateResult& result);
// Throws ReportInputError (reports/report_input.h) naming `source` and the field.
GateResult parse_gate_json(std::string_view text, const std::string& source);

// Combines shard results of one gate plan into the result one unsharded run gives. Requires
// every shard 1..N exactly once, all with the same seed, step limit, shard count and plan.
// Throws ReportInputError naming the file and what differs or is missing.
GateResult merge_gate_results(const std::vector<GateResult>& shards,
                              const std::vector<std::string>& sources);

// One line per case: role, scenario, strategy, client, explorer, the failing share per user
// count and the result; then every failed case's message.
std::string gate_table(const GateResult& result);

}  // namespace reviewsim
