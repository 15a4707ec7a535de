#include "sim/exhaustive.h"

#include <algorithm>
#include <span>

#include "model/assert.h"

namespace reviewsim {

namespace {

// A run reached a state where every event to explore sleeps.
struct PrunedRun {};

struct SleepingEvent {
  std::uint64_t identity = 0;
  Footprint footprint;
};

// A set of step indexes (0-based) of the current path.
class StepSet {
 public:
  bool contains(std::size_t step) const {
    return step / 64 < words_.size() && (words_[step / 64] >> (step % 64) & 1) != 0;
  }
  void insert(std::size_t step) {
    if (step / 64 >= words_.size()) words_.resize(step / 64 + 1);
    words_[step / 64] |= std::uint64_t{1} << (step % 64);
  }
  void insert_all(const StepSet& other) {
    if (other.words_.size() > words_.size()) words_.resize(other.words_.size());
    for (std::size_t index = 0; index < other.words_.size(); ++index) words_[index] |= other.words_[index];
  }

 private:
  std::vector<std::uint64_t> words_;
};

// One scheduling point on the current path of the search.
struct Frame {
  std::vector<std::uint64_t> enabled;      // identities, in the engine's order
  std::vector<Footprint> footprints;       // of the enabled events
  std::vector<std::uint32_t> created_at;   // of the enabled events
  std::vector<SleepingEvent> sleep;        // asleep on entry to this point
  std::vector<std::uint64_t> done;         // explored here already
  std::vector<std::uint64_t> backtrack;    // DPOR: the events to explore here
  std::size_t chosen = 0;                  // index into `enabled`
  std::uint64_t previous_actor = 0;        // the actor of the step before, 0 at the start
  int preemptions = 0;                     // preemptions on the path before this point
  StepSet past;                            // DPOR: the earlier steps that happen before the chosen one

  bool is_enabled(std::uint64_t identity) const {
    return std::find(enabled.begin(), enabled.end(), identity) != enabled.end();
  }
};

bool contains(const std::vector<std::uint64_t>& identities, std::uint64_t identity) {
  return std::find(identities.begin(), identities.end(), identity) != identities.end();
}

void add_once(std::vector<std::uint64_t>& identities, std::uint64_t identity) {
  if (!contains(identities, identity)) identities.push_back(identity);
}

// A scheduling point for these enabled events, with nothing explored yet.
Frame frame_of(std::span<const Event> enabled, std::span<const Footprint> footprints) {
  Frame frame;
  for (std::size_t index = 0; index < enabled.size(); ++index) {
    frame.enabled.push_back(enabled[index].identity);
    frame.footprints.push_back(footprints[index]);
    frame.created_at.push_back(enabled[index].created_at);
  }
  return frame;
}

class SearchExplorer final : public Explorer {
 public:
  SearchExplorer(std::vector<Frame>& stack, const ExhaustiveOptions& options, ExhaustiveResult& result)
      : stack_(stack), options_(options), result_(result) {}

  std::string_view name() const override { return "exhaustive"; }
  bool needs_footprints() const override { return true; }

  std::size_t choose(const ChoiceContext& context) override {
    const std::size_t depth = context.step - 1;
    if (depth < stack_.size()) return replay(stack_[depth], context);

    Frame frame = frame_of(context.enabled, context.footprints);
    if (!stack_.empty()) {
      const Frame& parent = stack_.back();
      const Footprint& ran = parent.footprints[parent.chosen];
      frame.previous_actor = ran.actor;
      frame.preemptions = parent.preemptions + (is_preemption(parent, parent.chosen) ? 1 : 0);
      if (options_.reduction != Reduction::none) frame.sleep = sleep_after(parent);
    }
    if (options_.reduction == Reduction::dpor) {
      // Start with the first event awake here; races found later add the others they need.
      for (const std::uint64_t identity : frame.enabled) {
        if (!is_asleep(frame, identity)) {
          frame.backtrack.push_back(identity);
          break;
        }
      }
    }
    const auto first = next_candidate(frame);
    if (!first) {
      if (options_.reduction == Reduction::dpor) find_races(frame);
      throw PrunedRun{};
    }
    frame.chosen = *first;
    stack_.push_back(std::move(frame));
    return stack_.back().chosen;
  }

