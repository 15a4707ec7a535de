// reviewsim gate: the CI regression gate. It runs the production configuration (hset-multi with
// the fixed client) over every scenario and checks every other expectation the scenario files
// state. Among those are the canaries, known-bad configurations that must still show their
// anomalies. It also replays the regression traces, and exits 0 only when everything passed.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <xxhash.h>

#include "adapters/trace_file.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "reports/gate_junit.h"
#include "reports/gate_report.h"
#include "sim/replay.h"

namespace reviewsim::cli {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kProductionStrategy = "hset-multi";
// Sized so that the whole gate runs in about a minute on 2 cores, measured in docs/ci.md. At
// seed 1 every canary is caught within its first ten schedules, so the margin is wide.
constexpr std::uint32_t kDefaultSchedules = 3000;
// With --time-limit and no --schedules, the most schedules any case gets.
constexpr std::uint32_t kTimeLimitedSchedulesMax = 1'000'000;
// A time-limited run adds schedules in rounds of at least this many per case, so that the
// count it reports stays a round number that a rerun with --schedules can repeat.
constexpr std::uint32_t kRoundSchedulesMin = 10;
constexpr int kUsersMin = 2;
constexpr int kUsersMax = 5;

struct GateOptions {
  std::vector<std::string> scenarios;
  std::string regressions;
  std::uint32_t schedules = kDefaultSchedules;
  CLI::Option* schedules_option = nullptr;
  double time_limit_s = 0;
  std::uint64_t seed = 1;
  std::uint32_t steps_max = 100000;
  std::string shard = "1/1";
  std::string json_out;
  std::string junit_out;
  std::string traces;
  int jobs = 0;
  bool quiet = false;
};

// One case of the plan with what it needs to run; `info` becomes the reported GateCase.
struct PlannedCase {
  GateCase info;
  // Simulation cases.
  const LoadedScenario* scenario = nullptr;
  ClientVariant client;
  ExplorerKind explorer = ExplorerKind::timed;
  Expectation expectation;
  std::vector<int> users_counts;
  // Regression cases.
  const Trace* trace = nullptr;
};

struct ShardSpec {
  int index = 1;
  int count = 1;
};

ShardSpec parse_shard(const std::string& text) {
  const auto fail = [&text]() -> ShardSpec {
    throw UsageError(fmt::format("--shard: expected K/N with 1 <= K <= N <= 1000, such as 2/4, got \"{}\"", text));
  };
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) return fail();
  const std::string index = text.substr(0, slash);
  const std::string count = text.substr(slash + 1);
  const auto digits = [](const std::string& part) {
    return part.size() <= 4 && part.find_first_not_of("0123456789") == std::string::npos;
  };
  if (!digits(index) || !digits(count)) return fail();
  ShardSpec shard{std::stoi(index), std::stoi(count)};
  if (shard.count < 1 || shard.count > 1000 || shard.index < 1 || shard.index > shard.count) return fail();
  return shard;
}

fs::path default_regressions_directory() {
  if (fs::is_directory("tests/regressions")) return "tests/regressions";
  return fs::path(REVIEWSIM_SOURCE_DIR) / "tests" / "regressions";
}

std::vector<int> users_counts_of(const Scenario& scenario) {
  std::vector<int> counts;
  for (int users = std::max(kUsersMin, scenario.users_min); users <= std::min(kUsersMax, scenario.users_max); ++users) {
    counts.push_back(users);
  }
  return counts;
}

std::vector<ExplorerKind> explorers_of(const Expectation& expectation, const std::string& scenario_file) {
  // An expectation without an explorer holds for both sampling explorers (scenarios/README.md).
  if (expectation.explorer.empty()) return {ExplorerKind::timed, ExplorerKind::random};
  const auto explorer = parse_explorer_kind(expectation.explorer);
  if (!explorer) {
    throw UsageError(fmt::format("{}: expectation for {} {} names explorer \"{}\", which this gate cannot run",
                                 scenario_file, expectation.strategy, expectation.client, expectation.explorer));
  }
  return {*explorer};
}

