// reviewsim run: one scenario, one strategy, one client variant, one seed; prints every anomaly
// with its explanation, and the timeline on request.

#include <iostream>

#include <fmt/format.h>

#include "adapters/scenario_file.h"
#include "adapters/strategy.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/run_selection.h"
#include "reports/timeline.h"
#include "sim/replay.h"
#include "sim/simulation.h"

namespace reviewsim::cli {

namespace {

struct RunOptions {
  std::string scenario;
  std::string strategy;
  std::string client;
  int users = 0;
  std::uint64_t seed = 1;
  std::string explorer = "timed";
  std::uint32_t steps_max = 100000;
  bool timeline = false;
  std::string trace_out;
  bool regression = false;
};

int run_one(const RunOptions& options) {
  const Scenario scenario = load_scenario_file(options.scenario);

  SimulationConfig config = select_run(scenario, options.strategy, options.client, options.users);
  config.seed = options.seed;
  config.explorer = select_explorer("--explorer", options.explorer);
  config.steps_max = options.steps_max;
  config.keep_steps = options.timeline || !options.trace_out.empty();
  const SimulationResult result = simulate(config);
  if (!options.trace_out.empty()) {
    Trace trace = make_trace(config, result);
    if (options.regression) trace.expected_kinds = anomaly_kinds(result.anomalies);
    write_text_file(options.trace_out, format_trace(trace));
  }

  std::cout << fmt::format(
      "run: scenario {}, strategy {}, client {}, {} users, explorer {}, seed {}\n", scenario.name,
      options.strategy, config.client.name, config.users_count, options.explorer, options.seed);
  std::cout << fmt::format("{} steps, {} ms of virtual time, history hash {:016x}\n",
                           result.steps_count, result.end_time_ms, result.history_hash);
  if (options.timeline) {
    std::cout << "\n" << render_timeline(*result.history, scenario.catalog, result.anomalies) << "\n";
  }
  if (result.step_limit_hit) {
    std::cout << fmt::format("The run hit --steps-max ({}) before quiescence; no checker ran.\n",
                             options.steps_max);
    return kExitAnomaly;
  }
  if (result.anomalies.empty()) {
    std::cout << "No anomaly.\n";
    return kExitClean;
  }
  std::cout << fmt::format("{} anomalies:\n", result.anomalies.size());
  for (const Anomaly& anomaly : result.anomalies) {
    std::cout << fmt::format("- {}: {}\n", anomaly_kind_name(anomaly.kind), anomaly.explanation);
  }
  return kExitAnomaly;
}

}  // namespace

CommandRunner add_run_command(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = app.add_subcommand(
      "run", "Run one schedule of one scenario and print every anomaly with its explanation. "
             "Exits 1 when an anomaly is found.");
  command->add_option("--scenario", options->scenario, "Scenario file")->required();
  command->add_option("--strategy", options->strategy,
                      "Storage strategy: full-overwrite, read-merge-write, hset or hset-multi")
      ->required();
  command->add_option("--client", options->client,
                      "Client variant, legacy or fixed with optional +flag modifiers (default: "
                      "the scenario's client)");
  command->add_option("--users", options->users, "Number of users (default: the scenario's minimum)");
  command->add_option("--seed", options->seed, "Seed of the run")->capture_default_str();
  command->add_option("--explorer", options->explorer, "Explorer: timed, random or pct (depth 2; `explore` sets the depth)")
      ->capture_default_str();
  command->add_option("--steps-max", options->steps_max, "Steps before the run is cut off")
      ->capture_default_str();
  command->add_flag("--timeline", options->timeline,
                    "Print every step: virtual time, actor, event, KV command and reply");
  command->add_option("--trace-out", options->trace_out,
                      "Write the run as a trace file that `reviewsim replay` re-executes");
  command->add_flag("--regression", options->regression,
                    "With --trace-out: record the anomaly kinds found as the outcome the trace must "
                    "keep, for tests/regressions/");
  return [options] { return run_one(*options); };
}

}  // namespace reviewsim::cli
