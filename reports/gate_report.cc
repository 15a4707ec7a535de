#include "reports/gate_report.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "model/assert.h"
#include "reports/json_fields.h"
#include "reports/report_input.h"

namespace reviewsim {

namespace {

using json_fields::FieldReader;
using json_fields::index_path;
using json_fields::join_path;
using json_fields::json;
using json_fields::ordered_json;

constexpr std::string_view kRoleNames[] = {"production", "canary", "expectation", "regression"};
constexpr std::string_view kStatusNames[] = {"passed", "failed", "skipped"};

std::string shard_text(const GateShard& shard) { return fmt::format("{}/{}", shard.index, shard.count); }

ordered_json case_to_json(const GateCase& gate_case) {
  ordered_json json_case;
  json_case["index"] = gate_case.index;
  json_case["role"] = gate_role_name(gate_case.role);
  json_case["name"] = gate_case_name(gate_case);
  json_case["status"] = gate_status_name(gate_case.status);
  if (gate_case.role == GateRole::regression) {
    json_case["trace_file"] = gate_case.trace_file;
    json_case["found"] = gate_case.found;
  } else {
    json_case["scenario"] = gate_case.scenario;
    json_case["scenario_file"] = gate_case.scenario_file;
    json_case["strategy"] = gate_case.strategy;
    json_case["client"] = gate_case.client;
    json_case["explorer"] = gate_case.explorer;
    json_case["expectation_source"] = gate_case.expectation_source;
  }
  json_case["expected"] = gate_case.expected;
  json_case["message"] = gate_case.message;
  json_case["details"] = gate_case.details;
  json_case["traces"] = gate_case.traces;
  return json_case;
}

std::optional<GateRole> parse_role(const std::string& name) {
  for (std::size_t index = 0; index < std::size(kRoleNames); ++index) {
    if (kRoleNames[index] == name) return static_cast<GateRole>(index);
  }
  return std::nullopt;
}

std::optional<GateStatus> parse_status(const std::string& name) {
  for (std::size_t index = 0; index < std::size(kStatusNames); ++index) {
    if (kStatusNames[index] == name) return static_cast<GateStatus>(index);
  }
  return std::nullopt;
}

std::string optional_string(const json& object, const std::string& path, const std::string& name,
                            const FieldReader& reader) {
  const json* value = reader.find(object, name);
  return value == nullptr ? std::string() : reader.string(*value, join_path(path, name));
}

std::string required_string(const json& object, const std::string& path, const std::string& name,
                            const FieldReader& reader) {
  return reader.string(reader.require(object, path, name), join_path(path, name));
}

GateCase case_from_json(const json& value, const std::string& path, const FieldReader& reader) {
  GateCase gate_case;
  gate_case.index = reader.unsigned_integer(reader.require(value, path, "index"), join_path(path, "index"));
  const std::string role = required_string(value, path, "role", reader);
  const auto parsed_role = parse_role(role);
  if (!parsed_role) {
    reader.fail(join_path(path, "role"),
                fmt::format("expected production, canary, expectation or regression, found \"{}\"", role));
  }
  gate_case.role = *parsed_role;
  const std::string status = required_string(value, path, "status", reader);
  const auto parsed_status = parse_status(status);
  if (!parsed_status) {
    reader.fail(join_path(path, "status"),
                fmt::format("expected passed, failed or skipped, found \"{}\"", status));
  }
  gate_case.status = *parsed_status;

  if (gate_case.role == GateRole::regression) {
    gate_case.trace_file = required_string(value, path, "trace_file", reader);
    gate_case.found = optional_string(value, path, "found", reader);
  } else {
    gate_case.scenario = required_string(value, path, "scenario", reader);
    gate_case.scenario_file = optional_string(value, path, "scenario_file", reader);
    gate_case.strategy = required_string(value, path, "strategy", reader);
    gate_case.client = required_string(value, path, "client", reader);
    gate_case.explorer = required_string(value, path, "explorer", reader);
    gate_case.expectation_source = optional_string(value, path, "expectation_source", reader);
  }
  gate_case.expected = required_string(value, path, "expected", reader);
  gate_case.message = optional_string(value, path, "message", reader);
  gate_case.details = optional_string(value, path, "details", reader);
  if (const json* traces = reader.find(value, "traces")) {
    const std::string traces_path = join_path(path, "traces");
    reader.require_array(*traces, traces_path);
    for (std::size_t index = 0; index < traces->size(); ++index) {
      gate_case.traces.push_back(reader.string((*traces)[index], index_path(traces_path, index)));
    }
  }
  return gate_case;
}

GateShard shard_from_json(const json& value, const std::string& path, const FieldReader& reader) {
  GateShard shard;
  const std::string text = required_string(value, path, "shard", reader);
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    shard.index = std::stoi(text.substr(0, slash));
    shard.count = std::stoi(text.substr(slash + 1));
  } catch (const std::exception&) {
    reader.fail(join_path(path, "shard"), fmt::format("expected K/N, found \"{}\"", text));
  }
  if (shard.count < 1 || shard.index < 1 || shard.index > shard.count) {
    reader.fail(join_path(path, "shard"), fmt::format("expected K/N with 1 <= K <= N, found \"{}\"", text));
  }
  shard.schedules_per_case = static_cast<std::uint32_t>(reader.unsigned_integer(
      reader.require(value, path, "schedules_per_case"), join_path(path, "schedules_per_case")));
  if (const json* limit = reader.find(value, "time_limit_s")) {
    shard.time_limit_s = reader.number(*limit, join_path(path, "time_limit_s"));
  }
  return shard;
}

// The user counts that appear in any row, ascending.
std::vector<int> users_counts_of(const GateResult& result) {
  std::set<int> counts;
  for (const GateCase& gate_case : result.cases) {
    for (const CompareRow& row : gate_case.rows) counts.insert(row.users_count);
  }
  return {counts.begin(), counts.end()};
}

}  // namespace

