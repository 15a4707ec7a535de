// The report: Wilson intervals, the readers of result files, the gate's JSON and JUnit, and
// `reviewsim report` and `compare` writing report.html, which must render in headless Chromium
// with its charts.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "reports/gate_junit.h"
#include "reports/gate_report.h"
#include "reports/report.h"
#include "reports/report_input.h"
#include "reports/wilson_interval.h"

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

class TempDirectory {
 public:
  TempDirectory() {
    std::string pattern = (fs::temp_directory_path() / "reviewsim-report-test-XXXXXX").string();
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

// Runs a shell command with stdout and stderr captured in files of `scratch`.
CliResult run_shell(const std::string& command_line, const fs::path& scratch) {
  const fs::path out = scratch / "stdout.txt";
  const fs::path err = scratch / "stderr.txt";
  const std::string command = command_line + " >" + quoted(out.string()) + " 2>" + quoted(err.string());
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_file(out);
  result.err = read_file(err);
  return result;
}

// Runs reviewsim from the source tree.
CliResult run_reviewsim(const std::vector<std::string>& arguments, const fs::path& scratch) {
  std::string command = "cd " + quoted(REVIEWSIM_SOURCE_DIR) + " && " + quoted(REVIEWSIM_BINARY);
  for (const std::string& argument : arguments) command += " " + quoted(argument);
  return run_shell(command, scratch);
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

constexpr std::string_view kExploreResult = R"({
  "format": "reviewsim-explore/1", "scenario": "read-merge-write-race", "strategy": "read-merge-write",
  "client": "fixed", "users": 2, "explorer": "pct", "seed": 1, "schedules": 40,
  "first_failure_schedule": 3, "conflict_orderings": 12, "a_field_from_a_newer_writer": {"x": [1, 2]}
})";

// A compare run of one scenario, small enough for a test: its compare.json and trace directory.
struct SmallCompare {
  fs::path out;
  fs::path traces;
};

SmallCompare run_small_compare(const fs::path& scratch) {
  SmallCompare compare{scratch / "compare", scratch / "compare" / "traces"};
  const CliResult result =
      run_reviewsim({"compare", "--quiet", "--schedules", "10", "--scenarios", "scenarios/read-merge-write-race.json",
                     "--clients", "legacy,fixed", "--explorers", "timed,random", "--out", compare.out.string(),
                     "--traces", compare.traces.string()},
                    scratch);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  return compare;
}

TEST(WilsonInterval, MatchesPublishedValues) {
  // Reference values from the closed form with z = 1.959964, computed independently.
  const struct {
    std::uint64_t successes;
    std::uint64_t trials;
    double low;
    double high;
  } cases[] = {
      {0, 10, 0.0, 0.2775328},
      {5, 10, 0.2365931, 0.7634069},
      {10, 10, 0.7224672, 1.0},
      {1, 1000, 0.0001765, 0.0056426},
      {81, 263, 0.2552885, 0.3662096},
  };
  for (const auto& expected : cases) {
    const ShareInterval interval = wilson_interval(expected.successes, expected.trials);
    EXPECT_NEAR(interval.share, static_cast<double>(expected.successes) / expected.trials, 1e-12);
    EXPECT_NEAR(interval.low, expected.low, 1e-6) << expected.successes << "/" << expected.trials;
    EXPECT_NEAR(interval.high, expected.high, 1e-6) << expected.successes << "/" << expected.trials;
  }
}

TEST(WilsonInterval, NoTrialsGivesWholeRange) {
  const ShareInterval interval = wilson_interval(0, 0);
  EXPECT_EQ(interval.low, 0.0);
  EXPECT_EQ(interval.high, 1.0);
}

TEST(ReportInput, ExploreReaderIgnoresExtraFields) {
  const ResultFile file = parse_result_file(kExploreResult, "explore.json");
  ASSERT_EQ(file.explore_results.size(), 1u);
  const ExploreResult& result = file.explore_results[0];
  EXPECT_EQ(result.scenario, "read-merge-write-race");
  EXPECT_EQ(result.explorer, "pct");
  EXPECT_EQ(result.users_count, 2);
  EXPECT_EQ(result.schedules, 40u);
  ASSERT_TRUE(result.first_failure_schedule.has_value());
  EXPECT_EQ(*result.first_failure_schedule, 3u);

  const std::string none = R"({"format": "reviewsim-explore/1", "scenario": "s", "strategy": "hset",
      "client": "fixed", "users": 3, "explorer": "random", "schedules": 100, "first_failure_schedule": null})";
  EXPECT_FALSE(parse_result_file(none, "none.json").explore_results.at(0).first_failure_schedule.has_value());
}

