#include "sim/runner.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "model/assert.h"
#include "sim/simulation.h"

namespace reviewsim {

CellResult run_cell(const Cell& cell, const BatchOptions& options) {
  RS_ASSERT(cell.scenario != nullptr);
  SimulationConfig config;
  config.scenario = cell.scenario;
  config.strategy = cell.strategy;
  config.client = cell.client;
  config.users_count = cell.users_count;
  config.explorer = cell.explorer;
  config.steps_max = options.steps_max;

  CellResult result;
  for (std::uint32_t index = 0; index < options.schedules_per_cell; ++index) {
    config.seed = options.seed + index;
    const SimulationResult run = simulate(config);
    ++result.schedules;
    if (options.verify_every != 0 && index % options.verify_every == 0) {
      ++result.verified_schedules;
      if (simulate(config).history_hash != run.history_hash) {
        ++result.nondeterministic_schedules;
        if (!result.first_nondeterministic_seed) result.first_nondeterministic_seed = config.seed;
      }
    }
    result.steps_total += run.steps_count;
    if (run.step_limit_hit) ++result.step_limit_hits;
    if (run.anomalies.empty()) continue;

    ++result.failing_schedules;
    std::array<bool, kAnomalyKindCount> seen{};
    for (const Anomaly& anomaly : run.anomalies) seen[static_cast<int>(anomaly.kind)] = true;
    for (int kind = 0; kind < kAnomalyKindCount; ++kind) {
      if (!seen[kind]) continue;
      ++result.schedules_by_kind[kind];
      if (!result.first_seed_by_kind[kind]) result.first_seed_by_kind[kind] = config.seed;
    }
  }
  return result;
}

std::vector<CellResult> run_batch(const std::vector<Cell>& cells, const BatchOptions& options) {
  std::vector<CellResult> results(cells.size());
  std::atomic<std::size_t> next_cell{0};
  std::size_t cells_done = 0;
  std::mutex progress_mutex;

  const auto work = [&] {
    for (;;) {
      const std::size_t index = next_cell.fetch_add(1);
      if (index >= cells.size()) return;
      results[index] = run_cell(cells[index], options);
      const std::lock_guard lock(progress_mutex);
      ++cells_done;
      if (options.on_cell_done) options.on_cell_done(cells_done);
    }
  };

  const int jobs = std::max(1, std::min<int>(options.jobs, static_cast<int>(cells.size())));
  std::vector<std::thread> workers;
  for (int job = 1; job < jobs; ++job) workers.emplace_back(work);
  work();
  for (std::thread& worker : workers) worker.join();
  return results;
}

}  // namespace reviewsim
