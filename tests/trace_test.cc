// Trace files: written by a run, read back, replayed to the same history, and rejected with a
// clear error when corrupted, truncated or of another format version.

#include <filesystem>

#include <gtest/gtest.h>

#include "adapters/scenario_file.h"
#include "adapters/strategy.h"
#include "adapters/trace_file.h"
#include "sim/replay.h"
#include "sim/shrink.h"

namespace reviewsim {
namespace {

Scenario bundled(const std::string& name) {
  return load_scenario_file(std::string(REVIEWSIM_SOURCE_DIR) + "/scenarios/" + name + ".json");
}

ClientVariant client(const std::string& name) { return *parse_client_variant(name, nullptr); }

// The trace of the first seed in 1..40 whose run shows `kind`, or nullopt.
std::optional<Trace> failing_trace(const Scenario& scenario, const std::string& strategy,
                                   const std::string& variant, int users, ExplorerKind explorer,
                                   std::optional<AnomalyKind> kind = std::nullopt) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    SimulationConfig config;
    config.scenario = &scenario;
    config.strategy = strategy;
    config.client = client(variant);
    config.users_count = users;
    config.seed = seed;
    config.explorer = explorer;
    config.keep_steps = true;
    const SimulationResult result = simulate(config);
    const auto kinds = anomaly_kinds(result.anomalies);
    const bool matches = kind ? std::find(kinds.begin(), kinds.end(), *kind) != kinds.end() : !kinds.empty();
    if (matches) return make_trace(config, result);
  }
  return std::nullopt;
}

Trace incident_trace() {
  const Scenario scenario = bundled("incident-wrong-company");
  return *failing_trace(scenario, "hset-multi", "legacy", 2, ExplorerKind::timed);
}

TEST(Trace, FormatParseRoundTrip) {
  const Trace trace = incident_trace();
  const std::string text = format_trace(trace);
  const Trace reread = parse_trace(text, "round-trip");
  EXPECT_EQ(reread.strategy, trace.strategy);
  EXPECT_EQ(reread.client, trace.client);
  EXPECT_EQ(reread.users_count, trace.users_count);
  EXPECT_EQ(reread.seed, trace.seed);
  EXPECT_EQ(reread.explorer, trace.explorer);
  EXPECT_EQ(reread.schedule, trace.schedule);
  EXPECT_EQ(reread.history_hash, trace.history_hash);
  EXPECT_EQ(reread.step_hashes, trace.step_hashes);
  ASSERT_EQ(reread.anomalies.size(), trace.anomalies.size());
  EXPECT_EQ(format_trace(reread), text);
}

// Every bundled scenario and strategy that fails: the trace of its first failing schedule,
// written and read back, replays to the same hash and the same anomalies.
TEST(Trace, RunThenReplayReproduces) {
  int traces_checked = 0;
  for (const auto& path : scenario_files_in(std::string(REVIEWSIM_SOURCE_DIR) + "/scenarios")) {
    const Scenario scenario = load_scenario_file(path);
    for (const std::string_view strategy : strategy_names()) {
      for (const char* variant : {"legacy", "fixed"}) {
        const auto trace = failing_trace(scenario, std::string(strategy), variant,
                                         scenario.users_min, ExplorerKind::random);
        if (!trace) continue;
        SCOPED_TRACE(scenario.name + " " + std::string(strategy) + " " + variant);
        const Trace reread = parse_trace(format_trace(*trace), "reread");
        const ReplayOutcome outcome = replay_trace(reread);
        EXPECT_EQ(outcome.mismatch, "");
        EXPECT_EQ(outcome.result.history_hash, trace->history_hash);
        ASSERT_EQ(outcome.result.anomalies.size(), trace->anomalies.size());
        for (std::size_t index = 0; index < trace->anomalies.size(); ++index) {
          EXPECT_EQ(outcome.result.anomalies[index].explanation, trace->anomalies[index].explanation);
        }
        ++traces_checked;
      }
    }
  }
  EXPECT_GE(traces_checked, 20);
}

