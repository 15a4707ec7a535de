// reviewsim report: renders result files (compare.json, gate results, explore results, earlier
// report.json) into report.html, report.md and report.json, and `report merge` combines the
// JSON results of gate shards into the result of one unsharded run.

#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common.h"
#include "reports/gate_junit.h"
#include "reports/gate_report.h"
#include "reports/report.h"
#include "reports/report_input.h"

namespace reviewsim::cli {

namespace {

namespace fs = std::filesystem;

struct ReportOptions {
  std::vector<std::string> inputs;
  std::vector<std::string> traces;
  std::string out = "report";
};

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string out;
  std::string junit_out;
};

// Input errors of the report readers are usage errors here: exit code 2 with the message.
template <typename Function>
auto as_usage_error(Function function) {
  try {
    return function();
  } catch (const ReportInputError& error) {
    throw UsageError(error.what());
  }
}

int run_report(const ReportOptions& options) {
  if (options.inputs.empty() && options.traces.empty()) {
    throw UsageError("report: expected result files with --in, traces with --traces, or both");
  }
  ReportData data;
  for (const std::string& input : options.inputs) {
    const std::string text = read_text_file(input);
    add_result_file(data, as_usage_error([&] { return parse_result_file(text, input); }));
  }
  const fs::path out = options.out;
  if (!options.traces.empty()) add_counterexamples(data, trace_files(options.traces), out);

  write_text_file(out / "report.html", report_html(data));
  write_text_file(out / "report.md", report_markdown(data));
  write_text_file(out / "report.json", report_json(data));
  std::cout << fmt::format("Read {} rows, {} explore results and {} gate results from {} files; {} "
                           "counterexamples.\n",
                           data.rows.size(), data.explore_results.size(), data.gates.size(), options.inputs.size(),
                           data.counterexamples.size());
  for (const std::string& note : data.notes) std::cout << "Note: " << note << "\n";
  std::cout << fmt::format("Wrote {}, {} and {}.\n", (out / "report.html").string(), (out / "report.md").string(),
                           (out / "report.json").string());
  return kExitClean;
}

int run_merge(const MergeOptions& options) {
  if (options.inputs.empty()) throw UsageError("report merge: expected the shard results with --in");
  if (options.out.empty()) throw UsageError("report merge: expected the merged file with --out");
  std::vector<GateResult> shards;
  for (const std::string& input : options.inputs) {
    const std::string text = read_text_file(input);
    shards.push_back(as_usage_error([&] { return parse_gate_json(text, input); }));
  }
  const GateResult merged = as_usage_error([&] { return merge_gate_results(shards, options.inputs); });

  write_text_file(options.out, gate_json(merged));
  if (!options.junit_out.empty()) write_text_file(options.junit_out, gate_junit(merged));
  const bool passed = gate_passed(merged);
  std::cout << fmt::format("Merged {} shards: {} cases, {} failed, {} skipped; the gate {}.\n", merged.shards.size(),
                           merged.cases.size(), gate_cases_with_status(merged, GateStatus::failed),
                           gate_cases_with_status(merged, GateStatus::skipped), passed ? "passed" : "FAILED");
  std::cout << fmt::format("Wrote {}{}.\n", options.out, options.junit_out.empty() ? "" : " and " + options.junit_out);
  return passed ? kExitClean : kExitAnomaly;
}

}  // namespace

CommandRunner add_report_command(CLI::App& app) {
  auto report_options = std::make_shared<ReportOptions>();
  auto merge_options = std::make_shared<MergeOptions>();
  CLI::App* report = app.add_subcommand(
      "report",
      "Render result files into report.html (one self-contained page with inline SVG charts), report.md "
      "and report.json; `report merge` combines gate shard results instead.");
  report->require_subcommand(0, 1);
  report->add_option("--in", report_options->inputs,
                     "Result files: compare.json, gate results (--json), explore results (explore --json) or an "
                     "earlier report.json");
  report->add_option("--traces", report_options->traces,
                     "Trace files or directories of them; the smallest trace of each anomaly kind, scenario, "
                     "strategy and client variant goes into the counterexample table with its timeline");
  report->add_option("--out", report_options->out, "Directory for report.html, report.md and report.json")
      ->capture_default_str();

  CLI::App* merge = report->add_subcommand(
      "merge",
      "Combine the JSON results of gate shards (gate --shard K/N --json FILE) into the result of one unsharded "
      "run. Needs every shard 1..N once, all from the same inputs and options. Exits 1 when the merged gate "
      "failed.");
  merge->add_option("--in", merge_options->inputs, "The shard result files")->required();
  merge->add_option("--out", merge_options->out, "The merged result file")->required();
  merge->add_option("--junit", merge_options->junit_out, "Also write the merged result as JUnit XML");

  return [report_options, merge_options, merge] {
    if (merge->parsed()) return run_merge(*merge_options);
    return run_report(*report_options);
  };
}

}  // namespace reviewsim::cli
