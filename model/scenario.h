#pragma once

// A scenario: what the users of one simulated session do, and what each storage strategy is
// expected to show under it. Built from a scenario file by adapters/scenario_file.h, which
// validates every field; the types here hold only valid scenarios.

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/anomaly.h"
#include "model/catalog.h"
#include "model/decision.h"

namespace reviewsim {

// An inclusive range of virtual milliseconds that the engine draws from.
struct RangeMs {
  TimeMs min_ms = 0;
  TimeMs max_ms = 0;
};

struct UserScript {
  CompanyId start_company = 0;
  std::vector<Action> actions;
};

// Actions that the workload PRNG stream expands for the users that have no script.
struct GeneratedWorkload {
  int actions_count = 0;
  // Relative weights per ActionKind. hide_tab is always followed later by show_tab, so the
  // weight of show_tab is not used.
  std::array<std::uint32_t, kActionKindCount> weights{};
};

// The anomalies one (strategy, client variant) must show over a run of schedules: either no anomaly at
// all, or at least one schedule with each listed kind. It holds for every explorer unless
// `explorer` names one: a rate that only the scenario's timing keeps at zero holds for "timed",
// not for "random", which tries orders the timing makes unlikely.
struct Expectation {
  std::string strategy;
  std::string client;
  std::string explorer;  // "timed", "random", or empty for both
  bool clean = false;
  std::vector<AnomalyKind> kinds;
};

struct InitialEntry {
  CompanyId company = 0;
  ItemId item = 0;
  Status status = Status::approved;
  std::string node;
};

struct Scenario {
  std::string name;
  std::string description;
  Catalog catalog;
  int users_min = 2;
  int users_max = 2;
  std::string client = "legacy";  // the client variant `run` uses when none is given
  RangeMs network_ms{5, 80};      // one way, request or response
  RangeMs kv_ms{0, 2};            // one KV command, from the handler's side
  RangeMs save_delay_ms{300, 1500};
  RangeMs think_ms{500, 4000};
  TimeMs poll_interval_ms = 10000;
  std::vector<InitialEntry> initial;
  std::map<UserId, UserScript> scripts;
  std::optional<GeneratedWorkload> generated;
  std::vector<Expectation> expectations;
};

}  // namespace reviewsim
