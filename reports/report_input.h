#pragma once

// Reading the files that `reviewsim report` combines: compare.json ("reviewsim-compare/1"), gate
// results ("reviewsim-gate/1", one shard or merged), explore results ("reviewsim-explore/1") and
// report.json ("reviewsim-report/1"). Readers take the fields they need and ignore any other, so
// a newer writer that adds fields stays readable.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "reports/compare_report.h"
#include "reports/gate_report.h"

namespace reviewsim {

// An input file that is not valid JSON, has another format or lacks a field. The message names
// the file, the field and what was expected.
class ReportInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One configuration searched by `reviewsim explore`.
struct ExploreResult {
  std::string scenario;
  std::string strategy;
  std::string client;
  int users_count = 0;
  std::string explorer;
  std::uint64_t schedules = 0;
  // 1-based: the number of schedules run up to and including the first failing one.
  std::optional<std::uint64_t> first_failure_schedule;
  std::string source;  // the file it came from
};

// The rows, explore results and gate result of one input file.
struct ResultFile {
  std::string source;
  std::string format;
  std::vector<CompareRow> rows;
  std::vector<ExploreResult> explore_results;
  std::optional<GateResult> gate;
};

// Parses one input file of any of the formats above. Throws ReportInputError.
ResultFile parse_result_file(std::string_view text, const std::string& source);

}  // namespace reviewsim