TEST(ReportInput, RejectsMissingFieldsAndFormats) {
  const auto message_of = [](std::string_view text) {
    try {
      parse_result_file(text, "input.json");
    } catch (const ReportInputError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message_of(R"({"format": "reviewsim-explore/1", "scenario": "s", "strategy": "hset", "client": "fixed",
                           "users": 3, "explorer": "random", "schedules": 100})"),
            "input.json: field first_failure_schedule: missing required field");
  EXPECT_EQ(message_of(R"({"format": "reviewsim-explore/1", "scenario": "s", "strategy": "hset", "client": "fixed",
                           "users": 3, "explorer": "random", "schedules": 10, "first_failure_schedule": 11})"),
            "input.json: field first_failure_schedule: expected null or a schedule number from 1 to schedules "
            "(10), found 11");
  EXPECT_NE(message_of(R"({"format": "reviewsim-trace/1"})").find("give trace files with --traces"), std::string::npos);
  EXPECT_NE(message_of("{\"format\": ").find("input.json: invalid JSON"), std::string::npos);
  EXPECT_EQ(message_of(R"({"format": "reviewsim-compare/1", "rows": [{"scenario": "s", "strategy": "hset",
                           "client": "fixed", "users": 2, "explorer": "timed", "schedules": 5,
                           "failing_schedules": 6, "anomalies": {}}]})"),
            "input.json: field rows[0].failing_schedules: 6 failing schedules, but only 5 schedules");
}

CompareRow sample_row(const std::string& strategy, int users, std::uint32_t failing) {
  CompareRow row;
  row.scenario = "different-items";
  row.scenario_file = "scenarios/different-items.json";
  row.strategy = strategy;
  row.client = "fixed";
  row.users_count = users;
  row.explorer = "timed";
  row.result.schedules = 100;
  row.result.failing_schedules = failing;
  row.result.schedules_by_kind[static_cast<int>(AnomalyKind::lost_update)] = failing;
  if (failing > 0) row.result.first_seed_by_kind[static_cast<int>(AnomalyKind::lost_update)] = 4;
  row.result.steps_total = 2345;
  row.expectation = Expectation{strategy, "fixed", "", failing == 0, {}};
  if (failing > 0) row.expectation->kinds = {AnomalyKind::lost_update};
  return row;
}

GateResult sample_gate() {
  GateResult result;
  result.seed = 7;
  result.steps_max = 1000;
  result.shard_count = 2;
  result.cases_total = 3;
  result.plan_fingerprint = "0123456789abcdef";
  result.shards.push_back(GateShard{2, 2, 50, 12.5});
  GateCase gate_case;
  gate_case.index = 1;
  gate_case.role = GateRole::expectation;
  gate_case.scenario = "different-items";
  gate_case.scenario_file = "scenarios/different-items.json";
  gate_case.strategy = "full-overwrite";
  gate_case.client = "legacy";
  gate_case.explorer = "timed";
  gate_case.expectation_source = "scenario";
  gate_case.expected = "none";
  gate_case.status = GateStatus::failed;
  gate_case.message = "must show <no> \"anomaly\" & more";
  gate_case.details = "lost-update: u1's approve <step 3>\nTrace: out/a&b.json\n";
  gate_case.traces = {"out/a&b.json"};
  gate_case.rows = {sample_row("full-overwrite", 2, 100), sample_row("full-overwrite", 3, 97)};
  result.cases.push_back(gate_case);
  return result;
}

TEST(GateReport, JsonRoundTrip) {
  const GateResult result = sample_gate();
  const std::string text = gate_json(result);
  const GateResult reread = parse_gate_json(text, "gate.json");
  EXPECT_EQ(gate_json(reread), text);
  ASSERT_EQ(reread.cases.size(), 1u);
  EXPECT_EQ(reread.cases[0].rows.size(), 2u);
  EXPECT_EQ(reread.cases[0].rows[1].result.failing_schedules, 97u);
  ASSERT_TRUE(reread.shards[0].time_limit_s.has_value());
  EXPECT_EQ(*reread.shards[0].time_limit_s, 12.5);
}

