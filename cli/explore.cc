// reviewsim explore: one scenario and strategy under an explorer with a budget, stopping at the
// first anomaly unless --all. Prints the schedules explored, the anomalies found, the coverage
// of conflicting orderings, and for pct the probability bound of Burckhardt et al. (ASPLOS 2010)
// with the confidence the budget reached.

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "adapters/scenario_file.h"
#include "adapters/trace_file.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/run_selection.h"
#include "sim/coverage.h"
#include "sim/exhaustive.h"
#include "sim/pct.h"
#include "sim/replay.h"

namespace reviewsim::cli {

namespace {

struct ExploreOptions {
  std::string scenario;
  std::string strategy;
  std::string client;
  int users = 0;
  std::string explorer = "pct";
  std::uint32_t schedules = 0;  // 0: 1000 for sampling explorers, 200000 for exhaustive
  double time_limit_s = 0;
  bool all = false;
  std::uint64_t seed = 1;
  int depth = 2;
  int preemption_bound = -1;
  std::string reduction = "dpor";
  bool no_reduction = false;
  int polls_max = 1;
  std::uint32_t steps_max = 100000;
  std::string trace_out;
  std::string json_out;
  std::string traces;
  std::uint32_t verify_every = 0;
  bool quiet = false;
};

// The first failing schedule of each anomaly kind, to write as traces.
struct FirstFailures {
  std::map<AnomalyKind, std::pair<std::uint64_t, std::vector<std::uint32_t>>> by_kind;

