#pragma once

// Expands a scenario's workload into one script per user of a run.

#include <vector>

#include "model/scenario.h"
#include "sim/prng.h"

namespace reviewsim {

// Returns scripts for users u1..u`users_count` (index 0 is u1). Scripted users get their
// script. The others get actions drawn from the generated workload with `prng` (the run's
// workload stream), or an empty script when the scenario generates none.
std::vector<UserScript> expand_workload(const Scenario& scenario, int users_count, Prng& prng);

}  // namespace reviewsim
