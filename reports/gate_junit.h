#pragma once

// The gate's result as JUnit XML, the test report format that CI systems display.

#include <string>

#include "reports/gate_report.h"

namespace reviewsim {

// One <testsuite> (named for the shards the result contains) with one <testcase> per gate case:
// classname "reviewsim.<scenario>" (or "reviewsim.regressions") and name gate_case_name(). A failed case
// has a <failure> whose message is the case's one-line message and whose text lists every
// failing row, the anomaly explanation and the trace paths; a skipped case has <skipped>. Text
// that XML 1.0 cannot carry (control characters) is replaced by '?'.
std::string gate_junit(const GateResult& result);

}  // namespace reviewsim
