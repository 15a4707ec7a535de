#include "reports/report_input.h"

#include <fmt/format.h>

#include "reports/json_fields.h"
#include "reports/report.h"

namespace reviewsim {

namespace {

using json_fields::FieldReader;
using json_fields::index_path;
using json_fields::join_path;
using json_fields::json;

constexpr std::string_view kCompareFormat = "reviewsim-compare/1";
constexpr std::string_view kExploreFormat = "reviewsim-explore/1";

std::vector<CompareRow> read_rows(const json& document, const FieldReader& reader) {
  const json& rows = reader.require(document, "", "rows");
  reader.require_array(rows, "rows");
  std::vector<CompareRow> parsed;
  for (std::size_t index = 0; index < rows.size(); ++index) {
    parsed.push_back(json_fields::row_from_json(rows[index], index_path("rows", index), reader));
  }
  return parsed;
}

ExploreResult read_explore_result(const json& value, const std::string& path, const FieldReader& reader) {
  const auto text = [&](const std::string& name) {
    return reader.string(reader.require(value, path, name), join_path(path, name));
  };
  ExploreResult result;
  result.scenario = text("scenario");
  result.strategy = text("strategy");
  result.client = text("client");
  result.explorer = text("explorer");
  const std::uint64_t users = reader.unsigned_integer(reader.require(value, path, "users"), join_path(path, "users"));
  if (users < 1 || users > 5) reader.fail(join_path(path, "users"), "expected a user count from 1 to 5");
  result.users_count = static_cast<int>(users);
  result.schedules = reader.unsigned_integer(reader.require(value, path, "schedules"), join_path(path, "schedules"));

  // The field must be present, null when no schedule failed.
  const json& first = reader.require(value, path, "first_failure_schedule");
  if (!first.is_null()) {
    const std::string field = join_path(path, "first_failure_schedule");
    const std::uint64_t schedule = reader.unsigned_integer(first, field);
    if (schedule < 1 || schedule > result.schedules) {
      reader.fail(field, fmt::format("expected null or a schedule number from 1 to schedules ({}), found {}",
                                     result.schedules, schedule));
    }
    result.first_failure_schedule = schedule;
  }
  result.source = reader.source();
  return result;
}

}  // namespace

ResultFile parse_result_file(std::string_view text, const std::string& source) {
  const json document = json_fields::parse_document(text, source);
  const FieldReader reader(source);
  ResultFile file;
  file.source = source;
  file.format = reader.string(reader.require(document, "", "format"), "format");

  if (file.format == kCompareFormat) {
    file.rows = read_rows(document, reader);
  } else if (file.format == kGateFormat) {
    file.gate = parse_gate_json(text, source);
    for (const GateCase& gate_case : file.gate->cases) {
      file.rows.insert(file.rows.end(), gate_case.rows.begin(), gate_case.rows.end());
    }
  } else if (file.format == kExploreFormat) {
    file.explore_results.push_back(read_explore_result(document, "", reader));
  } else if (file.format == kReportFormat) {
    file.rows = read_rows(document, reader);
    const json& results = reader.require(document, "", "explore_results");
    reader.require_array(results, "explore_results");
    for (std::size_t index = 0; index < results.size(); ++index) {
      file.explore_results.push_back(
          read_explore_result(results[index], index_path("explore_results", index), reader));
    }
  } else {
    const bool trace = file.format.starts_with("reviewsim-trace/");
    reader.fail("format", fmt::format("expected one of \"{}\", \"{}\", \"{}\" or \"{}\", found \"{}\"{}",
                                      kCompareFormat, kGateFormat, kExploreFormat, kReportFormat,
                                      file.format, trace ? "; give trace files with --traces" : ""));
  }
  return file;
}

}  // namespace reviewsim
