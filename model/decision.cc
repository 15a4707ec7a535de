#include "model/decision.h"

#include "model/assert.h"

namespace reviewsim {

std::optional<Status> target_status(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::approve: return Status::approved;
    case DecisionKind::reject: return Status::rejected;
    case DecisionKind::manual_match: return Status::manual;
    case DecisionKind::clear: return std::nullopt;
  }
  RS_ASSERT(false);
}

std::string_view decision_kind_name(DecisionKind kind) {
  switch (kind) {
    case DecisionKind::approve: return "approve";
    case DecisionKind::reject: return "reject";
    case DecisionKind::manual_match: return "manual";
    case DecisionKind::clear: return "clear";
  }
  RS_ASSERT(false);
}

namespace {
constexpr std::string_view kActionNames[kActionKindCount] = {
    "approve", "reject", "manual", "clear", "switch", "hide", "show"};
}

std::string_view action_kind_name(ActionKind kind) {
  const auto index = static_cast<int>(kind);
  RS_ASSERT(index < kActionKindCount);
  return kActionNames[index];
}

std::optional<ActionKind> parse_action_kind(std::string_view name) {
  for (int index = 0; index < kActionKindCount; ++index) {
    if (kActionNames[index] == name) return static_cast<ActionKind>(index);
  }
  return std::nullopt;
}

bool is_decision(ActionKind kind) {
  return kind == ActionKind::approve || kind == ActionKind::reject ||
         kind == ActionKind::manual_match || kind == ActionKind::clear;
}

DecisionKind decision_kind_of(ActionKind kind) {
  switch (kind) {
    case ActionKind::approve: return DecisionKind::approve;
    case ActionKind::reject: return DecisionKind::reject;
    case ActionKind::manual_match: return DecisionKind::manual_match;
    case ActionKind::clear: return DecisionKind::clear;
    default: break;
  }
  RS_ASSERT(false);
}

}  // namespace reviewsim
