#include "model/anomaly.h"

#include <algorithm>

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

std::vector<AnomalyKind> anomaly_kinds(const std::vector<Anomaly>& anomalies) {
  std::vector<AnomalyKind> kinds;
  for (const Anomaly& anomaly : anomalies) kinds.push_back(anomaly.kind);
  std::sort(kinds.begin(), kinds.end());
  kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
  return kinds;
}

}  // namespace reviewsim
