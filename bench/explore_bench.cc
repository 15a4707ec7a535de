// Systematic exploration benchmarks. They measure the schedules and CPU time that each explorer
// needs to reach the first anomaly of each decision-note bug, and the schedules per second of
// the sampling explorers. They also compare PCT with random search on a five-user scenario and
// measure exhaustive searches under each partial-order reduction. docs/benchmarks.md records
// the results and the command that produced them.
//
// A first-failure benchmark runs one whole search per repetition, and each repetition starts
// from a different seed, so the median aggregate is the median over starting seeds. Every
// benchmark sets its own repetitions, which take precedence over --benchmark_repetitions.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "adapters/scenario_file.h"
#include "model/anomaly.h"
#include "model/client_variant.h"
#include "sim/coverage.h"
#include "sim/exhaustive.h"
#include "sim/simulation.h"

namespace reviewsim {
namespace {

// Starting seeds of two repetitions lie this far apart, so that no two searches of one
// benchmark share a seed unless a search runs this many schedules.
constexpr std::uint64_t kSeedStride = 1'000'000;

// Repetitions of a sampling search, each from its own starting seed.
constexpr int kSearchRepetitions = 25;

// Repetitions of a deterministic search, which differ only in the time measured.
constexpr int kExhaustiveRepetitions = 5;

// The throughput scenario: two users of one company take five decisions each on overlapping
// items.
constexpr const char* kFiveActionsScenario = R"({
  "format": "reviewsim-scenario/1", "name": "five-actions",
  "companies": [{"name": "bayer", "items": ["by-1", "by-2", "by-3", "by-4", "by-5"]}],
  "users": 2, "client": "fixed",
  "workload": {"scripts": {
    "u1": {"actions": [{"do": "approve", "item": "by-1"}, {"do": "reject", "item": "by-2"},
                       {"do": "approve", "item": "by-3"}, {"do": "clear", "item": "by-1"},
                       {"do": "approve", "item": "by-4"}]},
    "u2": {"actions": [{"do": "reject", "item": "by-3"}, {"do": "approve", "item": "by-5"},
                       {"do": "approve", "item": "by-2"}, {"do": "clear", "item": "by-5"},
                       {"do": "reject", "item": "by-4"}]}}}})";

// A bundled scenario by name, read from the source tree once per process.
const Scenario& bundled_scenario(const std::string& name) {
  static std::map<std::string, Scenario> loaded;
  auto found = loaded.find(name);
  if (found == loaded.end()) {
    const auto path = std::filesystem::path(REVIEWSIM_SOURCE_DIR) / "scenarios" / (name + ".json");
    found = loaded.emplace(name, load_scenario_file(path)).first;
  }
  return found->second;
}

const Scenario& five_actions_scenario() {
  static const Scenario scenario = parse_scenario(kFiveActionsScenario, "five-actions");
  return scenario;
}

// Builds the same-item scenario: two users of one company, where u1 approves ro-1 while u2
// rejects it. With two decisions each, u1 also approves ro-2 and u2 approves ro-3.
const Scenario& same_item_scenario(int decisions_each) {
  static std::map<int, Scenario> built;
  auto found = built.find(decisions_each);
  if (found != built.end()) return found->second;

  const std::string second_u1 = decisions_each > 1 ? R"(, {"do": "approve", "item": "ro-2"})" : "";
  const std::string second_u2 = decisions_each > 1 ? R"(, {"do": "approve", "item": "ro-3"})" : "";
  const std::string text = R"({
    "format": "reviewsim-scenario/1", "name": "same-item",
    "companies": [{"name": "roche", "items": ["ro-1", "ro-2", "ro-3"]}],
    "users": 2, "client": "fixed",
    "workload": {"scripts": {
      "u1": {"actions": [{"do": "approve", "item": "ro-1"})" + second_u1 + R"(]},
      "u2": {"actions": [{"do": "reject", "item": "ro-1"})" + second_u2 + R"(]}}}})";
  return built.emplace(decisions_each, parse_scenario(text, "same-item")).first->second;
}

