#include "sim/simulation.h"

#include <gtest/gtest.h>

#include "test_scenarios.h"

namespace reviewsim {
namespace {

SimulationConfig config_for(const Scenario& scenario, std::string strategy, ClientVariant client,
                            int users_count, std::uint64_t seed) {
  SimulationConfig config;
  config.scenario = &scenario;
  config.strategy = std::move(strategy);
  config.client = std::move(client);
  config.users_count = users_count;
  config.seed = seed;
  return config;
}

bool has_kind(const SimulationResult& result, AnomalyKind kind) {
  for (const Anomaly& anomaly : result.anomalies) {
    if (anomaly.kind == kind) return true;
  }
  return false;
}

TEST(Simulation, IncidentLegacyWritesWrongCompany) {
  const Scenario scenario = testing::incident_scenario();
  for (const char* strategy : {"full-overwrite", "read-merge-write", "hset", "hset-multi"}) {
    const auto result = simulate(config_for(scenario, strategy, legacy_client(), 1, 7));
    ASSERT_FALSE(result.step_limit_hit) << strategy;
    EXPECT_TRUE(has_kind(result, AnomalyKind::wrong_company_write)) << strategy;
    EXPECT_TRUE(has_kind(result, AnomalyKind::lost_update)) << strategy;
  }
}

TEST(Simulation, IncidentFixedClientIsClean) {
  const Scenario scenario = testing::incident_scenario();
  for (const char* strategy : {"full-overwrite", "read-merge-write", "hset", "hset-multi"}) {
    const auto result = simulate(config_for(scenario, strategy, fixed_client(), 1, 7));
    ASSERT_FALSE(result.step_limit_hit) << strategy;
    EXPECT_TRUE(result.anomalies.empty()) << strategy << ": " << result.anomalies.size();
  }
}

}  // namespace
}  // namespace reviewsim