std::string_view gate_role_name(GateRole role) { return kRoleNames[static_cast<int>(role)]; }
std::string_view gate_status_name(GateStatus status) { return kStatusNames[static_cast<int>(status)]; }

std::string gate_case_name(const GateCase& gate_case) {
  if (gate_case.role == GateRole::regression) {
    return std::filesystem::path(gate_case.trace_file).stem().string();
  }
  return fmt::format("{} {} {}", gate_case.strategy, gate_case.client, gate_case.explorer);
}

bool gate_passed(const GateResult& result) {
  return gate_cases_with_status(result, GateStatus::failed) == 0;
}

std::size_t gate_cases_with_status(const GateResult& result, GateStatus status) {
  return static_cast<std::size_t>(std::count_if(
      result.cases.begin(), result.cases.end(),
      [status](const GateCase& gate_case) { return gate_case.status == status; }));
}

std::string gate_json(const GateResult& result) {
  ordered_json document;
  document["format"] = kGateFormat;
  document["passed"] = gate_passed(result);
  document["seed"] = result.seed;
  document["steps_max"] = result.steps_max;

  // One budget for the whole result when every shard had the same; null when they differed.
  std::optional<std::uint32_t> schedules_per_case;
  bool uniform = true;
  ordered_json shards = ordered_json::array();
  for (const GateShard& shard : result.shards) {
    if (schedules_per_case && *schedules_per_case != shard.schedules_per_case) uniform = false;
    schedules_per_case = shard.schedules_per_case;
    ordered_json json_shard;
    json_shard["shard"] = shard_text(shard);
    json_shard["schedules_per_case"] = shard.schedules_per_case;
    json_shard["time_limit_s"] = shard.time_limit_s ? ordered_json(*shard.time_limit_s) : ordered_json(nullptr);
    shards.push_back(std::move(json_shard));
  }
  document["schedules_per_case"] =
      uniform && schedules_per_case ? ordered_json(*schedules_per_case) : ordered_json(nullptr);
  document["shard_count"] = result.shard_count;
  document["shards"] = std::move(shards);
  document["plan"] = {{"cases", result.cases_total}, {"fingerprint", result.plan_fingerprint}};
  document["summary"] = {{"cases", result.cases.size()},
                         {"passed", gate_cases_with_status(result, GateStatus::passed)},
                         {"failed", gate_cases_with_status(result, GateStatus::failed)},
                         {"skipped", gate_cases_with_status(result, GateStatus::skipped)}};

  ordered_json cases = ordered_json::array();
  ordered_json rows = ordered_json::array();
  for (const GateCase& gate_case : result.cases) {
    cases.push_back(case_to_json(gate_case));
    for (const CompareRow& row : gate_case.rows) {
      ordered_json json_row;
      json_row["case"] = gate_case.index;
      json_row.update(json_fields::row_to_json(row));
      rows.push_back(std::move(json_row));
    }
  }
  document["cases"] = std::move(cases);
  document["rows"] = std::move(rows);
  return document.dump(2) + "\n";
}