enum class Search { timed, random, pct, exhaustive };

std::string search_name(Search search) {
  switch (search) {
    case Search::timed: return "timed";
    case Search::random: return "random";
    case Search::pct: return "pct";
    case Search::exhaustive: return "exhaustive";
  }
  return "";
}

// One configuration to search: which scenario, strategy, client and users, under which
// explorer and poll bound.
struct SearchCase {
  std::string label;  // the benchmark name's middle part
  const Scenario* (*scenario)() = nullptr;
  std::string strategy;
  std::string client;
  int users_count = 2;
  Search search = Search::timed;
  std::optional<std::uint32_t> polls_max = std::nullopt;  // poll timer firings per user
  int pct_depth = 2;
  std::uint32_t schedules_max = 20000;  // per search. A search that reaches it found nothing
};

SimulationConfig base_config(const SearchCase& search_case) {
  SimulationConfig config;
  config.scenario = search_case.scenario();
  config.strategy = search_case.strategy;
  std::string error;
  const auto client = parse_client_variant(search_case.client, &error);
  if (!client) throw std::invalid_argument("invalid client variant \"" + search_case.client + "\": " + error);
  config.client = *client;
  config.users_count = search_case.users_count;
  config.polls_max = search_case.polls_max;
  if (search_case.search == Search::random) config.explorer = ExplorerKind::random;
  if (search_case.search == Search::pct) config.explorer = ExplorerKind::pct;
  return config;
}

// Sizes PCT as `reviewsim explore` does: one run from `seed` gives k, the number of steps over
// which the depth - 1 change points fall.
void size_pct(SimulationConfig& config, int depth, std::uint64_t seed) {
  SimulationConfig probe_config = config;
  probe_config.seed = seed;
  const SimulationResult probe = simulate(probe_config);
  config.pct = PctParams{depth, std::max<std::uint32_t>(1, probe.steps_count)};
}

bool has_kind(const SimulationResult& run, AnomalyKind kind) {
  return std::any_of(run.anomalies.begin(), run.anomalies.end(),
                     [kind](const Anomaly& anomaly) { return anomaly.kind == kind; });
}

// The first failing schedule of one search, and what it contained.
struct FirstFailure {
  std::uint32_t schedules = 0;  // schedules run, the failing one included
  std::uint32_t pruned = 0;     // exhaustive only
  std::uint32_t step_limit_hits = 0;
  bool found = false;
  bool lost_update = false;
  bool wrong_company_write = false;
};

void note_failure(const SimulationResult& run, FirstFailure& failure) {
  failure.found = true;
  failure.lost_update = has_kind(run, AnomalyKind::lost_update);
  failure.wrong_company_write = has_kind(run, AnomalyKind::wrong_company_write);
}

// Runs seeds first_seed, first_seed + 1, ... until a schedule has an anomaly or the budget is
// spent, as `reviewsim explore` does without --all.
FirstFailure sample_until_failure(const SearchCase& search_case, std::uint64_t first_seed) {
  SimulationConfig config = base_config(search_case);
  if (search_case.search == Search::pct) size_pct(config, search_case.pct_depth, first_seed);

  FirstFailure failure;
  for (std::uint32_t index = 0; index < search_case.schedules_max; ++index) {
    config.seed = first_seed + index;
    const SimulationResult run = simulate(config);
    ++failure.schedules;
    if (run.step_limit_hit) ++failure.step_limit_hits;
    if (run.anomalies.empty()) continue;
    note_failure(run, failure);
    break;
  }
  return failure;
}

// Searches depth-first with DPOR and sleep sets, as `reviewsim explore` does, until the first
// schedule with an anomaly. The search ignores the seed.
FirstFailure explore_until_failure(const SearchCase& search_case) {
  const SimulationConfig config = base_config(search_case);
  ExhaustiveOptions options;
  options.reduction = Reduction::dpor;
  options.schedules_max = search_case.schedules_max;
  options.stop_at_first = false;

  FirstFailure failure;
  options.on_schedule = [&failure](const SimulationResult& run) {
    if (run.anomalies.empty()) return true;
    note_failure(run, failure);
    return false;
  };
  const ExhaustiveResult result = explore_exhaustively(config, options);
  failure.schedules = result.schedules;
  failure.pruned = result.pruned;
  failure.step_limit_hits = result.step_limit_hits;
  return failure;
}

