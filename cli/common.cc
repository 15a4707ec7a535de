#include "cli/common.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

#include "adapters/scenario_file.h"
#include "model/assert.h"
#include "sim/replay.h"
#include "sim/simulation.h"

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

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("{}: cannot open file for reading", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw UsageError(fmt::format("{}: cannot read file", path.string()));
  return text.str();
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
      last_print_(started_) {
  // A terminal that cannot move the cursor gets the summary line only.
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") terminal_ = false;
}

void Progress::set_time_limit(double seconds) { time_limit_s_ = seconds; }

void Progress::set_total(std::size_t total) { total_ = total; }

void Progress::update(std::size_t done, std::uint64_t schedules_done) {
  done_ = done;
  if (quiet_ || !terminal_) return;
  const auto now = std::chrono::steady_clock::now();
  const bool complete = total_ != 0 && done >= total_;
  if (printed_ && !complete && now - last_print_ < std::chrono::milliseconds(200)) return;
  printed_ = true;
  last_print_ = now;

  const double seconds = std::chrono::duration<double>(now - started_).count();
  const double rate = seconds > 0 ? schedules_done / seconds : 0.0;
  std::string left;
  if (time_limit_s_ > 0) {
    left = duration_text(std::max(0.0, time_limit_s_ - seconds)) + " left of the time limit";
  } else if (total_ == 0 || done == 0) {
    left = "estimating the time left";
  } else {
    left = "about " + duration_text(seconds * static_cast<double>(total_ - std::min(done, total_)) / done) + " left";
  }
  const std::string total = total_ == 0 ? std::string("?") : std::to_string(total_);
  // \r returns to the line start and \033[K clears what a longer earlier line left behind.
  std::fprintf(stderr, "\r%s: %zu/%s done, %.0f schedules/s, %s\033[K", what_.c_str(), done, total.c_str(),
               rate, left.c_str());
  std::fflush(stderr);
}

void Progress::finish(std::uint64_t schedules_done) {
  if (quiet_) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  if (terminal_ && printed_) std::fprintf(stderr, "\r\033[K");
  const std::string total = total_ == 0 ? std::to_string(done_) : std::to_string(total_);
  std::fprintf(stderr, "%s: %zu/%s done, %llu schedules in %s, %.0f schedules/s\n", what_.c_str(), done_,
               total.c_str(), static_cast<unsigned long long>(schedules_done), duration_text(seconds).c_str(),
               seconds > 0 ? schedules_done / seconds : 0.0);
}

std::string duration_text(double seconds) {
  if (seconds < 10) return fmt::format("{:.1f} s", seconds);
  const auto whole = static_cast<long long>(seconds + 0.5);
  if (whole < 60) return fmt::format("{} s", whole);
  if (whole < 3600) return fmt::format("{} min {:02} s", whole / 60, whole % 60);
  return fmt::format("{} h {:02} min", whole / 3600, (whole % 3600) / 60);
}

Trace trace_of_schedule(const Cell& cell, std::uint64_t seed, std::uint32_t steps_max) {
  SimulationConfig config;
  config.scenario = cell.scenario;
  config.strategy = cell.strategy;
  config.client = cell.client;
  config.users_count = cell.users_count;
  config.explorer = cell.explorer;
  config.seed = seed;
  config.steps_max = steps_max;
  config.keep_steps = true;
  const SimulationResult result = simulate(config);
  return make_trace(config, result);
}

std::string failure_trace_name(const std::string& scenario, const std::string& strategy,
                               const std::string& client, const std::string& explorer, AnomalyKind kind) {
  std::string name = scenario + "." + strategy + "." + client + ".";
  if (!explorer.empty()) name += explorer + ".";
  return name + std::string(anomaly_kind_name(kind)) + ".json";
}

std::vector<FailureTrace> failure_traces(const std::vector<Cell>& cells, const std::vector<CompareRow>& rows,
                                         std::uint32_t steps_max, bool by_explorer) {
  RS_ASSERT(cells.size() == rows.size());
  std::vector<FailureTrace> traces;
  std::set<std::string> names;
  for (std::size_t index = 0; index < rows.size(); ++index) {
    const CompareRow& row = rows[index];
    for (int kind = 0; kind < kAnomalyKindCount; ++kind) {
      const auto seed = row.result.first_seed_by_kind[kind];
      if (!seed) continue;
      const std::string name = failure_trace_name(row.scenario, row.strategy, row.client,
                                                  by_explorer ? row.explorer : "", static_cast<AnomalyKind>(kind));
      if (!names.insert(name).second) continue;
      traces.push_back(FailureTrace{index, static_cast<AnomalyKind>(kind), name,
                                    trace_of_schedule(cells[index], *seed, steps_max)});
    }
  }
  return traces;
}

std::vector<fs::path> trace_files(const std::vector<std::string>& paths) {
  std::vector<fs::path> files;
  for (const std::string& path : paths) {
    if (fs::is_directory(path)) {
      std::vector<fs::path> in_directory;
      for (const fs::directory_entry& entry : fs::directory_iterator(path)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") in_directory.push_back(entry.path());
      }
      std::sort(in_directory.begin(), in_directory.end());
      files.insert(files.end(), in_directory.begin(), in_directory.end());
    } else if (fs::is_regular_file(path)) {
      files.emplace_back(path);
    } else {
      throw UsageError(fmt::format("--traces: {}: no such file or directory", path));
    }
  }
  return files;
}

namespace {

// Whether `path` lies inside `directory`, both made absolute.
bool is_inside(const fs::path& path, const fs::path& directory) {
  const fs::path relative = fs::absolute(path).lexically_normal().lexically_relative(
      fs::absolute(directory).lexically_normal());
  return !relative.empty() && *relative.begin() != "..";
}

std::string link_from(const fs::path& out, const fs::path& target) {
  return fs::absolute(target).lexically_normal().lexically_relative(fs::absolute(out).lexically_normal()).generic_string();
}

}  // namespace

void add_counterexamples(ReportData& data, const std::vector<fs::path>& trace_paths, const fs::path& out) {
  data.traces_given = true;
  std::vector<ReplayedTrace> replayed;
  for (const fs::path& path : trace_paths) {
    replayed.push_back(replay_counterexample(load_trace_file(path)));
    if (replayed.back().anomalies.empty()) ++data.clean_traces;
  }

  std::vector<Counterexample> chosen = minimal_counterexamples(replayed);
  // A trace chosen for several kinds gets one timeline and one copy.
  std::map<std::size_t, std::pair<std::string, std::string>> links_of_trace;
  std::set<std::string> copied_names;
  for (Counterexample& counterexample : chosen) {
    const auto found = links_of_trace.find(counterexample.trace_index);
    if (found == links_of_trace.end()) {
      const fs::path& source = trace_paths[counterexample.trace_index];
      fs::path trace_target = source;
      if (!is_inside(source, out)) {
        std::string name = source.filename().string();
        // Two inputs may share a file name, so the later ones get a number.
        for (int suffix = 2; !copied_names.insert(name).second; ++suffix) {
          name = fmt::format("{}-{}{}", source.stem().string(), suffix, source.extension().string());
        }
        trace_target = out / "traces" / name;
        write_text_file(trace_target, read_text_file(source));
      }
      const fs::path timeline = out / "timelines" / (trace_target.stem().string() + ".txt");
      write_text_file(timeline, replayed[counterexample.trace_index].timeline);
      links_of_trace[counterexample.trace_index] = {link_from(out, trace_target), link_from(out, timeline)};
    }
    counterexample.trace_link = links_of_trace[counterexample.trace_index].first;
    counterexample.timeline_link = links_of_trace[counterexample.trace_index].second;
  }
  data.counterexamples = std::move(chosen);
}

}  // namespace reviewsim::cli