  void note(const SimulationResult& run, std::uint64_t seed) {
    for (const AnomalyKind kind : anomaly_kinds(run.anomalies)) by_kind.try_emplace(kind, seed, run.schedule);
  }
};

struct ExploreSummary {
  std::uint32_t schedules = 0;
  std::uint32_t pruned = 0;
  std::uint32_t failing = 0;
  std::uint64_t steps = 0;
  std::uint32_t step_limit_hits = 0;
  std::optional<std::uint32_t> first_failure;
  std::vector<AnomalyKind> kinds;
  bool complete = false;
  bool budget_hit = false;
  double elapsed_s = 0;
  std::size_t orderings = 0;
};

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void note_kinds(const SimulationResult& run, std::vector<AnomalyKind>& kinds) {
  for (const AnomalyKind kind : anomaly_kinds(run.anomalies)) {
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
  }
  std::sort(kinds.begin(), kinds.end());
}

// Writes the trace of a failing schedule by replaying its choices with every step kept.
void write_trace(const SimulationConfig& base, std::uint64_t seed, const std::vector<std::uint32_t>& schedule,
                 const std::string& explorer, const std::string& path) {
  SimulationConfig config = base;
  config.seed = seed;
  config.schedule = &schedule;
  config.explorer_override = nullptr;
  config.keep_steps = true;
  config.record_accesses = false;
  const SimulationResult run = simulate(config);
  Trace trace = make_trace(config, run);
  trace.explorer = explorer;
  write_text_file(path, format_trace(trace));
}

Reduction parse_reduction(const std::string& name) {
  if (name == "dpor") return Reduction::dpor;
  if (name == "sleep-sets") return Reduction::sleep_sets;
  if (name == "none") return Reduction::none;
  throw UsageError(fmt::format("--reduction: unknown reduction \"{}\"; expected dpor, sleep-sets or none", name));
}

// Returns the count and the noun, plural unless the count is 1: "1 schedule", "2 schedules".
std::string count_of(std::uint64_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

// Rejects options out of range and output paths that would overwrite the scenario or each other,
// before any schedule runs.
void check_explore_options(const ExploreOptions& options, const std::string& trace_path) {
  if (options.explorer != "exhaustive" && !parse_explorer_kind(options.explorer)) {
    throw UsageError(fmt::format("--explorer: unknown explorer \"{}\"; expected timed, random, pct or exhaustive",
                                 options.explorer));
  }
  if (options.depth < 1 || options.depth > 10) throw UsageError("--depth: expected 1 to 10");
  if (options.explorer != "pct" && options.depth != 2) throw UsageError("--depth: valid only with --explorer pct");
  if (options.explorer != "exhaustive") {
    if (options.preemption_bound != -1) {
      throw UsageError("--preemption-bound: valid only with --explorer exhaustive");
    }
    if (options.reduction != "dpor" || options.no_reduction) {
      throw UsageError("--reduction: valid only with --explorer exhaustive");
    }
  }
  if (options.polls_max < -1) {
    throw UsageError(fmt::format("--polls-max: expected -1 (no bound) or more, found {}", options.polls_max));
  }
  if (options.preemption_bound < -1) {
    throw UsageError(fmt::format("--preemption-bound: expected 0 or more, found {}", options.preemption_bound));
  }
  if (!std::isfinite(options.time_limit_s) || options.time_limit_s < 0) {
    throw UsageError(
        fmt::format("--time-limit: expected a number of seconds, 0 or more, found {}", options.time_limit_s));
  }
  if (options.steps_max == 0) throw UsageError("--steps-max: expected 1 or more");

  // Output paths must not be the scenario, must be of the right kind, and must differ.
  const auto same_file = [](const std::string& a, const std::string& b) {
    return !a.empty() && !b.empty() &&
           std::filesystem::weakly_canonical(a) == std::filesystem::weakly_canonical(b);
  };
  struct Output {
    const char* option;
    const std::string& path;
    bool directory;
  };
  for (const Output& output : {Output{"--trace-out", trace_path, false}, Output{"--json", options.json_out, false},
                               Output{"--traces", options.traces, true}}) {
    if (output.path.empty()) continue;
    if (!output.directory && same_file(output.path, options.scenario)) {
      throw UsageError(fmt::format("{}: {} is the scenario file; choose another path", output.option, output.path));
    }
    if (std::filesystem::exists(output.path) && std::filesystem::is_directory(output.path) != output.directory) {
      throw UsageError(fmt::format("{}: {} is {}; expected {}", output.option, output.path,
                                   output.directory ? "a file" : "a directory",
                                   output.directory ? "a directory" : "a file path"));
    }
  }
  if (same_file(trace_path, options.json_out)) {
    throw UsageError(fmt::format("--json: {} is also the trace path (--trace-out); choose another path",
                                 options.json_out));
  }
}

int run_explore(const ExploreOptions& options) {
  const Scenario scenario = load_scenario_file(options.scenario);
  SimulationConfig config = select_run(scenario, options.strategy, options.client, options.users);
  const bool exhaustive = options.explorer == "exhaustive";
  const std::string trace_path = options.trace_out.empty()
                                     ? fmt::format("out/explore-{}-{}-{}.json", scenario.name, options.strategy,
                                                   options.explorer)
                                     : options.trace_out;
  check_explore_options(options, trace_path);
  if (!exhaustive) config.explorer = select_explorer("--explorer", options.explorer);
  const Reduction reduction = options.no_reduction ? Reduction::none : parse_reduction(options.reduction);
  std::uint32_t schedules_budget = options.schedules;
  if (schedules_budget == 0) schedules_budget = exhaustive ? 200000 : 1000;
  config.steps_max = options.steps_max;
  if (options.polls_max >= 0) config.polls_max = static_cast<std::uint32_t>(options.polls_max);
  config.record_accesses = true;

  if (!options.quiet) {
    std::cerr << fmt::format("explore: scenario {}, strategy {}, client {}, {} users, explorer {}, seed {}\n",
                             scenario.name, options.strategy, config.client.name, config.users_count,
                             options.explorer, options.seed);
  }
  ExploreSummary summary;
  ConflictCoverage coverage;
  const auto start = Clock::now();
  const auto out_of_time = [&] { return options.time_limit_s > 0 && seconds_since(start) >= options.time_limit_s; };
  Progress progress("explore", schedules_budget, options.quiet);

  std::uint64_t failing_seed = 0;
  std::vector<std::uint32_t> failing_schedule;
  FirstFailures first_failures;
  std::uint32_t verified = 0;
  std::uint32_t nondeterministic = 0;
  // Re-runs a schedule from its recorded choices and compares the history hash.
  const auto verify = [&](const SimulationResult& run, std::uint64_t seed, std::uint32_t index) {
    if (options.verify_every == 0 || index % options.verify_every != 0) return;
    SimulationConfig again = config;
    again.seed = seed;
    again.schedule = &run.schedule;
    again.explorer_override = nullptr;
    ++verified;
    if (simulate(again).history_hash != run.history_hash) {
      ++nondeterministic;
      std::cout << fmt::format("NONDETERMINISM: schedule {} (seed {}) gave two different histories. "
                               "This is a bug in reviewsim.\n", index + 1, seed);
    }
  };
  int actors = 0;
  std::uint32_t steps_estimate = 0;

  if (exhaustive) {
    ExhaustiveOptions search;
    // Partial-order reduction and a preemption bound do not combine soundly (sim/exhaustive.h),
    // so a bounded search runs without reduction.
    search.reduction = options.preemption_bound < 0 ? reduction : Reduction::none;
    if (options.preemption_bound >= 0) search.preemption_bound = options.preemption_bound;
    search.schedules_max = schedules_budget;
    search.stop_at_first = !options.all;
    std::uint32_t schedules_done = 0;
    search.on_schedule = [&](const SimulationResult& run) {
      coverage.add(run.accesses);
      summary.steps += run.steps_count;
      note_kinds(run, summary.kinds);
      first_failures.note(run, options.seed);
      verify(run, options.seed, schedules_done);
      ++schedules_done;
      progress.update(schedules_done, schedules_done);
      return !out_of_time();
    };
    config.seed = options.seed;
    const ExhaustiveResult result = explore_exhaustively(config, search);
    summary.schedules = result.schedules;
    summary.pruned = result.pruned;
    summary.failing = result.failing_schedules;
    summary.step_limit_hits = result.step_limit_hits;
    summary.first_failure = result.first_failure;
    summary.complete = result.complete;
    summary.budget_hit = !result.complete && !(result.first_failure && !options.all);
    failing_seed = options.seed;
    failing_schedule = result.first_failing_schedule;
  } else {
    if (config.explorer == ExplorerKind::pct) {
      // One run sizes k (steps) and n (actors) for the change points and the guarantee.
      // NOTE: this run is not cut by --time-limit; with --polls-max -1 it can take seconds.
      SimulationConfig sizing = config;
      sizing.seed = options.seed;
      const SimulationResult probe = simulate(sizing);
      // k counts scheduled steps only: the final loads after quiescence are not choices.
      steps_estimate = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(probe.schedule.size()));
      actors = std::max(1, probe.actors_count);
      config.pct = PctParams{options.depth, steps_estimate};
    }
    for (std::uint32_t index = 0; index < schedules_budget; ++index) {
      if (out_of_time()) break;
      config.seed = options.seed + index;
      const SimulationResult run = simulate(config);
      ++summary.schedules;
      summary.steps += run.steps_count;
      if (run.step_limit_hit) ++summary.step_limit_hits;
      actors = std::max(actors, run.actors_count);
      coverage.add(run.accesses);
      first_failures.note(run, config.seed);
      verify(run, config.seed, index);
      progress.update(summary.schedules, summary.schedules);
      if (run.anomalies.empty()) continue;
      ++summary.failing;
      note_kinds(run, summary.kinds);
      if (!summary.first_failure) {
        summary.first_failure = summary.schedules;
        failing_seed = config.seed;
        failing_schedule = run.schedule;
        if (!options.all) break;
      }
    }
    summary.budget_hit = !summary.first_failure || options.all;
  }
  summary.elapsed_s = seconds_since(start);
  summary.orderings = coverage.orderings();
  progress.finish(summary.schedules);

  std::cout << fmt::format("explore: scenario {}, strategy {}, client {}, {} users, explorer {}\n", scenario.name,
                           options.strategy, config.client.name, config.users_count, options.explorer);
  std::cout << fmt::format("Explored {} ({}) in {:.2f} s, {:.0f} schedules/s",
                           count_of(summary.schedules, "schedule"), count_of(summary.steps, "step"),
                           summary.elapsed_s,
                           summary.elapsed_s > 0 ? summary.schedules / summary.elapsed_s : 0.0);
  if (exhaustive) std::cout << fmt::format("; {} more pruned as equivalent to explored ones", summary.pruned);
  std::cout << ".\n";
  std::cout << fmt::format("Coverage: {} distinct orderings of conflicting KV steps.\n", summary.orderings);
  if (summary.step_limit_hits > 0) {
    std::cout << fmt::format("{} hit --steps-max ({}) before quiescence and were not checked.\n",
                             count_of(summary.step_limit_hits, "schedule"), options.steps_max);
  }

  if (config.explorer == ExplorerKind::pct && !exhaustive) {
    const double bound = pct_bound(actors, steps_estimate, options.depth);
    const double confidence = 1.0 - std::pow(1.0 - bound, summary.schedules);
    std::cout << fmt::format(
        "PCT guarantee: with n = {} actors and k = {} steps, each schedule finds a bug of depth {} "
        "with probability at least 1/(n*k^{}) = {:.3g}; {} schedules reach a confidence of {:.1f}%.\n",
        actors, steps_estimate, options.depth, options.depth - 1, bound, summary.schedules, 100.0 * confidence);
  }

  if (options.verify_every != 0) {
    std::cout << fmt::format("Determinism check: {} schedules re-run, {} differed.\n", verified, nondeterministic);
  }
  // Schedules cut off at the step limit were not checked, so no verdict covers them.
  const bool unchecked = summary.step_limit_hits > 0 || summary.schedules == 0;
  if (summary.first_failure) {
    std::string kinds;
    for (const AnomalyKind kind : summary.kinds) kinds += (kinds.empty() ? "" : ", ") + std::string(anomaly_kind_name(kind));
    std::cout << fmt::format("Found anomalies ({}) in {}; the first failing schedule is number {}. Trace: {}\n",
                             kinds, count_of(summary.failing, "schedule"), *summary.first_failure, trace_path);
  } else if (unchecked) {
    std::cout << fmt::format(
        "No verdict: {} of {} not checked. Raise --steps-max or --time-limit.\n",
        summary.schedules == 0 ? std::string("no schedule ran, so none was")
                               : count_of(summary.step_limit_hits, "schedule") + " cut off at --steps-max were",
        count_of(summary.schedules, "schedule"));
  } else if (exhaustive && summary.complete) {
    std::cout << fmt::format(
        "No anomaly: every interleaving was checked up to the bounds (polls per user {}, steps {}{}).\n",
        options.polls_max >= 0 ? std::to_string(options.polls_max) : "unbounded", options.steps_max,
        options.preemption_bound >= 0 ? fmt::format(", preemptions {}", options.preemption_bound) : "");
  } else {
    std::cout << fmt::format("No anomaly in {} schedules. The search stopped at its budget (--schedules {}{}) "
                             "and is not complete.\n",
                             summary.schedules, schedules_budget,
                             options.time_limit_s > 0 ? fmt::format(", --time-limit {}", options.time_limit_s) : "");
  }

  // The files come after the summary, so that a failed write still leaves the result on screen.
  if (summary.first_failure) write_trace(config, failing_seed, failing_schedule, options.explorer, trace_path);
  if (!options.traces.empty()) {
    for (const auto& [kind, failure] : first_failures.by_kind) {
      const std::string name = failure_trace_name(scenario.name, options.strategy, config.client.name, "", kind);
      write_trace(config, failure.first, failure.second, options.explorer,
                  (std::filesystem::path(options.traces) / name).string());
    }
  }

  if (!options.json_out.empty()) {
    nlohmann::ordered_json document;
    document["format"] = "reviewsim-explore/1";
    document["scenario"] = scenario.name;
    document["strategy"] = options.strategy;
    document["client"] = config.client.name;
    document["users"] = config.users_count;
    document["explorer"] = options.explorer;
    document["seed"] = options.seed;
    document["schedules"] = summary.schedules;
    document["pruned"] = summary.pruned;
    document["steps"] = summary.steps;
    document["elapsed_s"] = summary.elapsed_s;
    document["first_failure_schedule"] = summary.first_failure ? nlohmann::ordered_json(*summary.first_failure) : nullptr;
    document["failing_schedules"] = summary.failing;
    nlohmann::ordered_json kinds = nlohmann::ordered_json::array();
    for (const AnomalyKind kind : summary.kinds) kinds.push_back(std::string(anomaly_kind_name(kind)));
    document["anomalies"] = std::move(kinds);
    document["complete"] = summary.complete && !unchecked;
    document["step_limit_hits"] = summary.step_limit_hits;
    document["conflict_orderings"] = summary.orderings;
    if (summary.first_failure) document["trace"] = trace_path;
    write_text_file(options.json_out, document.dump(2) + "\n");
  }
  if (summary.first_failure || nondeterministic > 0) return kExitAnomaly;
  return unchecked ? kExitUsage : kExitClean;
}

}  // namespace

CommandRunner add_explore_command(CLI::App& app) {
  auto options = std::make_shared<ExploreOptions>();
  CLI::App* command = app.add_subcommand(
      "explore",
      "Explore one scenario and strategy under an explorer within a budget, stopping at the first "
      "anomaly unless --all, and write the trace of the first failure. Exits 1 when an anomaly is found.");
  command->add_option("--scenario", options->scenario, "Scenario file")->required();
  command->add_option("--strategy", options->strategy,
                      "Storage strategy: full-overwrite, read-merge-write, hset or hset-multi")->required();
  command->add_option("--client", options->client, "Client variant (default: the scenario's client)");
  command->add_option("--users", options->users, "Number of users (default: the scenario's minimum)");
  command->add_option("--explorer", options->explorer,
                      "timed, random, pct (priority-based random schedules with --depth), or exhaustive "
                      "(depth-first search over every choice)")
      ->capture_default_str();
  command->add_option("--schedules", options->schedules,
                      "Budget: schedules to run at most (default: 1000, or 200000 for exhaustive)");
  command->add_option("--time-limit", options->time_limit_s, "Budget: seconds of run time at most (0: none)");
  command->add_flag("--all", options->all, "Keep exploring after the first anomaly, to count failing schedules");
  command->add_option("--seed", options->seed,
                      "First seed; the n-th schedule (counting from 1) of a sampling explorer uses seed + n - 1")
      ->capture_default_str();
  command->add_option("--depth", options->depth, "pct: the bug depth d (d - 1 priority change points)")
      ->capture_default_str();
  command->add_option("--preemption-bound", options->preemption_bound,
                      "exhaustive: skip schedules with more preemptions than this (default: no bound); "
                      "a bounded search runs without partial-order reduction");
  command->add_option("--reduction", options->reduction,
                      "exhaustive: partial-order reduction, dpor (dynamic partial-order reduction with "
                      "sleep sets), sleep-sets (sleep sets alone) or none (every interleaving)")
      ->capture_default_str();
  command->add_flag("--no-reduction", options->no_reduction, "exhaustive: the same as --reduction none");
  command->add_option("--polls-max", options->polls_max,
                      "Poll timer firings per user at most (0: none; -1: no bound). Explorers that "
                      "ignore time need a bound, because a poll timer is enabled again after it fires")
      ->capture_default_str();
  command->add_option("--steps-max", options->steps_max,
                      "Steps per schedule before it is cut off; a cut-off schedule is not checked")
      ->capture_default_str();
  command->add_option("--trace-out", options->trace_out,
                      "Where to write the trace of the first failure (default: out/explore-SCENARIO-STRATEGY-EXPLORER.json)");
  command->add_option("--json", options->json_out, "Write the result as JSON (reviewsim-explore/1) for `report`");
  command->add_option("--traces", options->traces,
                      "Directory for the trace of the first failing schedule of each anomaly kind");
  command->add_option("--verify-determinism", options->verify_every,
                      "Re-run one schedule in N from its recorded choices and fail if its history "
                      "hash differs (0: off)");
  command->add_flag("--quiet", options->quiet, "Print no progress on stderr");
  return [options] { return run_explore(*options); };
}

}  // namespace reviewsim::cli
