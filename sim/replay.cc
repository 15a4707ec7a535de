#include "sim/replay.h"

#include <fmt/format.h>

#include "model/assert.h"

namespace reviewsim {

Trace make_trace(const SimulationConfig& config, const SimulationResult& result) {
  RS_ASSERT(config.scenario != nullptr);
  RS_ASSERT(result.history != nullptr);
  RS_ASSERT(result.history->keeps_steps());

  Trace trace;
  trace.scenario = *config.scenario;
  trace.strategy = config.strategy;
  trace.client = config.client.name;
  trace.users_count = config.users_count;
  trace.seed = config.seed;
  trace.explorer = std::string(explorer_kind_name(config.explorer));
  trace.steps_max = config.steps_max;
  trace.polls_max = config.polls_max;
  trace.schedule = result.schedule;
  trace.history_hash = result.history_hash;
  for (const std::uint64_t hash : result.history->step_hashes()) {
    trace.step_hashes.push_back(static_cast<std::uint32_t>(hash));
  }
  trace.anomalies = result.anomalies;
  return trace;
}

SimulationConfig replay_config(const Trace& trace) {
  SimulationConfig config;
  config.scenario = &trace.scenario;
  config.strategy = trace.strategy;
  std::string error;
  const auto client = parse_client_variant(trace.client, &error);
  RS_ASSERT(client.has_value());  // parse_trace validated it
  config.client = *client;
  config.users_count = trace.users_count;
  config.seed = trace.seed;
  // The schedule replaces the explorer; an exhaustive search has no explorer to run again, so a
  // shrink of its trace samples with the random one.
  config.explorer = parse_explorer_kind(trace.explorer).value_or(ExplorerKind::random);
  config.steps_max = trace.steps_max;
  config.polls_max = trace.polls_max;
  config.keep_steps = true;
  config.schedule = &trace.schedule;
  return config;
}

ReplayOutcome replay_trace(const Trace& trace, std::uint32_t stop_after_step) {
  SimulationConfig config = replay_config(trace);
  config.stop_after_step = stop_after_step;

  ReplayOutcome outcome;
  try {
    outcome.result = simulate(config);
  } catch (const ScheduleMismatch& mismatch) {
    outcome.first_differing_step = mismatch.step();
    outcome.mismatch = fmt::format(
        "the recorded schedule does not fit this run at step {}: {}. The trace comes from "
        "another reviewsim version, or the simulation is not deterministic.",
        mismatch.step(), mismatch.what());
    return outcome;
  }

  if (stop_after_step == 0 && outcome.result.schedule.size() < trace.schedule.size()) {
    const auto step = static_cast<std::uint32_t>(outcome.result.schedule.size() + 1);
    outcome.first_differing_step = step;
    outcome.mismatch = fmt::format(
        "the run reached quiescence after {} choices, but the trace records {}, so its schedule "
        "does not belong to this run.",
        outcome.result.schedule.size(), trace.schedule.size());
    return outcome;
  }

  const auto& replayed = outcome.result.history->step_hashes();
  const std::size_t compared = std::min(replayed.size(), trace.step_hashes.size());
  for (std::size_t index = 0; index < compared; ++index) {
    if (static_cast<std::uint32_t>(replayed[index]) == trace.step_hashes[index]) continue;
    const auto step = static_cast<std::uint32_t>(index + 1);
    outcome.first_differing_step = step;
    outcome.mismatch = fmt::format(
        "step {} differs from the recorded history (the steps before it match). The trace comes "
        "from another reviewsim version, or the simulation is not deterministic.", step);
    return outcome;
  }
  if (stop_after_step == 0 && replayed.size() != trace.step_hashes.size()) {
    const auto step = static_cast<std::uint32_t>(compared + 1);
    outcome.first_differing_step = step;
    outcome.mismatch = fmt::format("the replay has {} steps but the trace recorded {}; they "
                                   "differ from step {} on.",
                                   replayed.size(), trace.step_hashes.size(), step);
    return outcome;
  }
  if (stop_after_step == 0 && outcome.result.history_hash != trace.history_hash) {
    outcome.mismatch = fmt::format("the history hash {:016x} differs from the recorded {:016x}.",
                                   outcome.result.history_hash, trace.history_hash);
  }
  return outcome;
}

}  // namespace reviewsim