PlannedCase simulation_case(const LoadedScenario& loaded, GateRole role, const std::string& strategy,
                            const ClientVariant& client, const std::string& client_name, ExplorerKind explorer,
                            Expectation expectation, std::string expectation_source) {
  PlannedCase planned;
  planned.info.role = role;
  planned.info.scenario = loaded.scenario.name;
  planned.info.scenario_file = loaded.path;
  planned.info.strategy = strategy;
  planned.info.client = client_name;
  planned.info.explorer = std::string(explorer_kind_name(explorer));
  planned.info.expected = expectation.clean ? "none" : "";
  for (const AnomalyKind kind : expectation.kinds) {
    planned.info.expected += (planned.info.expected.empty() ? "" : ", ") + std::string(anomaly_kind_name(kind));
  }
  planned.info.expectation_source = std::move(expectation_source);
  planned.scenario = &loaded;
  planned.client = client;
  planned.explorer = explorer;
  planned.expectation = std::move(expectation);
  planned.users_counts = users_counts_of(loaded.scenario);
  return planned;
}

// The production cases of one scenario, then one case per (expectation, explorer) it states for
// any other configuration.
void plan_scenario(const LoadedScenario& loaded, std::vector<PlannedCase>& plan) {
  const ClientVariant production_client = fixed_client();
  for (const ExplorerKind explorer : {ExplorerKind::timed, ExplorerKind::random}) {
    auto expectation = expectation_for(loaded.scenario, std::string(kProductionStrategy), production_client,
                                       explorer_kind_name(explorer));
    // A scenario that states nothing for the production configuration still requires it to show
    // no anomaly, because proving it clean is the purpose of the gate.
    const bool stated = expectation.has_value();
    if (!stated) expectation = Expectation{std::string(kProductionStrategy), "fixed", "", true, {}};
    plan.push_back(simulation_case(loaded, GateRole::production, std::string(kProductionStrategy),
                                   production_client, "fixed", explorer, *expectation,
                                   stated ? "scenario" : "implied"));
  }

  for (const Expectation& expectation : loaded.scenario.expectations) {
    const auto client = parse_client_variant(expectation.client, nullptr);
    if (!client) throw UsageError(fmt::format("{}: invalid client \"{}\"", loaded.path, expectation.client));
    if (expectation.strategy == kProductionStrategy && same_flags(*client, production_client)) continue;
    const GateRole role = expectation.clean ? GateRole::expectation : GateRole::canary;
    for (const ExplorerKind explorer : explorers_of(expectation, loaded.path)) {
      plan.push_back(simulation_case(loaded, role, expectation.strategy, *client, expectation.client, explorer,
                                     expectation, "scenario"));
    }
  }
}

std::vector<PlannedCase> build_plan(const std::vector<LoadedScenario>& scenarios,
                                    const std::vector<std::pair<fs::path, Trace>>& regressions) {
  std::vector<PlannedCase> plan;
  for (const LoadedScenario& loaded : scenarios) plan_scenario(loaded, plan);
  for (const auto& [path, trace] : regressions) {
    PlannedCase planned;
    planned.info.role = GateRole::regression;
    planned.info.trace_file = path.string();
    std::vector<AnomalyKind> expected = trace.expected_kinds ? *trace.expected_kinds : anomaly_kinds(trace.anomalies);
    std::sort(expected.begin(), expected.end());
    expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
    for (const AnomalyKind kind : expected) {
      planned.info.expected += (planned.info.expected.empty() ? "" : ", ") + std::string(anomaly_kind_name(kind));
    }
    if (planned.info.expected.empty()) planned.info.expected = "none";
    planned.trace = &trace;
    plan.push_back(std::move(planned));
  }
  for (std::size_t index = 0; index < plan.size(); ++index) plan[index].info.index = index;
  return plan;
}

// Identifies the plan for `report merge`: every case's description and the name and bytes of
// every input file, so that shards run from different scenario files or versions refuse to merge.
std::string plan_fingerprint(const std::vector<PlannedCase>& plan, const std::vector<std::string>& input_files) {
  std::string text;
  for (const PlannedCase& planned : plan) {
    const GateCase& info = planned.info;
    text += fmt::format("{}|{}|{}|{}|{}|{}|{}|{}\n", info.index, gate_role_name(info.role), info.scenario,
                        info.strategy, info.client, info.explorer, fs::path(info.trace_file).filename().string(),
                        info.expected);
  }
  // File names without their directories, because CI jobs may check out to different paths.
  for (const std::string& file : input_files) {
    text += fs::path(file).filename().string() + "\n" + read_text_file(file) + "\n";
  }
  return fmt::format("{:016x}", XXH3_64bits(text.data(), text.size()));
}