// Loads the case's scenario into the cache, so that reading the file stays outside the timed
// loop. Returns false, with the benchmark marked as failed, when the file is invalid.
bool load_scenario(benchmark::State& state, const SearchCase& search_case) {
  try {
    search_case.scenario();
    return true;
  } catch (const ScenarioError& error) {
    state.SkipWithError(error.what());
    return false;
  }
}

// Runs one search per repetition. `repetition` numbers the calls, so each repetition starts
// from its own seed.
void run_first_failure(benchmark::State& state, const SearchCase& search_case, std::uint64_t& repetition) {
  if (!load_scenario(state, search_case)) return;
  const std::uint64_t first_seed = 1 + repetition * kSeedStride;
  ++repetition;

  FirstFailure failure;
  for (auto _ : state) {
    failure = search_case.search == Search::exhaustive ? explore_until_failure(search_case)
                                                       : sample_until_failure(search_case, first_seed);
  }
  state.counters["schedules"] = failure.schedules;
  state.counters["found"] = failure.found ? 1 : 0;
  state.counters["lost_update"] = failure.lost_update ? 1 : 0;
  state.counters["wrong_company"] = failure.wrong_company_write ? 1 : 0;
  state.counters["step_limit_hits"] = failure.step_limit_hits;
  if (search_case.search == Search::exhaustive) state.counters["pruned"] = failure.pruned;
}

// Measures the schedules per second of one explorer. Each iteration runs one schedule with
// seed = iteration index. With `record_coverage`, each run also records its KV accesses and adds them
// to a ConflictCoverage, as `reviewsim explore` does.
void run_throughput(benchmark::State& state, const SearchCase& search_case, bool record_coverage) {
  if (!load_scenario(state, search_case)) return;
  SimulationConfig config = base_config(search_case);
  if (search_case.search == Search::pct) size_pct(config, search_case.pct_depth, 0);
  config.record_accesses = record_coverage;

  ConflictCoverage coverage;
  std::uint64_t seed = 0;
  std::uint64_t steps_total = 0;
  std::uint64_t step_limit_hits = 0;
  for (auto _ : state) {
    config.seed = seed++;
    const SimulationResult result = simulate(config);
    steps_total += result.steps_count;
    step_limit_hits += result.step_limit_hit ? 1 : 0;
    if (record_coverage) coverage.add(result.accesses);
    benchmark::DoNotOptimize(result.history_hash);
  }

  if (step_limit_hits > 0) {
    state.SkipWithError(
        "a schedule hit steps_max, so the rate would not describe whole runs. Check the scenario "
        "or raise SimulationConfig::steps_max");
    return;
  }
  const auto schedules = static_cast<double>(state.iterations());
  state.counters["schedules/s"] = benchmark::Counter(schedules, benchmark::Counter::kIsRate);
  state.counters["steps/schedule"] =
      benchmark::Counter(static_cast<double>(steps_total), benchmark::Counter::kAvgIterations);
}

// Runs one exhaustive search to the end or to `schedules_max`, counting every schedule.
void run_exhaustive_size(benchmark::State& state, const SearchCase& search_case, Reduction reduction) {
  if (!load_scenario(state, search_case)) return;
  const SimulationConfig config = base_config(search_case);
  ExhaustiveOptions options;
  options.reduction = reduction;
  options.schedules_max = search_case.schedules_max;
  options.stop_at_first = false;

  ExhaustiveResult result;
  for (auto _ : state) result = explore_exhaustively(config, options);
  state.counters["schedules"] = result.schedules;
  state.counters["pruned"] = result.pruned;
  state.counters["complete"] = result.complete ? 1 : 0;
  state.counters["failing"] = result.failing_schedules;
  state.counters["step_limit_hits"] = result.step_limit_hits;
}

