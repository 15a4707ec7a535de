#include "model/anomaly.h"

#include "model/assert.h"

namespace reviewsim {

namespace {
constexpr std::string_view kAnomalyNames[kAnomalyKindCount] = {
    "lost-update", "wrong-company-write", "divergence", "status-conflict"};
}

std::string_view anomaly_kind_name(AnomalyKind kind) {
  const auto index = static_cast<int>(kind);
  RS_ASSERT(index < kAnomalyKindCount);
  return kAnomalyNames[index];
}

std::optional<AnomalyKind> parse_anomaly_kind(std::string_view name) {
  for (int index = 0; index < kAnomalyKindCount; ++index) {
    if (kAnomalyNames[index] == name) return static_cast<AnomalyKind>(index);
  }
  return std::nullopt;
}

}  // namespace reviewsim