// Adds the counts of `later`, which ran the schedules right after those of `total`.
void add_round(CellResult& total, const CellResult& later) {
  total.schedules += later.schedules;
  total.failing_schedules += later.failing_schedules;
  for (int kind = 0; kind < kAnomalyKindCount; ++kind) {
    total.schedules_by_kind[kind] += later.schedules_by_kind[kind];
    if (!total.first_seed_by_kind[kind]) total.first_seed_by_kind[kind] = later.first_seed_by_kind[kind];
  }
  total.step_limit_hits += later.step_limit_hits;
  total.steps_total += later.steps_total;
}

// Runs the simulation cells in rounds. Round r runs the seeds that follow round r - 1's, so
// whatever the rounds, the totals equal one run of as many schedules from the root seed.
class CellRunner {
 public:
  CellRunner(const std::vector<Cell>& cells, const GateOptions& options, int jobs, Progress& progress)
      : cells_(cells), options_(options), jobs_(jobs), progress_(progress), totals_(cells.size()) {}

  void run_round(std::uint32_t schedules) {
    BatchOptions batch;
    batch.seed = options_.seed + schedules_per_cell_;
    batch.schedules_per_cell = schedules;
    batch.steps_max = options_.steps_max;
    batch.jobs = jobs_;
    const std::uint64_t before = static_cast<std::uint64_t>(schedules_per_cell_) * cells_.size();
    batch.on_cell_done = [&](std::size_t cells_done) {
      const std::uint64_t done = before + static_cast<std::uint64_t>(cells_done) * schedules;
      progress_.update(static_cast<std::size_t>(done), done);
    };
    const std::vector<CellResult> results = run_batch(cells_, batch);
    for (std::size_t index = 0; index < cells_.size(); ++index) add_round(totals_[index], results[index]);
    schedules_per_cell_ += schedules;
  }

  std::uint32_t schedules_per_cell() const { return schedules_per_cell_; }
  const std::vector<CellResult>& totals() const { return totals_; }

 private:
  const std::vector<Cell>& cells_;
  const GateOptions& options_;
  int jobs_;
  Progress& progress_;
  std::vector<CellResult> totals_;
  std::uint32_t schedules_per_cell_ = 0;
};

// Fills the time limit with rounds: each next round is sized from the last round's speed to end
// before the limit, and the run stops when not even kRoundSchedulesMin more would fit. The
// first round always runs.
void run_until_time_limit(CellRunner& runner, double time_limit_s, std::uint32_t schedules_max,
                          Clock::time_point started) {
  std::uint32_t round = std::min(schedules_max, 2 * kRoundSchedulesMin);
  for (;;) {
    const auto round_started = Clock::now();
    runner.run_round(round);
    const double round_s = std::chrono::duration<double>(Clock::now() - round_started).count();
    const double elapsed_s = std::chrono::duration<double>(Clock::now() - started).count();
    const double per_schedule_s = std::max(round_s, 1e-6) / round;
    // Aim at 90% of the time left, because rounds of the same size vary in speed.
    const double fitting = 0.9 * (time_limit_s - elapsed_s) / per_schedule_s;
    const std::uint32_t left = schedules_max - runner.schedules_per_cell();
    if (fitting < kRoundSchedulesMin || left == 0) return;
    // Grow at most fourfold per round, so that a misjudged speed cannot overshoot far, and keep
    // the total a multiple of kRoundSchedulesMin.
    std::uint64_t next = std::min<std::uint64_t>({static_cast<std::uint64_t>(fitting), 4ull * runner.schedules_per_cell(), left});
    next -= (runner.schedules_per_cell() + next) % kRoundSchedulesMin;
    if (next == 0) return;
    round = static_cast<std::uint32_t>(next);
  }
}

std::string run_command(const PlannedCase& planned, const CompareRow& row, std::uint64_t seed) {
  return fmt::format("reviewsim run --scenario {} --strategy {} --client {} --users {} --explorer {} --seed {}",
                     planned.scenario->path, row.strategy, row.client, row.users_count, row.explorer, seed);
}

