#include "cli/run_selection.h"

#include <algorithm>

#include <fmt/format.h>

#include "adapters/strategy.h"
#include "cli/common.h"

namespace reviewsim::cli {

SimulationConfig select_run(const Scenario& scenario, const std::string& strategy,
                            const std::string& client, int users) {
  const auto names = strategy_names();
  if (std::find(names.begin(), names.end(), strategy) == names.end()) {
    throw UsageError(fmt::format("--strategy: unknown strategy \"{}\"; expected one of "
                                 "full-overwrite, read-merge-write, hset, hset-multi", strategy));
  }
  const std::string client_name = client.empty() ? scenario.client : client;
  std::string error;
  const auto variant = parse_client_variant(client_name, &error);
  if (!variant) throw UsageError(fmt::format("--client: {}; expected {}", error, client_variant_syntax()));
  const int users_count = users == 0 ? scenario.users_min : users;
  if (users_count < scenario.users_min || users_count > scenario.users_max) {
    throw UsageError(fmt::format("--users: scenario {} runs with {} to {} users, got {}",
                                 scenario.name, scenario.users_min, scenario.users_max, users_count));
  }

  SimulationConfig config;
  config.scenario = &scenario;
  config.strategy = strategy;
  config.client = *variant;
  config.users_count = users_count;
  return config;
}

ExplorerKind select_explorer(const std::string& option, const std::string& name) {
  const auto explorer = parse_explorer_kind(name);
  if (!explorer) {
    throw UsageError(fmt::format("{}: unknown explorer \"{}\"; expected timed, random or pct", option, name));
  }
  return *explorer;
}

}  // namespace reviewsim::cli
