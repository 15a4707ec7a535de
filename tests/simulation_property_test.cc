// Properties over generated workloads and schedules (RapidCheck inside GoogleTest). ctest runs
// them with a fixed RapidCheck seed (RC_PARAMS in tests/CMakeLists.txt); a failure prints the
// RC_PARAMS that reproduce it.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>

#include "model/assert.h"
#include "sim/simulation.h"

namespace reviewsim {
namespace {

// One generated user action; turned into a valid script action by build_scenario.
struct GeneratedAction {
  int kind = 0;      // 0 approve, 1 reject, 2 manual match, 3 clear, 4 switch, 5 hide then show
  int target = 0;    // item index within the current company, or company index for a switch
  int after_ms = 0;  // think time before the action
};

struct GeneratedRun {
  std::vector<std::vector<GeneratedAction>> users;  // one script per user, 1 to 5 users
  std::uint64_t seed = 1;
  bool random_explorer = false;
};

// How RapidCheck prints a counterexample.
void showValue(const GeneratedRun& run, std::ostream& out) {
  out << "seed " << run.seed << ", " << (run.random_explorer ? "random" : "timed") << " explorer";
  for (std::size_t user = 0; user < run.users.size(); ++user) {
    out << "\n  u" << user + 1 << ":";
    for (const GeneratedAction& action : run.users[user]) {
      static const char* const kNames[] = {"approve", "reject", "manual", "clear", "switch", "hide+show"};
      out << " " << kNames[action.kind] << "(" << action.target << ") after " << action.after_ms << " ms;";
    }
  }
}

constexpr int kCompanies = 2;
constexpr int kItemsPerCompany = 3;

rc::Gen<GeneratedAction> generated_action() {
  return rc::gen::build<GeneratedAction>(
      rc::gen::set(&GeneratedAction::kind, rc::gen::weightedElement<int>({{6, 0}, {3, 1}, {1, 2}, {1, 3}, {2, 4}, {1, 5}})),
      rc::gen::set(&GeneratedAction::target, rc::gen::inRange(0, kItemsPerCompany)),
      rc::gen::set(&GeneratedAction::after_ms, rc::gen::inRange(0, 6000)));
}

rc::Gen<GeneratedRun> generated_run() {
  const auto script = rc::gen::container<std::vector<GeneratedAction>>(generated_action());
  return rc::gen::build<GeneratedRun>(
      rc::gen::set(&GeneratedRun::users,
                   rc::gen::suchThat(rc::gen::container<std::vector<std::vector<GeneratedAction>>>(script),
                                     [](const auto& users) { return !users.empty() && users.size() <= kUsersMax; })),
      rc::gen::set(&GeneratedRun::seed, rc::gen::inRange<std::uint64_t>(1, 1000000)),
      rc::gen::set(&GeneratedRun::random_explorer, rc::gen::arbitrary<bool>()));
}

Scenario build_scenario(const GeneratedRun& run) {
  Scenario scenario;
  scenario.name = "generated";
  for (int company = 0; company < kCompanies; ++company) {
    const CompanyId id = scenario.catalog.add_company("c" + std::to_string(company));
    for (int item = 0; item < kItemsPerCompany; ++item) {
      scenario.catalog.add_item(id, "c" + std::to_string(company) + "-" + std::to_string(item));
    }
  }
  scenario.users_min = 1;
  scenario.users_max = kUsersMax;
  for (std::size_t user = 0; user < run.users.size(); ++user) {
    UserScript script;
    CompanyId current = 0;
    for (const GeneratedAction& generated : run.users[user]) {
      Action action;
      action.after_ms = generated.after_ms;
      if (generated.kind == 4) {
        action.kind = ActionKind::switch_company;
        action.company = static_cast<CompanyId>(generated.target % kCompanies);
        current = action.company;
      } else if (generated.kind == 5) {
        action.kind = ActionKind::hide_tab;
        action.company = current;
        script.actions.push_back(action);
        action.kind = ActionKind::show_tab;
      } else {
        action.kind = generated.kind == 0   ? ActionKind::approve
                      : generated.kind == 1 ? ActionKind::reject
                      : generated.kind == 2 ? ActionKind::manual_match
                                            : ActionKind::clear;
        action.item = scenario.catalog.items_of(current)[generated.target % kItemsPerCompany];
        action.company = current;
        if (action.kind == ActionKind::manual_match) action.node = "node-1";
      }
      script.actions.push_back(std::move(action));
    }
    scenario.scripts[static_cast<UserId>(user + 1)] = std::move(script);
  }
  return scenario;
}

SimulationResult simulate_generated(const GeneratedRun& run, const std::string& strategy,
                                    const ClientVariant& client) {
  const Scenario scenario = build_scenario(run);
  SimulationConfig config;
  config.scenario = &scenario;
  config.strategy = strategy;
  config.client = client;
  config.users_count = static_cast<int>(run.users.size());
  config.seed = run.seed;
  config.explorer = run.random_explorer ? ExplorerKind::random : ExplorerKind::timed;
  return simulate(config);
}

std::string describe_anomalies(const SimulationResult& result) {
  std::string text;
  for (const Anomaly& anomaly : result.anomalies) {
    text += std::string(anomaly_kind_name(anomaly.kind)) + ": " + anomaly.explanation + "\n";
  }
  return text;
}

int decisions_in(const GeneratedRun& run) {
  int decisions = 0;
  for (const auto& script : run.users) {
    decisions += static_cast<int>(std::count_if(script.begin(), script.end(),
                                                [](const GeneratedAction& action) { return action.kind < 4; }));
  }
  return decisions;
}

// The configuration that ships: no anomaly under any generated workload and schedule.
RC_GTEST_PROP(SimulationProperty, HsetMultiFixedNeverFails, ()) {
  const GeneratedRun run = *generated_run();
  const SimulationResult result = simulate_generated(run, "hset-multi", fixed_client());
  RC_LOG() << describe_anomalies(result);
  RC_ASSERT(!result.step_limit_hit);
  RC_ASSERT(result.anomalies.empty());
}

// The same seed and workload give the same history.
RC_GTEST_PROP(SimulationProperty, SameInputSameHash, ()) {
  const GeneratedRun run = *generated_run();
  const auto strategy = *rc::gen::element<std::string>("full-overwrite", "read-merge-write", "hset", "hset-multi");
  const auto first = simulate_generated(run, strategy, legacy_client());
  const auto second = simulate_generated(run, strategy, legacy_client());
  RC_ASSERT(first.history_hash == second.history_hash);
  RC_ASSERT(first.schedule == second.schedule);
}

// full-overwrite loses updates, and RapidCheck's shrinking of the failing workload ends at the
// smallest core: two users with one decision each. The timed explorer keeps the scenario's
// timing, under which one user's debounced saves never overtake each other. Under the random
// explorer, one user with two saves in flight is a smaller core.
TEST(SimulationProperty, FullOverwriteShrinksToTwoDecisions) {
  GeneratedRun smallest;
  bool found = false;
  // Checked through RapidCheck's own runner with a listener that records nothing, because this
  // property is meant to fail and must not end up in the summary of failures to reproduce.
  class SilentListener final : public rc::detail::TestListener {
   public:
    void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
    void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
    void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
  };
  SilentListener listener;
  rc::detail::TestMetadata metadata;
  metadata.id = "full-overwrite loses no update";
  const auto property = rc::detail::toProperty([&] {
    GeneratedRun run = *generated_run();
    run.random_explorer = false;
    const SimulationResult result = simulate_generated(run, "full-overwrite", fixed_client());
    const bool lost = std::any_of(result.anomalies.begin(), result.anomalies.end(), [](const Anomaly& anomaly) {
      return anomaly.kind == AnomalyKind::lost_update;
    });
    if (lost && (!found || decisions_in(run) < decisions_in(smallest) ||
                 (decisions_in(run) == decisions_in(smallest) && run.users.size() < smallest.users.size()))) {
      smallest = run;
      found = true;
    }
    RC_ASSERT(!lost);
  });
  const rc::detail::TestResult result = rc::detail::checkProperty(
      property, metadata, rc::detail::configuration().testParams, listener);
  ASSERT_FALSE(result.is<rc::detail::SuccessResult>()) << "full-overwrite never lost an update";
  ASSERT_TRUE(found);
  int active_users = 0;
  for (const auto& script : smallest.users) {
    if (std::any_of(script.begin(), script.end(), [](const GeneratedAction& action) { return action.kind < 4; })) {
      ++active_users;
    }
  }
  EXPECT_EQ(decisions_in(smallest), 2);
  EXPECT_EQ(active_users, 2);
}

}  // namespace
}  // namespace reviewsim