std::string seen_kinds_text(const CellResult& result) {
  std::string text;
  for (int kind = 0; kind < kAnomalyKindCount; ++kind) {
    if (result.schedules_by_kind[kind] == 0) continue;
    text += fmt::format("{}{} in {}", text.empty() ? "" : ", ", anomaly_kind_name(static_cast<AnomalyKind>(kind)),
                        result.schedules_by_kind[kind]);
  }
  return text.empty() ? "no anomaly" : text;
}

// A case that must show no anomaly: fails on any failing schedule or any schedule that hit
// --steps-max (its checkers did not run). The details name each failing row with the first
// failing schedule's explanation and trace.
void judge_clean_case(PlannedCase& planned, const std::vector<Cell>& cells, const GateOptions& options) {
  GateCase& info = planned.info;
  std::vector<Cell> failing_cells;
  std::vector<CompareRow> failing_rows;
  for (std::size_t index = 0; index < info.rows.size(); ++index) {
    const CompareRow& row = info.rows[index];
    if (row.result.failing_schedules == 0 && row.result.step_limit_hits == 0) continue;
    failing_cells.push_back(cells[index]);
    failing_rows.push_back(row);
  }
  if (failing_rows.empty()) return;

  info.status = GateStatus::failed;
  const CompareRow& first = failing_rows.front();
  const std::string configuration = info.role == GateRole::production
                              ? "the production configuration"
                              : fmt::format("{} with client {}", info.strategy, info.client);
  info.message = fmt::format("{} must show no anomaly in scenario {} ({} explorer), but with {} users {} of {} "
                             "schedules failed ({})",
                             configuration, info.scenario, info.explorer, first.users_count,
                             first.result.failing_schedules,
                             first.result.schedules, seen_kinds_text(first.result));
  if (first.result.failing_schedules == 0) {
    info.message = fmt::format("{} in scenario {} ({} explorer): {} of {} schedules with {} users hit --steps-max "
                               "{} and were not checked",
                               configuration, info.scenario, info.explorer, first.result.step_limit_hits,
                               first.result.schedules, first.users_count, options.steps_max);
  }

  for (const CompareRow& row : failing_rows) {
    info.details += fmt::format("{} users: {} of {} schedules failed ({}); {} hit --steps-max.\n", row.users_count,
                                row.result.failing_schedules, row.result.schedules, seen_kinds_text(row.result),
                                row.result.step_limit_hits);
  }
  for (const FailureTrace& failure : failure_traces(failing_cells, failing_rows, options.steps_max, true)) {
    const CompareRow& row = failing_rows[failure.row_index];
    const auto found = std::find_if(failure.trace.anomalies.begin(), failure.trace.anomalies.end(),
                                    [&failure](const Anomaly& anomaly) { return anomaly.kind == failure.kind; });
    const std::string explanation = found == failure.trace.anomalies.end() ? "(the rerun showed no such anomaly)"
                                                                           : found->explanation;
    std::string trace_text = "not written (pass --traces DIR to write it)";
    if (!options.traces.empty()) {
      const fs::path path = fs::path(options.traces) / failure.file_name;
      write_text_file(path, format_trace(failure.trace));
      info.traces.push_back(path.string());
      trace_text = path.string();
    }
    info.details += fmt::format("\n{} with {} users, first in seed {}: {}\nTrace: {}\nReproduce: {}\n",
                                anomaly_kind_name(failure.kind), row.users_count, failure.trace.seed, explanation,
                                trace_text, run_command(planned, row, failure.trace.seed));
  }
}

// A canary: each expected kind must show in at least one schedule of every row. When one does
// not, the harness has lost the power to catch a bug it is known to catch.
void judge_canary_case(PlannedCase& planned, std::uint64_t seed) {
  GateCase& info = planned.info;
  for (const CompareRow& row : info.rows) {
    std::string missing;
    for (const AnomalyKind kind : planned.expectation.kinds) {
      if (row.result.schedules_by_kind[static_cast<int>(kind)] > 0) continue;
      missing += (missing.empty() ? "" : ", ") + std::string(anomaly_kind_name(kind));
    }
    if (missing.empty()) continue;
    if (info.status != GateStatus::failed) {
      info.status = GateStatus::failed;
      info.message = fmt::format(
          "canary not caught: {} with client {} must show {} in scenario {} ({} explorer), but none of {} "
          "schedules with {} users did; the harness has lost its power to catch this known-bad configuration",
          info.strategy, info.client, missing, info.scenario, info.explorer, row.result.schedules,
          row.users_count);
    }
    info.details += fmt::format("{} users: no schedule showed {} (expected: {}); its {} schedules (seeds {} to {}) "
                                "showed {}.\n",
                                row.users_count, missing, info.expected, row.result.schedules, seed,
                                seed + row.result.schedules - 1, seen_kinds_text(row.result));
  }
  if (info.status == GateStatus::failed) {
    info.details += "A change to the simulator, the checkers, a strategy or the scenario now hides a bug that the "
                    "scenario says this configuration has. If the budget is the cause, a larger --schedules "
                    "shows it; if the configuration was fixed on purpose, update the scenario's expectation.\n";
  }
}

