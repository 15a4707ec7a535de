// Systematic exploration: exhaustive search with DPOR and sleep sets, the preemption bound,
// PCT's guarantee, and the coverage of conflicting orderings.

#include <gtest/gtest.h>

#include "adapters/scenario_file.h"
#include "sim/coverage.h"
#include "sim/exhaustive.h"
#include "sim/pct.h"

namespace reviewsim {
namespace {

// Two users, one company. u1 approves ro-1 (and ro-2 with two decisions each); u2 rejects ro-1
// (and approves ro-3): the same-item case.
Scenario same_item(int decisions_each) {
  const std::string second_u1 = decisions_each > 1 ? R"(, {"do": "approve", "item": "ro-2"})" : "";
  const std::string second_u2 = decisions_each > 1 ? R"(, {"do": "approve", "item": "ro-3"})" : "";
  const std::string text = R"({
    "format": "reviewsim-scenario/1", "name": "same-item",
    "companies": [{"name": "roche", "items": ["ro-1", "ro-2", "ro-3"]}],
    "users": 2, "client": "fixed",
    "workload": {"scripts": {
      "u1": {"actions": [{"do": "approve", "item": "ro-1"})" + second_u1 + R"(]},
      "u2": {"actions": [{"do": "reject", "item": "ro-1"})" + second_u2 + R"(]}}}})";
  return parse_scenario(text, "same-item");
}

// Two users, one company: u1 approves ro-1, u2 only opens the page. With one poll per user, small
// enough to compare reductions.
Scenario one_decision_and_observer() {
  return parse_scenario(R"({
    "format": "reviewsim-scenario/1", "name": "one-decision",
    "companies": [{"name": "roche", "items": ["ro-1"]}],
    "users": 2, "client": "fixed",
    "workload": {"scripts": {"u1": {"actions": [{"do": "approve", "item": "ro-1"}]},
                             "u2": {"actions": []}}}})",
                        "one-decision");
}

SimulationConfig config_for(const Scenario& scenario, const std::string& strategy,
                            const std::string& client, std::optional<std::uint32_t> polls_max) {
  SimulationConfig config;
  config.scenario = &scenario;
  config.strategy = strategy;
  config.client = *parse_client_variant(client, nullptr);
  config.users_count = 2;
  config.polls_max = polls_max;
  return config;
}

TEST(Exhaustive, FindsSameItemAnomalies) {
  const Scenario scenario = same_item(2);
  for (const char* strategy : {"full-overwrite", "read-merge-write", "hset"}) {
    const ExhaustiveResult result =
        explore_exhaustively(config_for(scenario, strategy, "fixed", 1), ExhaustiveOptions{});
    EXPECT_TRUE(result.first_failure.has_value()) << strategy;
    EXPECT_FALSE(result.first_failing_schedule.empty()) << strategy;
  }
}

TEST(Exhaustive, ProvesHsetMultiFixedClean) {
  // Two decisions each: every interleaving, with no poll. One decision each: with one poll per
  // user as well.
  const Scenario two_each = same_item(2);
  ExhaustiveOptions options;
  options.stop_at_first = false;
  const ExhaustiveResult without_polls =
      explore_exhaustively(config_for(two_each, "hset-multi", "fixed", 0), options);
  EXPECT_TRUE(without_polls.complete);
  EXPECT_EQ(without_polls.failing_schedules, 0u);
  EXPECT_GT(without_polls.schedules, 100u);

  const Scenario one_each = same_item(1);
  const ExhaustiveResult with_poll =
      explore_exhaustively(config_for(one_each, "hset-multi", "fixed", 1), options);
  EXPECT_TRUE(with_poll.complete);
  EXPECT_EQ(with_poll.failing_schedules, 0u);
}

