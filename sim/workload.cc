#include "sim/workload.h"

#include <numeric>

#include "model/assert.h"

namespace reviewsim {

namespace {

// Picks an action kind by weight; switch_company only where there is another company to go to.
ActionKind draw_action_kind(const GeneratedWorkload& workload, bool can_switch, Prng& prng) {
  std::array<std::uint64_t, kActionKindCount> weights{};
  for (int index = 0; index < kActionKindCount; ++index) weights[index] = workload.weights[index];
  weights[static_cast<int>(ActionKind::show_tab)] = 0;
  if (!can_switch) weights[static_cast<int>(ActionKind::switch_company)] = 0;

  const std::uint64_t total = std::accumulate(weights.begin(), weights.end(), std::uint64_t{0});
  RS_ASSERT(total > 0);
  std::uint64_t pick = prng.below(total);
  for (int index = 0; index < kActionKindCount; ++index) {
    if (pick < weights[index]) return static_cast<ActionKind>(index);
    pick -= weights[index];
  }
  RS_ASSERT(false);
}

UserScript generate_script(const Scenario& scenario, Prng& prng) {
  const Catalog& catalog = scenario.catalog;
  const GeneratedWorkload& workload = *scenario.generated;
  const auto companies_count = catalog.companies_count();

  UserScript script;
  script.start_company = static_cast<CompanyId>(prng.below(companies_count));
  CompanyId current = script.start_company;

  for (int index = 0; index < workload.actions_count; ++index) {
    Action action;
    action.kind = draw_action_kind(workload, companies_count > 1, prng);
    switch (action.kind) {
      case ActionKind::switch_company: {
        // Any company but the current one.
        auto target = static_cast<CompanyId>(prng.below(companies_count - 1));
        if (target >= current) ++target;
        action.company = target;
        current = target;
        break;
      }
      case ActionKind::hide_tab:
        script.actions.push_back(action);
        action.kind = ActionKind::show_tab;
        break;
      default: {
        const auto items = catalog.items_of(current);
        action.item = items[prng.below(items.size())];
        action.company = current;
        if (action.kind == ActionKind::manual_match) {
          action.node = "node-" + std::to_string(prng.below(100));
        }
        break;
      }
    }
    script.actions.push_back(std::move(action));
  }
  return script;
}

}  // namespace

std::vector<UserScript> expand_workload(const Scenario& scenario, int users_count, Prng& prng) {
  RS_ASSERT(users_count >= 1);
  RS_ASSERT(users_count <= kUsersMax);
  std::vector<UserScript> scripts;
  for (int number = 1; number <= users_count; ++number) {
    const auto scripted = scenario.scripts.find(static_cast<UserId>(number));
    if (scripted != scenario.scripts.end()) {
      scripts.push_back(scripted->second);
    } else if (scenario.generated) {
      scripts.push_back(generate_script(scenario, prng));
    } else {
      scripts.push_back(UserScript{});
    }
  }
  return scripts;
}

}  // namespace reviewsim
