// Each of the three failures behind the fix, reproduced by its bundled scenario under the
// legacy client and gone under the fix, over a fixed set of seeds.

#include <gtest/gtest.h>

#include "adapters/scenario_file.h"
#include "sim/runner.h"

namespace reviewsim {
namespace {

Scenario bundled(const std::string& name) {
  return load_scenario_file(std::string(REVIEWSIM_SOURCE_DIR) + "/scenarios/" + name + ".json");
}

ClientVariant client(const std::string& name) {
  std::string error;
  auto variant = parse_client_variant(name, &error);
  EXPECT_TRUE(variant.has_value()) << error;
  return *variant;
}

CellResult run(const Scenario& scenario, const std::string& strategy, const std::string& variant,
               int users, ExplorerKind explorer = ExplorerKind::timed) {
  BatchOptions options;
  options.seed = 1;
  options.schedules_per_cell = 40;
  return run_cell(Cell{&scenario, strategy, client(variant), users, explorer}, options);
}

std::uint32_t count(const CellResult& result, AnomalyKind kind) {
  return result.schedules_by_kind[static_cast<int>(kind)];
}

TEST(DecisionNoteBugs, WrongCompanyKeyReproduced) {
  const Scenario scenario = bundled("incident-wrong-company");
  for (const char* strategy : {"full-overwrite", "hset-multi"}) {
    const CellResult legacy = run(scenario, strategy, "legacy", 2);
    EXPECT_EQ(count(legacy, AnomalyKind::wrong_company_write), legacy.schedules) << strategy;
    EXPECT_EQ(count(legacy, AnomalyKind::lost_update), legacy.schedules) << strategy;
  }
}

TEST(DecisionNoteBugs, WrongCompanyKeyGoneWithCapturedKey) {
  const Scenario scenario = bundled("incident-wrong-company");
  for (const char* strategy : {"full-overwrite", "hset-multi"}) {
    const CellResult fixed_key = run(scenario, strategy, "legacy+captured-key", 2);
    EXPECT_EQ(fixed_key.failing_schedules, 0u) << strategy;
    const CellResult fixed = run(scenario, strategy, "fixed", 2);
    EXPECT_EQ(fixed.failing_schedules, 0u) << strategy;
  }
}

TEST(DecisionNoteBugs, FullOverwriteLosesConcurrentSaves) {
  const Scenario scenario = bundled("different-items");
  const CellResult overwrite = run(scenario, "full-overwrite", "fixed", 2);
  EXPECT_EQ(count(overwrite, AnomalyKind::lost_update), overwrite.schedules);
  const CellResult merged = run(scenario, "read-merge-write", "fixed", 2, ExplorerKind::random);
  EXPECT_GT(count(merged, AnomalyKind::lost_update), 0u);
}

TEST(DecisionNoteBugs, FullOverwriteGoneWithHashes) {
  const Scenario scenario = bundled("different-items");
  for (const char* strategy : {"hset", "hset-multi"}) {
    for (const ExplorerKind explorer : {ExplorerKind::timed, ExplorerKind::random}) {
      const CellResult hashes = run(scenario, strategy, "fixed", 2, explorer);
      EXPECT_EQ(hashes.failing_schedules, 0u) << strategy;
    }
  }
}

TEST(DecisionNoteBugs, StaleCopyReproduced) {
  const Scenario scenario = bundled("stale-page-load");
  const CellResult legacy = run(scenario, "full-overwrite", "legacy", 2);
  EXPECT_EQ(count(legacy, AnomalyKind::lost_update), legacy.schedules);
}

TEST(DecisionNoteBugs, StaleCopyGoneWithPolling) {
  const Scenario scenario = bundled("stale-page-load");
  // Polling refreshes the view before the late save, even on a full-overwrite server, as long
  // as a poll keeps the entries whose save is still pending...
  const CellResult polled = run(scenario, "full-overwrite", "legacy+poll+keep-pending", 2);
  EXPECT_EQ(polled.failing_schedules, 0u);
  // ...while a poll that replaces the view drops u2's pending approval before its save.
  const CellResult replaced = run(scenario, "full-overwrite", "legacy+poll", 2);
  EXPECT_GT(count(replaced, AnomalyKind::lost_update), 0u);
  // ...and with the whole fix nothing is lost under any order of events.
  for (const ExplorerKind explorer : {ExplorerKind::timed, ExplorerKind::random}) {
    const CellResult fixed = run(scenario, "hset-multi", "fixed", 2, explorer);
    EXPECT_EQ(fixed.failing_schedules, 0u);
  }
}

TEST(DecisionNoteBugs, SameItemHsetRaces) {
  const Scenario scenario = bundled("same-item-conflict");
  const CellResult hset = run(scenario, "hset", "fixed", 2, ExplorerKind::random);
  EXPECT_GT(count(hset, AnomalyKind::status_conflict), 0u);
  const CellResult multi = run(scenario, "hset-multi", "fixed", 2, ExplorerKind::random);
  EXPECT_EQ(multi.failing_schedules, 0u);
}

}  // namespace
}  // namespace reviewsim
