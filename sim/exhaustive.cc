#include "sim/exhaustive.h"

#include <algorithm>

#include "model/assert.h"

namespace reviewsim {

namespace {

// A run reached a state where every enabled event sleeps.
struct PrunedRun {};

struct SleepingEvent {
  std::uint64_t identity = 0;
  Footprint footprint;
};

// One scheduling point on the current path of the search.
struct Frame {
  std::vector<std::uint64_t> enabled;      // identities, in the engine's order
  std::vector<Footprint> footprints;       // of the enabled events
  std::vector<SleepingEvent> sleep;        // asleep on entry to this point
  std::vector<std::uint64_t> done;         // explored here already
  std::size_t chosen = 0;                  // index into `enabled`
  std::uint64_t previous_actor = 0;        // the actor of the step before, 0 at the start
  int preemptions = 0;                     // preemptions on the path before this point
};

class SearchExplorer final : public Explorer {
 public:
  SearchExplorer(std::vector<Frame>& stack, const ExhaustiveOptions& options, ExhaustiveResult& result)
      : stack_(stack), options_(options), result_(result) {}

  std::string_view name() const override { return "exhaustive"; }
  bool needs_footprints() const override { return true; }

  std::size_t choose(const ChoiceContext& context) override {
    const std::size_t depth = context.step - 1;
    if (depth < stack_.size()) return replay(stack_[depth], context);

    Frame frame;
    for (std::size_t index = 0; index < context.enabled.size(); ++index) {
      frame.enabled.push_back(context.enabled[index].identity);
      frame.footprints.push_back(context.footprints[index]);
    }
    if (!stack_.empty()) {
      const Frame& parent = stack_.back();
      const Footprint& ran = parent.footprints[parent.chosen];
      frame.previous_actor = ran.actor;
      frame.preemptions = parent.preemptions + (is_preemption(parent, parent.chosen) ? 1 : 0);
      if (options_.reduction) frame.sleep = sleep_after(parent);
    }
    const auto first = next_candidate(frame);
    if (!first) throw PrunedRun{};
    frame.chosen = *first;
    stack_.push_back(std::move(frame));
    return stack_.back().chosen;
  }

  // The next unexplored, awake choice at `frame` that the preemption bound allows.
  std::optional<std::size_t> next_candidate(const Frame& frame) {
    for (std::size_t index = 0; index < frame.enabled.size(); ++index) {
      const std::uint64_t identity = frame.enabled[index];
      if (std::find(frame.done.begin(), frame.done.end(), identity) != frame.done.end()) continue;
      const bool asleep = std::any_of(frame.sleep.begin(), frame.sleep.end(),
                                      [identity](const SleepingEvent& event) { return event.identity == identity; });
      if (asleep) continue;
      if (options_.preemption_bound &&
          frame.preemptions + (is_preemption(frame, index) ? 1 : 0) > *options_.preemption_bound) {
        ++result_.bounded;
        continue;
      }
      return index;
    }
    return std::nullopt;
  }

 private:
  std::size_t replay(const Frame& frame, const ChoiceContext& context) {
    const std::uint64_t identity = frame.enabled[frame.chosen];
    for (std::size_t index = 0; index < context.enabled.size(); ++index) {
      if (context.enabled[index].identity == identity) return index;
    }
    RS_ASSERT(false);  // a deterministic engine reaches the same events on the same path
  }

  // Whether choosing `index` at `frame` switches away from an actor that could continue.
  static bool is_preemption(const Frame& frame, std::size_t index) {
    if (frame.previous_actor == 0 || frame.footprints[index].actor == frame.previous_actor) return false;
    return std::any_of(frame.footprints.begin(), frame.footprints.end(),
                       [&frame](const Footprint& footprint) { return footprint.actor == frame.previous_actor; });
  }

  // The sleep set on entry to the child of `parent`: what slept at the parent or was explored
  // there before, and does not conflict with the event the parent ran.
  static std::vector<SleepingEvent> sleep_after(const Frame& parent) {
    const Footprint& ran = parent.footprints[parent.chosen];
    std::vector<SleepingEvent> sleep;
    for (const SleepingEvent& event : parent.sleep) {
      if (independent(event.footprint, ran)) sleep.push_back(event);
    }
    for (const std::uint64_t identity : parent.done) {
      const auto index = static_cast<std::size_t>(
          std::find(parent.enabled.begin(), parent.enabled.end(), identity) - parent.enabled.begin());
      RS_ASSERT(index < parent.enabled.size());
      if (independent(parent.footprints[index], ran)) sleep.push_back({identity, parent.footprints[index]});
    }
    return sleep;
  }

  std::vector<Frame>& stack_;
  const ExhaustiveOptions& options_;
  ExhaustiveResult& result_;
};

}  // namespace

ExhaustiveResult explore_exhaustively(const SimulationConfig& base, const ExhaustiveOptions& options) {
  ExhaustiveResult result;
  std::vector<Frame> stack;
  SearchExplorer explorer(stack, options, result);
  SimulationConfig config = base;
  config.explorer_override = &explorer;
  RS_ASSERT(!(options.reduction && options.preemption_bound));
  config.schedule = nullptr;

  for (;;) {
    if (result.schedules >= options.schedules_max) return result;

    bool keep_going = true;
    try {
      const SimulationResult run = simulate(config);
      ++result.schedules;
      if (run.step_limit_hit) ++result.step_limit_hits;
      if (options.on_schedule) keep_going = options.on_schedule(run);
      if (!run.anomalies.empty()) {
        ++result.failing_schedules;
        if (!result.first_failure) {
          result.first_failure = result.schedules;
          result.first_failing_schedule = run.schedule;
          if (options.stop_at_first) return result;
        }
      }
    } catch (const PrunedRun&) {
      ++result.pruned;
    }
    if (!keep_going) return result;

    // Backtrack to the deepest point with an unexplored, awake choice.
    for (;;) {
      if (stack.empty()) {
        result.complete = true;
        return result;
      }
      Frame& frame = stack.back();
      frame.done.push_back(frame.enabled[frame.chosen]);
      if (const auto next = explorer.next_candidate(frame)) {
        frame.chosen = *next;
        break;
      }
      stack.pop_back();
    }
  }
}

}  // namespace reviewsim
