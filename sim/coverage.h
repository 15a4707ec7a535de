#pragma once

// Coverage of an exploration: the distinct orderings of conflicting steps it exercised. Two KV
// steps conflict when they access the same key and at least one writes it. An ordering is such
// a pair in the order one schedule ran them. A step is named by its request and its position in
// the request, so the same pair in two schedules counts once, and the reverse order counts
// separately. More orderings for the same budget means the budget tried more of what matters.

#include <cstdint>
#include <unordered_set>
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
  // A key and two steps on it in the order they ran, each step as request << 32 | command index.
  struct Ordering {
    std::uint64_t key = 0;
    std::uint64_t first = 0;
    std::uint64_t second = 0;
    friend bool operator==(const Ordering&, const Ordering&) = default;
  };
  struct OrderingHash {
    std::size_t operator()(const Ordering& ordering) const;
  };

  // Only the count is ever read, so the set's iteration order decides nothing.
  std::unordered_set<Ordering, OrderingHash> orderings_;
  std::vector<const KvAccess*> by_key_;  // scratch space of add(), kept for its capacity
};

}  // namespace reviewsim