GateResult parse_gate_json(std::string_view text, const std::string& source) {
  const json document = json_fields::parse_document(text, source);
  const FieldReader reader(source);
  const std::string format = required_string(document, "", "format", reader);
  if (format != kGateFormat) {
    reader.fail("format", fmt::format("expected \"{}\", found \"{}\"", kGateFormat, format));
  }

  GateResult result;
  result.seed = reader.unsigned_integer(reader.require(document, "", "seed"), "seed");
  result.steps_max = static_cast<std::uint32_t>(
      reader.unsigned_integer(reader.require(document, "", "steps_max"), "steps_max"));
  result.shard_count = static_cast<int>(
      reader.unsigned_integer(reader.require(document, "", "shard_count"), "shard_count"));
  const json& plan = reader.require(document, "", "plan");
  result.cases_total = reader.unsigned_integer(reader.require(plan, "plan", "cases"), "plan.cases");
  result.plan_fingerprint = required_string(plan, "plan", "fingerprint", reader);

  const json& shards = reader.require(document, "", "shards");
  reader.require_array(shards, "shards");
  for (std::size_t index = 0; index < shards.size(); ++index) {
    GateShard shard = shard_from_json(shards[index], index_path("shards", index), reader);
    if (shard.count != result.shard_count) {
      reader.fail(index_path("shards", index),
                  fmt::format("shard {} does not match shard_count {}", shard_text(shard), result.shard_count));
    }
    result.shards.push_back(shard);
  }

  const json& cases = reader.require(document, "", "cases");
  reader.require_array(cases, "cases");
  std::map<std::size_t, std::size_t> position_of_case;
  for (std::size_t index = 0; index < cases.size(); ++index) {
    GateCase gate_case = case_from_json(cases[index], index_path("cases", index), reader);
    if (gate_case.index >= result.cases_total) {
      reader.fail(index_path("cases", index) + ".index",
                  fmt::format("case {} is beyond the plan's {} cases", gate_case.index, result.cases_total));
    }
    if (!position_of_case.emplace(gate_case.index, result.cases.size()).second) {
      reader.fail(index_path("cases", index) + ".index", fmt::format("case {} appears twice", gate_case.index));
    }
    result.cases.push_back(std::move(gate_case));
  }

  const json& rows = reader.require(document, "", "rows");
  reader.require_array(rows, "rows");
  for (std::size_t index = 0; index < rows.size(); ++index) {
    const std::string path = index_path("rows", index);
    const std::size_t case_index =
        reader.unsigned_integer(reader.require(rows[index], path, "case"), join_path(path, "case"));
    const auto found = position_of_case.find(case_index);
    if (found == position_of_case.end()) {
      reader.fail(join_path(path, "case"), fmt::format("no case {} in cases", case_index));
    }
    result.cases[found->second].rows.push_back(json_fields::row_from_json(rows[index], path, reader));
  }
  return result;
}

