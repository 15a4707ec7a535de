#pragma once

// Shrinking: from a trace that shows an anomaly, a smaller trace that still shows an anomaly of
// the same kind. Fewer users, fewer actions, fewer initial entries, companies and items, and
// then the shortest schedule found for what is left.
//
// The search is greedy and deterministic. The generated workload is first written out as
// explicit scripts (the same actions the trace's seed drew), so that single actions can go.
// Each candidate scenario is run under the trace's strategy, client and explorer with the
// trace's seed and then seeds 1, 2, ... up to seeds_per_candidate; the first seed that shows the
// kind keeps the candidate. Candidates are tried in a fixed order, and after every success the
// search starts again, until no candidate is kept.

#include <cstdint>
#include <functional>
#include <string>

#include "adapters/trace_file.h"

namespace reviewsim {

struct TraceSize {
  int users = 0;
  int actions = 0;
  int decisions = 0;
  int initial_entries = 0;
  int companies = 0;
  int items = 0;
  std::uint32_t schedule_steps = 0;
};

TraceSize measure(const Trace& trace);
std::string describe(const TraceSize& size);

struct ShrinkOptions {
  std::uint32_t seeds_per_candidate = 16;
  // Candidate runs at most; the search stops with the best trace so far when it is reached.
  std::uint32_t runs_max = 200000;
};

struct ShrinkResult {
  Trace trace;
  std::uint32_t candidates_tried = 0;
  std::uint32_t candidates_kept = 0;
  std::uint32_t runs = 0;
  bool runs_max_hit = false;
};

// Requires a trace whose replay shows `kind`. The result's trace shows `kind` too, and its
// anomalies are those of its own run.
ShrinkResult shrink_trace(const Trace& trace, AnomalyKind kind, const ShrinkOptions& options);

}  // namespace reviewsim
