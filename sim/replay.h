#pragma once

// Recording runs as traces and replaying them.

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/trace_file.h"
#include "sim/simulation.h"

namespace reviewsim {

// The trace of a finished run. Requires a config with keep_steps set, so that the history holds
// a hash per step.
Trace make_trace(const SimulationConfig& config, const SimulationResult& result);

// The config that replays a trace. It points into `trace`, which must outlive it.
SimulationConfig replay_config(const Trace& trace);

struct ReplayOutcome {
  SimulationResult result;
  // Empty when the replay reproduced the recorded history; otherwise why it did not, naming the
  // first step that differs.
  std::string mismatch;
  std::optional<std::uint32_t> first_differing_step;
};

// Re-executes the recorded schedule and compares its history with the recorded hashes. With
// stop_after_step set, stops there and compares only the steps up to it.
ReplayOutcome replay_trace(const Trace& trace, std::uint32_t stop_after_step = 0);

}  // namespace reviewsim
