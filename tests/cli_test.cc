// The command line as a user runs it: exit codes and messages of run, replay, shrink and
// explore on good and bad input.

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace reviewsim {
namespace {

namespace fs = std::filesystem;

struct Output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string quote(const std::string& text) {
  std::string quoted = "'";
  for (const char character : text) quoted += character == '\'' ? std::string("'\\''") : std::string(1, character);
  return quoted + "'";
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class CliTest : public ::testing::Test {
 protected:
  CliTest() {
    std::string pattern = (fs::temp_directory_path() / "reviewsim-cli-test-XXXXXX").string();
    dir_ = mkdtemp(pattern.data());
  }
  ~CliTest() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  Output run(const std::vector<std::string>& arguments) {
    std::string command = "cd " + quote(REVIEWSIM_SOURCE_DIR) + " && " + quote(REVIEWSIM_BINARY);
    for (const std::string& argument : arguments) command += " " + quote(argument);
    command += " >" + quote((dir_ / "out.txt").string()) + " 2>" + quote((dir_ / "err.txt").string());
    const int status = std::system(command.c_str());
    return Output{WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(dir_ / "out.txt"), slurp(dir_ / "err.txt")};
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  void write(const std::string& name, const std::string& text) const { std::ofstream(dir_ / name) << text; }

  // A trace of the incident under hset-multi and the legacy client.
  std::string incident_trace() {
    const Output written = run({"run", "--scenario", "scenarios/incident-wrong-company.json", "--strategy",
                                "hset-multi", "--client", "legacy", "--trace-out", path("incident.json")});
    EXPECT_EQ(written.exit_code, 1) << written.err;
    return slurp(path("incident.json"));
  }

  fs::path dir_;
};

TEST_F(CliTest, RunThenReplaySameHash) {
  incident_trace();
  const Output run_output = run({"run", "--scenario", "scenarios/incident-wrong-company.json", "--strategy",
                                 "hset-multi", "--client", "legacy"});
  const Output replayed = run({"replay", path("incident.json")});
  EXPECT_EQ(replayed.exit_code, 1);  // the trace shows anomalies
  const auto hash_at = run_output.out.find("history hash ");
  ASSERT_NE(hash_at, std::string::npos);
  const std::string hash = run_output.out.substr(hash_at + 13, 16);
  EXPECT_NE(replayed.out.find("history hash " + hash + " matches"), std::string::npos) << replayed.out;
  EXPECT_NE(replayed.out.find("<== wrong-company-write"), std::string::npos);
}

TEST_F(CliTest, ReplayFormatsAndStep) {
  incident_trace();
  const Output mermaid = run({"replay", path("incident.json"), "--format", "mermaid"});
  EXPECT_EQ(mermaid.out.rfind("sequenceDiagram\n", 0), 0u);
  EXPECT_NE(mermaid.out.find("rect rgb("), std::string::npos);
  const Output json = run({"replay", path("incident.json"), "--format", "json"});
  EXPECT_NE(json.out.find("\"format\": \"reviewsim-history/1\""), std::string::npos);
  const Output step = run({"replay", path("incident.json"), "--step", "5"});
  EXPECT_EQ(step.exit_code, 0);
  EXPECT_NE(step.out.find("State after step 5:"), std::string::npos) << step.out;
  const Output bad_format = run({"replay", path("incident.json"), "--format", "svg"});
  EXPECT_EQ(bad_format.exit_code, 2);
  EXPECT_NE(bad_format.err.find("--format"), std::string::npos);
}

TEST_F(CliTest, BadTracesExitTwo) {
  const std::string trace = incident_trace();
  write("truncated.json", trace.substr(0, trace.size() / 2));
  write("future.json", std::string(trace).replace(trace.find("reviewsim-trace/1"), 17, "reviewsim-trace/9"));
  write("garbage.json", "\x01\x02 not json");
  for (const char* name : {"truncated.json", "future.json", "garbage.json", "missing.json"}) {
    const Output output = run({"replay", path(name)});
    EXPECT_EQ(output.exit_code, 2) << name << ": " << output.err;
    EXPECT_NE(output.err.find(path(name)), std::string::npos) << output.err;
  }
  EXPECT_NE(run({"replay", path("future.json")}).err.find("another reviewsim version"), std::string::npos);
}

TEST_F(CliTest, TamperedScheduleNamesStep) {
  std::string trace = incident_trace();
  const auto at = trace.find("\"schedule\": [\n  ");
  ASSERT_NE(at, std::string::npos);
  trace.replace(at + 16, 1, "9");  // the first choice now points past the enabled events
  write("tampered.json", trace);
  const Output output = run({"replay", path("tampered.json")});
  EXPECT_EQ(output.exit_code, 1);
  EXPECT_NE(output.err.find("at step 1"), std::string::npos) << output.err;
}

TEST_F(CliTest, ShrinkWritesSmallerTrace) {
  incident_trace();
  const Output output = run({"shrink", path("incident.json"), "--kind", "wrong-company-write", "--out", path("small.json")});
  EXPECT_EQ(output.exit_code, 0) << output.err;
  EXPECT_NE(output.out.find("after:  1 users, 2 actions (1 decisions)"), std::string::npos) << output.out;
  const Output replayed = run({"replay", path("small.json"), "--check"});
  EXPECT_EQ(replayed.exit_code, 0) << replayed.err;
}

TEST_F(CliTest, BadScenarioExitsTwo) {
  write("bad.json", R"({"format": "reviewsim-scenario/1", "name": "x", "companies": [], "users": 2, "workload": {}})");
  const Output output = run({"run", "--scenario", path("bad.json"), "--strategy", "hset"});
  EXPECT_EQ(output.exit_code, 2);
  EXPECT_NE(output.err.find("field companies"), std::string::npos) << output.err;
  const Output unknown = run({"run", "--scenario", "scenarios/different-items.json", "--strategy", "hset-mutli"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("--strategy"), std::string::npos);
}

TEST_F(CliTest, UnwritableOutputExitsThree) {
  write("file.txt", "not a directory");
  const Output output = run({"compare", "--schedules", "1", "--scenarios", "scenarios/different-items.json",
                             "--quiet", "--out", path("file.txt") + "/reports"});
  EXPECT_EQ(output.exit_code, 3) << output.err;
  EXPECT_NE(output.err.find("file.txt"), std::string::npos) << output.err;
}

TEST_F(CliTest, ExploreExhaustiveVerdicts) {
  const Output clean = run({"explore", "--scenario", "scenarios/same-item-conflict.json", "--strategy", "hset-multi",
                            "--explorer", "exhaustive", "--polls-max", "0", "--quiet", "--trace-out", path("x.json")});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_NE(clean.out.find("every interleaving was checked"), std::string::npos) << clean.out;
  const Output failing = run({"explore", "--scenario", "scenarios/same-item-conflict.json", "--strategy", "hset",
                              "--explorer", "exhaustive", "--quiet", "--trace-out", path("hset.json")});
  EXPECT_EQ(failing.exit_code, 1);
  EXPECT_NE(failing.out.find("Trace: " + path("hset.json")), std::string::npos) << failing.out;
  EXPECT_EQ(run({"replay", path("hset.json")}).exit_code, 1);
}

TEST_F(CliTest, ExplorePctPrintsGuarantee) {
  const Output output = run({"explore", "--scenario", "scenarios/read-merge-write-race.json", "--strategy",
                             "read-merge-write", "--explorer", "pct", "--depth", "2", "--quiet", "--trace-out",
                             path("pct.json")});
  EXPECT_EQ(output.exit_code, 1) << output.out;
  EXPECT_NE(output.out.find("PCT guarantee"), std::string::npos) << output.out;
  EXPECT_NE(output.out.find("Coverage:"), std::string::npos);
  // The scenario's client polls; the trace records the poll bound, so the replay matches.
  const Output replay = run({"replay", path("pct.json"), "--check"});
  EXPECT_EQ(replay.exit_code, 0) << replay.out << replay.err;
}

TEST_F(CliTest, ExploreRejectsBadOptions) {
  // A copy of the scenario, so that a broken check cannot overwrite the bundled file.
  std::ifstream bundled(std::string(REVIEWSIM_SOURCE_DIR) + "/scenarios/read-merge-write-race.json");
  write("race.json", std::string(std::istreambuf_iterator<char>(bundled), {}));
  const std::vector<std::string> base = {"explore", "--scenario", path("race.json"), "--strategy",
                                         "read-merge-write", "--quiet"};
  const auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> arguments = base;
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return run(arguments);
  };
  for (const auto& [extra, option] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--explorer", "dfs"}, "--explorer"},
           {{"--explorer", "exhaustive", "--reduction", "partial"}, "--reduction"},
           {{"--polls-max", "-2"}, "--polls-max"},
           {{"--time-limit", "-1"}, "--time-limit"},
           {{"--steps-max", "0"}, "--steps-max"},
           {{"--explorer", "random", "--preemption-bound", "1"}, "--preemption-bound"},
           {{"--explorer", "timed", "--depth", "3"}, "--depth"},
           {{"--trace-out", path("race.json")}, "--trace-out"},
           {{"--trace-out", path("same.json"), "--json", path("same.json")}, "--json"}}) {
    const Output output = with(extra);
    EXPECT_EQ(output.exit_code, 2) << option << ": " << output.err;
    EXPECT_NE(output.err.find(option), std::string::npos) << output.err;
  }
}

TEST_F(CliTest, ExploreCutOffRunsGiveNoVerdict) {
  const Output output = run({"explore", "--scenario", "scenarios/read-merge-write-race.json", "--strategy",
                             "read-merge-write", "--explorer", "random", "--steps-max", "10", "--schedules", "5",
                             "--quiet", "--trace-out", path("cut.json")});
  EXPECT_EQ(output.exit_code, 2) << output.out;
  EXPECT_NE(output.out.find("No verdict"), std::string::npos) << output.out;
  EXPECT_EQ(output.out.find("No anomaly"), std::string::npos) << output.out;
}

}  // namespace
}  // namespace reviewsim
