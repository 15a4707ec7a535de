#pragma once

// The one source of randomness in a simulation: an owned, integer-only generator
// (xoshiro256**, seeded through SplitMix64; both by Blackman and Vigna, https://prng.di.unimi.it).
// A run derives child streams from its root seed by name (workload, timing, schedule), so a draw
// added to one stream never shifts the draws of another.

#include <cstdint>
#include <string_view>

namespace reviewsim {

class Prng {
 public:
  explicit Prng(std::uint64_t seed);

  // An independent stream derived from this generator's seed and `stream_name`. Does not depend
  // on, or change, how many numbers this generator has drawn.
  Prng split(std::string_view stream_name) const;

  std::uint64_t next();
  // A uniform integer in [0, bound). Requires bound > 0. Unbiased (Lemire's multiply-and-reject).
  std::uint64_t below(std::uint64_t bound);
  // A uniform integer in [min, max]. Requires min <= max.
  std::int64_t between(std::int64_t min, std::int64_t max);
  // True with probability numerator / denominator. Requires numerator <= denominator, denominator > 0.
  bool chance(std::uint64_t numerator, std::uint64_t denominator);

  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
  std::uint64_t state_[4];
};

// SplitMix64's output function, used to spread seeds.
std::uint64_t mix64(std::uint64_t value);

}  // namespace reviewsim
