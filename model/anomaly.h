#pragma once

// A checker's findings.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/ids.h"

namespace reviewsim {

enum class AnomalyKind : std::uint8_t {
  lost_update,
  wrong_company_write,
  divergence,
  status_conflict,
};
inline constexpr int kAnomalyKindCount = 4;

std::string_view anomaly_kind_name(AnomalyKind kind);
std::optional<AnomalyKind> parse_anomaly_kind(std::string_view name);

struct Anomaly {
  AnomalyKind kind = AnomalyKind::lost_update;
  // A few sentences that name the users, the (company, item) and the steps involved.
  std::string explanation;
  std::vector<UserId> users;
  std::vector<ItemId> items;
  // History step numbers involved, ascending.
  std::vector<std::uint32_t> steps;
};

// The distinct kinds among `anomalies`, in kind order.
std::vector<AnomalyKind> anomaly_kinds(const std::vector<Anomaly>& anomalies);

}  // namespace reviewsim
