#include "sim/prng.h"

#include "model/assert.h"

namespace reviewsim {

namespace {

std::uint64_t rotate_left(std::uint64_t value, int shift) {
  return (value << shift) | (value >> (64 - shift));
}

// FNV-1a over the stream name: only needs to be stable, not strong, because mix64 follows.
std::uint64_t hash_name(std::string_view name) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char character : name) {
    hash ^= static_cast<unsigned char>(character);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

}  // namespace

std::uint64_t mix64(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

Prng::Prng(std::uint64_t seed) : seed_(seed) {
  std::uint64_t spread = seed;
  for (auto& word : state_) {
    spread += 0x9e3779b97f4a7c15ULL;
    word = mix64(spread);
  }
}

Prng Prng::split(std::string_view stream_name) const {
  return Prng(mix64(seed_ ^ mix64(hash_name(stream_name))));
}

std::uint64_t Prng::next() {
  const std::uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
  const std::uint64_t shifted = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= shifted;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

std::uint64_t Prng::below(std::uint64_t bound) {
  RS_ASSERT(bound > 0);
  // Lemire, "Fast Random Integer Generation in an Interval" (2019).
  unsigned __int128 product = static_cast<unsigned __int128>(next()) * bound;
  auto low = static_cast<std::uint64_t>(product);
  if (low < bound) {
    const std::uint64_t threshold = -bound % bound;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(next()) * bound;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

std::int64_t Prng::between(std::int64_t min, std::int64_t max) {
  RS_ASSERT(min <= max);
  const auto span = static_cast<std::uint64_t>(max - min) + 1;
  if (span == 0) return static_cast<std::int64_t>(next());  // the full 64-bit range
  return min + static_cast<std::int64_t>(below(span));
}

bool Prng::chance(std::uint64_t numerator, std::uint64_t denominator) {
  RS_ASSERT(denominator > 0);
  RS_ASSERT(numerator <= denominator);
  return below(denominator) < numerator;
}

}  // namespace reviewsim
