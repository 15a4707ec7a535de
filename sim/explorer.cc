#include "sim/explorer.h"

#include "model/assert.h"
#include "sim/pct.h"

namespace reviewsim {

namespace {

class TimedExplorer final : public Explorer {
 public:
  std::string_view name() const override { return "timed"; }

  std::size_t choose(const ChoiceContext& context) override {
    const std::span<const Event> enabled = context.enabled;
    RS_ASSERT(!enabled.empty());
    TimeMs earliest = enabled[0].due_ms;
    std::size_t ties = 0;
    for (const Event& event : enabled) {
      if (event.due_ms < earliest) {
        earliest = event.due_ms;
        ties = 1;
      } else if (event.due_ms == earliest) {
        ++ties;
      }
    }
    std::size_t pick = ties == 1 ? 0 : context.prng.below(ties);
    for (std::size_t index = 0; index < enabled.size(); ++index) {
      if (enabled[index].due_ms != earliest) continue;
      if (pick == 0) return index;
      --pick;
    }
    RS_ASSERT(false);
  }
};

class RandomExplorer final : public Explorer {
 public:
  std::string_view name() const override { return "random"; }

  std::size_t choose(const ChoiceContext& context) override {
    RS_ASSERT(!context.enabled.empty());
    return context.prng.below(context.enabled.size());
  }
};

}  // namespace

ScheduleMismatch::ScheduleMismatch(std::uint32_t step, std::string problem)
    : std::runtime_error(std::move(problem)), step_(step) {}

std::size_t ReplayExplorer::choose(const ChoiceContext& context) {
  const std::span<const Event> enabled = context.enabled;
  RS_ASSERT(!enabled.empty());
  const auto step = static_cast<std::uint32_t>(next_ + 1);
  if (next_ >= schedule_.size()) {
    throw ScheduleMismatch(step, "the recorded schedule ends after " +
                                     std::to_string(schedule_.size()) +
                                     " choices, but the run is not quiescent yet");
  }
  const std::uint32_t choice = schedule_[next_++];
  if (choice >= enabled.size()) {
    throw ScheduleMismatch(step, "scheduled step " + std::to_string(step) + " recorded choice " +
                                     std::to_string(choice) + " but only " +
                                     std::to_string(enabled.size()) + " events are enabled");
  }
  return choice;
}

bool independent(const Footprint& a, const Footprint& b) {
  if (a.actor == b.actor) return false;
  if (a.client_user != 0 && a.client_user == b.client_user) return false;
  if ((a.droppable && b.moves_quiescence) || (b.droppable && a.moves_quiescence)) return false;
  for (const auto& [a_key, a_writes] : a.keys) {
    for (const auto& [b_key, b_writes] : b.keys) {
      if (a_key == b_key && (a_writes || b_writes)) return false;
    }
  }
  return true;
}

std::string_view explorer_kind_name(ExplorerKind kind) {
  switch (kind) {
    case ExplorerKind::timed: return "timed";
    case ExplorerKind::random: return "random";
    case ExplorerKind::pct: return "pct";
  }
  RS_ASSERT(false);
}

std::optional<ExplorerKind> parse_explorer_kind(std::string_view name) {
  if (name == "timed") return ExplorerKind::timed;
  if (name == "random") return ExplorerKind::random;
  if (name == "pct") return ExplorerKind::pct;
  return std::nullopt;
}

std::unique_ptr<Explorer> make_explorer(ExplorerKind kind, const PctParams& pct) {
  switch (kind) {
    case ExplorerKind::timed: return std::make_unique<TimedExplorer>();
    case ExplorerKind::random: return std::make_unique<RandomExplorer>();
    case ExplorerKind::pct: return make_pct_explorer(pct);
  }
  RS_ASSERT(false);
}

}  // namespace reviewsim
