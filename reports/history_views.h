#pragma once

// Other renderings of a run than the text timeline: a Mermaid sequence diagram, the history as
// JSON, and the state of every view and of the store at one step.

#include <string>
#include <vector>

#include "model/anomaly.h"
#include "model/catalog.h"
#include "sim/history.h"
#include "sim/simulation.h"

namespace reviewsim {

// A Mermaid sequence diagram with one lane per user, one for the server's handlers and one for
// the store. The steps that an anomaly names sit in red boxes with a note naming the anomaly.
// Requires a history that kept its steps.
std::string render_mermaid(const History& history, const Catalog& catalog,
                           const std::vector<Anomaly>& anomalies, int users_count);

// The history as JSON ("reviewsim-history/1"): every step with time, actor, event, command,
// reply and note, then the anomalies.
std::string render_history_json(const History& history, const Catalog& catalog,
                                 const std::vector<Anomaly>& anomalies);

// Every user's views and the store at one step, as text.
std::string render_state(const StateAtStep& state, const Catalog& catalog);

}  // namespace reviewsim
