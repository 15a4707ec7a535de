// reviewsim shrink: writes the smallest trace found that still shows an anomaly of the same
// kind as the input trace.

#include <iostream>

#include <fmt/format.h>

#include "adapters/trace_file.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "sim/replay.h"
#include "sim/shrink.h"

namespace reviewsim::cli {

namespace {

struct ShrinkCommandOptions {
  std::string file;
  std::string out;
  std::string kind;
  std::uint32_t seeds = 16;
  bool regression = false;
};

int run_shrink(const ShrinkCommandOptions& options) {
  const Trace trace = load_trace_file(options.file);
  const ReplayOutcome replayed = replay_trace(trace);
  if (!replayed.mismatch.empty()) {
    throw UsageError(fmt::format("{}: the trace does not replay: {}", options.file, replayed.mismatch));
  }
  if (replayed.result.anomalies.empty()) {
    throw UsageError(fmt::format("{}: the trace shows no anomaly, so there is nothing to shrink", options.file));
  }

  AnomalyKind kind = replayed.result.anomalies.front().kind;
  if (!options.kind.empty()) {
    const auto parsed = parse_anomaly_kind(options.kind);
    if (!parsed) {
      throw UsageError(fmt::format("--kind: expected lost-update, wrong-company-write, divergence or "
                                   "status-conflict, got \"{}\"", options.kind));
    }
    const bool present = std::any_of(replayed.result.anomalies.begin(), replayed.result.anomalies.end(),
                                     [&](const Anomaly& anomaly) { return anomaly.kind == *parsed; });
    if (!present) throw UsageError(fmt::format("--kind: the trace shows no {}", options.kind));
    kind = *parsed;
  }

  ShrinkOptions shrink_options;
  shrink_options.seeds_per_candidate = options.seeds;
  ShrinkResult shrunk = shrink_trace(trace, kind, shrink_options);
  shrunk.trace.scenario.name = trace.scenario.name + "-shrunk";
  if (options.regression) shrunk.trace.expected_kinds = anomaly_kinds(shrunk.trace.anomalies);
  write_text_file(options.out, format_trace(shrunk.trace));

  std::cout << fmt::format("shrink: {} ({})\n", options.file, anomaly_kind_name(kind));
  std::cout << fmt::format("  before: {}\n", describe(measure(trace)));
  std::cout << fmt::format("  after:  {}\n", describe(measure(shrunk.trace)));
  std::cout << fmt::format("  {} candidates tried, {} kept, {} runs{}\n", shrunk.candidates_tried,
                           shrunk.candidates_kept, shrunk.runs,
                           shrunk.runs_max_hit ? " (stopped at the run limit)" : "");
  for (const Anomaly& anomaly : shrunk.trace.anomalies) {
    if (anomaly.kind == kind) {
      std::cout << fmt::format("  {}: {}\n", anomaly_kind_name(anomaly.kind), anomaly.explanation);
      break;
    }
  }
  std::cout << fmt::format("Wrote {}.\n", options.out);
  return kExitClean;
}

}  // namespace

CommandRunner add_shrink_command(CLI::App& app) {
  auto options = std::make_shared<ShrinkCommandOptions>();
  CLI::App* command = app.add_subcommand(
      "shrink",
      "Write the smallest trace found that still shows an anomaly of the same kind: fewer "
      "users, actions, initial entries, companies and items, then the shortest schedule. "
      "Deterministic.");
  command->add_option("file", options->file, "Trace file to shrink")->required();
  command->add_option("--out", options->out, "Where to write the shrunk trace")->required();
  command->add_option("--kind", options->kind,
                      "Anomaly kind to keep (default: the kind of the trace's first anomaly)");
  command->add_flag("--regression", options->regression,
                    "Record the shrunk trace's anomaly kinds as the outcome it must keep, for "
                    "tests/regressions/");
  command->add_option("--seeds", options->seeds,
                      "Seeds tried per candidate scenario before it is given up")
      ->capture_default_str();
  return [options] { return run_shrink(*options); };
}

}  // namespace reviewsim::cli
