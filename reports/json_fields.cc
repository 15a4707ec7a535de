#include "reports/json_fields.h"

#include <limits>

#include <fmt/format.h>

#include "reports/report_input.h"
#include "reports/wilson_interval.h"

namespace reviewsim::json_fields {

json parse_document(std::string_view text, const std::string& source) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& error) {
    throw ReportInputError(fmt::format("{}: invalid JSON: {}", source, error.what()));
  }
}

void FieldReader::fail(const std::string& field, const std::string& problem) const {
  if (field.empty()) throw ReportInputError(fmt::format("{}: {}", source_, problem));
  throw ReportInputError(fmt::format("{}: field {}: {}", source_, field, problem));
}

const json& FieldReader::require(const json& object, const std::string& path,
                                 const std::string& name) const {
  require_object(object, path);
  const auto found = object.find(name);
  if (found == object.end()) fail(join_path(path, name), "missing required field");
  return *found;
}

const json* FieldReader::find(const json& object, const std::string& name) const {
  const auto found = object.find(name);
  if (found == object.end() || found->is_null()) return nullptr;
  return &*found;
}

std::string FieldReader::string(const json& value, const std::string& path) const {
  if (!value.is_string()) fail(path, fmt::format("expected a string, found {}", value.dump()));
  return value.get<std::string>();
}

std::uint64_t FieldReader::unsigned_integer(const json& value, const std::string& path) const {
  if (!value.is_number_unsigned()) {
    fail(path, fmt::format("expected a non-negative integer, found {}", value.dump()));
  }
  return value.get<std::uint64_t>();
}

double FieldReader::number(const json& value, const std::string& path) const {
  if (!value.is_number()) fail(path, fmt::format("expected a number, found {}", value.dump()));
  return value.get<double>();
}

bool FieldReader::boolean(const json& value, const std::string& path) const {
  if (!value.is_boolean()) fail(path, fmt::format("expected true or false, found {}", value.dump()));
  return value.get<bool>();
}

void FieldReader::require_object(const json& value, const std::string& path) const {
  if (!value.is_object()) fail(path, fmt::format("expected an object, found {}", value.type_name()));
}

void FieldReader::require_array(const json& value, const std::string& path) const {
  if (!value.is_array()) fail(path, fmt::format("expected an array, found {}", value.type_name()));
}

std::string join_path(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

std::string index_path(const std::string& path, std::size_t index) {
  return fmt::format("{}[{}]", path, index);
}

std::string kinds_text(const std::vector<AnomalyKind>& kinds) {
  std::string text;
  for (const AnomalyKind kind : kinds) {
    if (!text.empty()) text += ", ";
    text += anomaly_kind_name(kind);
  }
  return text;
}

std::string expectation_text(const Expectation& expectation) {
  return expectation.clean ? "none" : kinds_text(expectation.kinds);
}

std::vector<AnomalyKind> parse_kinds_text(const std::string& text, const std::string& path,
                                          const FieldReader& reader) {
  std::vector<AnomalyKind> kinds;
  if (text == "none") return kinds;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string name = text.substr(start, end - start);
    while (!name.empty() && name.front() == ' ') name.erase(name.begin());
    while (!name.empty() && name.back() == ' ') name.pop_back();
    const auto kind = parse_anomaly_kind(name);
    if (!kind) {
      reader.fail(path, fmt::format("expected \"none\" or anomaly kinds separated by commas "
                                    "(lost-update, wrong-company-write, divergence, "
                                    "status-conflict), found \"{}\"", text));
    }
    kinds.push_back(*kind);
    start = end + 1;
  }
  return kinds;
}

ordered_json row_to_json(const CompareRow& row) {
  ordered_json json_row;
  json_row["scenario"] = row.scenario;
  if (!row.scenario_file.empty()) json_row["scenario_file"] = row.scenario_file;
  json_row["strategy"] = row.strategy;
  json_row["client"] = row.client;
  json_row["users"] = row.users_count;
  json_row["explorer"] = row.explorer;
  json_row["schedules"] = row.result.schedules;
  json_row["failing_schedules"] = row.result.failing_schedules;

  const ShareInterval interval = wilson_interval(row.result.failing_schedules, row.result.schedules);
  json_row["failing_share"] = interval.share;
  json_row["failing_share_ci95"] = ordered_json::array({interval.low, interval.high});

  ordered_json anomalies = ordered_json::object();
  ordered_json first_seeds = ordered_json::object();
  for (int kind = 0; kind < kAnomalyKindCount; ++kind) {
    if (row.result.schedules_by_kind[kind] == 0) continue;
    const auto name = std::string(anomaly_kind_name(static_cast<AnomalyKind>(kind)));
    anomalies[name] = row.result.schedules_by_kind[kind];
    if (row.result.first_seed_by_kind[kind]) first_seeds[name] = *row.result.first_seed_by_kind[kind];
  }
  json_row["anomalies"] = std::move(anomalies);
  json_row["first_failing_seed"] = std::move(first_seeds);
  json_row["step_limit_hits"] = row.result.step_limit_hits;
  json_row["steps_total"] = row.result.steps_total;
  if (row.expectation) {
    json_row["expected"] = expectation_text(*row.expectation);
    json_row["expectation_met"] = expectation_met(row);
  }
  return json_row;
}

