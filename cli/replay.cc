// reviewsim replay: re-executes a trace, checks its history hash, and prints the run as a
// timeline, a Mermaid sequence diagram or JSON.

#include <iostream>

#include <fmt/format.h>

#include "adapters/trace_file.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "reports/history_views.h"
#include "reports/timeline.h"
#include "sim/replay.h"

namespace reviewsim::cli {

namespace {

struct ReplayOptions {
  std::string file;
  std::string format = "text";
  std::uint32_t step = 0;
  bool check = false;
};

std::string kinds_text(const std::vector<AnomalyKind>& kinds) {
  if (kinds.empty()) return "none";
  std::string text;
  for (const AnomalyKind kind : kinds) text += (text.empty() ? "" : ", ") + std::string(anomaly_kind_name(kind));
  return text;
}

int run_replay(const ReplayOptions& options) {
  if (options.format != "text" && options.format != "mermaid" && options.format != "json") {
    throw UsageError(fmt::format("--format: expected text, mermaid or json, got \"{}\"", options.format));
  }
  const Trace trace = load_trace_file(options.file);
  if (options.step > trace.schedule.size()) {
    throw UsageError(fmt::format("--step: the trace has {} scheduled steps, got {}",
                                 trace.schedule.size(), options.step));
  }
  const ReplayOutcome outcome = replay_trace(trace, options.step);
  const SimulationResult& result = outcome.result;
  const Catalog& catalog = trace.scenario.catalog;

  if (!outcome.mismatch.empty()) {
    std::cerr << fmt::format("reviewsim: replay of {} failed: {}\n", options.file, outcome.mismatch);
    if (outcome.first_differing_step && result.history &&
        *outcome.first_differing_step <= result.history->steps().size()) {
      const StepRecord& step = result.history->steps()[*outcome.first_differing_step - 1];
      std::cerr << fmt::format("The replay's step {} is: {} {} {}\n", step.step, actor_name(step),
                               event_kind_name(step.kind), describe_step(step, catalog));
    }
    return kExitAnomaly;
  }

  if (options.format == "mermaid") {
    std::cout << render_mermaid(*result.history, catalog, result.anomalies, trace.users_count);
  } else if (options.format == "json") {
    std::cout << render_history_json(*result.history, catalog, result.anomalies);
  } else {
    std::cout << fmt::format("replay: {} (scenario {}, strategy {}, client {}, {} users, seed {})\n",
                             options.file, trace.scenario.name, trace.strategy, trace.client,
                             trace.users_count, trace.seed);
    std::cout << render_timeline(*result.history, catalog, result.anomalies);
    if (result.stopped) std::cout << "\n" << render_state(*result.stopped, catalog);
  }

  if (result.stopped) return kExitClean;
  const auto found = anomaly_kinds(result.anomalies);
  if (options.format == "text") {
    std::cout << fmt::format("\nReplayed {} steps; history hash {:016x} matches the trace.\n",
                             result.steps_count, result.history_hash);
    for (const Anomaly& anomaly : result.anomalies) {
      std::cout << fmt::format("- {}: {}\n", anomaly_kind_name(anomaly.kind), anomaly.explanation);
    }
  }
  if (!options.check) return result.anomalies.empty() ? kExitClean : kExitAnomaly;

  std::vector<AnomalyKind> expected = trace.expected_kinds ? *trace.expected_kinds : anomaly_kinds(trace.anomalies);
  std::sort(expected.begin(), expected.end());
  expected.erase(std::unique(expected.begin(), expected.end()), expected.end());
  if (found != expected) {
    std::cerr << fmt::format("reviewsim: {}: the replay shows {}, the trace expects {}\n", options.file,
                             kinds_text(found), kinds_text(expected));
    return kExitAnomaly;
  }
  std::cerr << fmt::format("{}: reproduced ({})\n", options.file, kinds_text(found));
  return kExitClean;
}

}  // namespace

CommandRunner add_replay_command(CLI::App& app) {
  auto options = std::make_shared<ReplayOptions>();
  CLI::App* command = app.add_subcommand(
      "replay",
      "Re-execute a trace file, check that its history hash matches, and print the run. Exits 1 "
      "when the replay differs from the trace (naming the first differing step) or shows an "
      "anomaly; with --check, 0 when it reproduces the trace's expected anomalies exactly.");
  command->add_option("file", options->file, "Trace file written by run --trace-out, compare --traces, explore or shrink")
      ->required();
  command->add_option("--format", options->format,
                      "Output: text (a timeline), mermaid (a sequence diagram) or json (the history)")
      ->capture_default_str();
  command->add_option("--step", options->step,
                      "Stop after this scheduled step and print every user's view and the store there "
                      "(text format)");
  command->add_flag("--check", options->check,
                    "Regression mode: succeed only when the replay reproduces the trace's hash and "
                    "its expected_anomalies (or, without them, its recorded anomaly kinds)");
  return [options] { return run_replay(*options); };
}

}  // namespace reviewsim::cli