void run_regression_case(PlannedCase& planned) {
  GateCase& info = planned.info;
  const ReplayOutcome outcome = replay_trace(*planned.trace);
  if (!outcome.mismatch.empty()) {
    info.status = GateStatus::failed;
    info.found = "-";
    info.message = fmt::format("regression trace {} no longer replays: {}", info.trace_file, outcome.mismatch);
    info.details = info.message + fmt::format("\nTrace: {}\nInspect: reviewsim replay {}\n", info.trace_file, info.trace_file);
    return;
  }
  const auto found = anomaly_kinds(outcome.result.anomalies);
  info.found = found.empty() ? "none" : "";
  for (const AnomalyKind kind : found) info.found += (info.found.empty() ? "" : ", ") + std::string(anomaly_kind_name(kind));
  if (info.found == info.expected) return;

  info.status = GateStatus::failed;
  info.message = fmt::format("regression trace {} replays with {}, but it expects {}", info.trace_file, info.found,
                             info.expected);
  info.details = info.message + "\n";
  for (const Anomaly& anomaly : outcome.result.anomalies) {
    info.details += fmt::format("- {}: {}\n", anomaly_kind_name(anomaly.kind), anomaly.explanation);
  }
  info.details += fmt::format("Trace: {}\nInspect: reviewsim replay {}\n", info.trace_file, info.trace_file);
}

// Creates the parent directories of an output file and checks that a file can be created there,
// so that an unwritable --json or --junit fails before the run, not after it.
void check_writable(const std::string& path, const std::string& option) {
  if (path.empty()) return;
  const fs::path probe = path + ".probe";
  try {
    write_text_file(probe, "");
  } catch (const EnvironmentError& error) {
    throw EnvironmentError(fmt::format("{}: {}", option, error.what()));
  }
  std::error_code ignored;
  fs::remove(probe, ignored);
}

std::vector<std::pair<fs::path, Trace>> load_regressions(const std::string& directory) {
  if (!fs::is_directory(directory)) {
    throw UsageError(fmt::format("--regressions: {} is not a directory; expected a directory of *.json trace files",
                                 directory));
  }
  std::vector<std::pair<fs::path, Trace>> regressions;
  for (const fs::path& path : trace_files({directory})) regressions.emplace_back(path, load_trace_file(path));
  return regressions;
}

// Runs the selected simulation cases and stores each row in its case.
std::uint32_t run_simulation_cases(std::vector<PlannedCase*>& selected, const GateOptions& options, int jobs,
                                   Clock::time_point started, std::map<const PlannedCase*, std::vector<Cell>>& cells_of) {
  std::vector<Cell> cells;
  std::vector<std::pair<PlannedCase*, int>> row_of_cell;
  for (PlannedCase* planned : selected) {
    for (const int users : planned->users_counts) {
      cells.push_back(Cell{&planned->scenario->scenario, planned->info.strategy, planned->client, users,
                           planned->explorer});
      cells_of[planned].push_back(cells.back());
      row_of_cell.emplace_back(planned, users);
    }
  }

  const bool time_limited = options.time_limit_s > 0;
  const std::uint32_t schedules_max = time_limited && options.schedules_option->count() == 0
                                          ? kTimeLimitedSchedulesMax
                                          : options.schedules;
  Progress progress("gate", time_limited ? 0 : cells.size() * options.schedules, options.quiet);
  if (time_limited) progress.set_time_limit(options.time_limit_s);
  CellRunner runner(cells, options, jobs, progress);
  if (!cells.empty()) {
    if (time_limited) {
      run_until_time_limit(runner, options.time_limit_s, schedules_max, started);
    } else {
      runner.run_round(options.schedules);
    }
  }
  const std::uint64_t schedules_done = static_cast<std::uint64_t>(runner.schedules_per_cell()) * cells.size();
  progress.update(static_cast<std::size_t>(schedules_done), schedules_done);
  progress.finish(schedules_done);

  for (std::size_t index = 0; index < cells.size(); ++index) {
    auto [planned, users] = row_of_cell[index];
    CompareRow row;
    row.scenario = planned->info.scenario;
    row.scenario_file = planned->info.scenario_file;
    row.strategy = planned->info.strategy;
    row.client = planned->info.client;
    row.users_count = users;
    row.explorer = planned->info.explorer;
    row.result = runner.totals()[index];
    row.expectation = planned->expectation;
    planned->info.rows.push_back(std::move(row));
  }
  return time_limited ? runner.schedules_per_cell() : options.schedules;
}

