#pragma once

// Coverage of an exploration: the distinct orderings of conflicting steps it exercised. Two KV
// steps conflict when they access the same key and at least one writes it. An ordering is such
// a pair in the order one schedule ran them. A step is named by its request and its position in
// the request, so the same pair in two schedules counts once, and the reverse order counts
// separately. More orderings for the same budget means the budget tried more of what matters.

#include <cstdint>
#include <set>
#include <tuple>
#include <vector>

#include "sim/simulation.h"

namespace reviewsim {

class ConflictCoverage {
 public:
  // Adds the orderings of one schedule (SimulationResult::accesses, recorded with
  // SimulationConfig::record_accesses).
  void add(const std::vector<KvAccess>& accesses);
  std::size_t orderings() const { return orderings_.size(); }

 private:
  // (key, first step, second step), each step as request << 32 | command index.
  std::set<std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>> orderings_;
};

}  // namespace reviewsim
