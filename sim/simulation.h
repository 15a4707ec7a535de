#pragma once

// One simulated session: a scenario's users run their scripts through a strategy against a
// MemoryStore, with every ordering decision made by an explorer. A run is a pure function of
// its config: the same config gives the same history hash, schedule and anomalies.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/strategy.h"
#include "model/anomaly.h"
#include "model/client_variant.h"
#include "model/observations.h"
#include "model/scenario.h"
#include "sim/explorer.h"
#include "sim/history.h"

namespace reviewsim {

struct SimulationConfig {
  const Scenario* scenario = nullptr;
  std::string strategy;
  ClientVariant client;
  int users_count = 2;
  std::uint64_t seed = 1;
  ExplorerKind explorer = ExplorerKind::timed;
  // Steps before the run gives up; a run that hits it reports step_limit_hit and no anomalies.
  std::uint32_t steps_max = 100000;
  // Keep every step in the history (for timelines) rather than only the hash.
  bool keep_steps = false;
  // When set, the run replays this schedule instead of asking the explorer. Must outlive the
  // run. A schedule that does not fit throws ScheduleMismatch.
  const std::vector<std::uint32_t>* schedule = nullptr;
  // When non-zero, the run stops after this scheduled step and reports the state there instead
  // of running the checkers.
  std::uint32_t stop_after_step = 0;
  // Parameters of the pct explorer.
  PctParams pct;
  // When set, this explorer chooses instead of `explorer` (the exhaustive search drives runs
  // this way). Must outlive the run.
  Explorer* explorer_override = nullptr;
  // When set, a user's poll timer fires at most this many times (0: never). Explorers that
  // ignore time need a bound, because a poll timer is always enabled again after it fires.
  std::optional<std::uint32_t> polls_max;
  // Record every KV access (for the coverage of conflicting orderings).
  bool record_accesses = false;
};

// One KV command's access to one key, identified across runs by its request and position.
struct KvAccess {
  RequestId request = 0;
  std::uint32_t command_index = 0;  // 0-based, within its request
  std::uint64_t key_hash = 0;
  bool writes = false;
};

// Every user's views and the decoded store at one step.
struct StateAtStep {
  std::uint32_t step = 0;
  std::vector<std::vector<CompanyState>> views;  // views[user - 1][company]
  std::vector<CompanyState> store;
};

struct SimulationResult {
  std::uint64_t history_hash = 0;
  std::uint32_t steps_count = 0;
  TimeMs end_time_ms = 0;
  bool step_limit_hit = false;
  std::vector<std::uint32_t> schedule;  // the choice index of every scheduled step
  std::vector<Anomaly> anomalies;
  Observations observations;
  std::unique_ptr<History> history;
  std::optional<StateAtStep> stopped;  // set when the run stopped at stop_after_step
  std::vector<KvAccess> accesses;      // with record_accesses, in step order
  int actors_count = 0;                // distinct actors (Footprint::actor) seen in the run
};

// Runs one schedule. Requires a config whose strategy name is one of strategy_names() and whose
// users_count is within the scenario's range.
SimulationResult simulate(const SimulationConfig& config);

}  // namespace reviewsim
