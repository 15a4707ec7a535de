#include "adapters/trace_file.h"

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "adapters/scenario_file.h"
#include "adapters/strategy.h"
#include "model/client_variant.h"

namespace reviewsim {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

std::string hex64(std::uint64_t value) { return fmt::format("{:016x}", value); }

// Reads one trace document, failing with the field's path on the first problem.
class TraceReader {
 public:
  TraceReader(const json& document, std::string source)
      : document_(document), source_(std::move(source)) {}

  Trace read();

 private:
  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw TraceError(source_, field, problem);
  }
  const json& require(const json& object, const std::string& path, const std::string& name) const;
  std::string read_string(const json& value, const std::string& path) const;
  std::uint64_t read_unsigned(const json& value, const std::string& path, std::uint64_t max) const;
  std::uint64_t read_hex64(const json& value, const std::string& path) const;
  std::vector<AnomalyKind> read_kinds(const json& value, const std::string& path) const;
  Anomaly read_anomaly(const json& value, const std::string& path) const;

  const json& document_;
  std::string source_;
};

const json& TraceReader::require(const json& object, const std::string& path,
                                 const std::string& name) const {
  const std::string field = path.empty() ? name : path + "." + name;
  const auto found = object.find(name);
  if (found == object.end()) fail(field, "missing required field (the trace may be truncated)");
  return *found;
}

std::string TraceReader::read_string(const json& value, const std::string& path) const {
  if (!value.is_string()) fail(path, "expected a string, found " + std::string(value.type_name()));
  return value.get<std::string>();
}

std::uint64_t TraceReader::read_unsigned(const json& value, const std::string& path,
                                         std::uint64_t max) const {
  if (!value.is_number_unsigned()) {
    fail(path, fmt::format("expected an integer from 0 to {}, found {}", max, value.dump()));
  }
  const auto number = value.get<std::uint64_t>();
  if (number > max) fail(path, fmt::format("expected an integer from 0 to {}, found {}", max, number));
  return number;
}

std::uint64_t TraceReader::read_hex64(const json& value, const std::string& path) const {
  const std::string text = read_string(value, path);
  if (text.size() != 16 || text.find_first_not_of("0123456789abcdef") != std::string::npos) {
    fail(path, "expected 16 lowercase hexadecimal digits, found \"" + text + "\"");
  }
  return std::stoull(text, nullptr, 16);
}

std::vector<AnomalyKind> TraceReader::read_kinds(const json& value, const std::string& path) const {
  if (!value.is_array()) fail(path, "expected an array of anomaly kinds");
  std::vector<AnomalyKind> kinds;
  for (std::size_t index = 0; index < value.size(); ++index) {
    const std::string element = fmt::format("{}[{}]", path, index);
    const auto kind = parse_anomaly_kind(read_string(value[index], element));
    if (!kind) fail(element, "expected an anomaly kind, found " + value[index].dump());
    kinds.push_back(*kind);
  }
  return kinds;
}

Anomaly TraceReader::read_anomaly(const json& value, const std::string& path) const {
  if (!value.is_object()) fail(path, "expected an object");
  Anomaly anomaly;
  const std::string kind_text = read_string(require(value, path, "kind"), path + ".kind");
  const auto kind = parse_anomaly_kind(kind_text);
  if (!kind) fail(path + ".kind", "expected an anomaly kind, found \"" + kind_text + "\"");
  anomaly.kind = *kind;
  anomaly.explanation = read_string(require(value, path, "explanation"), path + ".explanation");
  const json& steps = require(value, path, "steps");
  if (!steps.is_array()) fail(path + ".steps", "expected an array of step numbers");
  for (std::size_t index = 0; index < steps.size(); ++index) {
    anomaly.steps.push_back(static_cast<std::uint32_t>(
        read_unsigned(steps[index], fmt::format("{}.steps[{}]", path, index), UINT32_MAX)));
  }
  return anomaly;
}