TEST(GateReport, MergeRejectsDifferentPlans) {
  GateResult first = sample_gate();
  first.shards = {GateShard{1, 2, 50, std::nullopt}};
  first.cases.clear();
  GateResult second = sample_gate();
  second.plan_fingerprint = "fedcba9876543210";
  try {
    merge_gate_results({first, second}, {"a.json", "b.json"});
    FAIL() << "merged shards of different plans";
  } catch (const ReportInputError& error) {
    EXPECT_NE(std::string(error.what()).find("b.json: the plan is"), std::string::npos) << error.what();
  }
}

TEST(GateReport, JunitEscapesText) {
  const std::string xml = gate_junit(sample_gate());
  EXPECT_NE(xml.find("<failure message=\"must show &lt;no&gt; &quot;anomaly&quot; &amp; more\" type=\"expectation\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("lost-update: u1's approve &lt;step 3&gt;\nTrace: out/a&amp;b.json"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<testcase classname=\"reviewsim.different-items\" name=\"full-overwrite legacy timed\">"),
            std::string::npos);
  EXPECT_NE(xml.find("tests=\"1\" failures=\"1\""), std::string::npos);
}

TEST(Report, CompareRowsRoundTripThroughJson) {
  const std::vector<CompareRow> rows = {sample_row("hset-multi", 2, 0), sample_row("full-overwrite", 5, 37)};
  const std::string text = compare_json(rows, CompareSettings{1, 100, 1000});
  const ResultFile file = parse_result_file(text, "compare.json");
  ASSERT_EQ(file.rows.size(), 2u);
  EXPECT_EQ(compare_json(file.rows, CompareSettings{1, 100, 1000}), text);
}

TEST(Report, DuplicateRowsAreCountedOnce) {
  ReportData data;
  ResultFile first;
  first.source = "a.json";
  first.rows = {sample_row("hset", 2, 10)};
  ResultFile second;
  second.source = "b.json";
  second.rows = {sample_row("hset", 2, 20)};
  second.rows[0].result.schedules = 1000;
  add_result_file(data, first);
  add_result_file(data, second);
  ASSERT_EQ(data.rows.size(), 1u);
  EXPECT_EQ(data.rows[0].result.schedules, 1000u);
  ASSERT_EQ(data.notes.size(), 1u);
  EXPECT_NE(data.notes[0].find("b.json: 1 rows"), std::string::npos) << data.notes[0];
}

TEST(Report, CommandWritesSelfContainedFiles) {
  TempDirectory scratch;
  const SmallCompare compare = run_small_compare(scratch.path());
  ASSERT_TRUE(fs::exists(compare.out / "compare.json"));
  ASSERT_TRUE(fs::exists(compare.out / "compare.md"));
  ASSERT_TRUE(fs::exists(compare.out / "report.html")) << "compare writes report.html too";
  EXPECT_NE(read_file(compare.out / "compare.md").find("share (95% CI)"), std::string::npos);

  const fs::path explore = scratch.path() / "explore.json";
  write_file(explore, std::string(kExploreResult));
  const fs::path out = scratch.path() / "report";
  const CliResult result = run_reviewsim({"report", "--in", (compare.out / "compare.json").string(), explore.string(),
                                          "--traces", "tests/regressions", compare.traces.string(), "--out", out.string()},
                                         scratch.path());
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;

  const std::string html = read_file(out / "report.html");
  EXPECT_NE(read_file(out / "report.md").find("## Minimal counterexamples"), std::string::npos);
  EXPECT_NE(read_file(out / "report.json").find("\"format\": \"reviewsim-report/1\""), std::string::npos);

  // Self-contained: no script, no style sheet or image from elsewhere, no URL but the SVG namespace.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(count_of(html, "http"), count_of(html, "xmlns=\"http://www.w3.org/2000/svg\""));

  // Four pooled charts (two clients, two explorers), the same again for the one scenario, and the
  // first-failure chart of the explore result.
  EXPECT_EQ(count_of(html, "<svg "), 9u);
  EXPECT_NE(html.find("95% CI"), std::string::npos);
  EXPECT_NE(html.find("first failure in schedule 3 of 40"), std::string::npos);
  EXPECT_EQ(html.find("No explore results were given"), std::string::npos);

  // Every link points to a file written next to the report.
  const std::regex link("href=\"([^\"]+)\"");
  std::size_t links = 0;
  for (auto match = std::sregex_iterator(html.begin(), html.end(), link); match != std::sregex_iterator(); ++match) {
    ++links;
    EXPECT_TRUE(fs::exists(out / (*match)[1].str())) << (*match)[1].str();
  }
  EXPECT_GE(links, 12u) << "a trace and a timeline link per counterexample";
  EXPECT_NE(read_file(out / "timelines" / "read-merge-write-race.txt").find("<== lost-update"), std::string::npos);
}

TEST(Report, SaysWhenNoExploreResultsOrTraces) {
  TempDirectory scratch;
  const SmallCompare compare = run_small_compare(scratch.path());
  const fs::path out = scratch.path() / "report";
  const CliResult result =
      run_reviewsim({"report", "--in", (compare.out / "compare.json").string(), "--out", out.string()}, scratch.path());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string html = read_file(out / "report.html");
  EXPECT_NE(html.find("No explore results were given"), std::string::npos);
  EXPECT_NE(html.find("No traces were given"), std::string::npos);
  EXPECT_NE(read_file(out / "report.md").find("No explore results were given"), std::string::npos);

  const CliResult bad = run_reviewsim({"report", "--in", (compare.traces / "read-merge-write-race.read-merge-write.fixed.lost-update.json").string(),
                                       "--out", out.string()},
                                      scratch.path());
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("give trace files with --traces"), std::string::npos) << bad.err;
}

