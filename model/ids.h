#pragma once

// Small integer ids for the things a scenario names. Names live in the Catalog; the hot paths
// of the simulator move these ids, never strings.

#include <compare>
#include <cstdint>
#include <functional>
#include <string_view>

namespace reviewsim {

// Virtual time in milliseconds since the start of a run.
using TimeMs = std::int64_t;

// 1..users_count for u1..u5. 0 names the author of the entries a scenario stores before the
// run starts (written "import" in stored values).
using UserId = std::uint8_t;
inline constexpr UserId kImportUser = 0;
inline constexpr int kUsersMax = 5;

// Index into Catalog::companies().
using CompanyId = std::uint16_t;

// Index into Catalog::items(): unique across companies, so an item written under a foreign
// company's key is still recognised.
using ItemId = std::uint16_t;

// Identifies one decision: its user and that user's decision counter, starting at 1.
struct DecisionId {
  UserId user = kImportUser;
  std::uint32_t seq = 0;

  friend auto operator<=>(const DecisionId&, const DecisionId&) = default;
};

// The three status maps of the app's review state, in the app's order.
enum class Status : std::uint8_t { approved = 0, rejected = 1, manual = 2 };
inline constexpr int kStatusCount = 3;
inline constexpr Status kStatuses[kStatusCount] = {Status::approved, Status::rejected,
                                                   Status::manual};

std::string_view status_name(Status status);

}  // namespace reviewsim
