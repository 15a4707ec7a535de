#include "reports/wilson_interval.h"

#include <algorithm>
#include <cmath>

#include "model/assert.h"

namespace reviewsim {

namespace {

// The standard normal quantile for a two-sided 95% interval.
constexpr double kZ95 = 1.959963984540054;

}  // namespace

// The Wilson score interval (E. B. Wilson, "Probable inference, the law of succession, and
// statistical inference", Journal of the American Statistical Association 22 (1927) 209-212):
// with p = k / n and z the normal quantile, the bounds are
//   (p + z^2 / 2n  -/+  z * sqrt(p (1 - p) / n + z^2 / 4n^2)) / (1 + z^2 / n).
ShareInterval wilson_interval(std::uint64_t successes, std::uint64_t trials) {
  RS_ASSERT(successes <= trials);
  if (trials == 0) return ShareInterval{0.0, 0.0, 1.0};

  const double n = static_cast<double>(trials);
  const double p = static_cast<double>(successes) / n;
  const double z2 = kZ95 * kZ95;
  const double denominator = 1.0 + z2 / n;
  const double center = (p + z2 / (2.0 * n)) / denominator;
  const double half_width = kZ95 * std::sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denominator;

  // The exact bounds at 0 and n successes are 0 and 1; rounding could leave them a hair away.
  ShareInterval interval;
  interval.share = p;
  interval.low = successes == 0 ? 0.0 : std::max(0.0, center - half_width);
  interval.high = successes == trials ? 1.0 : std::min(1.0, center + half_width);
  return interval;
}

}  // namespace reviewsim
