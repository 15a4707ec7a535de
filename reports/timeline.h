#pragma once

// A run's history as a text timeline: one line per step with virtual time, actor, event, KV
// command and reply, and the steps that an anomaly names marked at the right margin.

#include <string>
#include <vector>

#include "model/anomaly.h"
#include "model/catalog.h"
#include "sim/history.h"

namespace reviewsim {

// "u1" for a user's own steps, "u1/r5" for the handler of u1's request 5.
std::string actor_name(const StepRecord& record);
// What the step did, in words: the action, the command and its reply, or the event.
std::string describe_step(const StepRecord& record, const Catalog& catalog);

// Requires a history that kept its steps.
std::string render_timeline(const History& history, const Catalog& catalog,
                            const std::vector<Anomaly>& anomalies);

}  // namespace reviewsim