Trace TraceReader::read() {
  if (!document_.is_object()) fail("", "expected a JSON object at the top level");
  const std::string format = read_string(require(document_, "", "format"), "format");
  if (format != kTraceFormat) {
    fail("format", fmt::format("this build reads \"{}\", found \"{}\"{}", kTraceFormat, format,
                               format.rfind("reviewsim-trace/", 0) == 0
                                   ? " (a trace from another reviewsim version)"
                                   : ""));
  }

  Trace trace;
  const json& scenario = require(document_, "", "scenario");
  try {
    trace.scenario = parse_scenario(scenario.dump(), source_ + " (field scenario)");
  } catch (const ScenarioError& error) {
    fail(error.field().empty() ? "scenario" : "scenario." + error.field(), error.problem());
  }

  trace.strategy = read_string(require(document_, "", "strategy"), "strategy");
  const auto names = strategy_names();
  if (std::find(names.begin(), names.end(), trace.strategy) == names.end()) {
    fail("strategy", "expected full-overwrite, read-merge-write, hset or hset-multi, found \"" +
                         trace.strategy + "\"");
  }
  trace.client = read_string(require(document_, "", "client"), "client");
  std::string client_error;
  if (!parse_client_variant(trace.client, &client_error)) fail("client", client_error);
  trace.users_count = static_cast<int>(read_unsigned(require(document_, "", "users"), "users", kUsersMax));
  if (trace.users_count < trace.scenario.users_min || trace.users_count > trace.scenario.users_max) {
    fail("users", fmt::format("expected a count within the scenario's {} to {}, found {}",
                              trace.scenario.users_min, trace.scenario.users_max, trace.users_count));
  }
  trace.seed = read_unsigned(require(document_, "", "seed"), "seed", UINT64_MAX);
  trace.explorer = read_string(require(document_, "", "explorer"), "explorer");
  if (trace.explorer != "timed" && trace.explorer != "random" && trace.explorer != "pct" &&
      trace.explorer != "exhaustive") {
    fail("explorer", "expected \"timed\", \"random\", \"pct\" or \"exhaustive\", found \"" +
                         trace.explorer + "\"");
  }
  trace.steps_max = static_cast<std::uint32_t>(
      read_unsigned(require(document_, "", "steps_max"), "steps_max", UINT32_MAX));
  if (const auto polls_max = document_.find("polls_max"); polls_max != document_.end()) {
    trace.polls_max = static_cast<std::uint32_t>(read_unsigned(*polls_max, "polls_max", UINT32_MAX));
  }

  const json& schedule = require(document_, "", "schedule");
  if (!schedule.is_array()) fail("schedule", "expected an array of choice indexes");
  for (std::size_t index = 0; index < schedule.size(); ++index) {
    trace.schedule.push_back(static_cast<std::uint32_t>(
        read_unsigned(schedule[index], fmt::format("schedule[{}]", index), UINT32_MAX)));
  }
  trace.history_hash = read_hex64(require(document_, "", "history_hash"), "history_hash");
  const json& step_hashes = require(document_, "", "step_hashes");
  if (!step_hashes.is_array()) fail("step_hashes", "expected an array of integers");
  for (std::size_t index = 0; index < step_hashes.size(); ++index) {
    trace.step_hashes.push_back(static_cast<std::uint32_t>(
        read_unsigned(step_hashes[index], fmt::format("step_hashes[{}]", index), UINT32_MAX)));
  }
  if (trace.step_hashes.size() < trace.schedule.size()) {
    fail("step_hashes", fmt::format("expected at least one hash per scheduled step ({}), found {}",
                                    trace.schedule.size(), trace.step_hashes.size()));
  }

  const json& anomalies = require(document_, "", "anomalies");
  if (!anomalies.is_array()) fail("anomalies", "expected an array");
  for (std::size_t index = 0; index < anomalies.size(); ++index) {
    trace.anomalies.push_back(read_anomaly(anomalies[index], fmt::format("anomalies[{}]", index)));
  }
  if (const auto expected = document_.find("expected_anomalies"); expected != document_.end()) {
    trace.expected_kinds = read_kinds(*expected, "expected_anomalies");
  }

  static const std::set<std::string> known = {
      "format", "scenario", "strategy", "client", "users", "seed", "explorer", "steps_max",
      "polls_max", "schedule", "history_hash", "step_hashes", "anomalies", "expected_anomalies"};
  for (const auto& [name, value] : document_.items()) {
    if (!known.contains(name)) fail(name, "unknown field");
  }
  return trace;
}

}  // namespace

TraceError::TraceError(const std::string& file, const std::string& field, const std::string& problem)
    : std::runtime_error(field.empty() ? file + ": " + problem
                                       : file + ": field " + field + ": " + problem) {}

std::string format_trace(const Trace& trace) {
  ordered_json document;
  document["format"] = std::string(kTraceFormat);
  document["scenario"] = ordered_json::parse(format_scenario(trace.scenario));
  document["strategy"] = trace.strategy;
  document["client"] = trace.client;
  document["users"] = trace.users_count;
  document["seed"] = trace.seed;
  document["explorer"] = trace.explorer;
  document["steps_max"] = trace.steps_max;
  if (trace.polls_max) document["polls_max"] = *trace.polls_max;
  document["schedule"] = trace.schedule;
  document["history_hash"] = hex64(trace.history_hash);
  document["step_hashes"] = trace.step_hashes;
  ordered_json anomalies = ordered_json::array();
  for (const Anomaly& anomaly : trace.anomalies) {
    anomalies.push_back({{"kind", std::string(anomaly_kind_name(anomaly.kind))},
                         {"explanation", anomaly.explanation},
                         {"steps", anomaly.steps}});
  }
  document["anomalies"] = std::move(anomalies);
  if (trace.expected_kinds) {
    ordered_json kinds = ordered_json::array();
    for (const AnomalyKind kind : *trace.expected_kinds) kinds.push_back(std::string(anomaly_kind_name(kind)));
    document["expected_anomalies"] = std::move(kinds);
  }
  // One line per array keeps the schedule and the hashes compact and the rest readable.
  return document.dump(1) + "\n";
}

Trace parse_trace(std::string_view json_text, const std::string& source) {
  json document;
  try {
    document = json::parse(json_text);
  } catch (const json::parse_error& error) {
    throw TraceError(source, "", fmt::format("invalid JSON at byte {} (the file may be truncated or "
                                             "corrupted): {}", error.byte, error.what()));
  }
  return TraceReader(document, source).read();
}

Trace load_trace_file(const std::filesystem::path& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error) throw TraceError(path.string(), "", "cannot read the trace file: " + error.message());
  if (!std::filesystem::is_regular_file(status)) {
    throw TraceError(path.string(), "", "expected a regular file, found a directory or a special file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TraceError(path.string(), "", "cannot open the trace file for reading");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_trace(text.str(), path.string());
}

}  // namespace reviewsim