// The width and height in a PNG's IHDR chunk, or {0, 0} for a file that is not a PNG.
std::pair<std::uint32_t, std::uint32_t> png_size(const std::string& png) {
  if (png.size() < 24 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || png.compare(12, 4, "IHDR") != 0) return {0, 0};
  const auto big_endian = [&png](std::size_t at) {
    std::uint32_t value = 0;
    for (std::size_t index = 0; index < 4; ++index) value = value << 8 | static_cast<unsigned char>(png[at + index]);
    return value;
  };
  return {big_endian(16), big_endian(20)};
}

std::string chromium_command(const fs::path& profile) {
  return "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
         "--disable-background-networking --disable-component-update --disable-sync --user-data-dir=" +
         quoted(profile.string());
}

TEST(Report, RendersChartsInHeadlessChromium) {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "chromium is not installed; scripts/setup installs Debian's chromium package, which this "
                    "test needs to render report.html";
  }
  TempDirectory scratch;
  const SmallCompare compare = run_small_compare(scratch.path());
  const fs::path report = compare.out / "report.html";
  const fs::path blank = scratch.path() / "blank.html";
  write_file(blank, "<!DOCTYPE html><html><body></body></html>\n");

  // The DOM after rendering contains every chart with its bars and whiskers.
  const CliResult dom = run_shell(chromium_command(scratch.path() / "profile-dom") + " --dump-dom " +
                                      quoted("file://" + report.string()),
                                  scratch.path());
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_EQ(count_of(dom.out, "<svg "), count_of(read_file(report), "<svg ")) << dom.out.substr(0, 2000);
  EXPECT_GE(count_of(dom.out, "<svg "), 8u);
  EXPECT_GE(count_of(dom.out, "class=\"bar\""), 32u);
  EXPECT_GE(count_of(dom.out, "class=\"ci\""), 32u);

  const auto screenshot = [&](const fs::path& page, const std::string& name) {
    const fs::path png = scratch.path() / name;
    const CliResult shot = run_shell(chromium_command(scratch.path() / ("profile-" + name)) + " --screenshot=" +
                                         quoted(png.string()) + " --window-size=1200,1600 " +
                                         quoted("file://" + page.string()),
                                     scratch.path());
    EXPECT_EQ(shot.exit_code, 0) << shot.err;
    return read_file(png);
  };
  const std::string report_png = screenshot(report, "report.png");
  const std::string blank_png = screenshot(blank, "blank.png");
  EXPECT_EQ(png_size(report_png), std::make_pair(1200u, 1600u));
  EXPECT_EQ(png_size(blank_png), std::make_pair(1200u, 1600u));
  // A white page compresses to a few kilobytes; coloured bars, axes and text do not.
  EXPECT_GT(report_png.size(), 5 * blank_png.size())
      << "report " << report_png.size() << " bytes, blank page " << blank_png.size() << " bytes";
}

}  // namespace
}  // namespace reviewsim