GateResult merge_gate_results(const std::vector<GateResult>& shards,
                              const std::vector<std::string>& sources) {
  RS_ASSERT(shards.size() == sources.size());
  if (shards.empty()) throw ReportInputError("report merge: expected at least one --in file");

  const GateResult& first = shards.front();
  GateResult merged;
  merged.seed = first.seed;
  merged.steps_max = first.steps_max;
  merged.shard_count = first.shard_count;
  merged.cases_total = first.cases_total;
  merged.plan_fingerprint = first.plan_fingerprint;

  std::map<int, std::string> source_of_shard;
  for (std::size_t input = 0; input < shards.size(); ++input) {
    const GateResult& shard = shards[input];
    const auto differs = [&](const std::string& what, const std::string& mine, const std::string& theirs) {
      throw ReportInputError(fmt::format(
          "{}: {} is {}, but {} has {}; merge only the shards of one gate run (same scenarios, "
          "regressions, --seed, --steps-max and shard count)",
          sources[input], what, mine, sources.front(), theirs));
    };
    if (shard.seed != first.seed) differs("seed", std::to_string(shard.seed), std::to_string(first.seed));
    if (shard.steps_max != first.steps_max) {
      differs("steps_max", std::to_string(shard.steps_max), std::to_string(first.steps_max));
    }
    if (shard.shard_count != first.shard_count) {
      differs("the shard count", std::to_string(shard.shard_count), std::to_string(first.shard_count));
    }
    if (shard.plan_fingerprint != first.plan_fingerprint || shard.cases_total != first.cases_total) {
      differs("the plan", fmt::format("{} cases with fingerprint {}", shard.cases_total, shard.plan_fingerprint),
              fmt::format("{} cases with fingerprint {}", first.cases_total, first.plan_fingerprint));
    }
    for (const GateShard& part : shard.shards) {
      const auto [found, added] = source_of_shard.emplace(part.index, sources[input]);
      if (!added) {
        throw ReportInputError(fmt::format("{}: shard {} is also in {}; give each shard once",
                                           sources[input], shard_text(part), found->second));
      }
      merged.shards.push_back(part);
    }
    merged.cases.insert(merged.cases.end(), shard.cases.begin(), shard.cases.end());
    merged.elapsed_s = std::max(merged.elapsed_s, shard.elapsed_s);
  }

  std::vector<std::string> missing;
  for (int index = 1; index <= merged.shard_count; ++index) {
    if (!source_of_shard.contains(index)) missing.push_back(fmt::format("{}/{}", index, merged.shard_count));
  }
  if (!missing.empty()) {
    std::string list;
    for (const std::string& shard : missing) list += (list.empty() ? "" : ", ") + shard;
    throw ReportInputError(fmt::format("report merge: missing shards {}; a merge needs every shard of the run",
                                       list));
  }

  std::sort(merged.shards.begin(), merged.shards.end(),
            [](const GateShard& a, const GateShard& b) { return a.index < b.index; });
  std::sort(merged.cases.begin(), merged.cases.end(),
            [](const GateCase& a, const GateCase& b) { return a.index < b.index; });
  for (std::size_t position = 0; position < merged.cases.size(); ++position) {
    if (merged.cases[position].index != position) {
      throw ReportInputError(fmt::format(
          "report merge: case {} is missing or appears twice among the shards; the inputs do not "
          "come from one gate run", position));
    }
  }
  if (merged.cases.size() != merged.cases_total) {
    throw ReportInputError(fmt::format("report merge: the shards hold {} cases, the plan has {}",
                                       merged.cases.size(), merged.cases_total));
  }
  return merged;
}

std::string gate_table(const GateResult& result) {
  const std::vector<int> users_counts = users_counts_of(result);
  std::string table = fmt::format("{:<11} {:<24} {:<17} {:<20} {:<7}", "role", "scenario",
                                  "strategy", "client", "explorer");
  for (const int users : users_counts) table += fmt::format(" {:>6}", fmt::format("{}u", users));
  table += "  result\n";

  for (const GateCase& gate_case : result.cases) {
    std::string line;
    if (gate_case.role == GateRole::regression) {
      line = fmt::format("{:<11} {:<70}", "regression", gate_case.trace_file);
      line += fmt::format("  {} (expected {}, found {})",
                          gate_case.status == GateStatus::passed ? "reproduced" : "FAILED",
                          gate_case.expected, gate_case.found.empty() ? "-" : gate_case.found);
      table += line + "\n";
      continue;
    }
    line = fmt::format("{:<11} {:<24} {:<17} {:<20} {:<7}", gate_role_name(gate_case.role),
                       gate_case.scenario, gate_case.strategy, gate_case.client, gate_case.explorer);
    for (const int users : users_counts) {
      const auto found = std::find_if(gate_case.rows.begin(), gate_case.rows.end(),
                                      [users](const CompareRow& row) { return row.users_count == users; });
      if (found == gate_case.rows.end() || found->result.schedules == 0) {
        line += fmt::format(" {:>6}", "");
        continue;
      }
      line += fmt::format(" {:>6}", percent_text(static_cast<double>(found->result.failing_schedules) /
                                                 found->result.schedules));
    }
    const std::string_view verdict = gate_case.status == GateStatus::passed   ? "ok"
                                     : gate_case.status == GateStatus::failed ? "FAILED"
                                                                              : "skipped";
    line += fmt::format("  {} (expects {})", verdict, gate_case.expected);
    table += line + "\n";
  }

  for (const GateCase& gate_case : result.cases) {
    if (gate_case.status != GateStatus::failed) continue;
    table += fmt::format("\nFAILED case {} ({} {}): {}\n{}", gate_case.index,
                         gate_case.role == GateRole::regression ? "regression" : gate_case.scenario,
                         gate_case_name(gate_case), gate_case.message, gate_case.details);
    if (!gate_case.details.empty() && gate_case.details.back() != '\n') table += "\n";
  }
  return table;
}

}  // namespace reviewsim
