#include "sim/coverage.h"

#include <map>

namespace reviewsim {

void ConflictCoverage::add(const std::vector<KvAccess>& accesses) {
  std::map<std::uint64_t, std::vector<const KvAccess*>> by_key;
  for (const KvAccess& access : accesses) by_key[access.key_hash].push_back(&access);

  for (const auto& [key, sequence] : by_key) {
    for (std::size_t first = 0; first < sequence.size(); ++first) {
      for (std::size_t second = first + 1; second < sequence.size(); ++second) {
        const KvAccess& a = *sequence[first];
        const KvAccess& b = *sequence[second];
        if (a.request == b.request) continue;  // one request's own order never varies
        if (!a.writes && !b.writes) continue;
        const std::uint64_t a_step = (std::uint64_t{a.request} << 32) | a.command_index;
        const std::uint64_t b_step = (std::uint64_t{b.request} << 32) | b.command_index;
        orderings_.emplace(key, a_step, b_step);
      }
    }
  }
}

}  // namespace reviewsim
