// reviewsim gate, run as the executable. It passes on the bundled scenarios. It fails with a
// readable JUnit failure when an expectation is broken, and with a "lost its power" message when
// a canary is no longer caught. Four shards merge to the unsharded result, a time limit reports
// a schedule count that reproduces the run, and progress goes to stderr as documented.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "reports/gate_report.h"

namespace reviewsim {
namespace {

namespace fs = std::filesystem;

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string quoted(const std::string& argument) {
  std::string text = "'";
  for (const char character : argument) {
    if (character == '\'') {
      text += "'\\''";
    } else {
      text += character;
    }
  }
  return text + "'";
}

// A fresh directory under the system temporary directory, removed when the test ends.
class TempDirectory {
 public:
  TempDirectory() {
    std::string pattern = (fs::temp_directory_path() / "reviewsim-gate-test-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Runs reviewsim from the source tree with stdout and stderr captured in files of `scratch`.
CliResult run_reviewsim(const std::vector<std::string>& arguments, const fs::path& scratch) {
  std::string command = "cd " + quoted(REVIEWSIM_SOURCE_DIR) + " && " + quoted(REVIEWSIM_BINARY);
  for (const std::string& argument : arguments) command += " " + quoted(argument);
  const fs::path out = scratch / "stdout.txt";
  const fs::path err = scratch / "stderr.txt";
  command += " >" + quoted(out.string()) + " 2>" + quoted(err.string());
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(out);
  result.err = read_file(err);
  return result;
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

// Copies a bundled scenario into `directory` with `from` replaced by `to` in its text.
void write_modified_scenario(const std::string& name, const std::string& from, const std::string& to,
                             const fs::path& directory) {
  std::string text = read_file(fs::path(REVIEWSIM_SOURCE_DIR) / "scenarios" / (name + ".json"));
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << "scenarios/" << name << ".json no longer contains: " << from;
  text.replace(at, from.size(), to);
  write_file(directory / (name + ".json"), text);
}

GateResult read_gate(const fs::path& path) { return parse_gate_json(read_file(path), path.string()); }

// Whether the gate ran to its end: 0 when every expectation held, 1 when one did not. Tests of
// sharding and progress use budgets too small for some canaries, so either is fine there.
bool gate_completed(const CliResult& result) { return result.exit_code == 0 || result.exit_code == 1; }

TEST(Gate, PassesOnBundledScenarios) {
  TempDirectory scratch;
  const fs::path json = scratch.path() / "gate.json";
  const fs::path junit = scratch.path() / "junit.xml";
  const CliResult result = run_reviewsim(
      {"gate", "--schedules", "20", "--quiet", "--json", json.string(), "--junit", junit.string()}, scratch.path());

  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("Gate passed"), std::string::npos) << result.out;
  const GateResult gate = read_gate(json);
  EXPECT_TRUE(gate_passed(gate));
  ASSERT_EQ(gate.shards.size(), 1u);
  EXPECT_EQ(gate.shards[0].schedules_per_case, 20u);
  std::map<GateRole, std::size_t> cases_of_role;
  for (const GateCase& gate_case : gate.cases) ++cases_of_role[gate_case.role];
  std::size_t scenario_files = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(REVIEWSIM_SOURCE_DIR) / "scenarios")) {
    if (entry.path().extension() == ".json") ++scenario_files;
  }
  EXPECT_EQ(cases_of_role[GateRole::production], 2 * scenario_files) << "one case per scenario and explorer";
  EXPECT_GT(cases_of_role[GateRole::canary], 0u);
  EXPECT_GT(cases_of_role[GateRole::expectation], 0u);
  EXPECT_GT(cases_of_role[GateRole::regression], 0u);

  const std::string xml = read_file(junit);
  EXPECT_NE(xml.find(fmt::format("tests=\"{}\" failures=\"0\"", gate.cases.size())), std::string::npos) << xml;
  EXPECT_EQ(count_of(xml, "<testcase "), gate.cases.size());
  EXPECT_EQ(count_of(xml, "<failure"), 0u);
}

TEST(Gate, BrokenExpectationFailsInJunit) {
  TempDirectory scratch;
  const fs::path scenarios = scratch.path() / "scenarios";
  // full-overwrite loses one of two users' updates in every schedule of this scenario.
  write_modified_scenario("different-items",
                          R"({"strategy": "full-overwrite", "client": "legacy", "anomalies": ["lost-update"]})",
                          R"({"strategy": "full-overwrite", "client": "legacy", "anomalies": "none"})", scenarios);
  const fs::path junit = scratch.path() / "junit.xml";
  const fs::path traces = scratch.path() / "traces";
  const CliResult result = run_reviewsim({"gate", "--schedules", "5", "--quiet", "--scenarios", scenarios.string(),
                                          "--junit", junit.string(), "--traces", traces.string()},
                                         scratch.path());

  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("Gate FAILED"), std::string::npos) << result.out;
  const std::string xml = read_file(junit);
  EXPECT_NE(xml.find("failures=\"2\""), std::string::npos) << "the timed and the random case fail\n" << xml;
  EXPECT_NE(xml.find("<failure message=\"full-overwrite with client legacy must show no anomaly in scenario "
                     "different-items (timed explorer)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("type=\"expectation\""), std::string::npos);
  // The failure text carries the checker's explanation, which names the users and steps.
  EXPECT_NE(xml.find("lost-update with 2 users, first in seed 1: u"), std::string::npos) << xml;
  EXPECT_NE(xml.find("was acknowledged at step"), std::string::npos) << xml;
  const fs::path trace = traces / "different-items.full-overwrite.legacy.timed.lost-update.json";
  EXPECT_NE(xml.find("Trace: " + trace.string()), std::string::npos) << xml;
  ASSERT_TRUE(fs::exists(trace));

