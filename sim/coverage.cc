#include "sim/coverage.h"

#include <algorithm>

#include <xxhash.h>

namespace reviewsim {

std::size_t ConflictCoverage::OrderingHash::operator()(const Ordering& ordering) const {
  const std::uint64_t words[] = {ordering.key, ordering.first, ordering.second};
  return XXH3_64bits(words, sizeof(words));
}

void ConflictCoverage::add(const std::vector<KvAccess>& accesses) {
  // The accesses grouped by key, each group in step order.
  by_key_.clear();
  for (const KvAccess& access : accesses) by_key_.push_back(&access);
  std::stable_sort(by_key_.begin(), by_key_.end(), [](const KvAccess* a, const KvAccess* b) {
    return a->key_hash < b->key_hash;
  });

  for (std::size_t begin = 0; begin < by_key_.size();) {
    std::size_t end = begin + 1;
    while (end < by_key_.size() && by_key_[end]->key_hash == by_key_[begin]->key_hash) ++end;
    for (std::size_t first = begin; first < end; ++first) {
      for (std::size_t second = first + 1; second < end; ++second) {
        const KvAccess& a = *by_key_[first];
        const KvAccess& b = *by_key_[second];
        if (a.request == b.request) continue;  // one request's own order never varies
        if (!a.writes && !b.writes) continue;
        const std::uint64_t a_step = (std::uint64_t{a.request} << 32) | a.command_index;
        const std::uint64_t b_step = (std::uint64_t{b.request} << 32) | b.command_index;
        orderings_.insert(Ordering{a.key_hash, a_step, b_step});
      }
    }
    begin = end;
  }
}

}  // namespace reviewsim