  void finish(std::span<const Event> pending, std::span<const Footprint> footprints) override {
    if (options_.reduction == Reduction::dpor) find_races(frame_of(pending, footprints));
  }

  // The next choice at `frame` that is unexplored, awake, wanted by DPOR and allowed by the
  // preemption bound, in the engine's order.
  std::optional<std::size_t> next_candidate(const Frame& frame) {
    for (std::size_t index = 0; index < frame.enabled.size(); ++index) {
      const std::uint64_t identity = frame.enabled[index];
      if (contains(frame.done, identity) || is_asleep(frame, identity)) continue;
      if (options_.reduction == Reduction::dpor && !contains(frame.backtrack, identity)) continue;
      if (options_.preemption_bound &&
          frame.preemptions + (is_preemption(frame, index) ? 1 : 0) > *options_.preemption_bound) {
        ++result_.bounded;
        continue;
      }
      return index;
    }
    return std::nullopt;
  }

  // The frames from `depth` on have changed since their races were last looked for.
  void changed_from(std::size_t depth) { races_checked_ = std::min(races_checked_, depth); }

 private:
  std::size_t replay(const Frame& frame, const ChoiceContext& context) {
    const std::uint64_t identity = frame.enabled[frame.chosen];
    for (std::size_t index = 0; index < context.enabled.size(); ++index) {
      if (context.enabled[index].identity == identity) return index;
    }
    RS_ASSERT(false);  // a deterministic engine reaches the same events on the same path
  }