TEST(Trace, ChangedChoiceNamesStep) {
  Trace trace = incident_trace();
  ASSERT_GT(trace.schedule.size(), 10u);
  // Pick a step with more than one enabled event to redirect.
  const ReplayOutcome original = replay_trace(trace);
  std::size_t changed = 0;
  for (std::size_t index = 0; index < original.result.history->steps().size(); ++index) {
    if (original.result.history->steps()[index].enabled_count > 1) {
      changed = index;
      break;
    }
  }
  trace.schedule[changed] = trace.schedule[changed] == 0 ? 1 : 0;
  const ReplayOutcome outcome = replay_trace(trace);
  ASSERT_TRUE(outcome.first_differing_step.has_value());
  EXPECT_EQ(*outcome.first_differing_step, changed + 1);
  EXPECT_NE(outcome.mismatch.find("another reviewsim version"), std::string::npos) << outcome.mismatch;
}

TEST(Trace, ExtraChoicesRejected) {
  Trace trace = incident_trace();
  const std::size_t choices = trace.schedule.size();
  trace.schedule.push_back(0);
  trace.schedule.push_back(0);
  const ReplayOutcome outcome = replay_trace(trace);
  ASSERT_TRUE(outcome.first_differing_step.has_value());
  EXPECT_EQ(*outcome.first_differing_step, choices + 1);
  EXPECT_NE(outcome.mismatch.find("quiescence"), std::string::npos) << outcome.mismatch;
}

TEST(Trace, OutOfRangeChoiceNamesStep) {
  Trace trace = incident_trace();
  trace.schedule[3] = 1000;
  const ReplayOutcome outcome = replay_trace(trace);
  ASSERT_TRUE(outcome.first_differing_step.has_value());
  EXPECT_EQ(*outcome.first_differing_step, 4u);
  EXPECT_NE(outcome.mismatch.find("recorded choice 1000"), std::string::npos) << outcome.mismatch;
}

TEST(Trace, ChangedStepHashNamesStep) {
  Trace trace = incident_trace();
  trace.step_hashes[7] ^= 1;
  const ReplayOutcome outcome = replay_trace(trace);
  ASSERT_TRUE(outcome.first_differing_step.has_value());
  EXPECT_EQ(*outcome.first_differing_step, 8u);
}

TEST(Trace, StopAfterStepReportsState) {
  const Trace trace = incident_trace();
  const ReplayOutcome outcome = replay_trace(trace, 10);
  EXPECT_EQ(outcome.mismatch, "");
  ASSERT_TRUE(outcome.result.stopped.has_value());
  EXPECT_EQ(outcome.result.stopped->step, 10u);
  EXPECT_EQ(outcome.result.stopped->views.size(), 2u);
  EXPECT_EQ(outcome.result.stopped->store.size(), trace.scenario.catalog.companies_count());
  EXPECT_TRUE(outcome.result.anomalies.empty());
}

void expect_rejected(const std::string& text, const std::string& phrase) {
  try {
    parse_trace(text, "bad.json");
    ADD_FAILURE() << "accepted a trace that should fail with: " << phrase;
  } catch (const TraceError& error) {
    EXPECT_NE(std::string(error.what()).find(phrase), std::string::npos) << error.what();
    EXPECT_EQ(std::string(error.what()).rfind("bad.json: ", 0), 0u) << error.what();
  }
}

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(Trace, TruncatedRejected) {
  const std::string text = format_trace(incident_trace());
  for (const std::size_t keep : {std::size_t{0}, std::size_t{1}, text.size() / 3, text.size() - 3}) {
    expect_rejected(text.substr(0, keep), "truncated");
  }
}

TEST(Trace, FutureVersionRejected) {
  const std::string text = replace_once(format_trace(incident_trace()), "reviewsim-trace/1", "reviewsim-trace/2");
  expect_rejected(text, "another reviewsim version");
}

