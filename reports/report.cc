#include "reports/report.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "adapters/strategy.h"
#include "reports/json_fields.h"
#include "reports/timeline.h"
#include "reports/wilson_interval.h"
#include "sim/replay.h"

namespace reviewsim {

namespace {

using json_fields::kinds_text;
using json_fields::ordered_json;

std::string row_key(const CompareRow& row) {
  return fmt::format("{}\n{}\n{}\n{}\n{}", row.scenario, row.strategy, row.client, row.users_count,
                     row.explorer);
}

// The position of a strategy in strategy_names(), or past the end for an unknown name.
std::size_t strategy_rank(const std::string& strategy) {
  const auto names = strategy_names();
  return static_cast<std::size_t>(std::find(names.begin(), names.end(), strategy) - names.begin());
}

std::string timeline_header(const Trace& trace) {
  return fmt::format("Trace: scenario {}, strategy {}, client {}, {} users, explorer {}, seed {}, {} "
                     "scheduled steps.\n\n",
                     trace.scenario.name, trace.strategy, trace.client, trace.users_count, trace.explorer,
                     trace.seed, trace.schedule.size());
}

std::string anomalies_text(const std::vector<Anomaly>& anomalies) {
  if (anomalies.empty()) return "No anomaly.\n";
  std::string text;
  for (const Anomaly& anomaly : anomalies) {
    text += fmt::format("- {}: {}\n", anomaly_kind_name(anomaly.kind), anomaly.explanation);
  }
  return text;
}

std::string interval_text(std::uint64_t failing, std::uint64_t schedules) {
  const ShareInterval interval = wilson_interval(failing, schedules);
  return fmt::format("{} ({} to {})", percent_text(interval.share), percent_text(interval.low),
                     percent_text(interval.high));
}

std::string first_failure_text(const ExploreResult& result) {
  if (!result.first_failure_schedule) return fmt::format("none in {}", result.schedules);
  return fmt::format("{} of {}", *result.first_failure_schedule, result.schedules);
}

ordered_json explore_to_json(const ExploreResult& result) {
  ordered_json value;
  value["scenario"] = result.scenario;
  value["strategy"] = result.strategy;
  value["client"] = result.client;
  value["users"] = result.users_count;
  value["explorer"] = result.explorer;
  value["schedules"] = result.schedules;
  value["first_failure_schedule"] =
      result.first_failure_schedule ? ordered_json(*result.first_failure_schedule) : ordered_json(nullptr);
  value["source"] = result.source;
  return value;
}

ordered_json counterexample_to_json(const Counterexample& counterexample) {
  ordered_json value;
  value["kind"] = anomaly_kind_name(counterexample.kind);
  value["scenario"] = counterexample.scenario;
  value["strategy"] = counterexample.strategy;
  value["client"] = counterexample.client;
  value["users"] = counterexample.users_count;
  value["explorer"] = counterexample.explorer;
  value["seed"] = counterexample.seed;
  value["schedule_steps"] = counterexample.schedule_steps;
  value["kinds"] = kinds_text(counterexample.kinds);
  value["explanation"] = counterexample.explanation;
  value["trace"] = counterexample.trace_link;
  value["timeline"] = counterexample.timeline_link;
  if (!counterexample.replay_problem.empty()) value["replay_problem"] = counterexample.replay_problem;
  return value;
}

std::string markdown_cell(const std::string& text) {
  std::string cell;
  for (const char character : text) {
    if (character == '|') {
      cell += "\\|";
    } else if (character == '\n') {
      cell += ' ';
    } else {
      cell += character;
    }
  }
  return cell;
}

std::string markdown_pooled(const ReportData& data) {
  const std::vector<PooledShare> pooled = pooled_shares(data.rows);
  if (pooled.empty()) return "\nNo result rows were given.\n";

  std::vector<int> users_counts;
  for (const PooledShare& share : pooled) users_counts.push_back(share.users_count);
  std::sort(users_counts.begin(), users_counts.end());
  users_counts.erase(std::unique(users_counts.begin(), users_counts.end()), users_counts.end());

  // pooled is sorted by client, explorer, strategy and user count: one table per (client,
  // explorer), one table row per strategy.
  std::string text;
  for (std::size_t start = 0; start < pooled.size();) {
    std::size_t end = start;
    while (end < pooled.size() && pooled[end].client == pooled[start].client &&
           pooled[end].explorer == pooled[start].explorer) {
      ++end;
    }
    text += fmt::format("\n### Client {}, explorer {}\n\n| strategy |", pooled[start].client,
                        pooled[start].explorer);
    for (const int users : users_counts) text += fmt::format(" {} users |", users);
    text += "\n|---|";
    for (std::size_t column = 0; column < users_counts.size(); ++column) text += "---|";
    text += "\n";
    for (std::size_t index = start; index < end;) {
      const std::string strategy = pooled[index].strategy;
      text += "| " + strategy + " |";
      for (const int users : users_counts) {
        if (index < end && pooled[index].strategy == strategy && pooled[index].users_count == users) {
          text += fmt::format(" {} |", interval_text(pooled[index].failing, pooled[index].schedules));
          ++index;
        } else {
          text += " - |";
        }
      }
      text += "\n";
    }
    start = end;
  }
  return text;
}

}  // namespace

ReplayedTrace replay_counterexample(const Trace& trace) {
  ReplayedTrace replayed;
  replayed.scenario = trace.scenario.name;
  replayed.strategy = trace.strategy;
  replayed.client = trace.client;
  replayed.explorer = trace.explorer;
  replayed.users_count = trace.users_count;
  replayed.seed = trace.seed;
  replayed.schedule_steps = static_cast<std::uint32_t>(trace.schedule.size());

  const ReplayOutcome outcome = replay_trace(trace);
  if (!outcome.mismatch.empty()) {
    replayed.replay_problem = outcome.mismatch;
    replayed.anomalies = trace.anomalies;
    replayed.timeline = timeline_header(trace) + "The replay did not reproduce this trace: " + outcome.mismatch +
                        "\n\nRecorded anomalies:\n" + anomalies_text(trace.anomalies);
    return replayed;
  }
  replayed.anomalies = outcome.result.anomalies;
  replayed.timeline = timeline_header(trace) +
                      render_timeline(*outcome.result.history, trace.scenario.catalog, replayed.anomalies) +
                      "\nAnomalies:\n" + anomalies_text(replayed.anomalies);
  return replayed;
}

std::vector<Counterexample> minimal_counterexamples(const std::vector<ReplayedTrace>& traces) {
  using Key = std::tuple<AnomalyKind, std::string, std::string, std::string>;
  std::map<Key, Counterexample> chosen;
  for (std::size_t index = 0; index < traces.size(); ++index) {
    const ReplayedTrace& trace = traces[index];
    const std::vector<AnomalyKind> kinds = anomaly_kinds(trace.anomalies);
    for (const AnomalyKind kind : kinds) {
      const Key key{kind, trace.scenario, trace.strategy, trace.client};
      const auto found = chosen.find(key);
      if (found != chosen.end() && found->second.schedule_steps <= trace.schedule_steps) continue;

      Counterexample counterexample;
      counterexample.kind = kind;
      counterexample.scenario = trace.scenario;
      counterexample.strategy = trace.strategy;
      counterexample.client = trace.client;
      counterexample.explorer = trace.explorer;
      counterexample.users_count = trace.users_count;
      counterexample.seed = trace.seed;
      counterexample.schedule_steps = trace.schedule_steps;
      counterexample.kinds = kinds;
      for (const Anomaly& anomaly : trace.anomalies) {
        if (anomaly.kind != kind) continue;
        counterexample.explanation = anomaly.explanation;
        break;
      }
      counterexample.replay_problem = trace.replay_problem;
      counterexample.trace_index = index;
      chosen.insert_or_assign(key, std::move(counterexample));
    }
  }
  std::vector<Counterexample> result;
  for (auto& [key, counterexample] : chosen) result.push_back(std::move(counterexample));
  return result;
}

std::vector<PooledShare> pooled_shares(const std::vector<CompareRow>& rows) {
  std::vector<std::string> clients;
  std::vector<std::string> explorers;
  const auto rank = [](std::vector<std::string>& seen, const std::string& name) {
    const auto found = std::find(seen.begin(), seen.end(), name);
    if (found != seen.end()) return static_cast<std::size_t>(found - seen.begin());
    seen.push_back(name);
    return seen.size() - 1;
  };

  using Key = std::tuple<std::size_t, std::size_t, std::size_t, std::string, int>;
  std::map<Key, PooledShare> pooled;
  for (const CompareRow& row : rows) {
    const Key key{rank(clients, row.client), rank(explorers, row.explorer), strategy_rank(row.strategy),
                  row.strategy, row.users_count};
    PooledShare& share = pooled[key];
    share.client = row.client;
    share.explorer = row.explorer;
    share.strategy = row.strategy;
    share.users_count = row.users_count;
    share.failing += row.result.failing_schedules;
    share.schedules += row.result.schedules;
    ++share.scenarios;
  }
  std::vector<PooledShare> result;
  for (auto& [key, share] : pooled) result.push_back(std::move(share));
  return result;
}

void add_result_file(ReportData& data, ResultFile file) {
  data.sources.push_back(file.source);
  std::map<std::string, std::size_t> position_of;
  for (std::size_t index = 0; index < data.rows.size(); ++index) position_of[row_key(data.rows[index])] = index;

  std::size_t duplicates = 0;
  std::string example;
  for (CompareRow& row : file.rows) {
    const std::string key = row_key(row);
    const auto found = position_of.find(key);
    if (found == position_of.end()) {
      position_of[key] = data.rows.size();
      data.rows.push_back(std::move(row));
      continue;
    }
    if (++duplicates == 1) {
      example = fmt::format("{} {} {} {} users {}", row.scenario, row.strategy, row.client, row.users_count,
                            row.explorer);
    }
    CompareRow& kept = data.rows[found->second];
    if (row.result.schedules > kept.result.schedules) kept = std::move(row);
  }
  if (duplicates > 0) {
    data.notes.push_back(fmt::format(
        "{}: {} rows (such as {}) are also in an earlier input; each time the row with more schedules was "
        "kept and the other dropped, so that no schedule is counted twice.",
        file.source, duplicates, example));
  }
  for (ExploreResult& result : file.explore_results) data.explore_results.push_back(std::move(result));
  if (file.gate) data.gates.push_back(GateInput{file.source, std::move(*file.gate)});
}

std::string report_json(const ReportData& data) {
  ordered_json document;
  document["format"] = kReportFormat;
  document["sources"] = data.sources;

  ordered_json rows = ordered_json::array();
  for (const CompareRow& row : data.rows) rows.push_back(json_fields::row_to_json(row));
  document["rows"] = std::move(rows);

  ordered_json pooled = ordered_json::array();
  for (const PooledShare& share : pooled_shares(data.rows)) {
    const ShareInterval interval = wilson_interval(share.failing, share.schedules);
    pooled.push_back({{"client", share.client},
                      {"explorer", share.explorer},
                      {"strategy", share.strategy},
                      {"users", share.users_count},
                      {"scenarios", share.scenarios},
                      {"schedules", share.schedules},
                      {"failing_schedules", share.failing},
                      {"failing_share", interval.share},
                      {"failing_share_ci95", {interval.low, interval.high}}});
  }
  document["pooled"] = std::move(pooled);

  ordered_json explore = ordered_json::array();
  for (const ExploreResult& result : data.explore_results) explore.push_back(explore_to_json(result));
  document["explore_results"] = std::move(explore);

  ordered_json gates = ordered_json::array();
  for (const GateInput& gate : data.gates) {
    ordered_json failures = ordered_json::array();
    for (const GateCase& gate_case : gate.result.cases) {
      if (gate_case.status != GateStatus::failed) continue;
      failures.push_back({{"case", gate_case.index}, {"name", gate_case_name(gate_case)},
                          {"message", gate_case.message}});
    }
    gates.push_back({{"source", gate.source},
                     {"passed", gate_passed(gate.result)},
                     {"cases", gate.result.cases.size()},
                     {"failed", gate_cases_with_status(gate.result, GateStatus::failed)},
                     {"failures", std::move(failures)}});
  }
  document["gates"] = std::move(gates);

  ordered_json counterexamples = ordered_json::array();
  for (const Counterexample& counterexample : data.counterexamples) {
    counterexamples.push_back(counterexample_to_json(counterexample));
  }
  document["counterexamples"] = std::move(counterexamples);
  document["clean_traces"] = data.clean_traces;
  document["notes"] = data.notes;
  return document.dump(2) + "\n";
}

std::string report_markdown(const ReportData& data) {
  std::string text = "# reviewsim report\n\nInputs: ";
  for (std::size_t index = 0; index < data.sources.size(); ++index) {
    text += (index == 0 ? "`" : ", `") + data.sources[index] + "`";
  }
  text += data.sources.empty() ? "none.\n" : ".\n";

  for (const GateInput& gate : data.gates) {
    text += fmt::format("\n## Gate `{}`: {}\n\n{} cases, {} failed.\n", gate.source,
                        gate_passed(gate.result) ? "passed" : "FAILED", gate.result.cases.size(),
                        gate_cases_with_status(gate.result, GateStatus::failed));
    for (const GateCase& gate_case : gate.result.cases) {
      if (gate_case.status != GateStatus::failed) continue;
      text += fmt::format("- case {} ({}): {}\n", gate_case.index, gate_case_name(gate_case),
                          markdown_cell(gate_case.message));
    }
  }

  text += "\n## Anomaly rate by strategy and user count\n\n"
          "The share of schedules that showed at least one anomaly, summed over the scenarios, with "
          "its 95% Wilson score interval in brackets.\n";
  text += markdown_pooled(data);

  text += "\n## Schedules to the first failure\n\n";
  if (data.explore_results.empty()) {
    text += "No explore results were given: `reviewsim explore --json FILE` writes one, and `--in FILE` "
            "adds it here.\n";
  } else {
    text += "| scenario | strategy | client | users | explorer | first failing schedule |\n"
            "|---|---|---|---|---|---|\n";
    for (const ExploreResult& result : data.explore_results) {
      text += fmt::format("| {} | {} | {} | {} | {} | {} |\n", result.scenario, result.strategy, result.client,
                          result.users_count, result.explorer, first_failure_text(result));
    }
  }

  text += "\n## Minimal counterexamples\n\n";
  if (!data.traces_given) {
    text += "No traces were given: `--traces DIR` adds the smallest trace of each anomaly kind.\n";
  } else if (data.counterexamples.empty()) {
    text += "None of the given traces shows an anomaly.\n";
  } else {
    text += "| kind | scenario | strategy | client | users | steps | explanation | trace | timeline |\n"
            "|---|---|---|---|---|---|---|---|---|\n";
    for (const Counterexample& counterexample : data.counterexamples) {
      text += fmt::format("| {} | {} | {} | {} | {} | {} | {}{} | [trace]({}) | [timeline]({}) |\n",
                          anomaly_kind_name(counterexample.kind), counterexample.scenario,
                          counterexample.strategy, counterexample.client, counterexample.users_count,
                          counterexample.schedule_steps, markdown_cell(counterexample.explanation),
                          counterexample.replay_problem.empty() ? "" : " (replay differs from the trace)",
                          counterexample.trace_link, counterexample.timeline_link);
    }
  }

  if (!data.rows.empty()) {
    text += "\n## Every row\n\n" + markdown_rows_table(data.rows);
    const std::string reproduction = markdown_reproduction_list(data.rows);
    if (!reproduction.empty()) text += "\n## Reproducing a failure\n\n" + reproduction;
  }
  if (!data.notes.empty()) {
    text += "\n## Notes\n\n";
    for (const std::string& note : data.notes) text += "- " + note + "\n";
  }
  return text;
}

}  // namespace reviewsim