const Scenario* incident_wrong_company() { return &bundled_scenario("incident-wrong-company"); }
const Scenario* different_items() { return &bundled_scenario("different-items"); }
const Scenario* stale_page_load() { return &bundled_scenario("stale-page-load"); }
const Scenario* read_merge_write_race() { return &bundled_scenario("read-merge-write-race"); }
const Scenario* mixed_workload() { return &bundled_scenario("mixed-workload"); }
const Scenario* five_actions() { return &five_actions_scenario(); }
const Scenario* same_item_one_each() { return &same_item_scenario(1); }
const Scenario* same_item_two_each() { return &same_item_scenario(2); }

// Returns the poll bound of an explorer. pct and exhaustive get one poll per user, as
// `reviewsim explore` sets by default, because a re-armed poll timer is enabled at once when
// time is ignored. timed and random keep the simulator's default of no bound, as `reviewsim run`
// does. Their runs still end, because a user stops polling once its script is done and saved.
std::optional<std::uint32_t> default_polls(Search search) {
  if (search == Search::pct || search == Search::exhaustive) return 1;
  return std::nullopt;
}

void register_first_failure(SearchCase search_case) {
  const std::string name = "first_failure/" + search_case.label + "/" + search_name(search_case.search);
  auto repetition = std::make_shared<std::uint64_t>(0);
  const int repetitions =
      search_case.search == Search::exhaustive ? kExhaustiveRepetitions : kSearchRepetitions;
  benchmark::RegisterBenchmark(name.c_str(),
                               [search_case, repetition](benchmark::State& state) {
                                 run_first_failure(state, search_case, *repetition);
                               })
      ->Iterations(1)
      ->Repetitions(repetitions)
      ->ReportAggregatesOnly(true)
      ->Unit(benchmark::kMillisecond);
}

void register_decision_note_bugs() {
  const std::vector<SearchCase> bugs = {
      {.label = "wrong-company-key/incident-wrong-company/hset-multi/legacy",
       .scenario = incident_wrong_company, .strategy = "hset-multi", .client = "legacy"},
      {.label = "full-overwrite/different-items/full-overwrite/fixed", .scenario = different_items,
       .strategy = "full-overwrite", .client = "fixed"},
      {.label = "stale-copy/stale-page-load/full-overwrite/legacy", .scenario = stale_page_load,
       .strategy = "full-overwrite", .client = "legacy"},
      {.label = "read-merge-write/read-merge-write-race/read-merge-write/fixed",
       .scenario = read_merge_write_race, .strategy = "read-merge-write", .client = "fixed"},
  };
  for (const SearchCase& bug : bugs) {
    for (const Search search : {Search::timed, Search::random, Search::pct, Search::exhaustive}) {
      SearchCase search_case = bug;
      search_case.search = search;
      search_case.polls_max = default_polls(search);
      register_first_failure(search_case);
    }
  }
}

void register_pct_against_random() {
  const SearchCase base{.label = "pct-vs-random/mixed-workload/read-merge-write/fixed/users:5",
                        .scenario = mixed_workload, .strategy = "read-merge-write", .client = "fixed",
                        .users_count = 5, .schedules_max = 5000};

  SearchCase random_unbounded = base;
  random_unbounded.search = Search::random;
  register_first_failure(random_unbounded);

  // The same poll bound as PCT, so that the two differ only in the explorer.
  SearchCase random_one_poll = base;
  random_one_poll.label += "/polls:1";
  random_one_poll.search = Search::random;
  random_one_poll.polls_max = 1;
  register_first_failure(random_one_poll);

  SearchCase pct = base;
  pct.label += "/polls:1";
  pct.search = Search::pct;
  pct.polls_max = 1;
  register_first_failure(pct);
}

