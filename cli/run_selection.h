#pragma once

// The options that pick one configuration to run (strategy, client variant, user count,
// explorer), validated against the scenario, for `run` and `explore`.

#include <string>

#include "sim/simulation.h"

namespace reviewsim::cli {

// Returns a config for `scenario` (which must outlive it) with the strategy, client variant
// (empty: the scenario's own) and user count (0: the scenario's minimum) checked. Throws
// UsageError naming the option and what it accepts.
SimulationConfig select_run(const Scenario& scenario, const std::string& strategy,
                            const std::string& client, int users);

// Parses an explorer name for `option`, among timed, random and pct. Throws UsageError.
ExplorerKind select_explorer(const std::string& option, const std::string& name);

}  // namespace reviewsim::cli
