#pragma once

// The checkers: each reads a run's observations and returns its anomalies, with explanations
// that name users, (company, item) pairs and history steps.
//
// lost-update: a decision whose save was acknowledged to its user is missing from the store at
//   quiescence, and no decision on the same (company, item) was committed after it. A decision
//   is committed at the step that first made it visible under its company's key. A decision
//   never committed there is measured from the step that made it. An entry overwritten by a
//   stale copy of itself counts as missing. A clear is present when its item is in no status.
// wrong-company-write: data of a decision for company A written to a key of company B.
// divergence: after one final load of every company by every user, a view differs from the
//   store.
// status-conflict: an item present in more than one status at the same step, or a decided item
//   that is in no status at quiescence although the last decision committed on it was no clear.

#include <vector>

#include "model/anomaly.h"
#include "model/catalog.h"
#include "model/observations.h"

namespace reviewsim {

class StoreTimeline;

// Runs every checker; anomalies come ordered by kind, then by their first step.
std::vector<Anomaly> check_all(const Observations& observations, const Catalog& catalog);

std::vector<Anomaly> check_lost_updates(const Observations& observations,
                                        const StoreTimeline& timeline, const Catalog& catalog);
std::vector<Anomaly> check_wrong_company_writes(const Observations& observations,
                                                const StoreTimeline& timeline,
                                                const Catalog& catalog);
std::vector<Anomaly> check_divergence(const Observations& observations, const Catalog& catalog);
std::vector<Anomaly> check_status_conflicts(const Observations& observations,
                                            const StoreTimeline& timeline,
                                            const Catalog& catalog);

}  // namespace reviewsim
