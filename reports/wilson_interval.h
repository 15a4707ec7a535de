#pragma once

// Confidence intervals for the share of schedules that showed an anomaly.

#include <cstdint>

namespace reviewsim {

// A share with its two-sided confidence interval, all in [0, 1].
struct ShareInterval {
  double share = 0.0;
  double low = 0.0;
  double high = 0.0;
};

// The 95% Wilson score interval of `successes` out of `trials`. Requires successes <= trials.
// With no trials the share is 0 and the interval is the whole [0, 1]. Unlike the normal
// approximation, the interval stays inside [0, 1] and is not empty at 0 or `trials` successes,
// which is where most rows of a comparison sit.
ShareInterval wilson_interval(std::uint64_t successes, std::uint64_t trials);

}  // namespace reviewsim
