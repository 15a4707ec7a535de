#pragma once

// Pieces that several subcommands share: errors that map to exit codes, scenario discovery,
// list options, output files, progress lines, failure traces and the report's counterexamples.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/trace_file.h"
#include "model/scenario.h"
#include "reports/compare_report.h"
#include "reports/report.h"
#include "sim/runner.h"

namespace reviewsim::cli {

// Exit codes of every subcommand.
inline constexpr int kExitClean = 0;
inline constexpr int kExitAnomaly = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitEnvironment = 3;

// Invalid usage or input: exit code 2. The message names the option or file and what was expected.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The environment failed (a file that cannot be written, a server that cannot be reached):
// exit code 3.
class EnvironmentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LoadedScenario {
  std::string path;
  Scenario scenario;
};

// The bundled scenarios: ./scenarios when it exists, else the source tree's scenarios/.
std::filesystem::path default_scenarios_directory();

// Loads every scenario file named, where a directory stands for the *.json files directly in it.
// Throws ScenarioError for a bad file and UsageError for duplicate scenario names.
std::vector<LoadedScenario> load_scenarios(const std::vector<std::string>& paths);

// Splits "a,b,c" into its items, dropping empty ones.
std::vector<std::string> split_list(const std::string& text);

// Parses "2-5" or "3" into an inclusive range of user counts within 1..5.
std::pair<int, int> parse_users_range(const std::string& text);

// The whole file. Throws UsageError when it cannot be read, because every file a subcommand
// reads is one the user named.
std::string read_text_file(const std::filesystem::path& path);

// Writes `text` to `path`, creating parent directories. Throws EnvironmentError on failure.
void write_text_file(const std::filesystem::path& path, const std::string& text);

// Progress of a long run on stderr. When stderr is a terminal, one line rewritten in place at
// most five times a second: done and total, schedules per second, and the time left (estimated
// from the rate, or up to the time limit when one is set). Otherwise, and also on a terminal
// once finish() runs, one summary line. Nothing at all with quiet set. Not thread-safe: callers
// serialize update() and finish(), as run_batch's on_cell_done does.
class Progress {
 public:
  // `total` counts whatever `done` counts in update(), such as rows or schedules; 0 when it is
  // not known in advance.
  Progress(std::string what, std::size_t total, bool quiet);
  // A run bounded by time: the line shows the time left until `seconds` after the start.
  void set_time_limit(double seconds);
  void set_total(std::size_t total);
  void update(std::size_t done, std::uint64_t schedules_done);
  void finish(std::uint64_t schedules_done);

 private:
  std::string what_;
  std::size_t total_;
  std::size_t done_ = 0;
  bool quiet_;
  bool terminal_;
  double time_limit_s_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_print_;
  bool printed_ = false;
};

// "42 s", "3 min 05 s" or "1 h 02 min": a duration for progress and summary lines.
std::string duration_text(double seconds);

// Reruns schedule `seed` of `cell` with every step kept and returns its trace.
Trace trace_of_schedule(const Cell& cell, std::uint64_t seed, std::uint32_t steps_max);

// The trace of a row's first failing schedule of one anomaly kind.
// The file name of the first failing schedule of one anomaly kind, such as
// different-items.full-overwrite.legacy.lost-update.json. An empty `explorer` leaves it out.
std::string failure_trace_name(const std::string& scenario, const std::string& strategy,
                               const std::string& client, const std::string& explorer, AnomalyKind kind);

struct FailureTrace {
  std::size_t row_index = 0;
  AnomalyKind kind = AnomalyKind::lost_update;
  std::string file_name;  // "<scenario>.<strategy>.<client>[.<explorer>].<kind>.json"
  Trace trace;
};

// The first failing schedule of each (scenario, strategy, client variant, anomaly kind) among
// `rows`, or of each (..., explorer, kind) with by_explorer set, rerun with every step kept.
// Requires cells[i] to be the cell of rows[i]. Rows are visited in order, so "first" means the
// first row in `rows` that showed the kind, at its first failing seed.
std::vector<FailureTrace> failure_traces(const std::vector<Cell>& cells, const std::vector<CompareRow>& rows,
                                         std::uint32_t steps_max, bool by_explorer);

// Trace files named on the command line, where a directory stands for the *.json files
// directly in it, sorted by name. Throws UsageError for a path that does not exist.
std::vector<std::filesystem::path> trace_files(const std::vector<std::string>& paths);

// Replays every trace in `trace_paths`, keeps the minimal counterexamples (reports/report.h) in
// `data`, writes the timeline of each into `out`/timelines/, and links each trace: in place when
// it is already under `out`, else copied into `out`/traces/. Throws TraceError for a bad trace
// file and EnvironmentError when a file cannot be written.
void add_counterexamples(ReportData& data, const std::vector<std::filesystem::path>& trace_paths,
                         const std::filesystem::path& out);

}  // namespace reviewsim::cli
