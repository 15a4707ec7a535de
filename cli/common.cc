#include "cli/common.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "adapters/scenario_file.h"

namespace reviewsim::cli {

namespace fs = std::filesystem;

fs::path default_scenarios_directory() {
  if (fs::is_directory("scenarios")) return "scenarios";
  return fs::path(REVIEWSIM_SOURCE_DIR) / "scenarios";
}

std::vector<LoadedScenario> load_scenarios(const std::vector<std::string>& paths) {
  std::vector<LoadedScenario> loaded;
  std::set<std::string> names;
  for (const std::string& path : paths) {
    std::vector<fs::path> files;
    if (fs::is_directory(path)) {
      files = scenario_files_in(path);
      if (files.empty()) throw UsageError(fmt::format("{}: no *.json scenario files in this directory", path));
    } else {
      files.push_back(path);
    }
    for (const fs::path& file : files) {
      Scenario scenario = load_scenario_file(file);
      if (!names.insert(scenario.name).second) {
        throw UsageError(fmt::format("{}: scenario name \"{}\" is used by another scenario file; "
                                     "names must be unique", file.string(), scenario.name));
      }
      loaded.push_back(LoadedScenario{file.string(), std::move(scenario)});
    }
  }
  return loaded;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::string current;
  for (const char character : text + ",") {
    if (character != ',') {
      current += character;
      continue;
    }
    if (!current.empty()) items.push_back(current);
    current.clear();
  }
  return items;
}

std::pair<int, int> parse_users_range(const std::string& text) {
  const auto dash = text.find('-');
  const auto parse = [&text](const std::string& part) {
    if (part.size() != 1 || part[0] < '1' || part[0] > '5') {
      throw UsageError(fmt::format("--users: expected a user count from 1 to 5 or a range such as "
                                   "2-5, got \"{}\"", text));
    }
    return part[0] - '0';
  };
  if (dash == std::string::npos) {
    const int users = parse(text);
    return {users, users};
  }
  const int min = parse(text.substr(0, dash));
  const int max = parse(text.substr(dash + 1));
  if (min > max) throw UsageError(fmt::format("--users: range \"{}\" starts above its end", text));
  return {min, max};
}

void write_text_file(const fs::path& path, const std::string& text) {
  std::error_code error;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), error);
  if (error) {
    throw EnvironmentError(fmt::format("{}: cannot create directory: {}",
                                       path.parent_path().string(), error.message()));
  }
  // Write beside the target and rename, so that a failed write never leaves half a file.
  const fs::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw EnvironmentError(fmt::format("{}: cannot write file", temporary.string()));
  }
  fs::rename(temporary, path, error);
  if (error) {
    throw EnvironmentError(fmt::format("{}: cannot replace file: {}", path.string(), error.message()));
  }
}

Progress::Progress(std::string what, std::size_t total, bool quiet)
    : what_(std::move(what)),
      total_(total),
      quiet_(quiet),
      terminal_(isatty(STDERR_FILENO) == 1),
      started_(std::chrono::steady_clock::now()),
      last_print_(started_) {}

void Progress::update(std::size_t done, std::uint64_t schedules_done) {
  if (quiet_ || !terminal_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_print_ < std::chrono::milliseconds(200)) return;
  last_print_ = now;
  const double seconds = std::chrono::duration<double>(now - started_).count();
  const double rate = seconds > 0 ? schedules_done / seconds : 0.0;
  const double left = done > 0 ? seconds * (total_ - done) / done : 0.0;
  std::fprintf(stderr, "\r%s: %zu/%zu done, %.0f schedules/s, about %.0f s left   ", what_.c_str(),
               done, total_, rate, left);
  std::fflush(stderr);
}

void Progress::finish(std::uint64_t schedules_done) {
  if (quiet_) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  if (terminal_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "%s: %zu/%zu done, %llu schedules in %.1f s\n", what_.c_str(), total_,
               total_, static_cast<unsigned long long>(schedules_done), seconds);
}

}  // namespace reviewsim::cli
