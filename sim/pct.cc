#include "sim/pct.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <vector>

#include "model/assert.h"

namespace reviewsim {

namespace {

class PctExplorer final : public Explorer {
 public:
  explicit PctExplorer(const PctParams& params) : params_(params) {
    RS_ASSERT(params.depth >= 1);
    RS_ASSERT(params.steps_estimate >= 1);
  }

  std::string_view name() const override { return "pct"; }
  bool needs_footprints() const override { return true; }

  std::size_t choose(const ChoiceContext& context) override {
    RS_ASSERT(context.footprints.size() == context.enabled.size());
    if (!change_points_drawn_) draw_change_points(context.prng);
    enabled_priorities_.clear();
    for (const Footprint& footprint : context.footprints) {
      const auto [found, added] = priorities_.try_emplace(footprint.actor);
      if (added) {
        // Initial priorities are at least d, so every change point's d - i stays below them.
        found->second =
            params_.depth + static_cast<std::int64_t>(context.prng.below(std::uint64_t{1} << 40));
      }
      enabled_priorities_.push_back(found->second);
    }

    std::size_t chosen = highest();
    const auto change = std::find(change_points_.begin(), change_points_.end(), context.step);
    if (change != change_points_.end()) {
      const auto index = static_cast<std::int64_t>(change - change_points_.begin()) + 1;
      const std::uint64_t actor = context.footprints[chosen].actor;
      priorities_[actor] = params_.depth - index;
      for (std::size_t other = 0; other < context.footprints.size(); ++other) {
        if (context.footprints[other].actor == actor) enabled_priorities_[other] = priorities_[actor];
      }
      chosen = highest();
    }
    return chosen;
  }

 private:
  void draw_change_points(Prng& prng) {
    change_points_drawn_ = true;
    for (int index = 1; index < params_.depth; ++index) {
      change_points_.push_back(static_cast<std::uint32_t>(1 + prng.below(params_.steps_estimate)));
    }
  }

  // The enabled event of the highest-priority actor; enabled events come in creation order, so
  // the first one found for an actor is its earliest.
  std::size_t highest() const {
    const auto best = std::max_element(enabled_priorities_.begin(), enabled_priorities_.end());
    return static_cast<std::size_t>(best - enabled_priorities_.begin());
  }

  PctParams params_;
  bool change_points_drawn_ = false;
  std::vector<std::uint32_t> change_points_;
  std::unordered_map<std::uint64_t, std::int64_t> priorities_;  // looked up, never iterated
  std::vector<std::int64_t> enabled_priorities_;  // of each enabled event's actor, this step
};

}  // namespace

std::unique_ptr<Explorer> make_pct_explorer(const PctParams& params) {
  return std::make_unique<PctExplorer>(params);
}

double pct_bound(int actors, std::uint32_t steps, int depth) {
  RS_ASSERT(actors >= 1);
  RS_ASSERT(depth >= 1);
  return 1.0 / (actors * std::pow(static_cast<double>(steps), depth - 1));
}

}  // namespace reviewsim