  // The trace replays to the same anomaly: replay exits 1 on an anomaly and 0 with --check.
  const CliResult replay = run_reviewsim({"replay", trace.string()}, scratch.path());
  EXPECT_EQ(replay.exit_code, 1) << replay.out << replay.err;
  EXPECT_NE(replay.out.find("lost-update"), std::string::npos);
}

TEST(Gate, LostCanaryFailsWithPowerMessage) {
  TempDirectory scratch;
  const fs::path scenarios = scratch.path() / "scenarios";
  // hset writes one hash field per decision, so two users deciding different items can never
  // lose an update: a canary that claims otherwise can never be caught, whatever the seeds.
  write_modified_scenario("different-items", R"({"strategy": "hset", "client": "fixed", "anomalies": "none"})",
                          R"({"strategy": "hset", "client": "fixed", "anomalies": ["lost-update"]})", scenarios);
  const fs::path junit = scratch.path() / "junit.xml";
  const CliResult result = run_reviewsim(
      {"gate", "--schedules", "5", "--quiet", "--scenarios", scenarios.string(), "--junit", junit.string()},
      scratch.path());

  EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("canary not caught: hset with client fixed must show lost-update in scenario "
                            "different-items"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("the harness has lost its power"), std::string::npos) << result.out;
  const std::string xml = read_file(junit);
  EXPECT_EQ(count_of(xml, "type=\"canary\""), 2u) << xml;
  EXPECT_NE(xml.find("no schedule showed lost-update"), std::string::npos) << xml;
}

TEST(Gate, FourShardsMergeToUnshardedRun) {
  TempDirectory scratch;
  const fs::path whole = scratch.path() / "whole.json";
  const CliResult unsharded_run =
      run_reviewsim({"gate", "--schedules", "3", "--quiet", "--json", whole.string()}, scratch.path());
  ASSERT_TRUE(gate_completed(unsharded_run)) << unsharded_run.out << unsharded_run.err;

  std::vector<std::string> merge_arguments = {"report", "merge", "--in"};
  std::size_t shard_cases = 0;
  for (int shard = 1; shard <= 4; ++shard) {
    const fs::path path = scratch.path() / fmt::format("shard{}.json", shard);
    const CliResult result = run_reviewsim(
        {"gate", "--schedules", "3", "--quiet", "--shard", fmt::format("{}/4", shard), "--json", path.string()},
        scratch.path());
    ASSERT_TRUE(gate_completed(result)) << result.out << result.err;
    const GateResult part = read_gate(path);
    for (const GateCase& gate_case : part.cases) {
      EXPECT_EQ(gate_case.index % 4, static_cast<std::size_t>(shard - 1)) << "shard " << shard;
    }
    shard_cases += part.cases.size();
    merge_arguments.push_back(path.string());
  }
  const fs::path merged_path = scratch.path() / "merged.json";
  merge_arguments.insert(merge_arguments.end(), {"--out", merged_path.string()});
  const CliResult merge = run_reviewsim(merge_arguments, scratch.path());
  ASSERT_EQ(merge.exit_code, unsharded_run.exit_code) << "merge exits as the unsharded gate did\n" << merge.err;

  const GateResult unsharded = read_gate(whole);
  GateResult merged = read_gate(merged_path);
  EXPECT_EQ(shard_cases, unsharded.cases.size());
  ASSERT_EQ(merged.cases.size(), unsharded.cases.size());
  for (std::size_t index = 0; index < merged.cases.size(); ++index) {
    const GateCase& a = merged.cases[index];
    const GateCase& b = unsharded.cases[index];
    EXPECT_EQ(a.index, b.index);
    EXPECT_EQ(gate_case_name(a), gate_case_name(b)) << "case " << index;
    EXPECT_EQ(a.status, b.status) << "case " << index;
    ASSERT_EQ(a.rows.size(), b.rows.size()) << "case " << index;
    for (std::size_t row = 0; row < a.rows.size(); ++row) {
      EXPECT_EQ(a.rows[row].result.schedules, b.rows[row].result.schedules) << "case " << index;
      EXPECT_EQ(a.rows[row].result.failing_schedules, b.rows[row].result.failing_schedules) << "case " << index;
      EXPECT_EQ(a.rows[row].result.schedules_by_kind, b.rows[row].result.schedules_by_kind) << "case " << index;
      EXPECT_EQ(a.rows[row].result.first_seed_by_kind, b.rows[row].result.first_seed_by_kind) << "case " << index;
      EXPECT_EQ(a.rows[row].result.steps_total, b.rows[row].result.steps_total) << "case " << index;
    }
  }
  // Apart from naming its shards, the merged file is the unsharded one, byte for byte.
  merged.shard_count = unsharded.shard_count;
  merged.shards = unsharded.shards;
  EXPECT_EQ(gate_json(merged), gate_json(unsharded));
}

TEST(Gate, MergeRejectsMissingShard) {
  TempDirectory scratch;
  std::vector<std::string> arguments = {"report", "merge", "--in"};
  for (const int shard : {1, 2, 4}) {
    const fs::path path = scratch.path() / fmt::format("shard{}.json", shard);
    ASSERT_TRUE(gate_completed(run_reviewsim(
        {"gate", "--schedules", "1", "--quiet", "--shard", fmt::format("{}/4", shard), "--json", path.string()},
        scratch.path())));
    arguments.push_back(path.string());
  }
  arguments.insert(arguments.end(), {"--out", (scratch.path() / "merged.json").string()});
  const CliResult result = run_reviewsim(arguments, scratch.path());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("missing shards 3/4"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(scratch.path() / "merged.json"));
}

TEST(Gate, TimeLimitNamesReproducingSchedules) {
  TempDirectory scratch;
  const fs::path scenarios = scratch.path() / "scenarios";
  write_file(scenarios / "read-merge-write-race.json",
             read_file(fs::path(REVIEWSIM_SOURCE_DIR) / "scenarios" / "read-merge-write-race.json"));
  fs::create_directories(scratch.path() / "no-regressions");
  const std::vector<std::string> common = {"gate", "--quiet", "--scenarios", scenarios.string(), "--regressions",
                                           (scratch.path() / "no-regressions").string()};

  std::vector<std::string> limited = common;
  const fs::path limited_json = scratch.path() / "limited.json";
  limited.insert(limited.end(), {"--time-limit", "1", "--json", limited_json.string()});
  const CliResult first = run_reviewsim(limited, scratch.path());
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const GateResult limited_result = read_gate(limited_json);
  ASSERT_EQ(limited_result.shards.size(), 1u);
  const std::uint32_t schedules = limited_result.shards[0].schedules_per_case;
  EXPECT_GE(schedules, 20u) << "the first round always runs";
  EXPECT_NE(first.out.find(fmt::format("every case ran {} schedules", schedules)), std::string::npos) << first.out;
  EXPECT_NE(first.out.find(fmt::format("--schedules {} reproduces this result exactly", schedules)),
            std::string::npos);

  std::vector<std::string> repeated = common;
  const fs::path repeated_json = scratch.path() / "repeated.json";
  repeated.insert(repeated.end(), {"--schedules", std::to_string(schedules), "--json", repeated_json.string()});
  ASSERT_EQ(run_reviewsim(repeated, scratch.path()).exit_code, 0);
  GateResult repeated_result = read_gate(repeated_json);
  repeated_result.shards = limited_result.shards;
  EXPECT_EQ(gate_json(repeated_result), gate_json(limited_result));
}

TEST(Gate, RejectsBadUsageAndUnwritableFiles) {
  TempDirectory scratch;
  const std::vector<std::vector<std::string>> usage_errors = {
      {"gate", "--shard", "5/4"},
      {"gate", "--shard", "0/4"},
      {"gate", "--shard", "two"},
      {"gate", "--schedules", "0"},
      {"gate", "--regressions", (scratch.path() / "missing").string()},
      {"gate", "--scenarios", (scratch.path() / "missing.json").string()},
  };
  for (const auto& arguments : usage_errors) {
    const CliResult result = run_reviewsim(arguments, scratch.path());
    EXPECT_EQ(result.exit_code, 2) << arguments.back() << "\n" << result.err;
    EXPECT_FALSE(result.err.empty()) << arguments.back();
  }

  // A file cannot be created below /dev/null, which is not a directory.
  const CliResult unwritable = run_reviewsim({"gate", "--schedules", "1", "--junit", "/dev/null/junit.xml"}, scratch.path());
  EXPECT_EQ(unwritable.exit_code, 3) << unwritable.err;
  EXPECT_NE(unwritable.err.find("--junit"), std::string::npos) << unwritable.err;
}

TEST(Gate, ProgressIsOneSummaryLineWhenPiped) {
  TempDirectory scratch;
  const std::string scenario = "scenarios/read-merge-write-race.json";
  const CliResult result = run_reviewsim({"gate", "--schedules", "2", "--scenarios", scenario}, scratch.path());
  ASSERT_TRUE(gate_completed(result)) << result.err;
  EXPECT_EQ(result.err.find('\r'), std::string::npos) << "no line rewriting without a terminal";
  // A start line naming the seed, and one summary line.
  EXPECT_EQ(count_of(result.err, "\n"), 2u) << result.err;
  EXPECT_NE(result.err.find("gate: seed 1, shard 1/1"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(" done, "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find(" schedules in "), std::string::npos) << result.err;

  const CliResult quiet =
      run_reviewsim({"gate", "--schedules", "2", "--quiet", "--scenarios", scenario}, scratch.path());
  ASSERT_TRUE(gate_completed(quiet));
  EXPECT_EQ(quiet.err, "");
}

TEST(Gate, ProgressRewritesLineOnTerminal) {
  // script(1) from util-linux runs the command on a pseudo-terminal.
  if (std::system("command -v script >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "script (util-linux) is not installed, so no pseudo-terminal can be opened";
  }
  TempDirectory scratch;
  const std::string gate = quoted(REVIEWSIM_BINARY) + " gate --schedules 2 --scenarios " +
                           quoted(std::string(REVIEWSIM_SOURCE_DIR) + "/scenarios/read-merge-write-race.json");
  const fs::path output = scratch.path() / "terminal.txt";
  // script -e returns the gate's exit code; `|| true` keeps a failed canary from mattering here.
  const std::string command =
      "script -qfec " + quoted(gate + " >/dev/null || true") + " /dev/null >" + quoted(output.string());
  ASSERT_EQ(std::system(command.c_str()), 0);
  const std::string text = read_file(output);
  EXPECT_NE(text.find("\rgate: "), std::string::npos) << text;
  EXPECT_NE(text.find(" schedules/s, "), std::string::npos) << text;
  EXPECT_NE(text.find("left"), std::string::npos) << text;
  EXPECT_NE(text.find(" schedules in "), std::string::npos) << "the summary line ends the run\n" << text;
}

}  // namespace
}  // namespace reviewsim