namespace {

std::uint32_t read_count(const json& object, const std::string& path, const std::string& name,
                         const FieldReader& reader) {
  const std::string field = join_path(path, name);
  const std::uint64_t value = reader.unsigned_integer(reader.require(object, path, name), field);
  if (value > std::numeric_limits<std::uint32_t>::max()) {
    reader.fail(field, fmt::format("expected at most {}, found {}",
                                   std::numeric_limits<std::uint32_t>::max(), value));
  }
  return static_cast<std::uint32_t>(value);
}

void read_anomalies(const json& value, const std::string& path, const FieldReader& reader,
                    CompareRow& row) {
  const std::string anomalies_path = join_path(path, "anomalies");
  reader.require_object(reader.require(value, path, "anomalies"), anomalies_path);
  for (const auto& [name, count] : value.at("anomalies").items()) {
    const std::string field = join_path(anomalies_path, name);
    const auto kind = parse_anomaly_kind(name);
    if (!kind) reader.fail(field, "unknown anomaly kind");
    const std::uint32_t schedules = read_count(value.at("anomalies"), anomalies_path, name, reader);
    if (schedules > row.result.failing_schedules) {
      reader.fail(field, fmt::format("{} schedules with this kind, but only {} failing schedules",
                                     schedules, row.result.failing_schedules));
    }
    row.result.schedules_by_kind[static_cast<int>(*kind)] = schedules;
  }

  const json* first_seeds = reader.find(value, "first_failing_seed");
  if (first_seeds == nullptr) return;
  const std::string seeds_path = join_path(path, "first_failing_seed");
  reader.require_object(*first_seeds, seeds_path);
  for (const auto& [name, seed] : first_seeds->items()) {
    const auto kind = parse_anomaly_kind(name);
    if (!kind) reader.fail(join_path(seeds_path, name), "unknown anomaly kind");
    row.result.first_seed_by_kind[static_cast<int>(*kind)] =
        reader.unsigned_integer(seed, join_path(seeds_path, name));
  }
}

}  // namespace

CompareRow row_from_json(const json& value, const std::string& path, const FieldReader& reader) {
  reader.require_object(value, path);
  CompareRow row;
  row.scenario = reader.string(reader.require(value, path, "scenario"), join_path(path, "scenario"));
  row.strategy = reader.string(reader.require(value, path, "strategy"), join_path(path, "strategy"));
  row.client = reader.string(reader.require(value, path, "client"), join_path(path, "client"));
  row.explorer = reader.string(reader.require(value, path, "explorer"), join_path(path, "explorer"));
  if (const json* file = reader.find(value, "scenario_file")) {
    row.scenario_file = reader.string(*file, join_path(path, "scenario_file"));
  }
  const std::uint32_t users = read_count(value, path, "users", reader);
  if (users < 1 || users > 5) reader.fail(join_path(path, "users"), "expected a user count from 1 to 5");
  row.users_count = static_cast<int>(users);

  row.result.schedules = read_count(value, path, "schedules", reader);
  row.result.failing_schedules = read_count(value, path, "failing_schedules", reader);
  if (row.result.failing_schedules > row.result.schedules) {
    reader.fail(join_path(path, "failing_schedules"),
                fmt::format("{} failing schedules, but only {} schedules",
                            row.result.failing_schedules, row.result.schedules));
  }
  read_anomalies(value, path, reader, row);
  if (reader.find(value, "step_limit_hits") != nullptr) {
    row.result.step_limit_hits = read_count(value, path, "step_limit_hits", reader);
  }
  if (const json* steps = reader.find(value, "steps_total")) {
    row.result.steps_total = reader.unsigned_integer(*steps, join_path(path, "steps_total"));
  }

  if (const json* expected = reader.find(value, "expected")) {
    const std::string field = join_path(path, "expected");
    Expectation expectation;
    expectation.strategy = row.strategy;
    expectation.client = row.client;
    expectation.explorer = row.explorer;
    expectation.kinds = parse_kinds_text(reader.string(*expected, field), field, reader);
    expectation.clean = expectation.kinds.empty();
    row.expectation = std::move(expectation);
  }
  return row;
}

}  // namespace reviewsim::json_fields
