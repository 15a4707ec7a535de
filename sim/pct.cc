#include "sim/pct.h"

#include <algorithm>
#include <cmath>
#include <map>
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
    if (!change_points_drawn_) draw_change_points(context.prng);
    for (const Footprint& footprint : context.footprints) {
      if (!priorities_.contains(footprint.actor)) {
        // Initial priorities are at least d, so every change point's d - i stays below them.
        priorities_[footprint.actor] =
            params_.depth + static_cast<std::int64_t>(context.prng.below(std::uint64_t{1} << 40));
      }
    }

    std::size_t chosen = highest(context);
    const auto change = std::find(change_points_.begin(), change_points_.end(), context.step);
    if (change != change_points_.end()) {
      const auto index = static_cast<std::int64_t>(change - change_points_.begin()) + 1;
      priorities_[context.footprints[chosen].actor] = params_.depth - index;
      chosen = highest(context);
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
  std::size_t highest(const ChoiceContext& context) const {
    RS_ASSERT(context.footprints.size() == context.enabled.size());
    std::size_t best = 0;
    for (std::size_t index = 1; index < context.footprints.size(); ++index) {
      if (priorities_.at(context.footprints[index].actor) >
          priorities_.at(context.footprints[best].actor)) {
        best = index;
      }
    }
    return best;
  }

  PctParams params_;
  bool change_points_drawn_ = false;
  std::vector<std::uint32_t> change_points_;
  std::map<std::uint64_t, std::int64_t> priorities_;
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