void register_throughput_row(const SearchCase& search_case, const std::string& polls_label, bool record_coverage) {
  const std::string name = "throughput/" + search_case.label + "/" + search_name(search_case.search) + "/" +
                           polls_label + (record_coverage ? "/coverage" : "");
  benchmark::RegisterBenchmark(name.c_str(),
                               [search_case, record_coverage](benchmark::State& state) {
                                 run_throughput(state, search_case, record_coverage);
                               })
      ->Repetitions(3)
      ->ReportAggregatesOnly(true)
      ->Unit(benchmark::kMicrosecond);
}

// Registers timed and random without a poll bound, as in the first-failure rows. Then it
// registers every explorer with one poll per user, the default of `reviewsim explore`, once
// without and once with the coverage that `reviewsim explore` records.
void register_throughput() {
  const SearchCase base{.label = "five-actions/hset-multi/fixed", .scenario = five_actions,
                        .strategy = "hset-multi", .client = "fixed"};
  for (const Search search : {Search::timed, Search::random}) {
    SearchCase search_case = base;
    search_case.search = search;
    register_throughput_row(search_case, "polls:unbounded", false);
  }
  for (const bool record_coverage : {false, true}) {
    for (const Search search : {Search::timed, Search::random, Search::pct}) {
      SearchCase search_case = base;
      search_case.search = search;
      search_case.polls_max = 1;
      register_throughput_row(search_case, "polls:1", record_coverage);
    }
  }
}

// Without reduction, hset-multi on the same-item scenario stops at this many schedules.
constexpr std::uint32_t kUnreducedBudget = 200000;

void register_exhaustive_sizes() {
  struct SizeCase {
    SearchCase search_case;
    Reduction reduction;
  };
  const auto same_item = [](const char* label, const Scenario* (*scenario)(), const char* strategy,
                            const char* client, std::uint32_t polls_max) {
    return SearchCase{.label = label, .scenario = scenario, .strategy = strategy, .client = client,
                      .search = Search::exhaustive, .polls_max = polls_max,
                      .schedules_max = kUnreducedBudget};
  };
  const auto reduction_name = [](Reduction reduction) {
    switch (reduction) {
      case Reduction::dpor: return "dpor";
      case Reduction::sleep_sets: return "sleep-sets";
      case Reduction::none: return "none";
    }
    return "";
  };
  std::vector<SizeCase> cases;
  for (const Reduction reduction : {Reduction::dpor, Reduction::sleep_sets, Reduction::none}) {
    cases.push_back({same_item("same-item:1/full-overwrite/legacy/polls:0", same_item_one_each,
                               "full-overwrite", "legacy", 0), reduction});
    cases.push_back({same_item("same-item:1/read-merge-write/legacy/polls:0", same_item_one_each,
                               "read-merge-write", "legacy", 0), reduction});
    cases.push_back({same_item("same-item:1/hset-multi/legacy/polls:0", same_item_one_each,
                               "hset-multi", "legacy", 0), reduction});
  }
  for (const Reduction reduction : {Reduction::dpor, Reduction::sleep_sets}) {
    cases.push_back({same_item("same-item:2/hset-multi/fixed/polls:0", same_item_two_each,
                               "hset-multi", "fixed", 0), reduction});
    cases.push_back({same_item("same-item:1/hset-multi/fixed/polls:1", same_item_one_each,
                               "hset-multi", "fixed", 1), reduction});
  }
  cases.push_back({same_item("same-item:2/hset-multi/fixed/polls:1", same_item_two_each,
                             "hset-multi", "fixed", 1), Reduction::dpor});
  for (const SizeCase& size_case : cases) {
    const std::string name = "exhaustive/" + size_case.search_case.label + "/reduction:" +
                             reduction_name(size_case.reduction);
    benchmark::RegisterBenchmark(name.c_str(),
                                 [size_case](benchmark::State& state) {
                                   run_exhaustive_size(state, size_case.search_case, size_case.reduction);
                                 })
        ->Iterations(1)
        ->Repetitions(3)
        ->ReportAggregatesOnly(true)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace
}  // namespace reviewsim

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  reviewsim::register_decision_note_bugs();
  reviewsim::register_throughput();
  reviewsim::register_pct_against_random();
  reviewsim::register_exhaustive_sizes();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