  static bool is_asleep(const Frame& frame, std::uint64_t identity) {
    return std::any_of(frame.sleep.begin(), frame.sleep.end(),
                       [identity](const SleepingEvent& event) { return event.identity == identity; });
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

  // DPOR's race analysis of the current path, which ended at `end` (the events still enabled
  // there). Every event the path ran, and every event it left enabled or disabled, is checked
  // against the steps before it. Steps the previous analysis covered keep their results.
  void find_races(const Frame& end) {
    const std::size_t length = stack_.size();
    for (std::size_t step = races_checked_; step < length; ++step) {
      Frame& frame = stack_[step];
      Causes causes = causes_of(frame.footprints[frame.chosen], frame.created_at[frame.chosen], step);
      add_backtracks(frame.enabled[frame.chosen], frame.created_at[frame.chosen], causes, step);
      frame.past = std::move(causes.all);
    }
    // An event enabled at a step and gone after it without running was cancelled by that step
    // (a timer the user re-armed). The cancelling step conflicts with it, so the search must
    // also try the event first there.
    for (std::size_t step = races_checked_ > 0 ? races_checked_ - 1 : 0; step < length; ++step) {
      const Frame& frame = stack_[step];
      const Frame& next = step + 1 < length ? stack_[step + 1] : end;
      for (std::size_t index = 0; index < frame.enabled.size(); ++index) {
        if (index == frame.chosen || next.is_enabled(frame.enabled[index])) continue;
        add_once(stack_[step].backtrack, frame.enabled[index]);
        add_backtracks(frame.enabled[index], frame.created_at[index],
                       causes_of(frame.footprints[index], frame.created_at[index], step), step);
      }
    }
    for (std::size_t index = 0; index < end.enabled.size(); ++index) {
      add_backtracks(end.enabled[index], end.created_at[index],
                     causes_of(end.footprints[index], end.created_at[index], length), length);
    }
    races_checked_ = length;
  }

  // The steps before `step` that happen before an event with this footprint and creation step.
  struct Causes {
    std::vector<std::size_t> direct;  // its creator and every earlier step it conflicts with
    StepSet all;                      // the direct causes and everything before them
  };

  Causes causes_of(const Footprint& footprint, std::uint32_t created_at, std::size_t step) const {
    Causes causes;
    for (std::size_t earlier = 0; earlier < step; ++earlier) {
      const Frame& frame = stack_[earlier];
      if (earlier + 1 == created_at || !independent(frame.footprints[frame.chosen], footprint)) {
        causes.direct.push_back(earlier);
        causes.all.insert(earlier);
        causes.all.insert_all(frame.past);
      }
    }
    return causes;
  }

  // Source-DPOR's backtracking rule (Abdulla, Aronis, Jonsson and Sagonas, "Optimal Dynamic
  // Partial Order Reduction", POPL 2014) for the event `identity`, enabled at `step` (run there,
  // or left enabled there). A race is an earlier step that conflicts with the event while no
  // other step orders the two. The reversed order runs the later steps that do not depend on
  // the racing one, then the event. Before the racing step, the search must try one of the
  // events that can start that order.
  void add_backtracks(std::uint64_t identity, std::uint32_t created_at, const Causes& causes,
                      std::size_t step) {
    for (const std::size_t race : causes.direct) {
      if (race + 1 == created_at) continue;  // the event cannot run before its creator
      const bool ordered = std::any_of(causes.direct.begin(), causes.direct.end(), [&](std::size_t cause) {
        return cause != race && stack_[cause].past.contains(race);
      });
      if (ordered) continue;  // another cause comes after `race`, so the two are not a race

      // The reversed order starts with the steps after `race` that do not depend on it. None of
      // them is `race` or before it, so the event depends on one of them exactly when it is
      // among the event's causes.
      std::vector<std::size_t> independent_steps;
      for (std::size_t later = race + 1; later < step; ++later) {
        if (!stack_[later].past.contains(race)) independent_steps.push_back(later);
      }
      std::vector<std::uint64_t> initials;
      if (std::none_of(independent_steps.begin(), independent_steps.end(),
                       [&](std::size_t later) { return causes.all.contains(later); })) {
        initials.push_back(identity);
      }
      for (std::size_t index = 0; index < independent_steps.size(); ++index) {
        const std::size_t later = independent_steps[index];
        const bool first = std::none_of(independent_steps.begin(), independent_steps.begin() + index,
                                        [&](std::size_t before) { return stack_[later].past.contains(before); });
        if (first) initials.push_back(stack_[later].enabled[stack_[later].chosen]);
      }

      Frame& frame = stack_[race];
      const bool covered = std::any_of(initials.begin(), initials.end(), [&frame](std::uint64_t initial) {
        return contains(frame.backtrack, initial);
      });
      if (covered) continue;
      const auto enabled_initial = std::find_if(initials.begin(), initials.end(),
                                                [&frame](std::uint64_t initial) { return frame.is_enabled(initial); });
      if (enabled_initial != initials.end()) {
        frame.backtrack.push_back(*enabled_initial);
      } else {
        for (const std::uint64_t enabled : frame.enabled) add_once(frame.backtrack, enabled);
      }
    }
  }

  std::vector<Frame>& stack_;
  const ExhaustiveOptions& options_;
  ExhaustiveResult& result_;
  std::size_t races_checked_ = 0;  // frames below this had their races found on this path
};

}  // namespace

ExhaustiveResult explore_exhaustively(const SimulationConfig& base, const ExhaustiveOptions& options) {
  ExhaustiveResult result;
  std::vector<Frame> stack;
  SearchExplorer explorer(stack, options, result);
  SimulationConfig config = base;
  config.explorer_override = &explorer;
  RS_ASSERT(options.reduction == Reduction::none || !options.preemption_bound);
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

    // Backtrack to the deepest point with a choice still to explore.
    for (;;) {
      if (stack.empty()) {
        result.complete = true;
        return result;
      }
      Frame& frame = stack.back();
      frame.done.push_back(frame.enabled[frame.chosen]);
      if (const auto next = explorer.next_candidate(frame)) {
        frame.chosen = *next;
        explorer.changed_from(stack.size() - 1);
        break;
      }
      stack.pop_back();
    }
  }
}

}  // namespace reviewsim
