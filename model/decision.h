#pragma once

// Decisions and the user actions that make them.

#include <optional>
#include <string>
#include <string_view>

#include "model/ids.h"

namespace reviewsim {

enum class DecisionKind : std::uint8_t { approve, reject, manual_match, clear };

// The status a decision puts its item in; nullopt for clear, which removes it from all three.
std::optional<Status> target_status(DecisionKind kind);
std::string_view decision_kind_name(DecisionKind kind);

// One decision on one (company, item), as the deciding user made it.
struct Decision {
  DecisionId id;
  CompanyId company = 0;
  ItemId item = 0;
  DecisionKind kind = DecisionKind::approve;
  std::string node;  // the manual node; empty unless kind is manual_match
  TimeMs at_ms = 0;
};

enum class ActionKind : std::uint8_t {
  approve,
  reject,
  manual_match,
  clear,
  switch_company,
  hide_tab,
  show_tab,
};
inline constexpr int kActionKindCount = 7;

std::string_view action_kind_name(ActionKind kind);
std::optional<ActionKind> parse_action_kind(std::string_view name);
bool is_decision(ActionKind kind);
DecisionKind decision_kind_of(ActionKind kind);  // requires is_decision(kind)

// One step of a user's script. The decision actions act on `item` (of the user's current
// company), switch_company on `company`.
struct Action {
  ActionKind kind = ActionKind::approve;
  ItemId item = 0;
  CompanyId company = 0;
  std::string node;
  // Time between the previous action (or page ready) and this one; nullopt draws it from the
  // scenario's think_ms range.
  std::optional<TimeMs> after_ms;
};

}  // namespace reviewsim
