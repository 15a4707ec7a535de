// reviewsim compare: every scenario x strategy x client variant x user count x explorer, for N
// schedules each. It prints a table and writes compare.json, compare.md and report.html.

#include <algorithm>
#include <atomic>
#include <set>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "adapters/strategy.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "adapters/trace_file.h"
#include "reports/compare_report.h"
#include "sim/replay.h"
#include "sim/simulation.h"

namespace reviewsim::cli {

namespace {

struct CompareOptions {
  std::vector<std::string> scenarios;
  std::string strategies;
  std::string clients = "legacy,fixed";
  std::string users = "2-5";
  std::string explorers = "timed,random";
  std::uint32_t schedules = 1000;
  std::uint64_t seed = 1;
  std::uint32_t steps_max = 100000;
  std::string out = "out";
  int jobs = 0;
  bool quiet = false;
  std::string traces;
  std::uint32_t verify_every = 0;
};

// Writes the first failing schedule of each (scenario, strategy, client, anomaly kind) as a
// trace into `directory`. Returns the paths written.
std::vector<std::filesystem::path> write_failure_traces(const std::vector<Cell>& cells,
                                                        const std::vector<CompareRow>& rows,
                                                        std::uint32_t steps_max,
                                                        const std::filesystem::path& directory) {
  std::vector<std::filesystem::path> paths;
  for (const FailureTrace& failure : failure_traces(cells, rows, steps_max, false)) {
    paths.push_back(directory / failure.file_name);
    write_text_file(paths.back(), format_trace(failure.trace));
  }
  return paths;
}

// report.html from the same rows, with the traces as counterexamples when --traces wrote any.
void write_compare_report(const std::vector<CompareRow>& rows, const std::vector<std::filesystem::path>& traces,
                          bool traces_given, const std::filesystem::path& out) {
  ReportData data;
  data.sources.push_back((out / "compare.json").string());
  data.rows = rows;
  if (traces_given) add_counterexamples(data, traces, out);
  write_text_file(out / "report.html", report_html(data));
}

int run_compare(const CompareOptions& options) {
  if (options.schedules == 0) throw UsageError("--schedules: expected at least 1");
  const std::vector<LoadedScenario> scenarios = load_scenarios(
      options.scenarios.empty() ? std::vector<std::string>{default_scenarios_directory().string()}
                                : options.scenarios);

  std::vector<std::string> strategies = split_list(options.strategies);
  if (strategies.empty()) strategies.assign(strategy_names().begin(), strategy_names().end());
  for (const std::string& strategy : strategies) {
    const auto names = strategy_names();
    if (std::find(names.begin(), names.end(), strategy) == names.end()) {
      throw UsageError(fmt::format("--strategies: unknown strategy \"{}\"; expected one of "
                                   "full-overwrite, read-merge-write, hset, hset-multi", strategy));
    }
  }
  std::vector<ClientVariant> clients;
  for (const std::string& name : split_list(options.clients)) {
    std::string error;
    auto client = parse_client_variant(name, &error);
    if (!client) throw UsageError(fmt::format("--clients: {}; expected {}", error, client_variant_syntax()));
    clients.push_back(std::move(*client));
  }
  std::vector<ExplorerKind> explorers;
  for (const std::string& name : split_list(options.explorers)) {
    const auto explorer = parse_explorer_kind(name);
    if (!explorer) throw UsageError(fmt::format("--explorers: unknown explorer \"{}\"; expected timed or random", name));
    explorers.push_back(*explorer);
  }
  if (clients.empty()) throw UsageError("--clients: expected at least one client variant");
  if (explorers.empty()) throw UsageError("--explorers: expected at least one explorer");
  const auto [users_min, users_max] = parse_users_range(options.users);

  std::vector<Cell> cells;
  std::vector<CompareRow> rows;
  for (const LoadedScenario& loaded : scenarios) {
    const Scenario& scenario = loaded.scenario;
    for (const std::string& strategy : strategies) {
      for (const ClientVariant& client : clients) {
        for (const ExplorerKind explorer : explorers) {
          for (int users = std::max(users_min, scenario.users_min);
               users <= std::min(users_max, scenario.users_max); ++users) {
            cells.push_back(Cell{&scenario, strategy, client, users, explorer});
            CompareRow row;
            row.scenario = scenario.name;
            row.scenario_file = loaded.path;
            row.strategy = strategy;
            row.client = client.name;
            row.users_count = users;
            row.explorer = std::string(explorer_kind_name(explorer));
            row.expectation = expectation_for(scenario, strategy, client, explorer_kind_name(explorer));
            rows.push_back(std::move(row));
          }
        }
      }
    }
  }
  if (cells.empty()) throw UsageError("no scenario allows the requested user counts (--users)");

  BatchOptions batch;
  batch.seed = options.seed;
  batch.schedules_per_cell = options.schedules;
  batch.steps_max = options.steps_max;
  batch.verify_every = options.verify_every;
  batch.jobs = options.jobs > 0 ? options.jobs
                                : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (!options.quiet) {
    std::cerr << fmt::format("compare: seed {}, {} scenarios, {} rows x {} schedules, {} jobs\n",
                             options.seed, scenarios.size(), cells.size(), options.schedules,
                             batch.jobs);
  }
  Progress progress("compare", cells.size(), options.quiet);
  batch.on_cell_done = [&](std::size_t done) {
    progress.update(done, static_cast<std::uint64_t>(done) * options.schedules);
  };
  const std::vector<CellResult> results = run_batch(cells, batch);
  progress.finish(static_cast<std::uint64_t>(cells.size()) * options.schedules);

  for (std::size_t index = 0; index < rows.size(); ++index) rows[index].result = results[index];
  const CompareSettings settings{options.seed, options.schedules, options.steps_max};
  const std::filesystem::path out = options.out;
  write_text_file(out / "compare.json", compare_json(rows, settings));
  write_text_file(out / "compare.md", compare_markdown(rows, settings));

  std::cout << compare_table(rows);
  std::vector<std::filesystem::path> traces;
  if (!options.traces.empty()) {
    traces = write_failure_traces(cells, rows, options.steps_max, options.traces);
    std::cout << fmt::format("\nWrote {} traces of first failing schedules to {}.\n", traces.size(),
                             options.traces);
  }
  write_compare_report(rows, traces, !options.traces.empty(), out);
  std::uint32_t verified = 0;
  std::uint32_t nondeterministic = 0;
  for (const CompareRow& row : rows) {
    verified += row.result.verified_schedules;
    nondeterministic += row.result.nondeterministic_schedules;
    if (row.result.first_nondeterministic_seed) {
      std::cout << fmt::format("NONDETERMINISM: {} {} {} {} users {}: seed {} gave two different "
                               "histories. This is a bug in reviewsim; `reviewsim run --seed {}` "
                               "twice with --trace-out and `reviewsim replay` show the first "
                               "differing step.\n",
                               row.scenario, row.strategy, row.client, row.users_count, row.explorer,
                               *row.result.first_nondeterministic_seed,
                               *row.result.first_nondeterministic_seed);
    }
  }
  if (options.verify_every != 0) {
    std::cout << fmt::format("\nDeterminism check: {} schedules re-run, {} differed.\n", verified,
                             nondeterministic);
  }
  const auto unmet = std::count_if(rows.begin(), rows.end(),
                                   [](const CompareRow& row) { return !expectation_met(row); });
  const auto limited = std::count_if(rows.begin(), rows.end(), [](const CompareRow& row) {
    return row.result.step_limit_hits > 0;
  });
  std::cout << fmt::format("\nWrote {}, {} and {}.\n", (out / "compare.json").string(),
                           (out / "compare.md").string(), (out / "report.html").string());
  if (limited > 0) {
    std::cout << fmt::format("{} rows had schedules that hit --steps-max ({}); those schedules "
                             "report no anomaly.\n", limited, options.steps_max);
  }
  if (unmet > 0) {
    std::cout << fmt::format("{} rows did not meet their scenario's expectation.\n", unmet);
    return kExitAnomaly;
  }
  if (nondeterministic > 0) return kExitAnomaly;
  std::cout << "Every row met its scenario's expectation.\n";
  return kExitClean;
}

}  // namespace

CommandRunner add_compare_command(CLI::App& app) {
  auto options = std::make_shared<CompareOptions>();
  CLI::App* command = app.add_subcommand(
      "compare",
      "Run every scenario x strategy x client variant x user count x explorer for N schedules "
      "each, print a table of failing shares, and write compare.json, compare.md and report.html. Exits 1 "
      "when a row misses its scenario's expectation.");
  command->add_option("--scenarios", options->scenarios,
                      "Scenario files or directories of *.json files (default: the bundled "
                      "scenarios/ directory)");
  command->add_option("--strategies", options->strategies,
                      "Comma-separated strategies (default: full-overwrite,read-merge-write,hset,hset-multi)");
  command->add_option("--clients", options->clients,
                      "Comma-separated client variants, each legacy or fixed with optional "
                      "+flag modifiers")
      ->capture_default_str();
  command->add_option("--users", options->users, "User counts, a number or a range such as 2-5; "
                      "each scenario's own range still applies")
      ->capture_default_str();
  command->add_option("--explorers", options->explorers,
                      "Comma-separated explorers: timed (the scenario's timing decides the order) "
                      "and random (any order causality allows)")
      ->capture_default_str();
  command->add_option("--schedules", options->schedules, "Schedules per row")->capture_default_str();
  command->add_option("--seed", options->seed, "Root seed; schedule i of every row runs with seed + i")
      ->capture_default_str();
  command->add_option("--steps-max", options->steps_max, "Steps per schedule before it is cut off")
      ->capture_default_str();
  command->add_option("--out", options->out, "Directory for compare.json, compare.md and report.html")
      ->capture_default_str();
  command->add_option("--jobs", options->jobs, "Worker threads (default: one per core)");
  command->add_flag("--quiet", options->quiet, "Print no progress on stderr");
  command->add_option("--traces", options->traces,
                      "Directory for the trace of the first failing schedule of each scenario, "
                      "strategy, client variant and anomaly kind; report.html then lists them "
                      "with their timelines");
  command->add_option("--verify-determinism", options->verify_every,
                      "Re-run one schedule in N and fail if its history hash differs (0: off)");
  return [options] { return run_compare(*options); };
}

}  // namespace reviewsim::cli
