#pragma once

// Pieces that several subcommands share: errors that map to exit codes, scenario discovery,
// list options, output files and progress lines.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/scenario.h"

namespace reviewsim::cli {

// Exit codes of every subcommand.
inline constexpr int kExitClean = 0;
inline constexpr int kExitAnomaly = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitEnvironment = 3;

// Invalid usage or input: exit code 2. The message names the option or file and what was expected.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The environment failed (a file that cannot be written, a server that cannot be reached):
// exit code 3.
class EnvironmentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LoadedScenario {
  std::string path;
  Scenario scenario;
};

// The bundled scenarios: ./scenarios when it exists, else the source tree's scenarios/.
std::filesystem::path default_scenarios_directory();

// Loads every scenario file named, where a directory stands for the *.json files directly in it.
// Throws ScenarioError for a bad file and UsageError for duplicate scenario names.
std::vector<LoadedScenario> load_scenarios(const std::vector<std::string>& paths);

// Splits "a,b,c" into its items, dropping empty ones.
std::vector<std::string> split_list(const std::string& text);

// Parses "2-5" or "3" into an inclusive range of user counts within 1..5.
std::pair<int, int> parse_users_range(const std::string& text);

// Writes `text` to `path`, creating parent directories. Throws EnvironmentError on failure.
void write_text_file(const std::filesystem::path& path, const std::string& text);

// Progress of a long run on stderr: a line rewritten in place when stderr is a terminal, one
// summary line at the end otherwise; nothing with quiet set.
class Progress {
 public:
  Progress(std::string what, std::size_t total, bool quiet);
  void update(std::size_t done, std::uint64_t schedules_done);
  void finish(std::uint64_t schedules_done);

 private:
  std::string what_;
  std::size_t total_;
  bool quiet_;
  bool terminal_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_print_;
};

}  // namespace reviewsim::cli