void judge_case(PlannedCase& planned, const std::vector<Cell>& cells, const GateOptions& options) {
  if (planned.info.role == GateRole::regression) {
    run_regression_case(planned);
    return;
  }
  if (planned.users_counts.empty()) {
    planned.info.status = GateStatus::skipped;
    planned.info.message = fmt::format("scenario {} allows {} to {} users, none from {} to {}", planned.info.scenario,
                                       planned.scenario->scenario.users_min, planned.scenario->scenario.users_max,
                                       kUsersMin, kUsersMax);
    return;
  }
  if (planned.expectation.clean) {
    judge_clean_case(planned, cells, options);
  } else {
    judge_canary_case(planned, options.seed);
  }
}

std::string summary_line(const GateResult& result) {
  std::map<GateRole, std::pair<std::size_t, std::size_t>> passed_of_role;
  for (const GateCase& gate_case : result.cases) {
    auto& [passed, total] = passed_of_role[gate_case.role];
    ++total;
    if (gate_case.status == GateStatus::passed) ++passed;
  }
  const auto count = [&](GateRole role) { return passed_of_role[role]; };
  return fmt::format("{} of {} production cases clean, {} of {} canaries caught, {} of {} other expectations met, "
                     "{} of {} regression traces reproduced, {} skipped",
                     count(GateRole::production).first, count(GateRole::production).second,
                     count(GateRole::canary).first, count(GateRole::canary).second,
                     count(GateRole::expectation).first, count(GateRole::expectation).second,
                     count(GateRole::regression).first, count(GateRole::regression).second,
                     gate_cases_with_status(result, GateStatus::skipped));
}