TEST(Trace, CorruptedFieldsRejected) {
  // Top-level fields sit at an indent of one space; the inline scenario's are deeper.
  const std::string text = format_trace(incident_trace());
  expect_rejected(replace_once(text, "\n \"strategy\": \"hset-multi\"", "\n \"strategy\": \"hset-mutli\""),
                  "field strategy");
  expect_rejected(replace_once(text, "\n \"explorer\": \"timed\"", "\n \"explorer\": \"bfs\""),
                  "field explorer");
  expect_rejected(replace_once(text, "\n \"client\": \"legacy\"", "\n \"client\": \"legacy+fast\""),
                  "field client");
  expect_rejected(replace_once(text, "\n \"users\": 2", "\n \"users\": 9"), "field users");
  expect_rejected(replace_once(text, "\n \"seed\": ", "\n \"seed\": -"), "field seed");
  expect_rejected(replace_once(text, "\n \"history_hash\": \"", "\n \"history_hash\": \"zz"),
                  "field history_hash");
  expect_rejected(replace_once(text, "\n \"schedule\": [", "\n \"schedule\": [\"x\","),
                  "field schedule[0]");
  expect_rejected(replace_once(text, "\"format\"", "\"colour\": 1, \"format\""),
                  "field colour: unknown field");
  expect_rejected(replace_once(text, "\"name\": \"incident-wrong-company\"", "\"name\": \"\""),
                  "field scenario.name");
  expect_rejected("[1, 2, 3]", "expected a JSON object");
}

TEST(Trace, MissingFileRejected) {
  try {
    load_trace_file("/nonexistent/trace.json");
    FAIL() << "a missing file loaded";
  } catch (const TraceError& error) {
    EXPECT_NE(std::string(error.what()).find("No such file"), std::string::npos) << error.what();
  }
  try {
    load_trace_file(std::filesystem::temp_directory_path());
    FAIL() << "a directory loaded";
  } catch (const TraceError& error) {
    EXPECT_NE(std::string(error.what()).find("directory"), std::string::npos) << error.what();
  }
}

TEST(Shrink, FullOverwriteLostUpdateToTwoDecisions) {
  const Scenario scenario = bundled("mixed-workload");
  const auto trace = failing_trace(scenario, "full-overwrite", "fixed", 5, ExplorerKind::timed,
                                   AnomalyKind::lost_update);
  ASSERT_TRUE(trace.has_value());
  const ShrinkResult shrunk = shrink_trace(*trace, AnomalyKind::lost_update, ShrinkOptions{});
  const TraceSize size = measure(shrunk.trace);
  EXPECT_EQ(size.users, 2);
  EXPECT_EQ(size.decisions, 2);
  EXPECT_EQ(size.actions, 2);
  EXPECT_EQ(size.companies, 1);
  EXPECT_LT(size.schedule_steps, measure(*trace).schedule_steps);

  const ReplayOutcome replayed = replay_trace(shrunk.trace);
  EXPECT_EQ(replayed.mismatch, "");
  const auto kinds = anomaly_kinds(replayed.result.anomalies);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), AnomalyKind::lost_update), kinds.end());
}

TEST(Shrink, WrongCompanyWriteToOneSwitch) {
  const Scenario scenario = bundled("incident-wrong-company");
  const auto trace = failing_trace(scenario, "hset-multi", "legacy", 5, ExplorerKind::timed,
                                   AnomalyKind::wrong_company_write);
  ASSERT_TRUE(trace.has_value());
  const ShrinkResult shrunk = shrink_trace(*trace, AnomalyKind::wrong_company_write, ShrinkOptions{});
  const TraceSize size = measure(shrunk.trace);
  EXPECT_EQ(size.users, 1);
  EXPECT_EQ(size.decisions, 1);
  EXPECT_EQ(size.actions, 2);  // the decision and the switch
  EXPECT_EQ(size.companies, 2);
}

TEST(Shrink, Deterministic) {
  const Scenario scenario = bundled("different-items");
  const auto trace = failing_trace(scenario, "full-overwrite", "legacy", 4, ExplorerKind::random);
  ASSERT_TRUE(trace.has_value());
  const ShrinkResult first = shrink_trace(*trace, AnomalyKind::lost_update, ShrinkOptions{});
  const ShrinkResult second = shrink_trace(*trace, AnomalyKind::lost_update, ShrinkOptions{});
  EXPECT_EQ(format_trace(first.trace), format_trace(second.trace));
  EXPECT_EQ(first.runs, second.runs);
}

}  // namespace
}  // namespace reviewsim
