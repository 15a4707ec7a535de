#pragma once

// The comparison report: report.html (one self-contained page with inline SVG charts and CSS,
// no scripts and no network), report.md and report.json (format "reviewsim-report/1"), built
// from result rows, explore results, gate results and counterexample traces. `reviewsim report`
// and `reviewsim compare` both render through these functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/trace_file.h"
#include "reports/compare_report.h"
#include "reports/gate_report.h"
#include "reports/report_input.h"

namespace reviewsim {

inline constexpr std::string_view kReportFormat = "reviewsim-report/1";

// A trace replayed for the counterexample table, with its text timeline.
struct ReplayedTrace {
  std::string scenario;
  std::string strategy;
  std::string client;
  std::string explorer;
  int users_count = 0;
  std::uint64_t seed = 0;
  std::uint32_t schedule_steps = 0;  // scheduled steps the trace records
  // The replay's anomalies, or the trace's recorded ones when the replay did not reproduce it.
  std::vector<Anomaly> anomalies;
  // The reason the replay did not reproduce the trace (one of another reviewsim version), or empty.
  std::string replay_problem;
  std::string timeline;
};

// Replays `trace` and renders its timeline with reports/timeline.h.
ReplayedTrace replay_counterexample(const Trace& trace);

// One row of the counterexample table: the smallest given trace that shows `kind` for its
// (scenario, strategy, client variant).
struct Counterexample {
  AnomalyKind kind = AnomalyKind::lost_update;
  std::string scenario;
  std::string strategy;
  std::string client;
  std::string explorer;
  int users_count = 0;
  std::uint64_t seed = 0;
  std::uint32_t schedule_steps = 0;
  std::vector<AnomalyKind> kinds;  // every kind the trace shows
  std::string explanation;         // of the trace's first anomaly of `kind`
  std::string replay_problem;
  std::size_t trace_index = 0;     // position of its trace among the replayed ones
  std::string trace_link;          // relative to the report's directory; set by the caller
  std::string timeline_link;       // relative to the report's directory; set by the caller
};

// For every (anomaly kind, scenario, strategy, client variant), the trace with the fewest
// scheduled steps; ties go to the earlier trace. Traces without an anomaly give no row. Sorted
// by kind, scenario, strategy and client.
std::vector<Counterexample> minimal_counterexamples(const std::vector<ReplayedTrace>& traces);

// Failing and total schedules of one (client variant, explorer, strategy, user count), summed
// over the scenarios that have that row.
struct PooledShare {
  std::string client;
  std::string explorer;
  std::string strategy;
  int users_count = 0;
  std::uint64_t failing = 0;
  std::uint64_t schedules = 0;
  std::size_t scenarios = 0;
};

// Clients and explorers in order of first appearance, strategies in the order of
// strategy_names() (unknown names after them, alphabetically), user counts ascending.
std::vector<PooledShare> pooled_shares(const std::vector<CompareRow>& rows);

struct GateInput {
  std::string source;
  GateResult result;
};

struct ReportData {
  std::vector<std::string> sources;  // input files, in the order given
  std::vector<CompareRow> rows;
  std::vector<ExploreResult> explore_results;
  std::vector<GateInput> gates;
  // Whether counterexample traces were given at all, which tells "no traces given" apart from
  // "no given trace shows an anomaly".
  bool traces_given = false;
  std::vector<Counterexample> counterexamples;
  std::size_t clean_traces = 0;  // given traces that showed no anomaly
  // Notes on what the report left out and why, such as duplicate rows.
  std::vector<std::string> notes;
};

// Adds one input file's rows, explore results and gate result. A row whose (scenario, strategy,
// client, users, explorer) is already present is kept from the input with more schedules, so
// that the same schedules are never counted twice, and a note names what was dropped.
void add_result_file(ReportData& data, ResultFile file);

std::string report_json(const ReportData& data);
std::string report_markdown(const ReportData& data);
std::string report_html(const ReportData& data);

}  // namespace reviewsim
