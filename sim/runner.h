#pragma once

// Runs many schedules. One cell is a (scenario, strategy, client variant, users, explorer)
// configuration run for N schedules, and a batch runs many cells on worker threads. Each schedule
// is single-threaded and owns its state, and results are stored by cell index, so the output
// does not depend on the number of threads or on their timing.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/anomaly.h"
#include "model/client_variant.h"
#include "model/scenario.h"
#include "sim/explorer.h"

namespace reviewsim {

struct Cell {
  const Scenario* scenario = nullptr;
  std::string strategy;
  ClientVariant client;
  int users_count = 2;
  ExplorerKind explorer = ExplorerKind::timed;
};

struct CellResult {
  std::uint32_t schedules = 0;
  std::uint32_t failing_schedules = 0;  // schedules with at least one anomaly
  std::array<std::uint32_t, kAnomalyKindCount> schedules_by_kind{};
  // The first seed that showed each kind, so `reviewsim run --seed` replays it.
  std::array<std::optional<std::uint64_t>, kAnomalyKindCount> first_seed_by_kind{};
  std::uint32_t step_limit_hits = 0;
  std::uint64_t steps_total = 0;
  // Determinism self-check: schedules run twice, and those whose second history hash differed.
  std::uint32_t verified_schedules = 0;
  std::uint32_t nondeterministic_schedules = 0;
  std::optional<std::uint64_t> first_nondeterministic_seed;
};

struct BatchOptions {
  std::uint64_t seed = 1;  // schedule i of every cell runs with seed + i
  std::uint32_t schedules_per_cell = 100;
  std::uint32_t steps_max = 100000;
  int jobs = 1;  // worker threads
  // When non-zero, every verify_every-th schedule of a cell runs a second time and its history
  // hash must match the first run's.
  std::uint32_t verify_every = 0;
  // Called after each finished cell with the number of finished cells, from a worker thread
  // but never from two at once.
  std::function<void(std::size_t cells_done)> on_cell_done;
};

CellResult run_cell(const Cell& cell, const BatchOptions& options);
std::vector<CellResult> run_batch(const std::vector<Cell>& cells, const BatchOptions& options);

}  // namespace reviewsim
