#pragma once

// Reads scenario files (format "reviewsim-scenario/1", documented in scenarios/README.md) into
// validated Scenario values. Every rule violation is reported as a ScenarioError that names the
// file, the field and what was expected; nothing is guessed or silently dropped.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/scenario.h"

namespace reviewsim {

// The value of the "format" field that this build reads.
inline constexpr std::string_view kScenarioFormat = "reviewsim-scenario/1";

// An invalid or unreadable scenario file. what() reads "FILE: field FIELD: PROBLEM", or
// "FILE: PROBLEM" when the problem concerns the whole file.
class ScenarioError : public std::runtime_error {
 public:
  // `field` is a path such as workload.scripts.u1.actions[2].item, empty for the whole file.
  ScenarioError(std::string file, std::string field, std::string problem);

  const std::string& file() const { return file_; }
  const std::string& field() const { return field_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::string field_;
  std::string problem_;
};

// Parses and validates scenario JSON text. `source` names the file in errors. Throws
// ScenarioError on invalid JSON and on the first broken rule that the checks find.
Scenario parse_scenario(std::string_view json_text, const std::string& source);

// Reads and parses one scenario file. Throws ScenarioError, also for a file that cannot be read.
Scenario load_scenario_file(const std::filesystem::path& path);

// Every regular *.json file directly in `directory`, sorted by file name. Subdirectories are
// not searched. Throws ScenarioError when `directory` does not exist, is not a directory or
// cannot be listed.
std::vector<std::filesystem::path> scenario_files_in(const std::filesystem::path& directory);

}  // namespace reviewsim

namespace reviewsim {

// Writes a scenario as scenario file JSON that parse_scenario reads back into an equal
// scenario. Used for traces, which carry their scenario inline, and for shrunk scenarios.
std::string format_scenario(const Scenario& scenario);

}  // namespace reviewsim