int run_gate(const GateOptions& options) {
  const auto started = Clock::now();
  if (options.schedules == 0) throw UsageError("--schedules: expected at least 1");
  if (options.time_limit_s < 0) throw UsageError("--time-limit: expected a number of seconds, or 0 for none");
  const ShardSpec shard = parse_shard(options.shard);
  check_writable(options.json_out, "--json");
  check_writable(options.junit_out, "--junit");

  // Every input is read and checked before any case runs, so that a bad file fails at once.
  const std::vector<LoadedScenario> scenarios = load_scenarios(
      options.scenarios.empty() ? std::vector<std::string>{default_scenarios_directory().string()} : options.scenarios);
  const std::string regressions_directory =
      options.regressions.empty() ? default_regressions_directory().string() : options.regressions;
  const std::vector<std::pair<fs::path, Trace>> regressions = load_regressions(regressions_directory);
  std::vector<PlannedCase> plan = build_plan(scenarios, regressions);
  std::vector<std::string> input_files;
  for (const LoadedScenario& loaded : scenarios) input_files.push_back(loaded.path);
  for (const auto& [path, trace] : regressions) input_files.push_back(path.string());

  std::vector<PlannedCase*> selected;
  std::vector<PlannedCase*> selected_simulations;
  for (PlannedCase& planned : plan) {
    if (static_cast<int>(planned.info.index % static_cast<std::size_t>(shard.count)) != shard.index - 1) continue;
    selected.push_back(&planned);
    if (planned.info.role != GateRole::regression) selected_simulations.push_back(&planned);
  }
  const int jobs = options.jobs > 0 ? options.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (!options.quiet) {
    std::cerr << fmt::format("gate: seed {}, shard {}/{}: {} of {} cases (scenarios: {}, regression traces: {}), {}, "
                             "{} jobs\n",
                             options.seed, shard.index, shard.count, selected.size(), plan.size(), scenarios.size(),
                             regressions.size(),
                             options.time_limit_s > 0 ? fmt::format("time limit {} s", options.time_limit_s)
                                                      : fmt::format("{} schedules per case", options.schedules),
                             jobs);
  }

  std::map<const PlannedCase*, std::vector<Cell>> cells_of;
  const std::uint32_t schedules_per_case =
      run_simulation_cases(selected_simulations, options, jobs, started, cells_of);
  GateResult result;
  result.seed = options.seed;
  result.steps_max = options.steps_max;
  result.shard_count = shard.count;
  result.cases_total = plan.size();
  result.plan_fingerprint = plan_fingerprint(plan, input_files);
  GateShard shard_result{shard.index, shard.count, schedules_per_case, std::nullopt};
  if (options.time_limit_s > 0) shard_result.time_limit_s = options.time_limit_s;
  result.shards.push_back(shard_result);
  for (PlannedCase* planned : selected) {
    judge_case(*planned, cells_of[planned], options);
    result.cases.push_back(planned->info);
  }
  result.elapsed_s = std::chrono::duration<double>(Clock::now() - started).count();

  if (!options.json_out.empty()) write_text_file(options.json_out, gate_json(result));
  if (!options.junit_out.empty()) write_text_file(options.junit_out, gate_junit(result));
  std::cout << gate_table(result) << "\n";
  if (options.time_limit_s > 0 && schedules_per_case > 0) {
    std::cout << fmt::format("Time limit {} s: every case ran {} schedules (seeds {} to {}); --schedules {} "
                             "reproduces this result exactly.\n",
                             options.time_limit_s, schedules_per_case, options.seed,
                             options.seed + schedules_per_case - 1, schedules_per_case);
  }
  const bool passed = gate_passed(result);
  std::cout << fmt::format("Gate {} (shard {}/{}, {} schedules per case, {}): {}.\n", passed ? "passed" : "FAILED",
                           shard.index, shard.count, schedules_per_case, duration_text(result.elapsed_s),
                           summary_line(result));
  for (const std::string& path : {options.json_out, options.junit_out}) {
    if (!path.empty()) std::cout << fmt::format("Wrote {}.\n", path);
  }
  return passed ? kExitClean : kExitAnomaly;
}

}  // namespace

CommandRunner add_gate_command(CLI::App& app) {
  auto options = std::make_shared<GateOptions>();
  CLI::App* command = app.add_subcommand(
      "gate",
      "The CI regression gate: run hset-multi with the fixed client over every scenario for 2 to 5 users, "
      "check every expectation the scenario files state (known-bad configurations must still show their "
      "anomalies), and replay the regression traces. Exits 0 when every expectation holds, 1 when one does not.");
  command->add_option("--scenarios", options->scenarios,
                      "Scenario files or directories of *.json files (default: the bundled scenarios/ directory)");
  command->add_option("--regressions", options->regressions,
                      "Directory of regression traces to replay (default: tests/regressions)");
  options->schedules_option =
      command->add_option("--schedules", options->schedules,
                          "Schedules per case and user count; with --time-limit, the most any case gets")
          ->capture_default_str();
  command->add_option("--time-limit", options->time_limit_s,
                      "Seconds for the whole run: schedules are added in rounds while time is left, every case "
                      "gets the same count, and the output names it so that --schedules can repeat the run");
  command->add_option("--seed", options->seed, "Root seed; schedule i of every row runs with seed + i")
      ->capture_default_str();
  command->add_option("--steps-max", options->steps_max, "Steps per schedule before it is cut off")
      ->capture_default_str();
  command->add_option("--shard", options->shard,
                      "Run only shard K of N (K/N): the cases whose index modulo N is K - 1; N shards run "
                      "every case once")
      ->capture_default_str();
  command->add_option("--json", options->json_out,
                      "Write the result as JSON (reviewsim-gate/1) for `report merge` and `report`");
  command->add_option("--junit", options->junit_out, "Write a JUnit XML report with one test case per case");
  command->add_option("--traces", options->traces,
                      "Directory for the traces of failing schedules (first of each kind per failing row)");
  command->add_option("--jobs", options->jobs, "Worker threads (default: one per core)");
  command->add_flag("--quiet", options->quiet, "Print no progress on stderr");
  return [options] { return run_gate(*options); };
}

}  // namespace reviewsim::cli