TEST(Exhaustive, ReductionSameVerdictFewerSchedules) {
  const Scenario scenario = same_item(1);
  ExhaustiveOptions options;
  options.stop_at_first = false;
  const auto search = [&](const char* strategy, Reduction reduction) {
    options.reduction = reduction;
    return explore_exhaustively(config_for(scenario, strategy, "legacy", 0), options);
  };

  // Clean under every reduction, and every search completes.
  const auto dpor = search("full-overwrite", Reduction::dpor);
  const auto sleep_sets = search("full-overwrite", Reduction::sleep_sets);
  const auto none = search("full-overwrite", Reduction::none);
  for (const ExhaustiveResult* result : {&dpor, &sleep_sets, &none}) {
    EXPECT_TRUE(result->complete);
    EXPECT_EQ(result->failing_schedules, 0u);
  }
  EXPECT_LT(sleep_sets.schedules * 100, none.schedules);
  EXPECT_EQ(dpor.schedules, sleep_sets.schedules);
  EXPECT_GT(sleep_sets.pruned, 0u);
  EXPECT_LE(dpor.pruned, sleep_sets.pruned);

  // Failing under every reduction: every hset schedule passes through two statuses.
  options.stop_at_first = true;
  for (const Reduction reduction : {Reduction::dpor, Reduction::sleep_sets, Reduction::none}) {
    EXPECT_TRUE(search("hset", reduction).first_failure.has_value());
  }
}

// DPOR runs exactly the complete schedules that sleep sets alone run, one per class of
// equivalent schedules, so the counts of schedules and of failing ones agree, and it re-runs
// far fewer pruned prefixes.
TEST(Exhaustive, DporMatchesSleepSets) {
  struct Case {
    int decisions_each;  // 0: one_decision_and_observer()
    const char* strategy;
    const char* client;
    std::uint32_t polls_max;
  };
  for (const Case& search_case :
       {Case{0, "full-overwrite", "fixed", 1}, Case{0, "read-merge-write", "fixed", 1},
        Case{2, "hset-multi", "fixed", 0}, Case{2, "read-merge-write", "legacy", 0}}) {
    const Scenario scenario =
        search_case.decisions_each == 0 ? one_decision_and_observer() : same_item(search_case.decisions_each);
    const SimulationConfig config =
        config_for(scenario, search_case.strategy, search_case.client, search_case.polls_max);
    ExhaustiveOptions options;
    options.stop_at_first = false;
    options.reduction = Reduction::sleep_sets;
    const ExhaustiveResult sleep_sets = explore_exhaustively(config, options);
    options.reduction = Reduction::dpor;
    const ExhaustiveResult dpor = explore_exhaustively(config, options);
    const std::string label = std::string(search_case.strategy) + "/" + search_case.client;
    EXPECT_TRUE(sleep_sets.complete) << label;
    EXPECT_TRUE(dpor.complete) << label;
    EXPECT_EQ(dpor.schedules, sleep_sets.schedules) << label;
    EXPECT_EQ(dpor.failing_schedules, sleep_sets.failing_schedules) << label;
    EXPECT_LT(dpor.pruned * 2, sleep_sets.pruned) << label;
  }
}

// A run ends at quiescence and drops the poll timers still armed, so a step that completes
// quiescence conflicts with every pending poll. Without that conflict, u1's page reply and u2's
// poll would commute, and no search would run u2's poll between the two page replies while u1's
// poll never fires.
TEST(Exhaustive, ExploresPollFiringBeforeQuiescence) {
  const Scenario scenario = parse_scenario(R"({
    "format": "reviewsim-scenario/1", "name": "page-loads-only",
    "companies": [{"name": "roche", "items": ["ro-1"]}],
    "users": 2, "client": "fixed",
    "workload": {"scripts": {"u1": {"actions": []}, "u2": {"actions": []}}}})",
                                           "page-loads-only");
  SimulationConfig config = config_for(scenario, "full-overwrite", "fixed", 1);
  config.keep_steps = true;
  ExhaustiveOptions options;
  options.stop_at_first = false;
  bool found = false;
  options.on_schedule = [&found](const SimulationResult& run) {
    std::optional<std::size_t> u1_reply, u2_reply, u2_poll;
    bool u1_polled = false;
    const auto& steps = run.history->steps();
    for (std::size_t index = 0; index < steps.size(); ++index) {
      const StepRecord& step = steps[index];
      if (step.kind == EventKind::reply_arrival && step.user == 1 && !u1_reply) u1_reply = index;
      if (step.kind == EventKind::reply_arrival && step.user == 2 && !u2_reply) u2_reply = index;
      if (step.kind == EventKind::poll_timer && step.user == 2) u2_poll = index;
      if (step.kind == EventKind::poll_timer && step.user == 1) u1_polled = true;
    }
    if (!u1_polled && u1_reply && u2_reply && u2_poll && *u2_reply < *u2_poll && *u2_poll < *u1_reply) {
      found = true;
    }
    return true;
  };
  for (const Reduction reduction : {Reduction::dpor, Reduction::sleep_sets}) {
    found = false;
    options.reduction = reduction;
    const ExhaustiveResult result = explore_exhaustively(config, options);
    EXPECT_TRUE(result.complete);
    EXPECT_TRUE(found) << (reduction == Reduction::dpor ? "dpor" : "sleep sets");
  }
}

TEST(Exhaustive, ReducedSearchCountsTraces) {
  // hset-multi without polls: the two page loads read and the two atomic saves write. Four orders
  // differ: which save commits last, and whether each page load reads before the other user's
  // save. Sleep sets explore each of them once.
  const Scenario scenario = same_item(1);
  ExhaustiveOptions options;
  options.stop_at_first = false;
  const auto result = explore_exhaustively(config_for(scenario, "hset-multi", "legacy", 0), options);
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(result.schedules, 4u);
  EXPECT_EQ(result.failing_schedules, 0u);
}

TEST(Exhaustive, PreemptionBoundLimitsSearch) {
  const Scenario scenario = same_item(1);
  ExhaustiveOptions bounded;
  bounded.reduction = Reduction::none;
  bounded.stop_at_first = false;
  bounded.preemption_bound = 0;
  const auto none = explore_exhaustively(config_for(scenario, "full-overwrite", "legacy", 0), bounded);
  bounded.preemption_bound = 1;
  const auto one = explore_exhaustively(config_for(scenario, "full-overwrite", "legacy", 0), bounded);
  EXPECT_TRUE(none.complete);
  EXPECT_TRUE(one.complete);
  EXPECT_GT(none.bounded, 0u);
  EXPECT_LT(none.schedules, one.schedules);
  EXPECT_LT(one.schedules, 48620u);  // every interleaving of the unbounded search
}

TEST(Exhaustive, ScheduleLimitStops) {
  const Scenario scenario = same_item(2);
  ExhaustiveOptions options;
  options.reduction = Reduction::none;
  options.schedules_max = 50;
  options.stop_at_first = false;
  const auto result = explore_exhaustively(config_for(scenario, "hset-multi", "fixed", 1), options);
  EXPECT_EQ(result.schedules, 50u);
  EXPECT_FALSE(result.complete);
}

// PCT with depth 2 finds the read-merge-write race at least as often as its bound promises,
// over a fixed set of seeds.
TEST(Pct, MeetsBoundOnReadMergeWriteRace) {
  const Scenario scenario =
      load_scenario_file(std::string(REVIEWSIM_SOURCE_DIR) + "/scenarios/read-merge-write-race.json");
  SimulationConfig config = config_for(scenario, "read-merge-write", "fixed", 1);
  config.explorer = ExplorerKind::pct;
  const SimulationResult probe = simulate(config);
  const auto steps = static_cast<std::uint32_t>(probe.schedule.size());
  config.pct = PctParams{2, steps};

  int actors = probe.actors_count;
  int failing = 0;
  const int schedules = 300;
  for (int seed = 1; seed <= schedules; ++seed) {
    config.seed = static_cast<std::uint64_t>(seed);
    const SimulationResult run = simulate(config);
    actors = std::max(actors, run.actors_count);
    if (!run.anomalies.empty()) ++failing;
  }
  const double bound = pct_bound(actors, steps, 2);
  EXPECT_GE(static_cast<double>(failing) / schedules, bound);
  EXPECT_GT(failing, 0);
}

TEST(Coverage, CountsConflictingOrderings) {
  ConflictCoverage coverage;
  const std::uint64_t key = 42;
  // Two requests write the same key: one ordering per order seen.
  coverage.add({{1, 0, key, true}, {2, 0, key, true}});
  EXPECT_EQ(coverage.orderings(), 1u);
  coverage.add({{1, 0, key, true}, {2, 0, key, true}});
  EXPECT_EQ(coverage.orderings(), 1u);
  coverage.add({{2, 0, key, true}, {1, 0, key, true}});
  EXPECT_EQ(coverage.orderings(), 2u);
  // Two reads never conflict, nor do accesses of one request or of different keys.
  coverage.add({{3, 0, key, false}, {4, 0, key, false}, {5, 0, key, true}, {5, 1, key, true}, {6, 0, 7, true}});
  EXPECT_EQ(coverage.orderings(), 6u);  // 3 and 4 each before both commands of request 5
}

}  // namespace
}  // namespace reviewsim
